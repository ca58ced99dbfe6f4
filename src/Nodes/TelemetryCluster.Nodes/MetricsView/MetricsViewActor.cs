using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// The MetricsView cluster singleton: the merged cluster view that every node's HTTP surfaces read through the
/// singleton proxy. It holds the latest <see cref="NodeHealthReport"/> of every member and, per prometheus
/// exporter id, every member's latest <see cref="NodePrometheusSnapshot"/>; a <see cref="GetPrometheusView"/> is
/// answered with <see cref="PrometheusSnapshot.Merge"/> over the members (cached until the next push), so every
/// node's /metrics serves the same bytes. It keeps no durable state: after a hand-over the new instance starts empty and is
/// rebuilt by the nodes' next pushes (within one report interval). Reports of nodes that left the cluster are
/// dropped (and late reports from them ignored).
/// </summary>
internal sealed class MetricsViewActor : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableSortedDictionary<string, NodeHealthReport> _nodes = ImmutableSortedDictionary<string, NodeHealthReport>.Empty.WithComparers(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, PrometheusSnapshot>> _prometheus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PrometheusSnapshot> _merged = new(StringComparer.Ordinal);

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
        Receive<NodePrometheusSnapshot>(snapshot =>
        {
            if (!IsMember(snapshot.Address))
            {
                return;
            }

            if (!_prometheus.TryGetValue(snapshot.Exporter, out var byNode))
            {
                _prometheus[snapshot.Exporter] = byNode = new Dictionary<string, PrometheusSnapshot>(StringComparer.Ordinal);
            }

            byNode[snapshot.Address] = snapshot.Snapshot;
            _merged.Remove(snapshot.Exporter);
        });
        Receive<GetPrometheusView>(get => Sender.Tell(new PrometheusView(get.Exporter, Merged(get.Exporter))));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            var address = removed.Member.Address.ToString();
            _nodes = _nodes.Remove(address);
            foreach (var (exporter, byNode) in _prometheus)
            {
                if (byNode.Remove(address))
                {
                    _merged.Remove(exporter);
                }
            }
        });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new MetricsViewActor());

    protected override void PreStart()
    {
        _log.Info("MetricsView singleton started on {0}; the view is rebuilt from the nodes' reports", _cluster.SelfAddress);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private PrometheusSnapshot Merged(string exporter)
    {
        if (_merged.TryGetValue(exporter, out var merged))
        {
            return merged;
        }

        merged = _prometheus.TryGetValue(exporter, out var byNode) && byNode.Count > 0 ? PrometheusSnapshot.Merge(byNode) : PrometheusSnapshot.Empty;
        _merged[exporter] = merged;
        return merged;
    }

    private bool IsMember(string address) =>
        _cluster.State.Members.Any(m => m.Status != MemberStatus.Removed && string.Equals(m.Address.ToString(), address, StringComparison.Ordinal));
}
