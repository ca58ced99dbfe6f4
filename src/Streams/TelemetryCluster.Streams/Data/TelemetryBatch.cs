using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// The unit that flows through a pipeline: one OTLP export request (the data model, as the collector's pdata wraps
/// the same protos), its item count (data points, log records or spans), the acks of the requests it came from,
/// and the client metadata. Immutable apart from the payload, which only a processor that declares
/// <c>MutatesData</c> may change (the engine clones in front of such processors when a batch is shared).
/// </summary>
public sealed class TelemetryBatch
{
    private TelemetryBatch(Signal signal, IMessage payload, int itemCount, AckSet acks, ClientMetadata metadata)
    {
        Signal = signal;
        Payload = payload;
        ItemCount = itemCount;
        Acks = acks;
        Metadata = metadata;
    }

    public Signal Signal { get; }

    /// <summary>An <see cref="ExportMetricsServiceRequest"/>, <see cref="ExportLogsServiceRequest"/> or <see cref="ExportTraceServiceRequest"/>.</summary>
    public IMessage Payload { get; }

    public int ItemCount { get; }

    public AckSet Acks { get; }

    public ClientMetadata Metadata { get; }

    public ExportMetricsServiceRequest Metrics => (ExportMetricsServiceRequest)Payload;

    public ExportLogsServiceRequest Logs => (ExportLogsServiceRequest)Payload;

    public ExportTraceServiceRequest Traces => (ExportTraceServiceRequest)Payload;

    public static TelemetryBatch Create(ExportMetricsServiceRequest request, AckSet acks, ClientMetadata? metadata = null) =>
        new(Signal.Metrics, request, OtlpItems.Count(request), acks, metadata ?? ClientMetadata.Empty);

    public static TelemetryBatch Create(ExportLogsServiceRequest request, AckSet acks, ClientMetadata? metadata = null) =>
        new(Signal.Logs, request, OtlpItems.Count(request), acks, metadata ?? ClientMetadata.Empty);

    public static TelemetryBatch Create(ExportTraceServiceRequest request, AckSet acks, ClientMetadata? metadata = null) =>
        new(Signal.Traces, request, OtlpItems.Count(request), acks, metadata ?? ClientMetadata.Empty);

    /// <summary>Wraps any of the three request types (the signal follows from the type).</summary>
    public static TelemetryBatch Create(IMessage request, AckSet acks, ClientMetadata? metadata = null) => request switch
    {
        ExportMetricsServiceRequest m => Create(m, acks, metadata),
        ExportLogsServiceRequest l => Create(l, acks, metadata),
        ExportTraceServiceRequest t => Create(t, acks, metadata),
        _ => throw new ArgumentException($"not an OTLP export request: {request.Descriptor.FullName}", nameof(request)),
    };

    /// <summary>Same acks and metadata, another payload of the same signal (a processor's output).</summary>
    public TelemetryBatch WithPayload(IMessage payload) => Create(payload, Acks, Metadata);

    public TelemetryBatch WithAcks(AckSet acks) => new(Signal, Payload, ItemCount, acks, Metadata);

    /// <summary>A deep copy of the payload for a mutating branch; the acks are shared (the caller retains them).</summary>
    public TelemetryBatch DeepClone() => new(Signal, OtlpItems.Clone(Payload), ItemCount, Acks, Metadata);
}
