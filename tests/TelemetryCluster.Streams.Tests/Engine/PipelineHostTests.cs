using Akka.TestKit.Xunit;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Engine;

public sealed class PipelineHostTests : TestKit
{
    private static TelemetryBatch Batch(int points, Ack? ack = null, string name = "m") =>
        TelemetryBatch.Create(Requests.Metrics(points, name), AckSet.Of(ack ?? new Ack()));

    [Fact]
    public async Task Accepted_delivery_acks_on_admission_and_exports_everything()
    {
        await using var harness = new EngineHarness(Sys).Pipeline("metrics", ["fakein"], [], ["gate"]);
        var host = await harness.StartAsync();
        Assert.Equal(ServiceState.Running, harness.Status.Service.State);

        var outcome = await harness.Consumer("fakein").ConsumeAsync(Batch(7), TestContext.Current.CancellationToken);

        Assert.Equal(AckStatus.Accepted, outcome.Status);
        await AwaitConditionAsync(() => Task.FromResult(harness.Exporter("gate").Items == 7));
        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7, harness.Telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("gate"), Signal.Metrics, Outcomes.Sent));
        Assert.Equal(ServiceState.Stopped, harness.Status.Service.State);
    }

    [Fact]
    public async Task Full_pipeline_refuses_with_retry_hint_and_delivers_everything_accepted_after_unblock()
    {
        await using var harness = new EngineHarness(Sys).Pipeline("metrics", ["fakein"], [], ["gate"]);
        await harness.StartAsync();
        var exporter = harness.Exporter("gate");
        exporter.Close();
        var consumer = harness.Consumer("fakein");

        long acknowledged = 0;
        var refusals = 0;
        for (var i = 0; i < 50 && refusals < 5; i++)
        {
            var outcome = await consumer.ConsumeAsync(Batch(10), TestContext.Current.CancellationToken);
            if (outcome.IsAccepted)
            {
                acknowledged += 10;
            }
            else
            {
                Assert.Equal(AckStatus.Refused, outcome.Status);
                Assert.Equal(TimeSpan.FromSeconds(2), outcome.RetryAfter);
                refusals++;
            }
        }

        Assert.Equal(5, refusals);
        Assert.True(acknowledged > 0);
        Assert.Equal(0, exporter.Items);

        exporter.Open();
        await AwaitConditionAsync(() => Task.FromResult(exporter.Items == acknowledged));
        await harness.Host!.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(acknowledged, exporter.Items);
    }

    [Fact]
    public async Task Exported_delivery_answers_after_every_exporter_of_every_pipeline()
    {
        await using var harness = new EngineHarness(Sys)
            .Pipeline("metrics", ["fakein"], [], ["gate/a", "gate/b"])
            .Pipeline("metrics/2", ["fakein"], [], ["gate/c"]);
        harness.Engine = harness.Engine with { Delivery = Delivery.Exported };
        await harness.StartAsync();
        harness.Exporter("gate/b").Close();

        var pending = harness.Consumer("fakein").ConsumeAsync(Batch(3), TestContext.Current.CancellationToken);
        await AwaitConditionAsync(() => Task.FromResult(harness.Exporter("gate/a").Items == 3 && harness.Exporter("gate/c").Items == 3));
        Assert.False(pending.IsCompleted);

        harness.Exporter("gate/b").Open();
        var outcome = await pending.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(AckStatus.Accepted, outcome.Status);
        Assert.Equal(3, harness.Exporter("gate/b").Items);
    }

    [Fact]
    public async Task Exported_delivery_reports_a_failed_export_as_refused_and_counts_it()
    {
        await using var harness = new EngineHarness(Sys).Pipeline("metrics", ["fakein"], [], ["gate"]);
        harness.Engine = harness.Engine with { Delivery = Delivery.Exported };
        await harness.StartAsync();
        harness.Exporter("gate").FailNext(1);

        var outcome = await harness.Consumer("fakein").ConsumeAsync(Batch(4), TestContext.Current.CancellationToken);

        Assert.Equal(AckStatus.Refused, outcome.Status);
        Assert.Equal(4, harness.Telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("gate"), Signal.Metrics, Outcomes.SendFailed, "retries_exhausted"));
        var entry = harness.Status.Snapshot().Single(e => e.Kind == ComponentKind.Exporter);
        Assert.Equal(ComponentStatus.RecoverableError, entry.Status);
        Assert.Equal("backend unavailable", entry.Error);

        var second = await harness.Consumer("fakein").ConsumeAsync(Batch(4), TestContext.Current.CancellationToken);
        Assert.Equal(AckStatus.Accepted, second.Status);
        Assert.Equal(ComponentStatus.Ok, harness.Status.Snapshot().Single(e => e.Kind == ComponentKind.Exporter).Status);
    }

    [Fact]
    public async Task Mutating_pipeline_gets_its_own_copy_when_a_receiver_fans_out()
    {
        await using var harness = new EngineHarness(Sys)
            .Pipeline("metrics/mutating", ["fakein"], ["rename"], ["gate/a"])
            .Pipeline("metrics/plain", ["fakein"], [], ["gate/b"]);
        await harness.StartAsync();

        var outcome = await harness.Consumer("fakein").ConsumeAsync(Batch(2, name: "orig"), TestContext.Current.CancellationToken);
        Assert.True(outcome.IsAccepted);
        await AwaitConditionAsync(() => Task.FromResult(harness.Exporter("gate/a").Items == 2 && harness.Exporter("gate/b").Items == 2));

        harness.Exporter("gate/a").Received.TryPeek(out var mutated);
        harness.Exporter("gate/b").Received.TryPeek(out var plain);
        Assert.Equal("renamed.orig", mutated!.Metrics.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Name);
        Assert.Equal("orig", plain!.Metrics.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Name);
    }

    [Fact]
    public async Task Mutating_pipeline_listed_last_still_gets_a_copy_while_a_reader_shares_the_batch()
    {
        await using var harness = new EngineHarness(Sys)
            .Pipeline("metrics/plain", ["fakein"], [], ["gate/b"])
            .Pipeline("metrics/mutating", ["fakein"], ["rename"], ["gate/a"]);
        await harness.StartAsync();

        var outcome = await harness.Consumer("fakein").ConsumeAsync(Batch(2, name: "orig"), TestContext.Current.CancellationToken);
        Assert.True(outcome.IsAccepted);
        await AwaitConditionAsync(() => Task.FromResult(harness.Exporter("gate/a").Items == 2 && harness.Exporter("gate/b").Items == 2));

        harness.Exporter("gate/a").Received.TryPeek(out var mutated);
        harness.Exporter("gate/b").Received.TryPeek(out var plain);
        Assert.Equal("renamed.orig", mutated!.Metrics.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Name);
        Assert.Equal("orig", plain!.Metrics.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Name);
        Assert.NotSame(mutated.Payload, plain.Payload);
    }

    [Fact]
    public async Task Stop_drains_queued_batches_through_exporters_before_returning()
    {
        await using var harness = new EngineHarness(Sys).Pipeline("metrics", ["fakein"], [], ["gate"]);
        await harness.StartAsync();
        var exporter = harness.Exporter("gate");
        exporter.Close();
        long acknowledged = 0;
        for (var i = 0; i < 3; i++)
        {
            if ((await harness.Consumer("fakein").ConsumeAsync(Batch(5), TestContext.Current.CancellationToken)).IsAccepted)
            {
                acknowledged += 5;
            }
        }

        var stop = harness.Host!.StopAsync(TestContext.Current.CancellationToken);
        await AwaitConditionAsync(() => Task.FromResult(harness.Status.Service.State == ServiceState.Draining));
        Assert.False(stop.IsCompleted);
        exporter.Open();
        await stop;

        Assert.Equal(15, acknowledged);
        Assert.Equal(acknowledged, exporter.Items);
        Assert.True(harness.ReceiverFactory.Created.Values.Single().Stopped);
    }

    [Fact]
    public async Task An_exporter_with_several_consumers_exports_that_many_batches_at_once()
    {
        var harness = new EngineHarness(Sys);
        // Five batches against a queue of four: the fifth waits for the stream to pull (slow on a loaded machine).
        harness.Engine = harness.Engine with { AdmissionTimeout = TimeSpan.FromSeconds(10) };
        harness.ExporterConfigs[ComponentId.Parse("gate")] = new KitConfig(ExporterSettings.None with { Consumers = 3 });
        await using var _ = harness.Pipeline("metrics", ["fakein"], [], ["gate"]);
        await harness.StartAsync();
        var exporter = harness.Exporter("gate");
        exporter.Close();
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await harness.Consumer("fakein").ConsumeAsync(Batch(1), TestContext.Current.CancellationToken)).IsAccepted);
        }

        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref exporter.Entered) == 3));
        exporter.Open();
        await AwaitConditionAsync(() => Task.FromResult(exporter.Items == 5));
        Assert.Equal(5, Volatile.Read(ref exporter.Entered));
    }
}
