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
