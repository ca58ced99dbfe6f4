using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// One component of a pipeline in <c>GET /pipelines</c>: its counters for the pipeline's signal on this node
/// (items; <c>accepted</c>, <c>refused</c>, <c>sent</c>, <c>send_failed</c>, <c>dropped</c> are always present, other
/// outcomes when counted). A component shared by several pipelines of one signal shows the same counters in each.
/// </summary>
internal sealed record ComponentCounters(string Kind, string Id, IReadOnlyDictionary<string, long> Counters);

/// <summary>
/// One pipeline on this node: how many segments run here (one per pipeline on a single node, one per hosted
/// partition in the cluster), the batches queued at their entries and the total room, and its components.
/// </summary>
internal sealed record PipelineInfo(
    string Pipeline,
    int Segments,
    int Queued,
    int QueueCapacity,
    IReadOnlyList<ComponentCounters> Components);

/// <summary>The answer of <c>GET /pipelines</c>.</summary>
internal sealed record PipelinesInfo(string Node, string State, IReadOnlyList<PipelineInfo> Pipelines);

/// <summary>Builds <c>GET /pipelines</c> from the spec, <see cref="EngineTelemetry"/> and the running segments.</summary>
internal static class PipelinesReport
{
    private static readonly string[] MainOutcomes = [Outcomes.Accepted, Outcomes.Refused, Outcomes.Sent, Outcomes.SendFailed, Outcomes.Dropped];

    public static PipelinesInfo Build(string node, PipelineSpec spec, ComponentStatusRegistry status, EngineTelemetry telemetry, IEnumerable<PipelineSegment> segments)
    {
        var readings = telemetry.Snapshot();
        var queues = segments
            .GroupBy(s => s.Pipeline)
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Queued: g.Sum(s => s.Queued)));
        var pipelines = spec.Pipelines
            .OrderBy(p => p.Id.ToString(), StringComparer.Ordinal)
            .Select(p =>
            {
                var queue = queues.TryGetValue(p.Id, out var q) ? q : (Count: 0, Queued: 0);
                var components = p.Receivers.Select(id => Counters(ComponentKind.Receiver, id, p.Id.Signal, readings))
                    .Concat(p.Processors.Select(id => Counters(ComponentKind.Processor, id, p.Id.Signal, readings)))
                    .Concat(p.Exporters.Select(id => Counters(ComponentKind.Exporter, id, p.Id.Signal, readings)))
                    .ToList();
                return new PipelineInfo(p.Id.ToString(), queue.Count, queue.Queued, queue.Count * spec.Engine.PipelineQueueSize, components);
            })
            .ToList();
        return new PipelinesInfo(node, MetricsView.NodeHealthReporter.StateName(status.Service.State), pipelines);
    }

    /// <summary>
    /// The segments of a <see cref="PipelineHost"/>, whichever shape <c>Segments</c> has (one per pipeline keyed by id,
    /// or the collection of every segment running on the node).
    /// </summary>
    public static IEnumerable<PipelineSegment> SegmentsOf(IReadOnlyDictionary<PipelineId, PipelineSegment> segments) => segments.Values;

    /// <inheritdoc cref="SegmentsOf(IReadOnlyDictionary{PipelineId, PipelineSegment})"/>
    public static IEnumerable<PipelineSegment> SegmentsOf(IReadOnlyCollection<PipelineSegment> segments) => segments;

    private static ComponentCounters Counters(ComponentKind kind, ComponentId id, Signal signal, IReadOnlyList<CounterReading> readings)
    {
        var name = id.ToString();
        var counters = MainOutcomes.ToDictionary(o => o, _ => 0L, StringComparer.Ordinal);
        foreach (var reading in readings)
        {
            if (reading.Kind == kind && reading.Signal == signal && string.Equals(reading.Component, name, StringComparison.Ordinal))
            {
                counters[reading.Outcome] = counters.GetValueOrDefault(reading.Outcome) + reading.Value;
            }
        }

        return new ComponentCounters(kind.DisplayName(), name, counters);
    }
}
