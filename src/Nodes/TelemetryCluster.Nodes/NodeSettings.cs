using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using TelemetryCluster.Nodes.Discovery;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Nodes.Query;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes;

/// <summary>
/// The node-level settings of a loaded configuration: the <c>cluster { }</c> block (remoting address, seed nodes,
/// drain timeout) and the user's <c>akka { }</c> passthrough.
/// </summary>
public sealed record NodeSettings
{
    /// <summary>The ActorSystem name; every member of a cluster uses the same one.</summary>
    public const string SystemName = "telemetry-cluster";

    public const string DefaultHostname = "127.0.0.1";

    public const int DefaultPort = 4053;

    /// <summary>Address remoting binds to (<c>cluster.hostname</c>).</summary>
    public required string Hostname { get; init; }

    /// <summary>Remoting port (<c>cluster.port</c>); 0 picks a free port.</summary>
    public required int Port { get; init; }

    /// <summary>Address other nodes use to reach this one (<c>cluster.public-hostname</c>), when it differs from the bind address.</summary>
    public string? PublicHostname { get; init; }

    /// <summary>Port other nodes use to reach this one (<c>cluster.public-port</c>).</summary>
    public int? PublicPort { get; init; }

    /// <summary>Seed node addresses (<c>akka.tcp://telemetry-cluster@host:port</c>); empty = the node joins itself.</summary>
    public required IReadOnlyList<string> SeedNodes { get; init; }

    /// <summary>How long in-flight batches may take to drain on shutdown (<c>cluster.drain-timeout</c>).</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary>The user's <c>akka { }</c> block, rooted at <c>akka</c> (empty when absent).</summary>
    public required Config Akka { get; init; }

    /// <summary>The management endpoint (<c>cluster.management</c>).</summary>
    public ManagementSettings Management { get; init; } = ManagementSettings.Default;

    /// <summary>Akka Cluster Bootstrap (<c>cluster.bootstrap</c>); used only when no seed nodes are set.</summary>
    public BootstrapSettings Bootstrap { get; init; } = BootstrapSettings.Disabled;

    /// <summary>The MetricsView singleton (<c>cluster.metrics-view</c>).</summary>
    public MetricsViewSettings MetricsView { get; init; } = MetricsViewSettings.Default;

    /// <summary>The Prometheus query API on every prometheus exporter endpoint (<c>cluster.query</c>).</summary>
    public QuerySettings Query { get; init; } = QuerySettings.Default;

    /// <summary>True when the node forms (or starts) the cluster by joining itself.</summary>
    public bool SelfJoin => SeedNodes.Count == 0 && !Bootstrap.Enabled;

    /// <summary>True when the node joins through Akka Cluster Bootstrap (enabled, and no static seed nodes).</summary>
    public bool UsesBootstrap => SeedNodes.Count == 0 && Bootstrap.Enabled;

    /// <summary>Reads the node settings from a loaded specification.</summary>
    /// <exception cref="ConfigException">A <c>cluster</c> key has a bad value (every such error is listed).</exception>
    public static NodeSettings FromSpec(PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return FromConfig(spec.Root, spec.Engine.DrainTimeout);
    }

