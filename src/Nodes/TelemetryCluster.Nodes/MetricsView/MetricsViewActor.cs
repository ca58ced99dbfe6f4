using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// The MetricsView cluster singleton: the merged cluster view that every node's HTTP surfaces read through the
/// singleton proxy. For now it holds the latest <see cref="NodeHealthReport"/> of every member; later issues add
/// the merged series store. It keeps no durable state: after a hand-over the new instance starts empty and is
/// rebuilt by the nodes' next pushes (within one report interval). Reports of nodes that left the cluster are
/// dropped (and late reports from them ignored).
/// </summary>
internal sealed class MetricsViewActor : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableSortedDictionary<string, NodeHealthReport> _nodes = ImmutableSortedDictionary<string, NodeHealthReport>.Empty.WithComparers(StringComparer.Ordinal);

    public MetricsViewActor()
    {
        Receive<NodeHealthReport>(report =>
        {
            if (IsMember(report.Address))
            {
                _nodes = _nodes.SetItem(report.Address, report);
            }
        });
        Receive<GetClusterView>(_ => Sender.Tell(new ClusterView(_cluster.SelfAddress.ToString(), [.. _nodes.Values])));
        Receive<ClusterEvent.MemberRemoved>(removed => _nodes = _nodes.Remove(removed.Member.Address.ToString()));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new MetricsViewActor());

    protected override void PreStart()
    {
        _log.Info("MetricsView singleton started on {0}; the view is rebuilt from the nodes' reports", _cluster.SelfAddress);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private bool IsMember(string address) =>
        _cluster.State.Members.Any(m => m.Status != MemberStatus.Removed && string.Equals(m.Address.ToString(), address, StringComparison.Ordinal));
}
