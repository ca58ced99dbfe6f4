using System.Globalization;
using Akka.Cluster.Sharding;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// Entity id = <c>&lt;pipeline&gt;|&lt;partition&gt;</c>; shard id = the partition number, so shard k holds partition
/// k of every pipeline and sharding spreads the <c>cluster.partitions</c> shards over the nodes.
/// </summary>
internal sealed class PartitionMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => message is PartitionBatch batch ? batch.EntityId : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id, message) : null;

    public string ShardId(string entityId, object? messageHint = null) =>
        PartitionBatch.TryParseEntityId(entityId, out _, out var partition)
            ? partition.ToString(CultureInfo.InvariantCulture)
            : "invalid";
}
