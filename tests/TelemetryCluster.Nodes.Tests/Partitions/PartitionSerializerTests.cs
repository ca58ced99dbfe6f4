using System.Collections.Immutable;
using Akka.Actor;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using TelemetryCluster.Nodes.Partitions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using Xunit;

namespace TelemetryCluster.Nodes.Tests.Partitions;

public sealed class PartitionSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-test");
    private readonly PartitionSerializer _serializer;

    public PartitionSerializerTests() => _serializer = new PartitionSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Dispose();

    private T RoundTrip<T>(T message)
        where T : notnull
    {
        var bytes = _serializer.ToBinary(message);
        return (T)_serializer.FromBinary(bytes, _serializer.Manifest(message));
    }

    [Fact]
    public void Every_partition_batch_signal_round_trips_with_metadata()
    {
        var metadata = ClientMetadata.From([new("tenant", "a"), new("tenant", "b"), new("x-team", "")]);
        var metrics = new ExportMetricsServiceRequest { ResourceMetrics = { new ResourceMetrics { ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "m", Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsInt = 5 } } } } } } } } } };
        var logs = new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { ScopeLogs = { new ScopeLogs { LogRecords = { new LogRecord { SeverityText = "INFO" } } } } } } };
        var traces = new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { new Span { Name = "s" } } } } } } };

        foreach (var (signal, payload) in new (Signal, Google.Protobuf.IMessage)[] { (Signal.Metrics, metrics), (Signal.Logs, logs), (Signal.Traces, traces) })
        {
            var original = new PartitionBatch("metrics/x|7", signal, payload, metadata, WaitForExport: signal == Signal.Logs);
            var copy = RoundTrip(original);
            Assert.Equal(original.EntityId, copy.EntityId);
            Assert.Equal(signal, copy.Signal);

            // The payload crosses in its encoding and arrives with its entries still encoded, its items counted.
            Assert.True(OtlpWire.HasEncoded(copy.Payload));
            Assert.Equal(1, OtlpItems.Count(copy.Payload));
            OtlpWire.Expand(copy.Payload);
            Assert.Equal(payload, copy.Payload);
            Assert.Equal(original.WaitForExport, copy.WaitForExport);
            Assert.Equal(["a", "b"], copy.Metadata.Get("tenant").ToArray());
            Assert.Equal([""], copy.Metadata.Get("x-team").ToArray());
        }
    }

    [Fact]
    public void Replies_and_stop_round_trip()
    {
        Assert.Equal(new PartitionReply(AckStatus.Accepted, null, null), RoundTrip(new PartitionReply(AckStatus.Accepted, null, null)));
        Assert.Equal(new PartitionReply(AckStatus.Refused, "full", TimeSpan.FromMilliseconds(1500)), RoundTrip(new PartitionReply(AckStatus.Refused, "full", TimeSpan.FromMilliseconds(1500))));
        Assert.Equal(new PartitionReply(AckStatus.Failed, "bad", null), RoundTrip(new PartitionReply(AckStatus.Failed, "bad", null)));
        Assert.Same(PartitionStop.Instance, RoundTrip(PartitionStop.Instance));
    }

    [Fact]
    public void A_reply_carries_the_node_address_of_the_partition_that_answered()
    {
        var node = new Address("akka.tcp", "telemetry-cluster", "10.1.2.3", 4053);
        var copy = RoundTrip(new PartitionReply(AckStatus.Refused, "full", TimeSpan.FromSeconds(2), node));
        Assert.Equal(new PartitionReply(AckStatus.Refused, "full", TimeSpan.FromSeconds(2), node), copy);

        // Parsed once: the next reply from the same node carries the same instance.
        Assert.Same(copy.Node, RoundTrip(new PartitionReply(AckStatus.Accepted, null, null, node)).Node);
    }

    [Fact]
    public void A_group_round_trips_every_part_in_order_with_the_timeout()
    {
        var metadata = ClientMetadata.From([new("tenant", "a")]);
        var parts = Enumerable.Range(0, 3).Select(i => new PartitionBatch(
            "metrics|" + i,
            Signal.Metrics,
            new ExportMetricsServiceRequest { ResourceMetrics = { new ResourceMetrics { ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "m" + i, Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsInt = i }, new NumberDataPoint { AsInt = i + 1 } } } } } } } } } },
            metadata,
            WaitForExport: i == 1)).ToList();

        var copy = RoundTrip(new PartitionGroup(parts, TimeSpan.FromMilliseconds(9500)));

        Assert.Equal(TimeSpan.FromMilliseconds(9500), copy.Timeout);
        Assert.Equal(3, copy.Parts.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(parts[i].EntityId, copy.Parts[i].EntityId);
            Assert.Equal(Signal.Metrics, copy.Parts[i].Signal);
            Assert.Equal(parts[i].WaitForExport, copy.Parts[i].WaitForExport);
            Assert.Equal(["a"], copy.Parts[i].Metadata.Get("tenant").ToArray());
            Assert.Equal(2, OtlpItems.Count(copy.Parts[i].Payload));
            OtlpWire.Expand(copy.Parts[i].Payload);
            Assert.Equal(parts[i].Payload, copy.Parts[i].Payload);
        }
    }

    [Fact]
    public void A_group_reply_keeps_each_outcome_and_which_parts_went_unanswered()
    {
        var node = new Address("akka.tcp", "telemetry-cluster", "127.0.0.1", 2552);
        PartitionReply?[] replies =
        [
            new PartitionReply(AckStatus.Accepted, null, null, node),
            null,
            new PartitionReply(AckStatus.Refused, "pipeline partition is full", TimeSpan.FromSeconds(1), node),
            new PartitionReply(AckStatus.Failed, "bad", null),
            null,
        ];

        var copy = RoundTrip(new PartitionGroupReply(replies));

        Assert.Equal(replies, copy.Replies);
        Assert.Empty(RoundTrip(new PartitionGroupReply([])).Replies);
    }

    [Fact]
    public void A_group_reply_marking_a_part_that_does_not_exist_is_rejected()
    {
        var proto = new TelemetryCluster.Protocol.Cluster.PartitionGroupReplyProto { Replies = { new TelemetryCluster.Protocol.Cluster.PartitionReplyProto() }, Unanswered = { 3 } };
        var manifest = _serializer.Manifest(new PartitionGroupReply([]));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary(Google.Protobuf.MessageExtensions.ToByteArray(proto), manifest));
    }

    [Fact]
    public void Unknown_manifest_is_rejected()
    {
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary([], "zz"));
    }

    [Fact]
    public void Entity_ids_parse_back_to_pipeline_and_partition()
    {
        var id = PartitionBatch.EntityIdOf(new PipelineId(Signal.Logs, "qe.log"), 12);
        Assert.True(PartitionBatch.TryParseEntityId(id, out var pipeline, out var partition));
        Assert.Equal("logs/qe.log", pipeline.ToString());
        Assert.Equal(12, partition);
        Assert.False(PartitionBatch.TryParseEntityId("nonsense", out _, out _));
    }
}
