using Akka.Configuration;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Discovery;

/// <summary>How Akka Cluster Bootstrap finds the other nodes' management endpoints (<c>cluster.bootstrap.discovery</c>).</summary>
public enum BootstrapDiscovery
{
    /// <summary>The A/AAAA records of <c>service-name</c> (a Kubernetes headless Service), each on <c>contact-point-port</c>.</summary>
    Dns,

    /// <summary>The fixed list <c>config-endpoints</c> (local clusters and tests).</summary>
    Config,
}

/// <summary>
/// Akka Cluster Bootstrap (<c>cluster.bootstrap</c>): when enabled and no <c>cluster.seed-nodes</c> are set, the
/// node discovers the others' management endpoints, probes their <c>/bootstrap/seed-nodes</c>, and joins an
/// existing cluster or (the node with the lowest contact point, once <c>required-contact-points</c> were seen stable
/// for <c>stable-margin</c>) forms a new one.
/// </summary>
public sealed record BootstrapSettings
{
    public static BootstrapSettings Disabled { get; } = new()
    {
        Enabled = false,
        ServiceName = null,
        Discovery = BootstrapDiscovery.Dns,
        RequiredContactPoints = 2,
        ContactPointPort = ManagementSettings.DefaultPort,
        StableMargin = TimeSpan.FromSeconds(5),
        ConfigEndpoints = [],
    };

    /// <summary><c>cluster.bootstrap.enabled</c>.</summary>
    public required bool Enabled { get; init; }

    /// <summary>The name to look up: the headless Service's DNS name for <see cref="BootstrapDiscovery.Dns"/>.</summary>
    public required string? ServiceName { get; init; }

    public required BootstrapDiscovery Discovery { get; init; }

    /// <summary>Contact points that must be discovered before a new cluster may be formed.</summary>
    public required int RequiredContactPoints { get; init; }

    /// <summary>The management port of every discovered node (DNS answers carry no port).</summary>
    public required int ContactPointPort { get; init; }

    /// <summary>How long the discovered contact points must stay unchanged before a join decision.</summary>
    public required TimeSpan StableMargin { get; init; }

    /// <summary><c>host:port</c> management endpoints for <see cref="BootstrapDiscovery.Config"/>.</summary>
    public required IReadOnlyList<string> ConfigEndpoints { get; init; }

    /// <summary>The service name bootstrap looks up (config discovery without a name uses the actor system's).</summary>
    public string EffectiveServiceName => ServiceName ?? NodeSettings.SystemName;

    /// <summary>Reads <c>cluster.bootstrap</c>; the rules that involve other blocks are checked by <see cref="Validate"/>.</summary>
    internal static BootstrapSettings Read(Config root, ConfigErrors errors)
    {
        const string Prefix = "cluster.bootstrap.";
        var enabled = NodeConfigValues.Bool(root, Prefix + "enabled", false, errors);
        var discoveryText = NodeConfigValues.String(root, Prefix + "discovery") ?? "dns";
        var discovery = BootstrapDiscovery.Dns;
        switch (discoveryText)
        {
            case "dns":
                break;
            case "config":
                discovery = BootstrapDiscovery.Config;
                break;
            default:
                errors.Add(Prefix + "discovery", $"must be dns or config, got \"{discoveryText}\"");
                break;
        }

        var endpoints = NodeConfigValues.StringList(root, Prefix + "config-endpoints", errors);
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (!NodeConfigValues.TryParseHostPort(endpoints[i], allowPortZero: false, out _, out _, out var error))
            {
                errors.Add($"{Prefix}config-endpoints[{i}]", error);
            }
        }

        return new BootstrapSettings
        {
            Enabled = enabled,
            ServiceName = NodeConfigValues.String(root, Prefix + "service-name"),
            Discovery = discovery,
            RequiredContactPoints = NodeConfigValues.Int(root, Prefix + "required-contact-points", Disabled.RequiredContactPoints, 1, 1000, errors),
            ContactPointPort = NodeConfigValues.Int(root, Prefix + "contact-point-port", Disabled.ContactPointPort, 1, 65535, errors),
            StableMargin = NodeConfigValues.Duration(root, Prefix + "stable-margin", Disabled.StableMargin, TimeSpan.Zero, errors),
            ConfigEndpoints = endpoints,
        };
    }

    /// <summary>
    /// The rules across blocks, checked when bootstrap is enabled: it needs the management endpoint (it serves the
    /// contact point) on a fixed port; DNS discovery needs a service name and the management port equal to
    /// <c>contact-point-port</c> (what the other nodes probe); config discovery needs endpoints.
    /// </summary>
    internal void Validate(ManagementSettings management, ConfigErrors errors)
    {
        if (!Enabled)
        {
            return;
        }

        if (!management.Enabled)
        {
            errors.Add("cluster.bootstrap.enabled", "cluster bootstrap needs the management endpoint (cluster.management.enabled = true), which serves /bootstrap/seed-nodes");
        }

        if (management.Port == 0)
        {
            errors.Add("cluster.management.endpoint", "cluster bootstrap needs a fixed management port (the other nodes probe it), not 0");
        }

        if (Discovery == BootstrapDiscovery.Dns)
        {
            if (ServiceName is null)
            {
                errors.Add("cluster.bootstrap.service-name", "must be set for dns discovery (the DNS name of the headless Service, e.g. \"telemetry-cluster-headless.default.svc.cluster.local\")");
            }

            if (management.Port != 0 && management.Port != ContactPointPort)
            {
                errors.Add("cluster.bootstrap.contact-point-port", $"must equal the management endpoint's port ({management.Port}) with dns discovery: the other nodes probe this port on every address the name resolves to");
            }
        }
        else if (ConfigEndpoints.Count == 0)
        {
            errors.Add("cluster.bootstrap.config-endpoints", "must list the management endpoints (\"host:port\") of the nodes when discovery = config");
        }
    }
}
