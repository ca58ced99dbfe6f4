using Akka.Cluster.Sharding;

namespace TelemetryCluster.Nodes.FileClaims;

/// <summary>Entity id = receiver id + U+001F + file key; shard = a stable hash of it over <see cref="FileClaimSettings.Shards"/>.</summary>
internal sealed class FileClaimMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => message is FileClaimTouch touch ? touch.EntityId : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? FileClaimSettings.ShardOf(id) : null;

    public string ShardId(string entityId, object? messageHint = null) => FileClaimSettings.ShardOf(entityId);
}
