using Google.Protobuf;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>Marker of the messages the partition serializer handles (bound to it, so none travels as JSON).</summary>
public interface IPartitionMessage;

/// <summary>
/// One part of a received batch for one partition of one pipeline. Within a node it carries the request object
/// as is; across nodes the serializer writes the payload as OTLP protobuf bytes.
/// </summary>
public sealed record PartitionBatch(string EntityId, Signal Signal, IMessage Payload, ClientMetadata Metadata, bool WaitForExport)
    : IPartitionMessage
{
    public static string EntityIdOf(PipelineId pipeline, int partition) => $"{pipeline}|{partition}";

    /// <summary>Splits an entity id back into pipeline and partition.</summary>
    public static bool TryParseEntityId(string entityId, out PipelineId pipeline, out int partition)
    {
        pipeline = default;
        partition = -1;
        var bar = entityId.LastIndexOf('|');
        return bar > 0
            && int.TryParse(entityId.AsSpan(bar + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out partition)
            && PipelineId.TryParse(entityId[..bar], out pipeline, out _);
    }
}

/// <summary>A partition's answer: the outcome of the batch (queued, or exported under delivery = exported).</summary>
public sealed record PartitionReply(AckStatus Status, string? Reason, TimeSpan? RetryAfter) : IPartitionMessage
{
    public static PartitionReply From(AckOutcome outcome) => new(outcome.Status, outcome.Reason, outcome.RetryAfter);

    public AckOutcome ToOutcome() => new(Status, Reason, RetryAfter);
}

/// <summary>Hand-off stop message: the entity drains its segment, then stops.</summary>
public sealed record PartitionStop : IPartitionMessage
{
    public static PartitionStop Instance { get; } = new();
}
