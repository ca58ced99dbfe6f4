using Akka.Actor;
using Akka.Hosting;
using TelemetryCluster.Streams.Receivers.Prometheus;

namespace TelemetryCluster.Nodes.Scrape;

/// <summary>
/// Registers the node's <see cref="ClusterScrapeOwnership"/> as the ActorSystem's <see cref="IScrapeTargetOwnership"/>
/// extension (read by the <c>prometheus</c> receiver when it starts) and starts its membership tracker.
/// </summary>
public static class ScrapeOwnershipHosting
{
    public const string TrackerName = "scrape-ownership";

    public static AkkaConfigurationBuilder WithScrapeTargetOwnership(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddStartup((system, _) =>
        {
            var ownership = new ClusterScrapeOwnership(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
            system.RegisterExtension(new ScrapeOwnershipId(ownership));
            system.ActorOf(ScrapeMembershipTracker.Props(ownership), TrackerName);
        });
    }
}

internal sealed class ScrapeOwnershipId(IScrapeTargetOwnership ownership) : ExtensionIdProvider<IScrapeTargetOwnership>
{
    public override IScrapeTargetOwnership CreateExtension(ExtendedActorSystem system) => ownership;
}
