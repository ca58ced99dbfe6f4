using Akka.Actor;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// The receiving side of a pipeline in the cluster: splits each batch by routing key into the pipeline's
/// partitions and asks the shard region, which delivers each part to the partition entity wherever sharding placed
/// it. Each partition has its own budget of <see cref="EngineSettings.MaxInFlight"/> parts in flight from this
/// node, so a slow or blocked partition exhausts only its own budget: batches that touch it are refused (retryable)
/// while batches for healthy partitions keep flowing. A batch that cannot get a slot for every partition it touches
/// within the admission timeout, or any part that a partition refuses or does not answer in time, makes the whole
/// batch refused — the backpressure OTLP clients see as <c>UNAVAILABLE</c> + RetryInfo.
/// </summary>
internal sealed class PartitionRouter : IPipelineGateway
{
    private readonly PipelineDefinition _pipeline;
    private readonly IActorRef _region;
    private readonly EngineSettings _engine;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim[] _slots;
    private readonly DroppedPartWatch? _drops;

    public PartitionRouter(PipelineDefinition pipeline, IActorRef region, EngineSettings engine, TimeProvider time, DroppedPartWatch? drops = null)
    {
        _drops = drops;
        _pipeline = pipeline;
        _region = region;
        _engine = engine;
        _time = time;
        _slots = new SemaphoreSlim[engine.Partitions];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new SemaphoreSlim(engine.MaxInFlight, engine.MaxInFlight);
        }
    }

    public async Task<bool> OfferAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var parts = BatchPartitioner.Split(batch.Payload, _engine.Partitions);
        if (!await AcquireAsync(parts, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var waitForExport = !batch.Acks.IsEmpty;
        var timeout = waitForExport ? _engine.ExportTimeout : _engine.AskTimeout;
        var asks = new List<Task<PartitionReply>>(parts.Count);
        foreach (var (partition, request) in parts)
        {
            var message = new PartitionBatch(PartitionBatch.EntityIdOf(_pipeline.Id, partition), batch.Signal, request, batch.Metadata, waitForExport);
            asks.Add(AskAndRelease(partition, message, timeout, cancellationToken));
        }

        if (!waitForExport)
        {
            return await SettleAsync(batch, parts, asks, cancellationToken).ConfigureAwait(false);
        }

        // delivery = exported: the partitions answer after export; the acks are released then. Each part keeps its
        // partition's slot until that answer, so exports in progress count against that partition's budget only.
        _ = ReleaseAcksWhenDone(batch.Acks, asks);
        return true;
    }

    /// <summary>
    /// The answer for a batch under <c>delivery = accepted</c>. When some parts were queued and others refused, the
    /// refused parts are offered again (10 ms, doubling to 200 ms, for up to <c>cluster.retry-after</c>: the client
    /// would wait that long before retrying anyway) instead of refusing the whole batch at once: the client would resend every part, and the queued ones would then be exported twice. Only when a
    /// refused part still finds no room in time, or a part's ask timed out (its outcome is unknown), is the batch
    /// refused (at-least-once: its queued parts are then exported again when the client retries).
    /// </summary>
    private async Task<bool> SettleAsync(
        TelemetryBatch batch,
        IReadOnlyList<(int Partition, Google.Protobuf.IMessage Request)> parts,
        List<Task<PartitionReply>> asks,
        CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();

        // As long as the client would wait before retrying anyway (the RetryInfo delay it gets when refused).
        var budget = _engine.RetryAfter < _engine.AskTimeout ? _engine.RetryAfter : _engine.AskTimeout;
        var outcomes = new AckOutcome[asks.Count];
        var unanswered = false;
        for (var i = 0; i < asks.Count; i++)
        {
            (outcomes[i], var answered) = await AnswerOf(asks[i]).ConfigureAwait(false);
            unanswered |= !answered;
        }

        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            int accepted = 0, failed = 0;
            foreach (var outcome in outcomes)
            {
                accepted += outcome.IsAccepted ? 1 : 0;
                failed += outcome.Status == AckStatus.Failed ? 1 : 0;
            }

            if (accepted == outcomes.Length)
            {
                return true;
            }

            var remaining = budget - _time.GetElapsedTime(started);
            if (accepted == 0 || failed > 0 || unanswered || remaining <= delay || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (outcomes[i].IsAccepted)
                {
                    continue;
                }

                var (partition, request) = parts[i];
                if (!await _slots[partition].WaitAsync(_engine.AdmissionTimeout, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                var message = new PartitionBatch(PartitionBatch.EntityIdOf(_pipeline.Id, partition), batch.Signal, request, batch.Metadata, WaitForExport: false);
                (outcomes[i], var answered) = await AnswerOf(AskAndRelease(partition, message, _engine.AskTimeout, cancellationToken)).ConfigureAwait(false);
                unanswered |= !answered;
            }
        }
    }

    /// <summary>Takes one slot of every partition the batch touches (in partition order, so no two batches deadlock).</summary>
    private async Task<bool> AcquireAsync(IReadOnlyList<(int Partition, Google.Protobuf.IMessage Request)> parts, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var acquired = new List<int>(parts.Count);
        try
        {
            foreach (var partition in parts.Select(p => p.Partition).Order())
            {
                var remaining = _engine.AdmissionTimeout - _time.GetElapsedTime(started);
                if (!await _slots[partition].WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
                {
                    Release(acquired);
                    return false;
                }

                acquired.Add(partition);
            }

            return true;
        }
        catch
        {
            Release(acquired);
            throw;
        }
    }

    /// <summary>
    /// Asks the region and gives the partition's slot back. A part sharding dropped at a shard hand-off was never
    /// queued, so it is sent again (10 ms, doubling, up to 5 times) rather than waiting out the timeout.
    /// </summary>
    private async Task<PartitionReply> AskAndRelease(int partition, PartitionBatch message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var delay = TimeSpan.FromMilliseconds(10);
            for (var attempt = 1; ; attempt++)
            {
                var dropped = _drops?.Watch(message);
                var ask = _region.Ask<PartitionReply>(message, timeout, cancellationToken);
                if (dropped is null || await Task.WhenAny(ask, dropped).ConfigureAwait(false) == ask)
                {
                    return await ask.ConfigureAwait(false);
                }

                // The ask's temporary actor times out later; observe that so it is not an unobserved exception.
                _ = ask.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                if (attempt == 5)
                {
                    return new PartitionReply(AckStatus.Refused, "the partition was being handed over to another node", _engine.RetryAfter);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
        finally
        {
            _drops?.Forget(message);
            _slots[partition].Release();
        }
    }

    private void Release(List<int> partitions)
    {
        foreach (var partition in partitions)
        {
            _slots[partition].Release();
        }
    }

    private async Task ReleaseAcksWhenDone(AckSet acks, List<Task<PartitionReply>> asks) =>
        acks.ReleaseAll(await Gather(asks).ConfigureAwait(false));

    private async Task<AckOutcome> Gather(List<Task<PartitionReply>> asks)
    {
        var outcome = AckOutcome.Accepted;
        foreach (var ask in asks)
        {
            outcome = AckOutcome.Worst(outcome, await OutcomeOf(ask).ConfigureAwait(false));
        }

        return outcome;
    }

    private async Task<AckOutcome> OutcomeOf(Task<PartitionReply> ask) => (await AnswerOf(ask).ConfigureAwait(false)).Outcome;

    /// <summary>
    /// The part's outcome, and whether the partition answered: a part whose ask timed out may still be queued (it
    /// was delivered late), so it is never offered again — only a refusal the partition gave is.
    /// </summary>
    private async Task<(AckOutcome Outcome, bool Answered)> AnswerOf(Task<PartitionReply> ask)
    {
        try
        {
            return ((await ask.ConfigureAwait(false)).ToOutcome(), true);
        }
        catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
        {
            return (AckOutcome.Refuse($"partition of {_pipeline.Id} did not answer in time", _engine.RetryAfter), false);
        }
    }
}
