using System.Collections.Immutable;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// The <c>ActorRegistry</c> key of the MetricsView singleton: the registry holds the singleton <b>proxy</b>, which
/// every node (including the one hosting the singleton) talks to.
/// </summary>
public sealed class MetricsViewMarker
{
    private MetricsViewMarker()
    {
    }
}

/// <summary>
/// A message to or from the MetricsView singleton. Every one crosses nodes and is serialized by
/// <see cref="MetricsViewSerializer"/> (protobuf, <c>metrics_view.proto</c>).
/// </summary>
public interface IMetricsViewMessage;

/// <summary>One pipeline's health on one node: the collector status name of the pipeline, whether it is healthy, and the error.</summary>
public sealed record PipelineHealth(string Pipeline, string Status, bool Healthy, string? Error);

/// <summary>
/// What a node pushes to the singleton every <c>cluster.metrics-view.report-interval</c>: its address, service
/// state (<c>starting</c>, <c>running</c>, <c>draining</c>, <c>stopped</c>), overall health and per-pipeline health.
/// </summary>
public sealed record NodeHealthReport(
    string Address,
    string ServiceState,
    bool Healthy,
    DateTimeOffset ReportedAt,
    ImmutableArray<PipelineHealth> Pipelines) : IMetricsViewMessage
{
    public bool Equals(NodeHealthReport? other) =>
        other is not null
        && Address == other.Address
        && ServiceState == other.ServiceState
        && Healthy == other.Healthy
        && ReportedAt == other.ReportedAt
        && Pipelines.AsSpan().SequenceEqual(other.Pipelines.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Address, ServiceState, Healthy, ReportedAt, Pipelines.Length);
}

/// <summary>Asks the singleton for its merged view; the answer is a <see cref="ClusterView"/>.</summary>
public sealed record GetClusterView : IMetricsViewMessage
{
    public static GetClusterView Instance { get; } = new();

    private GetClusterView()
    {
    }
}

/// <summary>
/// The singleton's merged view: the latest report of every member that reported (ordered by address), and the
/// address of the node that hosts the singleton.
/// </summary>
public sealed record ClusterView(string ViewNode, ImmutableArray<NodeHealthReport> Nodes) : IMetricsViewMessage
{
    public bool Equals(ClusterView? other) =>
        other is not null && ViewNode == other.ViewNode && Nodes.AsSpan().SequenceEqual(other.Nodes.AsSpan());

    public override int GetHashCode() => HashCode.Combine(ViewNode, Nodes.Length);
}

/// <summary>
/// A node's current snapshot of one prometheus exporter, pushed by the node's <see cref="PrometheusViewHub"/>; it
/// replaces that node's previous snapshot for the exporter in the singleton unless it carries the same
/// <paramref name="Version"/> (the periodic refresh of unchanged content), which changes nothing.
/// </summary>
public sealed record NodePrometheusSnapshot(
    string Address,
    string Exporter,
    Streams.Exporters.Prometheus.PrometheusSnapshot Snapshot,
    PrometheusContentVersion Version = default) : IMetricsViewMessage;

/// <summary>
/// Asks the singleton for the merged view of one exporter; the answer is a <see cref="PrometheusView"/>, without the
/// snapshot when <paramref name="Known"/> (the version the asker holds) is still current.
/// </summary>
public sealed record GetPrometheusView(string Exporter, PrometheusContentVersion Known = default) : IMetricsViewMessage;

/// <summary>
/// The merged view of one prometheus exporter over every member node and the version of its content;
/// <paramref name="Snapshot"/> is null when the asker's known version is current (nothing to ship).
/// </summary>
public sealed record PrometheusView(
    string Exporter,
    Streams.Exporters.Prometheus.PrometheusSnapshot? Snapshot,
    PrometheusContentVersion Version = default) : IMetricsViewMessage;
