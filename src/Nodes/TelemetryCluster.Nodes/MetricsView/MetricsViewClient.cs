using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Streams.Extensions.HealthCheck;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// Reads the merged view from the MetricsView singleton through this node's proxy (any node gives the same answer).
/// Also the node's <see cref="IClusterStatusSource"/>: registered as an Akka extension on the ActorSystem, so the
/// health_check extension's <c>/status?cluster</c> shows the cluster view.
/// </summary>
public sealed class MetricsViewClient(ActorRegistry registry, NodeSettings settings) : IClusterStatusSource
{
    /// <summary>Asks the singleton for its view.</summary>
    /// <exception cref="AskTimeoutException">The singleton did not answer within <c>AskTimeout</c> (hand-over, no cluster yet).</exception>
    public async Task<ClusterView> GetViewAsync(CancellationToken cancellationToken)
    {
        var timeout = settings.MetricsView.AskTimeout;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        var proxy = await registry.GetAsync<MetricsViewMarker>(wait.Token).ConfigureAwait(false);
        return await proxy.Ask<ClusterView>(GetClusterView.Instance, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The view as JSON (camelCase), as <c>GET /cluster/status</c> and <c>/status?cluster</c> show it.</summary>
    public async Task<object?> GetClusterStatusAsync(CancellationToken cancellationToken) =>
        ToJson(await GetViewAsync(cancellationToken).ConfigureAwait(false));

    internal static JsonNode ToJson(ClusterView view) => JsonSerializer.SerializeToNode(view, ManagementJson.Options)!;
}

/// <summary>Registers a <see cref="MetricsViewClient"/> as the ActorSystem's <see cref="IClusterStatusSource"/> extension.</summary>
internal sealed class ClusterStatusSourceId(MetricsViewClient client) : ExtensionIdProvider<IClusterStatusSource>
{
    public override IClusterStatusSource CreateExtension(ExtendedActorSystem system) => client;
}
