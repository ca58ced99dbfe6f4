using Akka.Actor;
using Akka.Cluster;
using TelemetryCluster.Streams.Receivers.Prometheus;

namespace TelemetryCluster.Nodes.Scrape;

/// <summary>
/// The node's <see cref="IScrapeTargetOwnership"/>: a scrape target belongs to the Up, reachable member that wins
/// it by rendezvous hashing (<see cref="RendezvousAssignment"/>). The member list is kept by
/// <see cref="ScrapeMembershipTracker"/> from Akka.Cluster membership events; until this node itself is Up it owns
/// nothing (so a joining node does not scrape what others already scrape). Thread-safe.
/// </summary>
public sealed class ClusterScrapeOwnership(string self) : IScrapeTargetOwnership
{
    private readonly Lock _gate = new();
    private readonly List<Action> _subscribers = [];
    private string[] _members = [];

    /// <summary>This node's address (as members are named: <c>akka.tcp://system@host:port</c>).</summary>
    public string Self { get; } = self;

    /// <summary>The members targets are spread over, sorted.</summary>
    public IReadOnlyList<string> Members => Volatile.Read(ref _members);

    public bool Owns(string targetKey)
    {
        var members = Volatile.Read(ref _members);
        return members.Length > 0 && RendezvousAssignment.OwnerOf(targetKey, members) == Self;
    }

    public IDisposable Subscribe(Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        lock (_gate)
        {
            _subscribers.Add(changed);
        }

        return new Subscription(this, changed);
    }

    /// <summary>Replaces the member list; notifies subscribers when it changed.</summary>
    public void Update(IEnumerable<string> members)
    {
        var sorted = members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (!sorted.Contains(Self, StringComparer.Ordinal))
        {
            sorted = []; // not Up (yet, or any more): own nothing
        }

        Action[] subscribers;
        lock (_gate)
        {
            if (sorted.AsSpan().SequenceEqual(_members))
            {
                return;
            }

            Volatile.Write(ref _members, sorted);
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber();
        }
    }

    private void Unsubscribe(Action changed)
    {
        lock (_gate)
        {
            _subscribers.Remove(changed);
        }
    }

    private sealed class Subscription(ClusterScrapeOwnership owner, Action changed) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(changed);
    }
}

/// <summary>Keeps <see cref="ClusterScrapeOwnership"/>'s member list: Up members that are reachable from this node.</summary>
internal sealed class ScrapeMembershipTracker : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly HashSet<Address> _up = [];
    private readonly HashSet<Address> _unreachable = [];

    public ScrapeMembershipTracker(ClusterScrapeOwnership ownership)
    {
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _up.Clear();
            _unreachable.Clear();
            foreach (var member in state.Members)
            {
                if (member.Status == MemberStatus.Up)
                {
                    _up.Add(member.Address);
                }
            }

            foreach (var member in state.Unreachable)
            {
                _unreachable.Add(member.Address);
            }

            Publish(ownership);
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberUp)
            {
                _up.Add(e.Member.Address);
            }
            else
            {
                _up.Remove(e.Member.Address); // Left, Exited, Downed, Removed: its targets move now
            }

            Publish(ownership);
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.Address);
            Publish(ownership);
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.Address);
            Publish(ownership);
        });
    }

    public static Props Props(ClusterScrapeOwnership ownership) => Akka.Actor.Props.Create(() => new ScrapeMembershipTracker(ownership));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Publish(ClusterScrapeOwnership ownership) =>
        ownership.Update(_up.Where(a => !_unreachable.Contains(a)).Select(a => a.ToString()));
}
