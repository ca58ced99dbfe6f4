using Akka.Streams;
using Akka.TestKit.Xunit;
using Microsoft.Extensions.Logging.Abstractions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Engine;

public sealed class ExporterRunnerTests : TestKit
{
    private sealed class ThrottledExporter(int throttles, TimeSpan retryAfter) : IExporter
    {
        private int _left = throttles;

        public List<long> Attempts { get; } = [];

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            Attempts.Add(TimeProvider.System.GetTimestamp());
            return Interlocked.Decrement(ref _left) >= 0
                ? Task.FromException(new RetryAfterException("slow down", retryAfter))
                : Task.CompletedTask;
        }

        public Task ShutdownAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private ExporterRunner Runner(IExporter exporter, RetrySettings retry, EngineTelemetry telemetry, ComponentStatusRegistry status) => new(
        new ComponentContext(ComponentId.Parse("otlp"), ComponentKind.Exporter, NullLoggerFactory.Instance, TimeProvider.System, status, telemetry, Sys, Sys.Materializer()),
        exporter,
        new ExporterSettings(TimeSpan.Zero, retry));

    [Fact]
    public async Task A_backend_retry_delay_is_honoured_over_a_shorter_backoff()
    {
        using var telemetry = new EngineTelemetry();
        var exporter = new ThrottledExporter(1, TimeSpan.FromMilliseconds(300));
        var retry = new RetrySettings(true, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), 1.5, 0);
        var ack = new Ack();

        var outcome = await Runner(exporter, retry, telemetry, new ComponentStatusRegistry(TimeProvider.System))
            .ExportAsync(TelemetryBatch.Create(Requests.Metrics(3), AckSet.Of(ack)), TestContext.Current.CancellationToken);

        Assert.True(outcome.IsAccepted);
        Assert.True((await ack.Completion).IsAccepted);
        Assert.Equal(2, exporter.Attempts.Count);
        var waited = TimeProvider.System.GetElapsedTime(exporter.Attempts[0], exporter.Attempts[1]);
        Assert.True(waited >= TimeSpan.FromMilliseconds(290), $"retried after {waited.TotalMilliseconds} ms");
        Assert.Equal(3, telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("otlp"), Signal.Metrics, Outcomes.Sent));
    }

    [Fact]
    public async Task Retries_stop_at_max_elapsed_time_and_the_batch_is_refused_and_counted()
    {
        using var telemetry = new EngineTelemetry();
        var exporter = new ThrottledExporter(1000, TimeSpan.FromMilliseconds(20));
        var retry = new RetrySettings(true, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(150), 1.5, 0);

        var outcome = await Runner(exporter, retry, telemetry, new ComponentStatusRegistry(TimeProvider.System))
            .ExportAsync(TelemetryBatch.Create(Requests.Metrics(4), AckSet.Of(new Ack())), TestContext.Current.CancellationToken);

        Assert.Equal(AckStatus.Refused, outcome.Status);
        Assert.InRange(exporter.Attempts.Count, 2, 20);
        Assert.Equal(4, telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("otlp"), Signal.Metrics, Outcomes.SendFailed, "retries_exhausted"));
    }
}
