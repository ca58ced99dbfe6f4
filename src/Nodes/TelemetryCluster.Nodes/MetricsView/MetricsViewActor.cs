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
/// answered with <see cref="PrometheusSnapshot.Merge"/> over the members (cached until the content changes), so every
/// node's /metrics serves the same bytes. The merged view of an exporter carries a <see cref="PrometheusContentVersion"/>
/// (this instance's random epoch, a counter per exporter): it moves only when a node pushes a snapshot with another
/// content version or a member leaves; a node's periodic refresh of unchanged content keeps it (and the merged
/// instance), so every node keeps its encoded /metrics answer. An ask that names the current version is answered
/// without the snapshot. It keeps no durable state: after a hand-over the new instance starts empty (with a new
/// epoch) and is rebuilt by the nodes' next pushes (within one report interval). Reports of nodes that left the
/// cluster are dropped (and late reports from them ignored).
/// </summary>
internal sealed class MetricsViewActor : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableSortedDictionary<string, NodeHealthReport> _nodes = ImmutableSortedDictionary<string, NodeHealthReport>.Empty.WithComparers(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, NodePrometheusSnapshot>> _prometheus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PrometheusMergedView> _merged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private readonly long _epoch = PrometheusContentVersion.NewEpoch();

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
                _prometheus[snapshot.Exporter] = byNode = new Dictionary<string, NodePrometheusSnapshot>(StringComparer.Ordinal);
            }

            if (snapshot.Version.IsKnown && byNode.TryGetValue(snapshot.Address, out var held) && held.Version == snapshot.Version)
            {
                return; // a refresh of the content the view already holds
            }

            byNode[snapshot.Address] = snapshot;
            Changed(snapshot.Exporter);
        });
        Receive<GetPrometheusView>(get =>
        {
            var merged = Merged(get.Exporter);
            Sender.Tell(get.Known == merged.Version
                ? new PrometheusView(get.Exporter, null, merged.Version)
                : new PrometheusView(get.Exporter, merged.Snapshot, merged.Version));
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            var address = removed.Member.Address.ToString();
            _nodes = _nodes.Remove(address);
            foreach (var (exporter, byNode) in _prometheus)
            {
                if (byNode.Remove(address))
                {
                    Changed(exporter);
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

    /// <summary>The exporter's content changed: the merged view is rebuilt on the next ask, under the next version.</summary>
    private void Changed(string exporter)
    {
        _merged.Remove(exporter);
        _sequences[exporter] = _sequences.GetValueOrDefault(exporter) + 1;
    }

    private PrometheusMergedView Merged(string exporter)
    {
        if (_merged.TryGetValue(exporter, out var merged))
        {
            return merged;
        }

        var snapshot = PrometheusSnapshot.Empty;
        if (_prometheus.TryGetValue(exporter, out var byNode) && byNode.Count > 0)
        {
            var nodes = new List<KeyValuePair<string, PrometheusSnapshot>>(byNode.Count);
            foreach (var (address, node) in byNode)
            {
                nodes.Add(new(address, node.Snapshot));
            }

            snapshot = PrometheusSnapshot.Merge(nodes);
        }

        merged = new PrometheusMergedView(snapshot, new PrometheusContentVersion(_epoch, _sequences.GetValueOrDefault(exporter)));
        _merged[exporter] = merged;
        return merged;
    }

    private bool IsMember(string address) =>
        _cluster.State.Members.Any(m => m.Status != MemberStatus.Removed && string.Equals(m.Address.ToString(), address, StringComparison.Ordinal));
}
