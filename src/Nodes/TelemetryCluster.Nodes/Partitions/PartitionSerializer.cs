using System.Collections.Immutable;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Protocol.Cluster;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// Protobuf serializer for <see cref="IPartitionMessage"/>s (wire format in
/// <c>Protos/telemetrycluster/cluster/v1/partitions.proto</c>), with short explicit manifests. Nothing here
/// instantiates a type named by the sender.
/// </summary>
public sealed class PartitionSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4802;

    private const string BatchManifest = "pb";
    private const string ReplyManifest = "pr";
    private const string StopManifest = "ps";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        PartitionBatch => BatchManifest,
        PartitionReply => ReplyManifest,
        PartitionStop => StopManifest,
        _ => throw new ArgumentException($"{nameof(PartitionSerializer)} cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        PartitionBatch b => ToProto(b).ToByteArray(),
        PartitionReply r => new PartitionReplyProto
        {
            Status = (int)r.Status,
            Reason = r.Reason ?? string.Empty,
            RetryAfterMs = (long)(r.RetryAfter?.TotalMilliseconds ?? 0),
        }.ToByteArray(),
        PartitionStop => [],
        _ => throw new ArgumentException($"{nameof(PartitionSerializer)} cannot serialize {obj.GetType()}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        BatchManifest => FromProto(PartitionBatchProto.Parser.ParseFrom(bytes)),
        ReplyManifest => FromProto(PartitionReplyProto.Parser.ParseFrom(bytes)),
        StopManifest => PartitionStop.Instance,
        _ => throw new SerializationException($"unknown manifest '{manifest}' for {nameof(PartitionSerializer)}"),
    };

    private static PartitionBatchProto ToProto(PartitionBatch batch)
    {
        var proto = new PartitionBatchProto
        {
            EntityId = batch.EntityId,
            Signal = batch.Signal switch
            {
                Signal.Metrics => SignalKind.Metrics,
                Signal.Logs => SignalKind.Logs,
                Signal.Traces => SignalKind.Traces,
                _ => SignalKind.Unspecified,
            },
            Payload = UnsafeByteOperations.UnsafeWrap(OtlpWire.ToByteArray(batch.Payload)),
            WaitForExport = batch.WaitForExport,
        };
        foreach (var (key, values) in batch.Metadata.Values)
        {
            var entry = new MetadataEntry { Key = key };
            entry.Values.Add(values);
            proto.Metadata.Add(entry);
        }

        return proto;
    }

    private static PartitionBatch FromProto(PartitionBatchProto proto)
    {
        (Signal signal, IMessage payload) = proto.Signal switch
        {
            SignalKind.Metrics => (Signal.Metrics, OtlpWire.ParseWritten(Signal.Metrics, proto.Payload.Memory)),
            SignalKind.Logs => (Signal.Logs, OtlpWire.ParseWritten(Signal.Logs, proto.Payload.Memory)),
            SignalKind.Traces => (Signal.Traces, OtlpWire.ParseWritten(Signal.Traces, proto.Payload.Memory)),
            _ => throw new SerializationException($"partition batch with unknown signal {proto.Signal}"),
        };
        var metadata = ClientMetadata.Empty;
        if (proto.Metadata.Count > 0)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in proto.Metadata)
            {
                builder[entry.Key] = [.. entry.Values];
            }

            metadata = new ClientMetadata(builder.ToImmutable());
        }

        return new PartitionBatch(proto.EntityId, signal, payload, metadata, proto.WaitForExport);
    }

    private static PartitionReply FromProto(PartitionReplyProto proto)
    {
        var status = proto.Status switch
        {
            0 => AckStatus.Accepted,
            1 => AckStatus.Refused,
            _ => AckStatus.Failed,
        };
        return new PartitionReply(
            status,
            string.IsNullOrEmpty(proto.Reason) ? null : proto.Reason,
            proto.RetryAfterMs > 0 ? TimeSpan.FromMilliseconds(proto.RetryAfterMs) : null);
    }
}
