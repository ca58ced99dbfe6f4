using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>Akka.Hosting wiring of the pipeline partitions: serializer binding and the shard region.</summary>
public static class PartitionHosting
{
    /// <summary>
    /// Registers the partition serializer and the <c>pipeline-partition</c> shard region (ddata coordinator state,
    /// remember-entities off, no idle passivation, <see cref="PartitionStop"/> on hand-off so entities drain).
    /// </summary>
    public static AkkaConfigurationBuilder WithPipelinePartitions(this AkkaConfigurationBuilder builder, PipelineHostAccessor accessor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(accessor);
        return builder
            .WithCustomSerializer("telemetry-partitions", [typeof(IPartitionMessage)], system => new PartitionSerializer(system))
            .AddHocon(
                """
                # remember-entities is off: nothing uses durable DData (its LMDB store does not run with the
                # package versions served here).
                akka.cluster.sharding.distributed-data.durable.keys = []
                """,
                HoconAddMode.Prepend)
            .AddHocon(
                """
                # Spread partitions soon after a node joins (scale-out), a few shards at a time. A fallback: the
                # user's akka { } block may set another interval.
                akka.cluster.sharding.rebalance-interval = 2s
                """,
                HoconAddMode.Append)
            .WithShardRegion<PipelinePartitionRegion>(
                PipelinePartitionSettings.RegionName,
                entityId => PipelinePartitionActor.Props(entityId, accessor),
                new PartitionMessageExtractor(),
                new ShardOptions
                {
                    StateStoreMode = StateStoreMode.DData,
                    RememberEntities = false,
                    ShouldPassivateIdleEntities = false,
                    HandOffStopMessage = PartitionStop.Instance,
                });
    }
}

/// <summary>Names shared by the partition wiring and the management endpoint.</summary>
public static class PipelinePartitionSettings
{
    /// <summary>The sharding type name of the partition region.</summary>
    public const string RegionName = "pipeline-partition";
}
