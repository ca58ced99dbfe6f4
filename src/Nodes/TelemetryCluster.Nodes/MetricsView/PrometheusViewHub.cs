using Akka.Actor;
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
    private readonly string _self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();

    public void Publish(string exporterId, PrometheusSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(exporterId);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (registry.TryGet<MetricsViewMarker>(out var proxy))
        {
            proxy.Tell(new NodePrometheusSnapshot(_self, exporterId, snapshot));
        }
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
