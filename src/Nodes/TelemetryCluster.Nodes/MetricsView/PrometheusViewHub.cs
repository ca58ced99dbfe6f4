using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// The node's <see cref="IPrometheusViewHub"/> (an Akka extension on the ActorSystem): the prometheus exporter
/// instances of this node publish their snapshots through it to the MetricsView singleton (via this node's proxy,
/// which buffers while the singleton is located or handed over) and read the merged view of every node from it.
/// </summary>
public sealed class PrometheusViewHub(IReadOnlyActorRegistry registry, NodeSettings settings, ActorSystem system) : IPrometheusViewHub
{
    /// <summary>
    /// The most series one node sends for one exporter (a snapshot and the merged answer must fit the 32 MiB
    /// remoting frame); the families beyond it, in name order, are left out and a warning is logged.
    /// </summary>
    public const int MaxSeriesPerSnapshot = 50_000;

    private readonly string _self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
    private int _lastCut;

    public void Publish(string exporterId, PrometheusSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(exporterId);
        ArgumentNullException.ThrowIfNull(snapshot);
        var bounded = Bound(snapshot, MaxSeriesPerSnapshot, out var cut);
        if (cut != Interlocked.Exchange(ref _lastCut, cut) && cut > 0)
        {
            system.Log.Warning("prometheus exporter {0}: {1} series over the cluster view's limit of {2} per node are not published", exporterId, cut, MaxSeriesPerSnapshot);
        }

        if (registry.TryGet<MetricsViewMarker>(out var proxy))
        {
            proxy.Tell(new NodePrometheusSnapshot(_self, exporterId, bounded));
        }
    }

    /// <summary>The snapshot with whole families, in order, up to <paramref name="maxSeries"/> series; <paramref name="cut"/> = series left out.</summary>
    internal static PrometheusSnapshot Bound(PrometheusSnapshot snapshot, int maxSeries, out int cut)
    {
        var total = snapshot.SeriesCount;
        if (total <= maxSeries)
        {
            cut = 0;
            return snapshot;
        }

        var kept = new List<PrometheusFamily>();
        var count = 0;
        foreach (var family in snapshot.Families)
        {
            if (count + family.Series.Count > maxSeries)
            {
                continue;
            }

            kept.Add(family);
            count += family.Series.Count;
        }

        cut = total - count;
        return new PrometheusSnapshot(kept);
    }

    public async Task<PrometheusSnapshot> GetMergedAsync(string exporterId, CancellationToken cancellationToken)
    {
        var timeout = settings.MetricsView.AskTimeout;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        var proxy = await registry.GetAsync<MetricsViewMarker>(wait.Token).ConfigureAwait(false);
        var view = await proxy.Ask<PrometheusView>(new GetPrometheusView(exporterId), timeout, cancellationToken).ConfigureAwait(false);
        return view.Snapshot;
    }
}

/// <summary>Registers a <see cref="PrometheusViewHub"/> as the ActorSystem's <see cref="IPrometheusViewHub"/> extension.</summary>
internal sealed class PrometheusViewHubId(PrometheusViewHub hub) : ExtensionIdProvider<IPrometheusViewHub>
{
    public override IPrometheusViewHub CreateExtension(ExtendedActorSystem system) => hub;
}
