using Akka.Actor;
using Akka.Event;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// A sharded entity hosting partition k of one pipeline: a <see cref="PipelineSegment"/> (the pipeline's processors
/// and the node's shared exporters) behind a bounded queue. Each <see cref="PartitionBatch"/> is offered to the
/// segment; the reply is the ack — accepted once queued, or once exported when the sender waits for export; refused
/// when the queue stays full. On hand-off (<see cref="PartitionStop"/>) the segment drains before the entity stops,
/// so a node that leaves gracefully loses nothing it accepted. No await inside the actor: tasks are piped back.
/// </summary>
internal sealed class PipelinePartitionActor : ReceiveActor, IWithStash
{
    private readonly string _entityId;
    private readonly PipelineId _pipeline;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PipelineSegment? _segment;
    private TimeSpan _retryAfter = TimeSpan.FromSeconds(1);

    public PipelinePartitionActor(string entityId, PipelineHostAccessor accessor)
    {
        _entityId = entityId;
        if (!PartitionBatch.TryParseEntityId(entityId, out _pipeline, out _))
        {
            _log.Error("Partition entity with an invalid id {0}; it refuses everything", entityId);
        }

        accessor.Host.PipeTo(Self, success: host => new HostReady(host), failure: ex => new HostFailed(ex));
        Become(WaitingForHost);
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(string entityId, PipelineHostAccessor accessor) =>
        Akka.Actor.Props.Create(() => new PipelinePartitionActor(entityId, accessor));

    protected override void PostStop()
    {
        // Stopped without a hand-off (the node is going down hard): stop taking; what is queued still drains into
        // the exporters until the host stops.
        _segment?.Complete();
        base.PostStop();
    }

    private void WaitingForHost()
    {
        Receive<HostReady>(ready =>
        {
            try
            {
                _retryAfter = ready.Host.Spec.Engine.RetryAfter;
                _segment = ready.Host.CreateSegment(_pipeline);
                Become(Serving);
            }
            catch (Exception ex)
            {
                _log.Warning("Partition {0} cannot start its segment: {1}", _entityId, ex.Message);
                Become(Refusing);
            }

            Stash.UnstashAll();
        });
        Receive<HostFailed>(failed =>
        {
            _log.Warning("Partition {0} has no pipelines on this node: {1}", _entityId, failed.Error.Message);
            Become(Refusing);
            Stash.UnstashAll();
        });
        Receive<PartitionStop>(_ => Context.Stop(Self));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Serving()
    {
        Receive<PartitionBatch>(Offer);
        Receive<PartitionStop>(_ =>
        {
            var segment = _segment!;
            segment.Complete();
            segment.Completion.PipeTo(Self, success: () => Drained.Instance, failure: _ => Drained.Instance);
            Become(Draining);
        });
    }

    private void Draining()
    {
        Receive<Drained>(_ => Context.Stop(Self));
        Receive<PartitionBatch>(_ => Sender.Tell(Refusal("partition is moving to another node")));
        Receive<PartitionStop>(_ => { });
    }

    private void Refusing()
    {
        Receive<PartitionBatch>(_ => Sender.Tell(Refusal("partition is not available on this node")));
        Receive<PartitionStop>(_ => Context.Stop(Self));
    }

    private void Offer(PartitionBatch message)
    {
        var sender = Sender;
        var ack = message.WaitForExport ? new Ack() : null;
        var batch = TelemetryBatch.Create(message.Payload, ack is null ? AckSet.Empty : AckSet.Of(ack), message.Metadata);
        var retryAfter = _retryAfter;
        _segment!.OfferAsync(batch, CancellationToken.None).ContinueWith(
            offered =>
            {
                if (offered.IsFaulted || offered.IsCanceled || !offered.Result)
                {
                    sender.Tell(new PartitionReply(AckStatus.Refused, "pipeline partition is full", retryAfter));
                    return;
                }

                if (ack is null)
                {
                    sender.Tell(PartitionReply.From(AckOutcome.Accepted));
                    return;
                }

                ack.Completion.ContinueWith(
                    done => sender.Tell(PartitionReply.From(done.Result)),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private PartitionReply Refusal(string reason) => new(AckStatus.Refused, reason, _retryAfter);

    // Local-only messages (piped from tasks to this actor): never serialized, not even with serialize-messages = on.
    private sealed record HostReady(PipelineHost Host) : INoSerializationVerificationNeeded;

    private sealed record HostFailed(Exception Error) : INoSerializationVerificationNeeded;

    private sealed record Drained : INoSerializationVerificationNeeded
    {
        public static Drained Instance { get; } = new();
    }
}
