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
    private const string GroupManifest = "pg";
    private const string GroupReplyManifest = "pq";

    // Node addresses in replies, parsed once each (a cluster has few nodes; bounded in case of churn).
    private const int MaxCachedAddresses = 256;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Address> _addresses = new(StringComparer.Ordinal);

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        PartitionBatch => BatchManifest,
        PartitionReply => ReplyManifest,
        PartitionStop => StopManifest,
        PartitionGroup => GroupManifest,
        PartitionGroupReply => GroupReplyManifest,
        _ => throw new ArgumentException($"{nameof(PartitionSerializer)} cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        PartitionBatch b => ToProto(b).ToByteArray(),
        PartitionReply r => ToProto(r).ToByteArray(),
        PartitionStop => [],
        PartitionGroup g => ToProto(g).ToByteArray(),
        PartitionGroupReply g => ToProto(g).ToByteArray(),
        _ => throw new ArgumentException($"{nameof(PartitionSerializer)} cannot serialize {obj.GetType()}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        BatchManifest => FromProto(PartitionBatchProto.Parser.ParseFrom(bytes)),
        ReplyManifest => FromProto(PartitionReplyProto.Parser.ParseFrom(bytes)),
        StopManifest => PartitionStop.Instance,
        GroupManifest => FromProto(PartitionGroupProto.Parser.ParseFrom(bytes)),
        GroupReplyManifest => FromProto(PartitionGroupReplyProto.Parser.ParseFrom(bytes)),
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

    private static PartitionGroupProto ToProto(PartitionGroup group)
    {
        var proto = new PartitionGroupProto { TimeoutMs = (long)group.Timeout.TotalMilliseconds };
        foreach (var part in group.Parts)
        {
            proto.Parts.Add(ToProto(part));
        }

        return proto;
    }

    private static PartitionGroup FromProto(PartitionGroupProto proto)
    {
        var parts = new PartitionBatch[proto.Parts.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = FromProto(proto.Parts[i]);
        }

        return new PartitionGroup(parts, TimeSpan.FromMilliseconds(Math.Max(0, proto.TimeoutMs)));
    }

    private static PartitionGroupReplyProto ToProto(PartitionGroupReply group)
    {
        var proto = new PartitionGroupReplyProto();
        for (var i = 0; i < group.Replies.Count; i++)
        {
            if (group.Replies[i] is { } reply)
            {
                proto.Replies.Add(ToProto(reply));
            }
            else
            {
                proto.Replies.Add(new PartitionReplyProto());
                proto.Unanswered.Add(i);
            }
        }

        return proto;
    }

    private PartitionGroupReply FromProto(PartitionGroupReplyProto proto)
    {
        var replies = new PartitionReply?[proto.Replies.Count];
        for (var i = 0; i < replies.Length; i++)
        {
            replies[i] = FromProto(proto.Replies[i]);
        }

        foreach (var i in proto.Unanswered)
        {
            if ((uint)i >= (uint)replies.Length)
            {
                throw new SerializationException($"partition group reply marks part {i} unanswered, but has {replies.Length} parts");
            }

            replies[i] = null;
        }

        return new PartitionGroupReply(replies);
    }

    private static PartitionReplyProto ToProto(PartitionReply reply) => new()
    {
        Status = (int)reply.Status,
        Reason = reply.Reason ?? string.Empty,
        RetryAfterMs = (long)(reply.RetryAfter?.TotalMilliseconds ?? 0),
        Node = reply.Node?.ToString() ?? string.Empty,
    };

    private PartitionReply FromProto(PartitionReplyProto proto)
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
            proto.RetryAfterMs > 0 ? TimeSpan.FromMilliseconds(proto.RetryAfterMs) : null,
            AddressOf(proto.Node));
    }

    private Address? AddressOf(string node)
    {
        if (node.Length == 0)
        {
            return null;
        }

        if (_addresses.TryGetValue(node, out var address))
        {
            return address;
        }

        if (!Address.TryParse(node, out address))
        {
            throw new SerializationException($"partition reply with an invalid node address '{node}'");
        }

        if (_addresses.Count < MaxCachedAddresses)
        {
            _addresses.TryAdd(node, address);
        }

        return address;
    }
}
