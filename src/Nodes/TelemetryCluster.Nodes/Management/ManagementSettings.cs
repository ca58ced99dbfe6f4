using Akka.Configuration;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// The management endpoint (<c>cluster.management</c>): whether it runs, where it listens, and the bearer token
/// the mutating routes require.
/// </summary>
public sealed record ManagementSettings
{
    public const int DefaultPort = 8558;

    /// <summary>Environment variable read when <c>cluster.management.token</c> is not set.</summary>
    public const string TokenEnvironmentVariable = "TELEMETRY_CLUSTER_MANAGEMENT_TOKEN";

    /// <summary>Enabled on <c>127.0.0.1:8558</c> without a token (what the reference configuration gives on loopback).</summary>
    public static ManagementSettings Default { get; } = new() { Enabled = true, Host = NodeSettings.DefaultHostname, Port = DefaultPort };

    /// <summary><c>cluster.management.enabled</c>.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Host (or address) to listen on; empty, <c>0.0.0.0</c> or <c>::</c> = every interface.</summary>
    public required string Host { get; init; }

    /// <summary>Port to listen on; 0 picks a free port (not with cluster bootstrap).</summary>
    public required int Port { get; init; }

    /// <summary>Bearer token for <c>PUT /cluster/members/...</c>; null = the mutating routes are open.</summary>
    public string? Token { get; init; }

    /// <summary>The endpoint as <c>host:port</c>.</summary>
    public string Endpoint => NodeConfigValues.HostPort(Host, Port);

    /// <summary>
    /// Reads <c>cluster.management</c>. The endpoint defaults to <paramref name="advertisedHost"/> (the
    /// <c>cluster.public-hostname</c>, else <c>cluster.hostname</c>) on port 8558; the token comes from
    /// <c>cluster.management.token</c>, else from <see cref="TokenEnvironmentVariable"/>.
    /// </summary>
    internal static ManagementSettings Read(Config root, string advertisedHost, Func<string, string?> environment, ConfigErrors errors)
    {
        var enabled = NodeConfigValues.Bool(root, "cluster.management.enabled", true, errors);
        var host = advertisedHost;
        var port = DefaultPort;
        if (NodeConfigValues.String(root, "cluster.management.endpoint") is { } endpoint)
        {
            if (NodeConfigValues.TryParseHostPort(endpoint, allowPortZero: true, out var parsedHost, out var parsedPort, out var error))
            {
                host = parsedHost;
                port = parsedPort;
            }
            else
            {
                errors.Add("cluster.management.endpoint", error);
            }
        }

        var token = NodeConfigValues.String(root, "cluster.management.token") ?? environment(TokenEnvironmentVariable);
        return new ManagementSettings
        {
            Enabled = enabled,
            Host = host,
            Port = port,
            Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim(),
        };
    }

    /// <summary>The token is never printed.</summary>
    public override string ToString() =>
        $"ManagementSettings {{ Enabled = {Enabled}, Endpoint = {Endpoint}, Token = {(Token is null ? "none" : "***")} }}";
}
