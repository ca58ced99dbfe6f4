namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// The cluster-merged /metrics view. This project does not know the cluster, so the node registers one
/// implementation as an Akka extension on its ActorSystem (which every component gets as
/// <c>ComponentContext.System</c>): <c>system.RegisterExtension(id)</c> with an
/// <c>ExtensionIdProvider&lt;IPrometheusViewHub&gt;</c>. Every node's exporter instance publishes what its node's
/// partitions exported, and answers scrapes with the merged view of every node — the same bytes from every node
/// for the same state. Without the extension (one process, plain Streams tests) the exporter serves its own
/// accumulator.
/// </summary>
public interface IPrometheusViewHub : Akka.Actor.IExtension
{
    /// <summary>
    /// Hands this node's current snapshot of exporter <paramref name="exporterId"/> to the cluster view (fire and
    /// forget). The exporter calls it when its state changed (checked every second) and at least every few seconds
    /// otherwise, so a view rebuilt after a hand-over fills up again. <paramref name="version"/> names the content:
    /// a push with the version the view already holds for this node changes nothing (the merged view keeps its
    /// version, so every node keeps its encoded answer).
    /// </summary>
    void Publish(string exporterId, PrometheusSnapshot snapshot, PrometheusContentVersion version);

    /// <summary>
    /// The merged snapshot of exporter <paramref name="exporterId"/> over every node of the cluster, with the version
    /// of its content: the same version on any node means the same content, so an encoded answer can be kept per
    /// version. Throws when the view cannot be reached in time (the scrape then answers 503).
    /// </summary>
    Task<PrometheusMergedView> GetMergedAsync(string exporterId, CancellationToken cancellationToken);
}
