using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// The <c>file_log</c> receiver: one loop per receiver instance polls (and is woken by file change notifications),
/// reads new lines into batches of up to 1000 log records and hands them to the pipelines. Up to
/// <see cref="Window"/> batches (and about <see cref="MaxInFlightRecords"/> records) are in flight; their acknowledgements are committed in order, and only then does a
/// file's checkpoint advance (at-least-once: after a crash only unacknowledged lines are read again). A refusal
/// (backpressure) pauses reading and sends the same batch again after a short pause (10 ms doubling to 50 ms).
/// </summary>
internal sealed partial class FileLogReceiver : IReceiver, IAsyncDisposable
{
    /// <summary>Batches in flight at once (acknowledged in order).</summary>
    public const int Window = 32;

    /// <summary>
    /// Log records in flight at once (whole batches: the batch that crosses it is still sent). Bounds what a crash
    /// sends again, and the memory a slow pipeline holds, whatever the batch size.
    /// </summary>
    public const int MaxInFlightRecords = 8000;

    private static readonly TimeSpan SafetyRescan = TimeSpan.FromSeconds(5);

    /// <summary>How often at most acknowledged offsets are appended to the checkpoint journal while data flows.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    /// <summary>The longest pause between resends of a refused batch.</summary>
    private static readonly TimeSpan MaxRefusalPoll = TimeSpan.FromMilliseconds(50);

    private readonly ComponentContext _context;
    private readonly FileLogReceiverConfig _config;
    private readonly ILogger _logger;
    private readonly Queue<InFlight> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Cancels the batches in flight: only when stopping gave up waiting for them (a cancelled batch may still be exported, and is then sent twice).</summary>
    private readonly CancellationTokenSource _abandon = new();
    private IReceiverConsumer? _consumer;
    private FileTracker? _tracker;
    private EntryEmitter? _emitter;
    private CheckpointStore? _store;
    private Task? _loop;
    private Func<IEnumerable<FileState>>? _liveStates;
    private long _lastCheckpointWrite;
    private int _inFlightRecords;

    /// <summary>Completes when the newest batch was handed to the pipelines (the next one waits for it).</summary>
    private Task _lastHandedOver = Task.CompletedTask;
    private int _stopped;

    public FileLogReceiver(ComponentContext context, FileLogReceiverConfig config)
    {
        _context = context;
        _config = config;
        _logger = context.CreateLogger();
        var safeName = (config.Storage ?? context.Id.ToString()).Replace('/', '_').Replace('\\', '_');
        CheckpointDirectory = config.Cluster.SharedStorage
            ? Path.Combine(config.Cluster.CheckpointDirectory!, safeName)
            : Path.Combine(context.StorageDirectory, "file_log", safeName);
        Stats = new FileLogStats();
    }

    public string CheckpointDirectory { get; }

    public FileLogStats Stats { get; }

    internal FileTracker? Tracker => _tracker;

