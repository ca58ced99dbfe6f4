namespace TelemetryCluster.Streams.Receivers.Prometheus;

/// <summary>
/// Which node scrapes which target. This project does not know the cluster, so the node registers one implementation
/// as an Akka extension on its ActorSystem (every component gets it as <c>ComponentContext.System</c>):
/// <c>system.RegisterExtension(id)</c> with an <c>ExtensionIdProvider&lt;IScrapeTargetOwnership&gt;</c>. The node's
/// implementation hashes the key over the cluster's Up members (rendezvous hashing), so every node gives the same
/// answer and a target moves only when its owner leaves. Without the extension a node owns every target.
/// </summary>
public interface IScrapeTargetOwnership : Akka.Actor.IExtension
{
    /// <summary>True when this node should scrape the target with this key (<c>job|url</c>). Cheap; called per target on every change.</summary>
    bool Owns(string targetKey);

    /// <summary>Calls <paramref name="changed"/> (on any thread) whenever the answers may have changed; dispose to stop.</summary>
    IDisposable Subscribe(Action changed);
}
