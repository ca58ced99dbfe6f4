using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// The consumer one receiver delivers into: it offers each batch to every pipeline of the batch's signal that
/// lists the receiver (fan-in happens naturally: several receivers share a pipeline's gateway). A copy is made only
/// for pipelines whose processors mutate data while others share the batch. The outcome follows the delivery mode:
/// <c>accepted</c> answers once every pipeline queued the batch; <c>exported</c> answers once every exporter of
/// every pipeline finished with it.
/// </summary>
internal sealed class ReceiverFanout : IReceiverConsumer
{
    private readonly ComponentId _receiver;
    private readonly IReadOnlyDictionary<Signal, Target[]> _targets;
    private readonly Delivery _delivery;
    private readonly TimeSpan _retryAfter;

    public ReceiverFanout(
        ComponentId receiver,
        IReadOnlyDictionary<Signal, Target[]> targets,
        Delivery delivery,
        TimeSpan retryAfter)
    {
        _receiver = receiver;
        _targets = targets;
        _delivery = delivery;
        _retryAfter = retryAfter;
        Signals = targets.Keys.ToHashSet();
    }

    public IReadOnlySet<Signal> Signals { get; }

    public async Task<AckOutcome> ConsumeAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (!_targets.TryGetValue(batch.Signal, out var targets) || targets.Length == 0)
        {
            batch.Acks.ReleaseAll(AckOutcome.Fail($"no pipeline for {batch.Signal.ToConfigName()}"));
            return AckOutcome.Fail($"receiver {_receiver} has no {batch.Signal.ToConfigName()} pipeline");
        }

        return _delivery == Delivery.Exported
            ? await ConsumeExportedAsync(batch, targets, cancellationToken).ConfigureAwait(false)
            : await ConsumeAcceptedAsync(batch, targets, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AckOutcome> ConsumeAcceptedAsync(TelemetryBatch batch, Target[] targets, CancellationToken cancellationToken)
    {
        // The segment never sees the sender's acks: they complete here, from the admission result.
        var shared = batch.WithAcks(AckSet.Empty);
        var outcome = AckOutcome.Accepted;
        for (var i = 0; i < targets.Length; i++)
        {
            var copy = CopyFor(shared, targets, i);
            if (!await targets[i].Gateway.OfferAsync(copy, cancellationToken).ConfigureAwait(false))
            {
                outcome = AckOutcome.Worst(outcome, Refusal(targets[i]));
            }
        }

        batch.Acks.ReleaseAll(outcome);
        return outcome;
    }

    private async Task<AckOutcome> ConsumeExportedAsync(TelemetryBatch batch, Target[] targets, CancellationToken cancellationToken)
    {
        // Every pipeline holds the acks once; the exporters release them after export.
        var waitFor = batch.Acks.IsEmpty ? AckSet.Of(new Ack()) : batch.Acks;
        var carried = batch.WithAcks(waitFor);
        waitFor.RetainAll(targets.Length - 1);
        for (var i = 0; i < targets.Length; i++)
        {
            var copy = CopyFor(carried, targets, i);
            if (!await targets[i].Gateway.OfferAsync(copy, cancellationToken).ConfigureAwait(false))
            {
                waitFor.ReleaseAll(Refusal(targets[i]));
            }
        }

        var outcome = AckOutcome.Accepted;
        foreach (var ack in waitFor.Items)
        {
            outcome = AckOutcome.Worst(outcome, await ack.Completion.WaitAsync(cancellationToken).ConfigureAwait(false));
        }

        return outcome;
    }

    /// <summary>The receiver counts the refused items itself, from the outcome.</summary>
    private AckOutcome Refusal(Target target) => AckOutcome.Refuse($"pipeline {target.Pipeline} is full", _retryAfter);

    /// <summary>
    /// Read-only pipelines share the batch. A mutating pipeline gets its own copy whenever another pipeline also
    /// takes the batch — except the last one when every pipeline mutates (nobody else reads the original then).
    /// </summary>
    private static TelemetryBatch CopyFor(TelemetryBatch batch, Target[] targets, int index)
    {
        if (targets.Length == 1 || !targets[index].MutatesData)
        {
            return batch;
        }

        var anyReader = false;
        foreach (var target in targets)
        {
            anyReader |= !target.MutatesData;
        }

        return anyReader || index < targets.Length - 1 ? batch.DeepClone() : batch;
    }

    /// <summary>One pipeline a receiver feeds.</summary>
    internal sealed record Target(PipelineId Pipeline, IPipelineGateway Gateway, bool MutatesData);
}
