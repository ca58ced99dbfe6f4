using Akka.Actor;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// Every node's <c>/user/partition-inbox</c>: receives a <see cref="PartitionGroup"/> (the parts of one batch that a
/// receiving node sends to the partitions it believes live here), delivers each part through this node's shard region
/// (which forwards a part whose shard has moved, so a stale belief is still delivered correctly; a part sharding drops
/// at a hand-off is seen on this node's event stream and sent again), and answers with one
/// <see cref="PartitionGroupReply"/> once every part is answered — before the sender's timeout, so that parts whose
/// partition answered in time are reported as such and only the others count as unanswered.
/// No await inside the actor: the answer is sent from the tasks' continuation.
/// </summary>
internal sealed class PartitionInbox : ReceiveActor
{
    public const string Name = "partition-inbox";

    public PartitionInbox(IActorRef region, DroppedPartWatch drops, TimeSpan retryAfter, TimeProvider time)
    {
        // The region stops at the end of a graceful leave, before the node leaves the cluster: from then on every part
        // is refused at once (it was never delivered, so the sender may offer it again through its own region).
        Context.Watch(region);
        Receive<Terminated>(t => t.ActorRef.Equals(region), _ => Become(() =>
        {
            Receive<PartitionGroup>(group =>
            {
                var refusal = new PartitionReply(AckStatus.Refused, "this node's partitions have stopped (it is leaving)", retryAfter);
                var replies = new PartitionReply?[group.Parts.Count];
                Array.Fill(replies, refusal);
                Sender.Tell(new PartitionGroupReply(replies));
            });
        }));
        Receive<PartitionGroup>(group =>
        {
            var sender = Sender;
            var timeout = InnerTimeout(group.Timeout);
            var parts = group.Parts;
            var replies = new Task<PartitionReply?>[parts.Count];
            for (var i = 0; i < replies.Length; i++)
            {
                replies[i] = DeliverAsync(region, drops, parts[i], timeout, retryAfter, time);
            }

            Task.WhenAll(replies).ContinueWith(
                done => sender.Tell(new PartitionGroupReply(done.Result)),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        });
    }

    public static Props Props(IActorRef region, DroppedPartWatch drops, TimeSpan retryAfter, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new PartitionInbox(region, drops, retryAfter, time));

    /// <summary>The sender's timeout less a margin (a tenth, at most 1 s) for the answer to travel back.</summary>
    internal static TimeSpan InnerTimeout(TimeSpan outer)
    {
        var margin = TimeSpan.FromTicks(Math.Min(outer.Ticks / 10, TimeSpan.FromSeconds(1).Ticks));
        var inner = outer - margin;
        return inner > TimeSpan.Zero ? inner : TimeSpan.FromMilliseconds(1);
    }

    private static async Task<PartitionReply?> DeliverAsync(
        IActorRef region, DroppedPartWatch drops, PartitionBatch part, TimeSpan timeout, TimeSpan retryAfter, TimeProvider time)
    {
        try
        {
            return await RegionDelivery.AskAsync(region, drops, part, timeout, retryAfter, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Timed out (or failed in a way that does not tell whether the part was queued): unanswered.
            return null;
        }
    }
}