    public Task StartAsync(IReceiverConsumer consumer, CancellationToken cancellationToken)
    {
        _consumer = consumer;
        if (!consumer.Signals.Contains(Signal.Logs))
        {
            return Task.CompletedTask;
        }

        _emitter = new EntryEmitter(_config, _context.Time, Stats, (reason, count) => Count(Outcomes.Dropped, (int)Math.Min(count, int.MaxValue), "operator " + reason));
        _tracker = new FileTracker(_config, _context.Time, _logger, Stats, _emitter);
        var patterns = string.Join(", ", _config.Include.Select(g => g.Pattern));
        if (_config.Cluster.SharedStorage)
        {
            StartShared();
            FileLogLog.Started(_logger, patterns, _config.Cluster.CheckpointDirectory ?? CheckpointDirectory, 0);
        }
        else if (_config.Checkpoints)
        {
            _store = new CheckpointStore(CheckpointDirectory);
            var restored = _store.Load();
            _tracker.Restore(restored.Values);
            FileLogLog.Started(_logger, patterns, CheckpointDirectory, restored.Count);
        }
        else
        {
            FileLogLog.StartedWithoutCheckpoints(_logger, patterns);
        }

        _tracker.StartWatching();
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || _loop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Hand over what is buffered, wait (bounded) for the acknowledgements, then write the final checkpoint.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(StopWait);
        try
        {
            _tracker!.FlushIdle(force: true);
            await SendPendingAsync(wait.Token).ConfigureAwait(false);
            while (_inFlight.Count > 0)
            {
                await CompleteHeadAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Unacknowledged lines are read again after the restart.
        }

        await _abandon.CancelAsync().ConfigureAwait(false);
        WriteCheckpoints(final: true);
        StopShared();
        _tracker!.Dispose();
        _store?.Dispose();
        FileLogLog.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
        _abandon.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var tracker = _tracker!;
        var first = true;
        var lastFull = _context.Time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = _context.Time.GetUtcNow();
                if (_shared is not null)
                {
                    await ProcessClaimsAsync(now, cancellationToken).ConfigureAwait(false);
                }

                tracker.DrainChanges();
                if (first || tracker.TakeStructuralChange() || now - lastFull >= SafetyRescan)
                {
                    tracker.FullScan(first);
                    first = false;
                    lastFull = now;
                }

                tracker.BeginPoll();
                while (tracker.ReadSome())
                {
                    await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                }

                while (tracker.FlushIdle(force: false))
                {
                    await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                }

                await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                while (_inFlight.Count > 0 && _inFlight.Peek().Task.IsCompleted)
                {
                    await CompleteHeadAsync(cancellationToken).ConfigureAwait(false);
                }

                if (_config.DeleteAfterRead)
                {
                    foreach (var removed in tracker.DeleteFinished())
                    {
                        Forget(removed, deleted: true);
                    }
                }

                foreach (var removed in tracker.Prune())
                {
                    Forget(removed, deleted: false);
                }

                WriteCheckpoints(final: false);
                var elapsed = _context.Time.GetUtcNow() - now;
                var delay = _config.PollInterval - elapsed;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _context.Time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Nothing a file contains may stop the receiver: log, count, go on after a pause.
                FileLogLog.LoopFailed(_logger, e);
                Stats.ReadErrors++;
                try
                {
                    await Task.Delay(_config.PollInterval, _context.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends the current batch (if any), first waiting for room in the window.</summary>
    private async Task SendPendingAsync(CancellationToken cancellationToken)
    {
        var emitter = _emitter!;
        if (emitter.Batch.IsEmpty)
        {
            return;
        }

        while (_inFlight.Count >= Window || (_inFlightRecords >= MaxInFlightRecords && _inFlight.Count > 0))
        {
            await CompleteHeadAsync(cancellationToken).ConfigureAwait(false);
        }

        var (request, deferred, count, marks) = emitter.Batch.Take();
        var item = new InFlight(request, deferred, count, marks, _context.Time.GetUtcNow());
        item.Task = count == 0 ? Task.FromResult(AckOutcome.Accepted) : EncodeThenConsumeInOrder(item);
        _inFlight.Enqueue(item);
        _inFlightRecords += count;
    }

    /// <summary>
    /// Hands the batch to the pipelines after the batch before it was handed over (so batches leave in the order they
    /// were read). Deferred entries (one-to-one operator pipelines) are first run through the operators and encoded
    /// on the thread pool, while this loop reads on: on two cores reading and parsing overlap.
    /// </summary>
    private Task<AckOutcome> EncodeThenConsumeInOrder(InFlight item)
    {
        var previous = _lastHandedOver;
        var handedOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastHandedOver = handedOver.Task;
        if (item.Deferred is null && previous.IsCompleted)
        {
            handedOver.SetResult();
            return ConsumeAsync(item, _abandon.Token);
        }

        return EncodeThenConsumeAsync(item, previous, handedOver);
    }

    private async Task<AckOutcome> EncodeThenConsumeAsync(InFlight item, Task previous, TaskCompletionSource handedOver)
    {
        Task<AckOutcome> consumed;
        try
        {
            if (item.Deferred is { } entries)
            {
                // An exception leaves the entries deferred: ConsumeAsync encodes them again (and refuses while it fails).
                var emitter = _emitter!;
                var request = item.Request;
                item.Request = await Task.Run(() => emitter.Encode(request, entries), CancellationToken.None).ConfigureAwait(false);
                item.Deferred = null;
            }
        }
        catch (Exception e)
        {
            FileLogLog.LoopFailed(_logger, e);
        }
        finally
        {
            await previous.ConfigureAwait(false);
            consumed = ConsumeAsync(item, _abandon.Token);
            handedOver.SetResult();
        }

        return await consumed.ConfigureAwait(false);
    }

    private async Task<AckOutcome> ConsumeAsync(InFlight item, CancellationToken cancellationToken)
    {
        try
        {
            if (item.Deferred is { } entries)
            {
                item.Request = _emitter!.Encode(item.Request, entries);
                item.Deferred = null;
            }

            var ack = new Ack();
            var batch = TelemetryBatch.Create(item.Request, AckSet.Of(ack));
            return await _consumer!.ConsumeAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return AckOutcome.Refuse("receiver stopping", TimeSpan.FromSeconds(1));
        }
        catch (Exception e)
        {
            return AckOutcome.Refuse("pipeline error: " + e.Message, TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Waits for the oldest batch; resends it while refused (or failed, with retry_on_failure); commits its marks.</summary>
    private async Task CompleteHeadAsync(CancellationToken cancellationToken)
    {
        var item = _inFlight.Peek();
        var backoff = _config.RetryOnFailure.InitialInterval;
        var refusedDelay = TimeSpan.Zero;
        while (true)
        {
            var outcome = await item.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Status == AckStatus.Accepted)
            {
                Count(Outcomes.Accepted, item.Count, null);
                break;
            }

            if (outcome.Status == AckStatus.Refused)
            {
                Stats.Refusals++;
                Count(Outcomes.Refused, item.Count, outcome.Reason ?? "refused");
                // The hint is meant for remote clients; inside the node a full queue usually frees within
                // milliseconds (the exporter drains it batch by batch), so poll from 10 ms, doubling while the same
                // batch stays refused, up to 50 ms (or the hint, if shorter): a longer sleep leaves the pipeline idle
                // once its queue has drained, and a retry costs one offer.
                var hint = outcome.RetryAfter is { } after && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
                hint = TimeSpan.FromTicks(Math.Clamp(hint.Ticks, TimeSpan.FromMilliseconds(10).Ticks, MaxRefusalPoll.Ticks));
                refusedDelay = refusedDelay == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromTicks(Math.Min(refusedDelay.Ticks * 2, hint.Ticks));
                await Task.Delay(refusedDelay, _context.Time, cancellationToken).ConfigureAwait(false);
                item.Task = ConsumeAsync(item, _abandon.Token);
                continue;
            }

            var retry = _config.RetryOnFailure;
            var elapsed = _context.Time.GetUtcNow() - item.FirstSent;
            if (retry.Enabled && (retry.MaxElapsedTime <= TimeSpan.Zero || elapsed + backoff <= retry.MaxElapsedTime))
            {
                Count(Outcomes.Refused, item.Count, outcome.Reason ?? "failed");
                await Task.Delay(backoff, _context.Time, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, retry.MaxInterval.Ticks));
                item.Task = ConsumeAsync(item, _abandon.Token);
                continue;
            }

            Stats.Dropped += item.Count;
            Count(Outcomes.Dropped, item.Count, outcome.Reason ?? "failed");
            FileLogLog.BatchDropped(_logger, item.Count, outcome.Reason ?? "failed");
            break;
        }

        _inFlight.Dequeue();
        _inFlightRecords -= item.Count;
        foreach (var mark in item.Marks)
        {
            var state = mark.State;
            state.InFlight--;
            if (mark.Offset > state.AckedOffset)
            {
                state.AckedOffset = mark.Offset;
                state.AckedRecordNumber = mark.RecordNumber;
                state.OffsetDirty = true;
            }
        }

        WriteCheckpoints(final: false);
    }

    /// <summary>
    /// Writes what changed since the last write: at most every <see cref="CheckpointInterval"/> (the loop calls again
    /// each poll, so the last changes are written within a poll interval of it), always when <paramref name="final"/>.
    /// Only acknowledged offsets are ever written.
    /// </summary>
    private void WriteCheckpoints(bool final)
    {
        if (_shared is not null)
        {
            WriteSharedCheckpoints(final);
            return;
        }

        if (_store is not { } store)
        {
            return;
        }

        var now = _context.Time.GetTimestamp();
        if (!final && _lastCheckpointWrite != 0 && _context.Time.GetElapsedTime(_lastCheckpointWrite, now) < CheckpointInterval)
        {
            return;
        }

        _lastCheckpointWrite = now;
        try
        {
            foreach (var state in _tracker!.States)
            {
                if (state.DefinitionDirty)
                {
                    store.WriteFull(state);
                    state.DefinitionDirty = false;
                    state.OffsetDirty = false;
                }
                else if (state.OffsetDirty)
                {
                    store.WriteOffset(state);
                    state.OffsetDirty = false;
                }
            }

            store.Flush(_liveStates ??= () => _tracker.States);
            if (final)
            {
                store.Compact(_tracker.States);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FileLogLog.CheckpointFailed(_logger, e, store.FilePath);
        }
    }

    private void Count(string outcome, int items, string? reason) =>
        _context.Telemetry.Add(ComponentKind.Receiver, _context.Id, Signal.Logs, outcome, items, reason);

    private sealed class InFlight(ExportLogsServiceRequest request, List<LogEntry>? deferred, int count, List<OffsetMark> marks, DateTimeOffset firstSent)
    {
        public ExportLogsServiceRequest Request { get; set; } = request;

        /// <summary>Entries still to go through the operators and into <see cref="Request"/>; null once they have.</summary>
        public List<LogEntry>? Deferred { get; set; } = deferred;

        public int Count { get; } = count;

        public List<OffsetMark> Marks { get; } = marks;

        public DateTimeOffset FirstSent { get; } = firstSent;

        public Task<AckOutcome> Task { get; set; } = System.Threading.Tasks.Task.FromResult(AckOutcome.Accepted);
    }
}
