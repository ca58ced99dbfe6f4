using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// This node's belief of where each partition's shard lives (shard id = partition number, the same for every
/// pipeline), learned from the node address in the partitions' replies and forgotten for a node that becomes
/// unreachable or leaves. Routers send the parts of a batch whose partitions live on one other node as one
/// <see cref="PartitionGroup"/> to that node's <see cref="PartitionInbox"/>; parts of partitions that live here or
/// whose home is not known go through the local shard region. A stale belief is still delivered correctly (the
/// inbox's region forwards) and corrected by the reply.
/// </summary>
internal sealed class PartitionHomes
{
    private readonly Address?[] _homes;
    private readonly ConcurrentDictionary<Address, IActorRef> _inboxes = new();

    // Nodes that are leaving or left: their replies teach nothing (their shards are moving away).
    private readonly ConcurrentDictionary<Address, byte> _departed = new();
    private readonly ActorSystem _system;

    public PartitionHomes(ActorSystem system, int partitions)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _homes = new Address?[partitions];
        Self = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        if (((ExtendedActorSystem)system).Provider is Akka.Cluster.ClusterActorRefProvider)
        {
            system.ActorOf(Props.Create(() => new MembershipListener(this)), "partition-homes");
        }
    }

    private long _groups;

    /// <summary>How many <see cref="PartitionGroup"/>s routers on this node sent (for tests).</summary>
    public long GroupsSent => Interlocked.Read(ref _groups);

    public void CountGroup() => Interlocked.Increment(ref _groups);

    /// <summary>This node's address.</summary>
    public Address Self { get; }

    /// <summary>The node believed to host <paramref name="partition"/>, or null when not known.</summary>
    public Address? HomeOf(int partition) => (uint)partition < (uint)_homes.Length ? Volatile.Read(ref _homes[partition]) : null;

    /// <summary>Records that <paramref name="node"/>'s entity answered for <paramref name="partition"/>.</summary>
    public void Learn(int partition, Address? node)
    {
        if (node is null || (uint)partition >= (uint)_homes.Length)
        {
            return;
        }

        var known = Volatile.Read(ref _homes[partition]);
        if (!ReferenceEquals(known, node) && !node.Equals(known) && (_departed.IsEmpty || !_departed.ContainsKey(node)))
        {
            Volatile.Write(ref _homes[partition], node);
        }
    }

    /// <summary>Forgets every partition believed to live on <paramref name="node"/>.</summary>
    public void Forget(Address node)
    {
        for (var i = 0; i < _homes.Length; i++)
        {
            var known = Volatile.Read(ref _homes[i]);
            if (node.Equals(known))
            {
                Interlocked.CompareExchange(ref _homes[i], null, known);
            }
        }

        _inboxes.TryRemove(node, out _);
    }

    /// <summary>A node leaving or gone: forgotten, and its replies no longer teach where partitions live.</summary>
    public void Depart(Address node)
    {
        _departed[node] = 0;
        Forget(node);
    }

    /// <summary>A node (re)joining at <paramref name="node"/>: its replies teach again.</summary>
    public void Arrive(Address node) => _departed.TryRemove(node, out _);

    /// <summary>The <see cref="PartitionInbox"/> of <paramref name="node"/> (resolved locally, without a round trip).</summary>
    public IActorRef InboxOf(Address node) =>
        _inboxes.GetOrAdd(node, static (a, system) => ((ExtendedActorSystem)system).Provider.ResolveActorRef(new RootActorPath(a) / "user" / PartitionInbox.Name), _system);

    private sealed class MembershipListener : ReceiveActor
    {
        public MembershipListener(PartitionHomes homes)
        {
            var cluster = Cluster.Get(Context.System);
            Receive<ClusterEvent.UnreachableMember>(e => homes.Forget(e.Member.Address));
            Receive<ClusterEvent.MemberLeft>(e => homes.Depart(e.Member.Address));
            Receive<ClusterEvent.MemberExited>(e => homes.Depart(e.Member.Address));
            Receive<ClusterEvent.MemberRemoved>(e => homes.Depart(e.Member.Address));
            Receive<ClusterEvent.MemberDowned>(e => homes.Depart(e.Member.Address));
            Receive<ClusterEvent.MemberJoined>(e => homes.Arrive(e.Member.Address));
            Receive<ClusterEvent.MemberUp>(e => homes.Arrive(e.Member.Address));
            ReceiveAny(_ => { });
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        }

        protected override void PostStop()
        {
            Cluster.Get(Context.System).Unsubscribe(Self);
            base.PostStop();
        }
    }
}
