using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit.Xunit;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Processors.Batch;
using TelemetryCluster.Streams.Tests.Data;
using Xunit;
using static TelemetryCluster.Streams.Tests.Processors.Batch.BatchTestSupport;

namespace TelemetryCluster.Streams.Tests.Processors.Batch;

public sealed class BatchProcessorStageTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly EngineTelemetry _telemetry = new();
    private readonly MetricRecorder _metrics;

    public BatchProcessorStageTests()
    {
        _metrics = new MetricRecorder(_telemetry.Meter);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _metrics.Dispose();
            _telemetry.Dispose();
        }

        base.Dispose(disposing);
    }

    private BatchProcessor Processor(BatchProcessorConfig config, long? capacity = null) =>
        new(Context(Sys, _telemetry), Pipeline, config, capacity);

    private (TestPublisher.Probe<TelemetryBatch> Up, TestSubscriber.Probe<TelemetryBatch> Down) Run(BatchProcessorConfig config, long? capacity = null) =>
        this.SourceProbe<TelemetryBatch>()
            .Via(Processor(config, capacity).CreateFlow())
            .ToMaterialized(this.SinkProbe<TelemetryBatch>(), Keep.Both)
            .Run(Sys.Materializer());

    // ---- triggers ----

    [Fact]
    public void Sends_when_send_batch_size_is_reached()
    {
        var (up, down) = Run(Settings(size: 10));
        down.Request(10);

        up.SendNext(Input(4, 0).Batch);
        up.SendNext(Input(4, 4).Batch);
        down.ExpectNoMsg(Quiet);
        up.SendNext(Input(4, 8).Batch);

        var output = down.ExpectNext(Wait);
        Assert.Equal(12, output.ItemCount);
        Assert.Equal(Range(0, 12), Values(output));
        Assert.Equal(3, output.Acks.Items.Length);

        up.SendNext(Input(3, 12).Batch);
        down.ExpectNoMsg(Quiet);
        up.SendComplete();
        Assert.Equal(Range(12, 3), Values(down.ExpectNext(Wait)));
        down.ExpectComplete();

        Assert.Equal(1, _metrics.Sum(BatchProcessorTelemetry.SizeTriggerName));
        Assert.Equal(1, _metrics.Sum(BatchProcessorTelemetry.TimeoutTriggerName));
        Assert.Equal([12L, 3L], _metrics.Values(BatchProcessorTelemetry.SendSizeName));
    }

    [Fact]
    public void Sends_a_partial_batch_when_the_timeout_elapses()
    {
        var (up, down) = Run(Settings(size: 1000, timeout: TimeSpan.FromMilliseconds(300)));
        down.Request(10);

        var clock = Stopwatch.StartNew();
        up.SendNext(Input(5).Batch);
        var output = down.ExpectNext(Wait);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"sent after {clock.Elapsed}");
        Assert.Equal(Range(0, 5), Values(output));
        Assert.Equal(1, _metrics.Sum(BatchProcessorTelemetry.TimeoutTriggerName));
        Assert.Equal(0, _metrics.Sum(BatchProcessorTelemetry.SizeTriggerName));
        up.SendComplete();
        down.ExpectComplete();
    }

    [Fact]
    public void Timeout_counts_from_the_first_item_of_the_pending_batch()
    {
        var (up, down) = Run(Settings(size: 1000, timeout: TimeSpan.FromMilliseconds(600)));
        down.Request(10);

        var clock = Stopwatch.StartNew();
        up.SendNext(Input(2, 0).Batch);
        down.ExpectNoMsg(TimeSpan.FromMilliseconds(400));
        up.SendNext(Input(2, 2).Batch);
        var output = down.ExpectNext(Wait);

        // Had the second request restarted the timer, the batch would leave at >= 1000ms.
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(950), $"sent after {clock.Elapsed}");
        Assert.Equal(Range(0, 4), Values(output));
        up.SendComplete();
        down.ExpectComplete();
    }

    [Fact]
    public async Task Timeout_zero_passes_each_request_on_at_once_split_at_the_max_size()
    {
        var (up, down) = Run(Settings(size: 8192, timeout: TimeSpan.Zero, max: 3));
        down.Request(10);
        var (batch, ack) = Input(7);

        up.SendNext(batch);
        var pieces = new[] { down.ExpectNext(Wait), down.ExpectNext(Wait), down.ExpectNext(Wait) };

        Assert.Equal([Range(0, 3), Range(3, 3), Range(6, 1)], pieces.Select(Values));
        Assert.All(pieces, p => Assert.Same(ack, Assert.Single(p.Acks.Items)));
        Assert.Equal(3, _metrics.Sum(BatchProcessorTelemetry.SizeTriggerName));

        Release(pieces[0]);
        Release(pieces[1]);
        Assert.False(ack.IsCompleted);
        Release(pieces[2]);
        Assert.True(ack.IsCompleted);
        Assert.Equal(AckOutcome.Accepted, await ack.Completion);
        up.SendComplete();
        down.ExpectComplete();
    }

    [Fact]
    public void Splits_at_send_batch_max_size_repeatedly()
    {
        var (up, down) = Run(Settings(size: 10, max: 15));
        down.Request(20);

        up.SendNext(Input(40, 0).Batch);
        Assert.Equal(Range(0, 15), Values(down.ExpectNext(Wait)));
        Assert.Equal(Range(15, 15), Values(down.ExpectNext(Wait)));
        Assert.Equal(Range(30, 10), Values(down.ExpectNext(Wait)));
        down.ExpectNoMsg(Quiet);

        // 12 >= 10 and <= 15: sent whole.
        up.SendNext(Input(12, 100).Batch);
        Assert.Equal(Range(100, 12), Values(down.ExpectNext(Wait)));

        // 8 waits; 8 + 9 = 17 sends 15 (8 + the first 7 of the second) and keeps 2.
        var (first, firstAck) = Input(8, 200);
        var (second, secondAck) = Input(9, 208);
        up.SendNext(first);
        down.ExpectNoMsg(Quiet);
        up.SendNext(second);
        var fifteen = down.ExpectNext(Wait);
        Assert.Equal(Range(200, 15), Values(fifteen));
        Assert.Equal([firstAck, secondAck], fifteen.Acks.Items);
        down.ExpectNoMsg(Quiet);

        up.SendComplete();
        var rest = down.ExpectNext(Wait);
        Assert.Equal(Range(215, 2), Values(rest));
        Assert.Same(secondAck, Assert.Single(rest.Acks.Items));
        down.ExpectComplete();

        Release(fifteen);
        Assert.True(firstAck.IsCompleted);
        Assert.False(secondAck.IsCompleted);
        Release(rest);
        Assert.True(secondAck.IsCompleted);

        Assert.Equal([15L, 15L, 10L, 12L, 15L, 2L], _metrics.Values(BatchProcessorTelemetry.SendSizeName));
        Assert.Equal(5, _metrics.Sum(BatchProcessorTelemetry.SizeTriggerName));
        Assert.Equal(1, _metrics.Sum(BatchProcessorTelemetry.TimeoutTriggerName));
    }

    [Fact]
    public void Does_not_modify_the_requests_it_receives()
    {
        var (up, down) = Run(Settings(size: 4, max: 4));
        down.Request(10);
        var request = OtlpTestData.Metrics(
            OtlpTestData.Rm("a", OtlpTestData.Sm("s", OtlpTestData.Gauge("g", 3), OtlpTestData.Sum("c", 3, 3))),
            OtlpTestData.Rm("b", OtlpTestData.Sm("s", OtlpTestData.Histogram("h", 3, 6))));
        var snapshot = request.Clone();

        up.SendNext(TelemetryBatch.Create(request, AckSet.Of(new Ack())));
        up.SendComplete();
        var outputs = new[] { down.ExpectNext(Wait), down.ExpectNext(Wait), down.ExpectNext(Wait) };
        down.ExpectComplete();

        Assert.Equal(snapshot, request);
        Assert.Equal([Range(0, 4), Range(4, 4), Range(8, 1)], outputs.Select(Values));
        Assert.All(outputs, o => Assert.NotSame(request, o.Payload));
    }

    // ---- metadata ----

    [Fact]
    public void Batches_each_metadata_value_combination_separately()
    {
        var (up, down) = Run(Settings(size: 10, keys: ["tenant"]));
        down.Request(10);

        up.SendNext(Input(6, 0, Meta(("Tenant", "a"), ("other", "x"))).Batch);
        up.SendNext(Input(6, 100, Meta(("tenant", "b"))).Batch);
        up.SendNext(Input(6, 6, Meta(("tenant", "a"), ("other", "y"))).Batch);

        var a = down.ExpectNext(Wait);
        Assert.Equal(Range(0, 12), Values(a));
        Assert.Equal(["a"], a.Metadata.Get("tenant"));
        Assert.False(a.Metadata.Contains("other"));

        // A missing key and an empty value are different combinations.
        up.SendNext(Input(5, 200).Batch);
        up.SendNext(Input(5, 300, Meta(("tenant", ""))).Batch);
        up.SendNext(Input(5, 205, Meta(("unrelated", "z"))).Batch);
        var missing = down.ExpectNext(Wait);
        Assert.Equal(Range(200, 10), Values(missing));
        Assert.False(missing.Metadata.Contains("tenant"));

        // Several values of one key form their own combination.
        up.SendNext(Input(5, 400, ClientMetadata.From([KeyValuePair.Create("tenant", "a"), KeyValuePair.Create("tenant", "b")])).Batch);
        down.ExpectNoMsg(Quiet);

        up.SendComplete();
        var rest = new[] { down.ExpectNext(Wait), down.ExpectNext(Wait), down.ExpectNext(Wait) };
        down.ExpectComplete();
        Assert.Equal([Range(100, 6), Range(300, 5), Range(400, 5)], rest.Select(Values));
        Assert.Equal(["b"], rest[0].Metadata.Get("tenant"));
        Assert.Equal([""], rest[1].Metadata.Get("tenant"));
        Assert.Equal(["a", "b"], rest[2].Metadata.Get("tenant"));
    }

    [Fact]
    public async Task Fails_requests_beyond_the_metadata_cardinality_limit_and_counts_them()
    {
        var (up, down) = Run(Settings(size: 10, keys: ["tenant"], limit: 2));
        down.Request(10);
        var (a1, a1Ack) = Input(3, 0, Meta(("tenant", "a")));
        var (b, bAck) = Input(3, 100, Meta(("tenant", "b")));
        var (c1, c1Ack) = Input(3, 200, Meta(("tenant", "c")));

        up.SendNext(a1);
        up.SendNext(b);
        up.SendNext(c1);

        Assert.Equal(AckOutcome.Fail(BatchProcessorStage.CardinalityReason), await c1Ack.Completion.WaitAsync(Wait));
        Assert.Equal(3, _telemetry.Get(ComponentKind.Processor, Id, Signal.Metrics, Outcomes.Dropped, BatchProcessorStage.CardinalityReason));
        Assert.False(a1Ack.IsCompleted);
        Assert.False(bAck.IsCompleted);
        Assert.Equal(2, _metrics.Sum(BatchProcessorTelemetry.MetadataCardinalityName));

        // Once tenant a has sent its batch its batcher is gone, so c gets a place.
        var (a2, a2Ack) = Input(7, 3, Meta(("tenant", "a")));
        up.SendNext(a2);
        var sentA = down.ExpectNext(Wait);
        Assert.Equal(Range(0, 10), Values(sentA));
        var (c2, c2Ack) = Input(3, 203, Meta(("tenant", "c")));
        up.SendNext(c2);
        down.ExpectNoMsg(Quiet);
        Assert.False(c2Ack.IsCompleted);

        up.SendComplete();
        var rest = new[] { down.ExpectNext(Wait), down.ExpectNext(Wait) };
        down.ExpectComplete();
        Assert.Equal([Range(100, 3), Range(203, 3)], rest.Select(Values));

        foreach (var output in rest.Prepend(sentA))
        {
            Release(output);
        }

        foreach (var ack in new[] { a1Ack, a2Ack, bAck, c2Ack })
        {
            Assert.Equal(AckOutcome.Accepted, await ack.Completion.WaitAsync(Wait));
        }
        Assert.Equal(3, _telemetry.Total(ComponentKind.Processor, Id, Signal.Metrics, Outcomes.Dropped));
        Assert.Equal(0, _metrics.Sum(BatchProcessorTelemetry.MetadataCardinalityName));
    }

    // ---- completion, failure, cancellation ----

    [Fact]
    public void Flushes_everything_when_upstream_completes()
    {
        var (up, down) = Run(Settings(size: 100, max: 8));
        up.SendNext(Input(5, 0).Batch);
        up.SendNext(Input(5, 5).Batch);
        up.SendNext(Input(5, 10).Batch);
        up.SendComplete();

        down.Request(10);
        Assert.Equal(Range(0, 8), Values(down.ExpectNext(Wait)));
        Assert.Equal(Range(8, 7), Values(down.ExpectNext(Wait)));
        down.ExpectComplete();
        Assert.Equal(2, _metrics.Sum(BatchProcessorTelemetry.TimeoutTriggerName));
    }

    [Fact]
    public void Sends_what_it_holds_before_passing_on_an_upstream_failure()
    {
        var (up, down) = Run(Settings(size: 100));
        up.SendNext(Input(5).Batch);
        var failure = new InvalidOperationException("boom");
        up.SendError(failure);

        down.Request(1);
        Assert.Equal(Range(0, 5), Values(down.ExpectNext(Wait)));
        Assert.Same(failure, down.ExpectError());
    }

    [Fact]
    public async Task Refuses_the_acks_of_data_still_held_when_downstream_cancels()
    {
        var (up, down) = Run(Settings(size: 100));
        var (batch, ack) = Input(5);
        up.SendNext(batch);
        down.ExpectSubscription();
        down.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        down.Cancel();

        var outcome = await ack.Completion.WaitAsync(Wait);
        Assert.Equal(AckStatus.Refused, outcome.Status);
        Assert.Equal(BatchProcessorStage.StoppedReason, outcome.Reason);
        Assert.Equal(BatchProcessorStage.StoppedRetryAfter, outcome.RetryAfter);
        Assert.Equal(5, _telemetry.Get(ComponentKind.Processor, Id, Signal.Metrics, Outcomes.Refused, BatchProcessorStage.StoppedReason));
        up.ExpectCancellation();
    }

    [Fact]
    public void Passes_requests_without_items_on_with_their_acks()
    {
        var (up, down) = Run(Settings(size: 10, timeout: TimeSpan.FromMilliseconds(200)));
        down.Request(10);
        var empty = OtlpTestData.Metrics(OtlpTestData.Rm("r", OtlpTestData.Sm("s", OtlpTestData.Gauge("e", 0))));
        var ack = new Ack();

        up.SendNext(TelemetryBatch.Create(empty, AckSet.Of(ack)));
        var output = down.ExpectNext(Wait);

        Assert.Equal(0, output.ItemCount);
        Assert.Equal(["r|s|e(Gauge)|-"], OtlpTestData.Flatten(output.Payload));
        Assert.Same(ack, Assert.Single(output.Acks.Items));
        Release(output);
        Assert.True(ack.IsCompleted);
        up.SendComplete();
        down.ExpectComplete();
    }

    // ---- acks ----

    [Fact]
    public async Task Every_input_ack_completes_once_after_all_outputs_holding_it_are_released()
    {
        var random = new Random(42);
        var (up, down) = Run(Settings(size: 10, max: 15), capacity: 10_000);
        var inputs = new List<(int First, int Count, Ack Ack)>();
        var next = 0;
        for (var i = 0; i < 40; i++)
        {
            var count = random.Next(0, 26);
            var (batch, ack) = Input(count, next);
            inputs.Add((next, count, ack));
            next += count;
            up.SendNext(batch);
        }

        up.SendComplete();
        var outputs = new List<TelemetryBatch>();
        down.Request(1000);
        while (down.ExpectNextOrComplete() is TelemetryBatch output)
        {
            outputs.Add(output);
        }

        // Everything arrives, in order, and no output exceeds the max size.
        Assert.Equal(Range(0, next), outputs.SelectMany(Values));
        Assert.All(outputs, o => Assert.InRange(o.ItemCount, 0, 15));

        // Each output carries exactly the acks of the inputs it holds items of (an input without items travels
        // with the output that holds the items sent just before it).
        var holders = inputs.ToDictionary(i => i.Ack, _ => new List<TelemetryBatch>());
        foreach (var output in outputs)
        {
            Assert.Equal(output.Acks.Items.Length, output.Acks.Items.Distinct().Count());
            foreach (var ack in output.Acks.Items)
            {
                holders[ack].Add(output);
            }

            var values = Values(output).ToHashSet();
            foreach (var input in inputs.Where(i => i.Count > 0 && Enumerable.Range(i.First, i.Count).Any(values.Contains)))
            {
                Assert.Contains(input.Ack, output.Acks.Items);
            }
        }

        Assert.All(inputs, i => Assert.NotEmpty(holders[i.Ack]));
        Assert.All(inputs, i => Assert.False(i.Ack.IsCompleted));

        // Release in random order: an ack completes exactly when the last output holding it is released.
        var released = new HashSet<TelemetryBatch>();
        foreach (var output in outputs.OrderBy(_ => random.Next()))
        {
            Release(output);
            released.Add(output);
            foreach (var input in inputs)
            {
                Assert.Equal(holders[input.Ack].All(released.Contains), input.Ack.IsCompleted);
            }
        }

        foreach (var input in inputs)
        {
            Assert.Equal(AckOutcome.Accepted, await input.Ack.Completion);
        }
    }

    [Fact]
    public async Task A_failed_piece_fails_the_split_input()
    {
        var (up, down) = Run(Settings(size: 5, max: 5));
        down.Request(10);
        var (batch, ack) = Input(12);

        up.SendNext(batch);
        var first = down.ExpectNext(Wait);
        var second = down.ExpectNext(Wait);
        up.SendComplete();
        var third = down.ExpectNext(Wait);
        down.ExpectComplete();

        Release(first);
        Release(second, AckOutcome.Fail("exporter rejected it"));
        Assert.False(ack.IsCompleted);
        Release(third);
        Assert.Equal(AckOutcome.Fail("exporter rejected it"), await ack.Completion);
    }

    // ---- backpressure ----

    [Fact]
    public void Stops_pulling_while_its_buffer_is_full()
    {
        var pulled = 0;
        var source = Source.Repeat(0).Select(_ =>
        {
            var n = Interlocked.Increment(ref pulled) - 1;
            return Input(5, n * 5).Batch;
        });
        var down = source
            .Via(Processor(Settings(size: 10), capacity: 20).CreateFlow())
            .RunWith(this.SinkProbe<TelemetryBatch>(), Sys.Materializer());

        // Without demand: two batches of 10 (20 items) fill the buffer, then nothing more is pulled.
        down.EnsureSubscription();
        AwaitCondition(() => Volatile.Read(ref pulled) == 4, Wait);
        down.ExpectNoMsg(Quiet);
        Assert.Equal(4, Volatile.Read(ref pulled));

        // One batch leaves, room for 10 more items: exactly two more requests are pulled.
        down.Request(1);
        Assert.Equal(Range(0, 10), Values(down.ExpectNext(Wait)));
        AwaitCondition(() => Volatile.Read(ref pulled) == 6, Wait);
        down.ExpectNoMsg(Quiet);
        Assert.Equal(6, Volatile.Read(ref pulled));
        down.Cancel();
    }

    [Fact]
    public void Takes_one_request_larger_than_the_buffer_then_waits()
    {
        var pulled = 0;
        var source = Source.Repeat(0).Select(_ =>
        {
            var n = Interlocked.Increment(ref pulled) - 1;
            return Input(50, n * 50).Batch;
        });
        var down = source
            .Via(Processor(Settings(size: 10), capacity: 20).CreateFlow())
            .RunWith(this.SinkProbe<TelemetryBatch>(), Sys.Materializer());

        down.EnsureSubscription();
        AwaitCondition(() => Volatile.Read(ref pulled) == 1, Wait);
        down.ExpectNoMsg(Quiet);
        Assert.Equal(1, Volatile.Read(ref pulled));

        down.Request(1);
        Assert.Equal(Range(0, 50), Values(down.ExpectNext(Wait)));
        AwaitCondition(() => Volatile.Read(ref pulled) == 2, Wait);
        down.Cancel();
    }

    [Fact]
    public void Sends_the_oldest_partial_batch_early_when_full_and_downstream_is_waiting()
    {
        var pulled = 0;
        string[] tenants = ["a", "b", "c", "d"];
        var source = Source.Repeat(0).Select(_ =>
        {
            var n = Interlocked.Increment(ref pulled) - 1;
            return Input(6, n * 6, Meta(("tenant", tenants[n % 4]))).Batch;
        });
        var down = source
            .Via(Processor(Settings(size: 100, keys: ["tenant"]), capacity: 20).CreateFlow())
            .RunWith(this.SinkProbe<TelemetryBatch>(), Sys.Materializer());

        down.EnsureSubscription();
        AwaitCondition(() => Volatile.Read(ref pulled) == 4, Wait);
        down.ExpectNoMsg(Quiet);

        // The 30s timeout is far away; the full buffer sends tenant a's batch as soon as downstream asks.
        down.Request(1);
        var output = down.ExpectNext(Wait);
        Assert.Equal(Range(0, 6), Values(output));
        Assert.Equal(["a"], output.Metadata.Get("tenant"));
        Assert.Equal(1, _metrics.Sum(BatchProcessorTelemetry.BufferFullTriggerName));
        down.Cancel();
    }
}
