using Akka.Configuration;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.PromQL.Api;
using TelemetryCluster.PromQL.Storage;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Query;

/// <summary>
/// The Prometheus query API every node serves next to each prometheus exporter's <c>/metrics</c>
/// (<c>cluster.query</c>): the replica store's limits, the query timeout and the optional credentials.
/// </summary>
public sealed record QuerySettings
{
    /// <summary>Environment variable read when <c>cluster.query.token</c> is not set.</summary>
    public const string TokenEnvironmentVariable = "TELEMETRY_CLUSTER_QUERY_TOKEN";

    public static QuerySettings Default { get; } = new();

    /// <summary><c>cluster.query.enabled</c>: serve <c>/api/v1/*</c> on every prometheus exporter endpoint.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>cluster.query.retention</c>: samples older than the newest one minus this are discarded.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>cluster.query.max-series</c>: series per exporter's replica; further new series are dropped.</summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary><c>cluster.query.max-samples</c>: samples held per exporter's replica; further samples are dropped.</summary>
    public int MaxSamples { get; init; } = 20_000_000;

    /// <summary><c>cluster.query.query-max-samples</c>: samples one query may load (Prometheus' --query.max-samples).</summary>
    public int QueryMaxSamples { get; init; } = 50_000_000;

    /// <summary><c>cluster.query.timeout</c>: the longest a query may run (Prometheus' --query.timeout).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary><c>cluster.query.lookback-delta</c>: how far back an instant selector looks (--query.lookback-delta).</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>cluster.query.follow-interval</c>: how often a replica reads the merged view.</summary>
    public TimeSpan FollowInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>cluster.query.stale-after</c>: how long a series may be missing from the view before it is marked stale.</summary>
    public TimeSpan StaleAfter { get; init; } = SnapshotFollower.DefaultStaleAfter;

    /// <summary><c>cluster.query.token</c>: bearer token the API requires; null = open (unless basic auth is set).</summary>
    public string? Token { get; init; }

    /// <summary><c>cluster.query.username</c> / <c>password</c>: HTTP Basic credentials the API accepts.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>The replica store's limits.</summary>
    public SeriesStoreOptions StoreOptions => new()
    {
        Retention = Retention,
        MaxSeries = MaxSeries,
        MaxSamples = MaxSamples,
    };

    /// <summary>The API's options (credentials, engine limits).</summary>
    public PrometheusQueryApiOptions ApiOptions(TimeProvider time) => new()
    {
        BearerToken = Token,
        BasicUsername = Username,
        BasicPassword = Username is null ? null : Password ?? string.Empty,
        TimeProvider = time,
        Engine = new()
        {
            Timeout = Timeout,
            LookbackDelta = LookbackDelta,
            MaxSamples = QueryMaxSamples,
        },
    };

    internal static QuerySettings Read(Config root, Func<string, string?> environment, ConfigErrors errors)
    {
        var token = NodeConfigValues.String(root, "cluster.query.token") ?? environment(TokenEnvironmentVariable);
        var username = NodeConfigValues.String(root, "cluster.query.username");
        var password = NodeConfigValues.String(root, "cluster.query.password");
        if (password is not null && username is null)
        {
            errors.Add("cluster.query.password", "is set without cluster.query.username");
        }

        return new QuerySettings
        {
            Enabled = NodeConfigValues.Bool(root, "cluster.query.enabled", Default.Enabled, errors),
            Retention = NodeConfigValues.Duration(root, "cluster.query.retention", Default.Retention, TimeSpan.FromMinutes(1), errors),
            MaxSeries = NodeConfigValues.Int(root, "cluster.query.max-series", Default.MaxSeries, 1, int.MaxValue, errors),
            MaxSamples = NodeConfigValues.Int(root, "cluster.query.max-samples", Default.MaxSamples, 1, int.MaxValue, errors),
            QueryMaxSamples = NodeConfigValues.Int(root, "cluster.query.query-max-samples", Default.QueryMaxSamples, 1, int.MaxValue, errors),
            Timeout = NodeConfigValues.Duration(root, "cluster.query.timeout", Default.Timeout, TimeSpan.FromMilliseconds(1), errors),
            LookbackDelta = NodeConfigValues.Duration(root, "cluster.query.lookback-delta", Default.LookbackDelta, TimeSpan.FromSeconds(1), errors),
            FollowInterval = NodeConfigValues.Duration(root, "cluster.query.follow-interval", Default.FollowInterval, TimeSpan.FromMilliseconds(100), errors),
            StaleAfter = NodeConfigValues.Duration(root, "cluster.query.stale-after", Default.StaleAfter, TimeSpan.Zero, errors),
            Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim(),
            Username = username,
            Password = password,
        };
    }

    /// <summary>Credentials are never printed.</summary>
    public override string ToString() =>
        $"QuerySettings {{ Enabled = {Enabled}, Retention = {Retention}, MaxSeries = {MaxSeries}, MaxSamples = {MaxSamples}, Timeout = {Timeout}, " +
        $"Token = {(Token is null ? "none" : "***")}, Basic = {(Username is null ? "none" : "***")} }}";
}
