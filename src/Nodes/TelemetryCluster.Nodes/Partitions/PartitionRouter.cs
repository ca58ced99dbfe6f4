using Akka.Actor;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// The receiving side of a pipeline in the cluster: splits each batch by routing key into the pipeline's
/// partitions and asks the shard region, which delivers each part to the partition entity wherever sharding placed
/// it. At most <see cref="EngineSettings.MaxInFlight"/> batches per pipeline are in flight from this node; a batch
/// that finds no slot within the admission timeout, or any part that a partition refuses or does not answer in
/// time, makes the whole batch refused (retryable) — a slow or full partition backpressures the receivers.
/// </summary>
internal sealed class PartitionRouter(PipelineDefinition pipeline, IActorRef region, EngineSettings engine) : IPipelineGateway
{
    private readonly SemaphoreSlim _inFlight = new(engine.MaxInFlight, engine.MaxInFlight);

    public async Task<bool> OfferAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (!await _inFlight.WaitAsync(engine.AdmissionTimeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var waitForExport = !batch.Acks.IsEmpty;
        var asks = Send(batch, waitForExport, cancellationToken);
        if (!waitForExport)
        {
            try
            {
                return (await Gather(asks).ConfigureAwait(false)).IsAccepted;
            }
            finally
            {
                _inFlight.Release();
            }
        }

        // delivery = exported: the partitions answer after export; the acks are released then, and the slot
        // stays taken until that answer, so exports in progress count against max-in-flight.
        _ = ReleaseWhenDone(batch.Acks, asks);
        return true;
    }

    private List<Task<PartitionReply>> Send(TelemetryBatch batch, bool waitForExport, CancellationToken cancellationToken)
    {
        var timeout = waitForExport ? engine.ExportTimeout : engine.AskTimeout;
        var parts = BatchPartitioner.Split(batch.Payload, engine.Partitions);
        var asks = new List<Task<PartitionReply>>(parts.Count);
        foreach (var (partition, request) in parts)
        {
            var message = new PartitionBatch(PartitionBatch.EntityIdOf(pipeline.Id, partition), batch.Signal, request, batch.Metadata, waitForExport);
            asks.Add(region.Ask<PartitionReply>(message, timeout, cancellationToken));
        }

        return asks;
    }

    private async Task ReleaseWhenDone(AckSet acks, List<Task<PartitionReply>> asks)
    {
        try
        {
            acks.ReleaseAll(await Gather(asks).ConfigureAwait(false));
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task<AckOutcome> Gather(List<Task<PartitionReply>> asks)
    {
        var outcome = AckOutcome.Accepted;
        foreach (var ask in asks)
        {
            try
            {
                outcome = AckOutcome.Worst(outcome, (await ask.ConfigureAwait(false)).ToOutcome());
            }
            catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException or TaskCanceledException)
            {
                outcome = AckOutcome.Worst(outcome, AckOutcome.Refuse($"partition of {pipeline.Id} did not answer in time", engine.RetryAfter));
            }
        }

        return outcome;
    }
}
