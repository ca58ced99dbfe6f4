namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>
/// The cluster-wide view that <c>/status?cluster</c> adds to the node's own status. This project does not know the
/// cluster, so the node registers one implementation as an Akka extension on its ActorSystem (which every component
/// already gets as <c>ComponentContext.System</c>): <c>system.RegisterExtension(id)</c> with an
/// <c>ExtensionIdProvider&lt;IClusterStatusSource&gt;</c>. Without one, <c>?cluster</c> changes nothing.
/// </summary>
public interface IClusterStatusSource : Akka.Actor.IExtension
{
    /// <summary>
    /// The cluster view as a JSON-serializable object (a <c>System.Text.Json.Nodes.JsonNode</c> is written as-is),
    /// or null when there is none. May throw (e.g. the cluster view did not answer in time): the answer then carries
    /// <c>"cluster": {"error": "..."}</c>.
    /// </summary>
    Task<object?> GetClusterStatusAsync(CancellationToken cancellationToken);
}
