using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Processors.Batch;
using TelemetryCluster.Streams.Tests.Data;

namespace TelemetryCluster.Streams.Tests.Processors.Batch;

/// <summary>Builders shared by the batch processor tests.</summary>
internal static class BatchTestSupport
{
    public static readonly ComponentId Id = ComponentId.Parse("batch/test");

    public static readonly PipelineId Pipeline = new(Signal.Metrics, "test");

    public static ComponentContext Context(ActorSystem system, EngineTelemetry telemetry) => new(
        Id,
        ComponentKind.Processor,
        NullLoggerFactory.Instance,
        TimeProvider.System,
        new ComponentStatusRegistry(TimeProvider.System),
        telemetry,
        system,
        system.Materializer());

    public static BatchProcessorConfig Settings(
        uint size = 10,
        TimeSpan? timeout = null,
        uint max = 0,
        string[]? keys = null,
        uint limit = 1000) =>
        new(size, timeout ?? TimeSpan.FromSeconds(30), max, [.. keys ?? []], limit);

    /// <summary>A metrics batch of one gauge with points valued first..first+points-1, and its own ack.</summary>
    public static (TelemetryBatch Batch, Ack Ack) Input(int points, int first = 0, ClientMetadata? metadata = null)
    {
        var ack = new Ack();
        return (TelemetryBatch.Create(OtlpTestData.GaugeRequest(points, first), AckSet.Of(ack), metadata), ack);
    }

    public static ClientMetadata Meta(params (string Key, string Value)[] pairs) =>
        ClientMetadata.From(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    /// <summary>The point values of a metrics batch, in order.</summary>
    public static List<int> Values(TelemetryBatch batch) =>
        OtlpTestData.Items(batch.Payload).Select(line => int.Parse(line[(line.LastIndexOf('|') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public static List<int> Range(int first, int count) => Enumerable.Range(first, count).ToList();

    public static void Release(TelemetryBatch batch, AckOutcome? outcome = null) => batch.Acks.ReleaseAll(outcome ?? AckOutcome.Accepted);
}
