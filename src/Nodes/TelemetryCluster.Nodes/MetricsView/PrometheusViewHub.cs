using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// The node's <see cref="IPrometheusViewHub"/> (an Akka extension on the ActorSystem): the prometheus exporter
/// instances of this node publish their snapshots through it to the MetricsView singleton (via this node's proxy,
/// which buffers while the singleton is located or handed over) and read the merged view of every node from it.
/// It keeps the last merged view it read per exporter and names its version in every ask: while the view is
/// unchanged the singleton answers without the snapshot and the hub hands out the same <see cref="PrometheusMergedView"/>
/// instance, so nothing but the version crosses the network and the exporter's encoded answer stays valid.
/// </summary>
public sealed class PrometheusViewHub(IReadOnlyActorRegistry registry, NodeSettings settings, ActorSystem system) : IPrometheusViewHub
{
    /// <summary>
    /// The most series one node sends for one exporter (a snapshot and the merged answer must fit the 128 MiB
    /// remoting frame: at roughly 100–150 bytes per series, four nodes at this limit fit); the families beyond it, in
    /// name order, are left out and a warning is logged.
    /// </summary>
    public const int MaxSeriesPerSnapshot = 200_000;

    private readonly string _self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
    private readonly ConcurrentDictionary<string, PrometheusMergedView> _views = new(StringComparer.Ordinal);
    private int _lastCut;

    /// <summary>Merged views received with their snapshot (the other asks were answered "unchanged").</summary>
    public long FullViewsReceived => Interlocked.Read(ref _fullViews);

    private long _fullViews;

    public void Publish(string exporterId, PrometheusSnapshot snapshot, PrometheusContentVersion version)
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
            // The bound depends on the content only, so the version still names what is sent.
            proxy.Tell(new NodePrometheusSnapshot(_self, exporterId, bounded, version));
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

    public async Task<PrometheusMergedView> GetMergedAsync(string exporterId, CancellationToken cancellationToken)
    {
        var timeout = settings.MetricsView.AskTimeout;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        var proxy = await registry.GetAsync<MetricsViewMarker>(wait.Token).ConfigureAwait(false);
        var held = _views.GetValueOrDefault(exporterId);
        var view = await proxy.Ask<PrometheusView>(new GetPrometheusView(exporterId, held?.Version ?? default), timeout, cancellationToken).ConfigureAwait(false);
        if (view.Snapshot is null)
        {
            if (held is not null && held.Version == view.Version)
            {
                return held;
            }

            // Another reader replaced the held view in between: ask for the whole view.
            view = await proxy.Ask<PrometheusView>(new GetPrometheusView(exporterId), timeout, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _fullViews);
        var merged = new PrometheusMergedView(view.Snapshot ?? PrometheusSnapshot.Empty, view.Version);
        _views[exporterId] = merged;
        return merged;
    }
}

/// <summary>Registers a <see cref="PrometheusViewHub"/> as the ActorSystem's <see cref="IPrometheusViewHub"/> extension.</summary>
internal sealed class PrometheusViewHubId(PrometheusViewHub hub) : ExtensionIdProvider<IPrometheusViewHub>
{
    public override IPrometheusViewHub CreateExtension(ExtendedActorSystem system) => hub;
}
