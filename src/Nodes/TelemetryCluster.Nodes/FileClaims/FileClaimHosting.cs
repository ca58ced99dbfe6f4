using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using TelemetryCluster.Streams.Receivers.FileLog;

namespace TelemetryCluster.Nodes.FileClaims;

/// <summary>
/// Registers the file-claim serializer, the <c>filelog-claims</c> shard region (ddata coordinator state,
/// remember-entities off, no passivation, <see cref="FileClaimStop"/> on hand-off so the owner releases first) and the
/// node's <see cref="ClusterFileClaims"/> as the ActorSystem's <see cref="IFileClaims"/> extension (read by
/// <c>file_log</c> receivers with <c>cluster.shared_storage = true</c>). Every node starts the region: idle, it costs
/// nothing.
/// </summary>
public static class FileClaimHosting
{
    public static AkkaConfigurationBuilder WithFileClaims(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var claims = new ClusterFileClaims();
        return builder
            .WithCustomSerializer(FileClaimSerializer.Name, [typeof(IFileClaimMessage)], system => new FileClaimSerializer(system))
            .WithShardRegion<FileClaimRegion>(
                FileClaimSettings.RegionName,
                entityId => FileClaimActor.Props(entityId, claims),
                new FileClaimMessageExtractor(),
                new ShardOptions
                {
                    StateStoreMode = StateStoreMode.DData,
                    RememberEntities = false,
                    ShouldPassivateIdleEntities = false,
                    HandOffStopMessage = FileClaimStop.Instance,
                })
            .AddStartup((system, _) =>
            {
                claims.Attach(system);
                system.RegisterExtension(new FileClaimsId(claims));
            });
    }
}

/// <summary>Registry key of the claim region.</summary>
public sealed class FileClaimRegion;

internal sealed class FileClaimsId(IFileClaims claims) : ExtensionIdProvider<IFileClaims>
{
    public override IFileClaims CreateExtension(ExtendedActorSystem system) => claims;
}
