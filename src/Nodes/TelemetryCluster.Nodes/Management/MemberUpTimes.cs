using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// When this node saw each member become Up (<see cref="TimeProvider"/> time), for <c>upSince</c> in
/// <c>GET /cluster/members</c>. Members that were already Up when the node joined have no known time. Filled by
/// <see cref="MemberUpTracker"/>; one instance per node (a DI singleton), no static state.
/// </summary>
public sealed class MemberUpTimes(TimeProvider time)
{
    private readonly ConcurrentDictionary<UniqueAddress, DateTimeOffset> _upSince = new();

    /// <summary>When the member became Up, if this node saw it happen.</summary>
    public DateTimeOffset? UpSince(UniqueAddress member) => _upSince.TryGetValue(member, out var since) ? since : null;

    internal void Up(UniqueAddress member) => _upSince.TryAdd(member, time.GetUtcNow());

    internal void Removed(UniqueAddress member) => _upSince.TryRemove(member, out _);
}

/// <summary>Subscribes to MemberUp/MemberRemoved and records them in <see cref="MemberUpTimes"/>.</summary>
internal sealed class MemberUpTracker : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);

    public MemberUpTracker(MemberUpTimes times)
    {
        Receive<ClusterEvent.MemberUp>(up => times.Up(up.Member.UniqueAddress));
        Receive<ClusterEvent.MemberRemoved>(removed => times.Removed(removed.Member.UniqueAddress));
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            // This tracker starts with the ActorSystem: if this node is already Up in the first snapshot (a self-join
            // is that fast), it became Up just now. Other members already Up get no time (unknown, not a wrong one).
            if (state.Members.FirstOrDefault(m => m.UniqueAddress.Equals(_cluster.SelfUniqueAddress)) is { Status: MemberStatus.Up } self)
            {
                times.Up(self.UniqueAddress);
            }
        });
    }

    public static Props Props(MemberUpTimes times) => Akka.Actor.Props.Create(() => new MemberUpTracker(times));

    // A snapshot first: members already Up before this node subscribed get no (wrong) time.
    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
