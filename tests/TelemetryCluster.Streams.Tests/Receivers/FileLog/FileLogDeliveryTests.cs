using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.FileLog;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>Checkpoints after acknowledgement, restart, backpressure and failures.</summary>
public sealed class FileLogDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_resumes_at_the_checkpoint_and_reads_lines_written_while_stopped()
    {
        using var dir = new TempDir();
        var config = $$"""
            include = ["{{dir.Path}}/*.log"]
            poll_interval = 50ms
            """;
        var path = dir["app.log"];
        await File.WriteAllTextAsync(path, string.Concat(Enumerable.Range(1, 50).Select(i => $"before start {i}\n")), Ct);

        await using (var harness = new FileLogHarness(dir["state"]))
        {
            var receiver = harness.Create(config);
            var consumer = new RecordingConsumer();
            await receiver.StartAsync(consumer, Ct);
            await FileLogReaderTests.WaitForAsync(() => receiver.Stats.FullScans > 0);
            await File.AppendAllTextAsync(path, string.Concat(Enumerable.Range(1, 1000).Select(i => $"run one {i}\n")), Ct);
            await consumer.WaitForCountAsync(1000, TimeSpan.FromSeconds(10));
            await receiver.StopAsync(Ct);
            Assert.Equal(1000, consumer.Count); // start_at = end: the 50 older lines are skipped
        }

        await File.AppendAllTextAsync(path, string.Concat(Enumerable.Range(1, 300).Select(i => $"while stopped {i}\n")), Ct);
        await File.WriteAllTextAsync(dir["new.log"], "a new file while stopped\n", Ct);
        await using (var harness = new FileLogHarness(dir["state"]))
        {
            var receiver = harness.Create(config);
            var consumer = new RecordingConsumer();
            await receiver.StartAsync(consumer, Ct);
            await consumer.WaitForCountAsync(300, TimeSpan.FromSeconds(10));
            await Task.Delay(500, Ct);
            await receiver.StopAsync(Ct);
            var bodies = consumer.Lines.Select(l => l.Body).Where(b => b.StartsWith("while stopped", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(1, 300).Select(i => $"while stopped {i}"), bodies);
            Assert.DoesNotContain(consumer.Lines, l => l.Body.StartsWith("run one", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Without_checkpoints_nothing_is_written_and_a_restart_reads_as_if_new()
    {
        using var dir = new TempDir();
        var config = $$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            checkpoints = false
            """;
        await File.WriteAllTextAsync(dir["a.log"], string.Concat(Enumerable.Range(1, 1500).Select(i => $"line {i}\n")), Ct);

        for (var run = 1; run <= 2; run++)
        {
            await using var harness = new FileLogHarness(dir["state"]);
            var receiver = harness.Create(config);
            var consumer = new RecordingConsumer();
            await receiver.StartAsync(consumer, Ct);
            await consumer.WaitForCountAsync(1500, TimeSpan.FromSeconds(10));
            await Task.Delay(300, Ct);
            await receiver.StopAsync(Ct);

            // Every run reads the whole file once (start_at = beginning, no offset kept), in order.
            Assert.Equal(Enumerable.Range(1, 1500).Select(i => $"line {i}"), consumer.Lines.Select(l => l.Body));
            Assert.False(Directory.Exists(receiver.CheckpointDirectory), $"run {run}: {receiver.CheckpointDirectory} was created");
            Assert.Equal(1500, harness.Telemetry.Total(ComponentKind.Receiver, ComponentId.Parse("file_log"), Signal.Logs, Outcomes.Accepted));
        }
    }

    [Fact]
    public async Task Checkpoint_advances_only_after_acknowledgement()
    {
        using var dir = new TempDir();
        var config = $$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            """;
        await File.WriteAllTextAsync(dir["a.log"], string.Concat(Enumerable.Range(1, 250).Select(i => $"line {i}\n")), Ct);

        // The downstream refuses everything: nothing is acknowledged, so nothing may be checkpointed.
        await using (var harness = new FileLogHarness(dir["state"]))
        {
            var receiver = harness.Create(config);
            var consumer = new RecordingConsumer { Decide = _ => AckOutcome.Refuse("full", TimeSpan.FromMilliseconds(50)) };
            await receiver.StartAsync(consumer, Ct);
            await FileLogReaderTests.WaitForAsync(() => consumer.Calls > 3);
            await receiver.StopAsync(Ct);
            Assert.Equal(0, consumer.Count);
            Assert.True(receiver.Stats.Refusals > 0);
            Assert.True(harness.Telemetry.Total(ComponentKind.Receiver, ComponentId.Parse("file_log"), Signal.Logs, Outcomes.Refused) > 0);
        }

        await using (var harness = new FileLogHarness(dir["state"]))
        {
            var receiver = harness.Create(config);
            var consumer = new RecordingConsumer();
            await receiver.StartAsync(consumer, Ct);
            await consumer.WaitForCountAsync(250, TimeSpan.FromSeconds(10));
            await Task.Delay(300, Ct);
            await receiver.StopAsync(Ct);
            Assert.Equal(Enumerable.Range(1, 250).Select(i => $"line {i}"), consumer.Lines.Select(l => l.Body));
        }
    }

    [Fact]
    public async Task Refusals_pause_reading_and_resend_the_same_batch()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllTextAsync(dir["a.log"], string.Concat(Enumerable.Range(1, 20_000).Select(i => $"line {i}\n")), Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            """);
        var consumer = new RecordingConsumer { Decide = call => call % 3 == 0 ? AckOutcome.Refuse("full", TimeSpan.FromMilliseconds(20)) : AckOutcome.Accepted };
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(20_000, TimeSpan.FromSeconds(30));
        await Task.Delay(300, Ct);
        await receiver.StopAsync(Ct);
        var bodies = consumer.Lines.Select(l => l.Body).ToList();
        Assert.Equal(20_000, bodies.Count);
        Assert.Equal(20_000, bodies.Distinct().Count());
        Assert.True(receiver.Stats.Refusals > 0);
    }

    [Fact]
    public async Task Failed_batches_are_dropped_and_counted_without_retry_on_failure_and_resent_with_it()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllTextAsync(dir["a.log"], string.Concat(Enumerable.Range(1, 10).Select(i => $"a {i}\n")), Ct);
        await File.WriteAllTextAsync(dir["b.txt"], string.Concat(Enumerable.Range(1, 10).Select(i => $"b {i}\n")), Ct);
        var dropping = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            """, "file_log/drop");
        var retrying = harness.Create($$"""
            include = ["{{dir.Path}}/*.txt"]
            start_at = beginning
            retry_on_failure { enabled = true, initial_interval = 20ms, max_interval = 50ms }
            """, "file_log/retry");
        var a = new RecordingConsumer { Decide = _ => AckOutcome.Fail("bad data") };
        var b = new RecordingConsumer { Decide = call => call <= 2 ? AckOutcome.Fail("backend error") : AckOutcome.Accepted };
        await dropping.StartAsync(a, Ct);
        await retrying.StartAsync(b, Ct);
        await FileLogReaderTests.WaitForAsync(() => dropping.Stats.Dropped == 10);
        await b.WaitForCountAsync(10, TimeSpan.FromSeconds(10));
        await dropping.StopAsync(Ct);
        await retrying.StopAsync(Ct);
        Assert.Equal(10, harness.Telemetry.Get(ComponentKind.Receiver, ComponentId.Parse("file_log/drop"), Signal.Logs, Outcomes.Dropped, "bad data"));
        Assert.Equal(10, b.Count);
        Assert.Equal(0, retrying.Stats.Dropped);
    }

    [Fact]
    public async Task A_torn_checkpoint_tail_is_ignored()
    {
        using var dir = new TempDir();
        var store = new CheckpointStore(dir["cp"]);
        var state = new FileState(7, [1, 2, 3], 100, 5) { Path = "/x.log", Device = 1, Inode = 2 };
        store.WriteFull(state);
        state.AckedOffset = 200;
        state.AckedRecordNumber = 9;
        store.WriteOffset(state);
        store.Flush(() => [state]);
        store.Dispose();
        await File.AppendAllBytesAsync(Path.Combine(dir["cp"], "checkpoints.bin"), [25, 0, 0, 0, 1, 2], Ct);

        using var reopened = new CheckpointStore(dir["cp"]);
        var entry = Assert.Single(reopened.Load().Values);
        Assert.Equal(200, entry.Offset);
        Assert.Equal(9, entry.RecordNumber);
        Assert.Equal([1, 2, 3], entry.Fingerprint);
        Assert.Equal("/x.log", entry.Path);
    }
}
