using Akka.Configuration;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>The MetricsView singleton's settings (<c>cluster.metrics-view</c>).</summary>
public sealed record MetricsViewSettings
{
    public static MetricsViewSettings Default { get; } = new() { ReportInterval = TimeSpan.FromSeconds(2) };

    /// <summary>How often every node pushes its health report to the singleton.</summary>
    public required TimeSpan ReportInterval { get; init; }

    /// <summary>How long a reader (health_check <c>/status?cluster</c>, <c>GET /cluster/status</c>) waits for the singleton.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal static MetricsViewSettings Read(Config root, ConfigErrors errors) => new()
    {
        ReportInterval = NodeConfigValues.Duration(root, "cluster.metrics-view.report-interval", Default.ReportInterval, TimeSpan.FromMilliseconds(100), errors),
    };
}
