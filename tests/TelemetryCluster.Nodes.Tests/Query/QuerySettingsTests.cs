using System.Text.RegularExpressions;
using Akka.Configuration;
using TelemetryCluster.Nodes.Query;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Tests.Query;

/// <summary>The <c>cluster.query</c> keys.</summary>
public sealed class QuerySettingsTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(20);

    private static NodeSettings Read(string hocon) =>
        NodeSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(ConfigLoader.Reference()), Drain);

    [Fact]
    public void Reference_defaults_serve_an_open_api_keeping_an_hour()
    {
        var query = NodeSettings.FromConfig(ConfigLoader.Reference(), Drain).Query;

        Assert.True(query.Enabled);
        Assert.Equal(TimeSpan.FromHours(1), query.Retention);
        Assert.Equal(100_000, query.MaxSeries);
        Assert.Equal(20_000_000, query.MaxSamples);
        Assert.Equal(50_000_000, query.QueryMaxSamples);
        Assert.Equal(TimeSpan.FromMinutes(2), query.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(5), query.LookbackDelta);
        Assert.Equal(TimeSpan.FromSeconds(1), query.FollowInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), query.StaleAfter);
        Assert.Null(query.Username);
        Assert.Equal(Environment.GetEnvironmentVariable(QuerySettings.TokenEnvironmentVariable), query.Token);
    }

    [Fact]
    public void Keys_are_read_and_handed_to_the_store_and_the_api()
    {
        var query = Read("""
            cluster.query { enabled = false, retention = 30m, max-series = 10, max-samples = 1000, timeout = 5s,
                            lookback-delta = 1m, follow-interval = 500ms, stale-after = 30s, token = secret, username = keda, password = pw }
            """).Query;

        Assert.False(query.Enabled);
        var store = query.StoreOptions;
        Assert.Equal(TimeSpan.FromMinutes(30), store.Retention);
        Assert.Equal(10, store.MaxSeries);
        Assert.Equal(1000, store.MaxSamples);
        var api = query.ApiOptions(TimeProvider.System);
        Assert.Equal("secret", api.BearerToken);
        Assert.Equal("keda", api.BasicUsername);
        Assert.Equal("pw", api.BasicPassword);
        Assert.Equal(TimeSpan.FromSeconds(5), api.Engine.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(1), api.Engine.LookbackDelta);
        Assert.Equal(TimeSpan.FromMilliseconds(500), query.FollowInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), query.StaleAfter);
        Assert.DoesNotContain("secret", query.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pw", query.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_values_are_startup_errors_naming_the_key()
    {
        var errors = Assert.Throws<ConfigException>(() => Read("""
            cluster.query { retention = soon, max-series = 0, max-samples = -1, timeout = x, password = lonely }
            """)).Errors.Select(e => e.Path).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            ["cluster.query.max-samples", "cluster.query.max-series", "cluster.query.password", "cluster.query.retention", "cluster.query.timeout"],
            errors);
    }

    [Fact]
    public void The_readme_example_is_valid_and_the_reference_declares_every_key_it_reads()
    {
        string? readme = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && readme is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Nodes", "TelemetryCluster.Nodes", "Query", "README.md");
            readme = File.Exists(candidate) ? candidate : null;
        }

        Assert.NotNull(readme);
        var block = Regex.Match(File.ReadAllText(readme), "```hocon\\s*\\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "the Query README has a ```hocon block");
        var query = Read(block.Groups["body"].Value).Query;
        Assert.Equal(TimeSpan.FromHours(1), query.Retention);
        Assert.Equal(TimeSpan.FromMinutes(2), query.Timeout);

        var declared = ConfigLoader.Reference().GetConfig("cluster.query").Root.GetObject().Items.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["enabled", "follow-interval", "lookback-delta", "max-samples", "max-series", "password", "query-max-samples", "retention", "stale-after", "timeout", "token", "username"],
            declared);
    }
}