    /// <summary>Reads the node settings from the merged configuration tree.</summary>
    /// <exception cref="ConfigException">A <c>cluster</c> key has a bad value (every such error is listed).</exception>
    public static NodeSettings FromConfig(Config root, TimeSpan drainTimeout)
    {
        ArgumentNullException.ThrowIfNull(root);
        var errors = new ConfigErrors();
        var hostname = OptionalString(root, "cluster.hostname") ?? DefaultHostname;
        if (string.IsNullOrWhiteSpace(hostname))
        {
            errors.Add("cluster.hostname", "must not be empty");
            hostname = DefaultHostname;
        }

        var port = OptionalPort(root, "cluster.port", errors) ?? DefaultPort;
        var publicHostname = OptionalString(root, "cluster.public-hostname");
        var publicPort = OptionalPort(root, "cluster.public-port", errors);
        var seeds = new List<string>();
        if (root.HasPath("cluster.seed-nodes"))
        {
            var list = ReadStringList(root, "cluster.seed-nodes", errors);
            for (var i = 0; i < list.Count; i++)
            {
                if (TryNormalizeSeed(list[i], out var seed, out var error))
                {
                    seeds.Add(seed);
                }
                else
                {
                    errors.Add($"cluster.seed-nodes[{i}]", error);
                }
            }
        }

        var management = ManagementSettings.Read(root, string.IsNullOrWhiteSpace(publicHostname) ? hostname : publicHostname, Environment.GetEnvironmentVariable, errors);
        var bootstrap = BootstrapSettings.Read(root, errors);
        bootstrap.Validate(management, errors);
        var metricsView = MetricsViewSettings.Read(root, errors);
        var query = QuerySettings.Read(root, Environment.GetEnvironmentVariable, errors);
        if (errors.HasErrors)
        {
            throw new ConfigException(errors.Items);
        }

        return new NodeSettings
        {
            Hostname = hostname,
            Port = port,
            PublicHostname = string.IsNullOrWhiteSpace(publicHostname) ? null : publicHostname,
            PublicPort = publicPort,
            SeedNodes = seeds,
            DrainTimeout = drainTimeout,
            Akka = AkkaBlock(root),
            Management = management,
            Bootstrap = bootstrap,
            MetricsView = metricsView,
            Query = query,
        };
    }

    /// <summary>
    /// Accepts a full Akka address (<c>akka.tcp://telemetry-cluster@10.0.0.1:4053</c>) or a plain <c>host:port</c>,
    /// which becomes an address of this system.
    /// </summary>
    public static bool TryNormalizeSeed(string text, out string seed, out string error)
    {
        seed = string.Empty;
        error = string.Empty;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "must not be empty";
            return false;
        }

        if (trimmed.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || !uri.Scheme.StartsWith("akka", StringComparison.Ordinal)
                || string.IsNullOrEmpty(uri.UserInfo) || uri.Port <= 0)
            {
                error = $"\"{trimmed}\" is not an Akka address (akka.tcp://{SystemName}@host:port) or host:port";
                return false;
            }

            if (uri.UserInfo != SystemName)
            {
                error = $"\"{trimmed}\" names the actor system \"{uri.UserInfo}\"; cluster members use \"{SystemName}\"";
                return false;
            }

            seed = trimmed;
            return true;
        }

        var colon = trimmed.LastIndexOf(':');
        if (colon <= 0 || colon == trimmed.Length - 1
            || !int.TryParse(trimmed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            error = $"\"{trimmed}\" is not an Akka address (akka.tcp://{SystemName}@host:port) or host:port";
            return false;
        }

        seed = $"akka.tcp://{SystemName}@{trimmed}";
        return true;
    }

    private static Config AkkaBlock(Config root)
    {
        if (root.Root is null || !root.Root.IsObject() || !root.Root.GetObject().Items.TryGetValue("akka", out var akka) || !akka.IsObject())
        {
            return ConfigurationFactory.Empty;
        }

        var holder = new HoconObject();
        holder.Items["akka"] = akka;
        var value = new HoconValue();
        value.NewValue(holder);
        return new Config(new HoconRoot(value));
    }

    private static string? OptionalString(Config root, string path)
    {
        if (!root.HasPath(path))
        {
            return null;
        }

        var value = root.GetValue(path);
        return value is null || value.IsObject() ? null : value.GetString();
    }

    private static int? OptionalPort(Config root, string path, ConfigErrors errors)
    {
        var text = OptionalString(root, path);
        if (string.IsNullOrWhiteSpace(text) || text == "null")
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            errors.Add(path, $"must be a port number between 0 and 65535, got \"{text}\"");
            return null;
        }

        return port;
    }

    private static List<string> ReadStringList(Config root, string path, ConfigErrors errors)
    {
        var value = root.GetValue(path);
        if (value is null || value.Values.Count == 0)
        {
            return [];
        }

        try
        {
            if (value.IsArray())
            {
                return value.GetArray().Select(v => v.GetString()).Where(s => s is not null).ToList();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            // fall through: not a list
        }

        if (value.IsObject())
        {
            errors.Add(path, "must be a list of seed node addresses");
            return [];
        }

        var single = value.GetString();
        return string.IsNullOrWhiteSpace(single) || single == "null" ? [] : [single];
    }
}
