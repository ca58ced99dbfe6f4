using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using TelemetryCluster.Nodes.Partitions;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Management;

/// <summary>One shard in <c>GET /cluster/shards</c>: where it lives and how many entities it runs.</summary>
internal sealed record ShardInfo(string Shard, string Node, int Entities);

/// <summary>Totals per node of one region type.</summary>
internal sealed record RegionNodeInfo(string Node, int Shards, int Entities);

/// <summary>
/// One shard region type (e.g. <c>pipeline-partition</c>): its shards, totals per node, the nodes that did not answer
/// in time (<c>failed</c>), or the error when the statistics could not be collected.
/// </summary>
internal sealed record RegionInfo(
    string TypeName,
    IReadOnlyList<ShardInfo> Shards,
    IReadOnlyList<RegionNodeInfo> Nodes,
    IReadOnlyList<string> Failed,
    string? Error);

/// <summary>Where one partition of a pipeline runs: the node of its shard; absent (null) while the shard is not allocated.</summary>
internal sealed record PartitionPlacementInfo(int Partition, string? Node);

/// <summary>The partitions of one pipeline and the node each runs on.</summary>
internal sealed record PipelinePartitionsInfo(string Pipeline, IReadOnlyList<PartitionPlacementInfo> Partitions);

/// <summary>
/// The answer of <c>GET /cluster/shards</c>: every shard region type started on this node (empty when none), and for
/// every pipeline, partition → node. A pipeline's partition p is entity <c>pipeline|p</c> in shard p, so the
/// partitions of all pipelines with the same number live together on the node that holds that shard.
/// </summary>
internal sealed record ShardsInfo(IReadOnlyList<RegionInfo> Regions, IReadOnlyList<PipelinePartitionsInfo> Pipelines);

/// <summary>
/// Cluster-wide shard placement from <see cref="ClusterSharding"/>: for every region type this node started (region
/// or proxy), <see cref="GetClusterShardingStats"/> asks every node's region for its shards and entity counts.
/// </summary>
internal static class ShardsReport
{
    public static async Task<ShardsInfo> CollectAsync(ActorSystem system, PipelineSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sharding = ClusterSharding.Get(system);
        var regions = await Task.WhenAll(sharding.ShardTypeNames.Order(StringComparer.Ordinal)
            .Select(typeName => RegionAsync(sharding, typeName, timeout, cancellationToken))).ConfigureAwait(false);
        return new ShardsInfo(regions, PipelinePlacements(spec, regions.FirstOrDefault(r => r.TypeName == PipelinePartitionSettings.RegionName)));
    }

    private static List<PipelinePartitionsInfo> PipelinePlacements(PipelineSpec spec, RegionInfo? partitions)
    {
        var nodeOfShard = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shard in partitions?.Shards ?? [])
        {
            nodeOfShard[shard.Shard] = shard.Node;
        }

        var count = spec.Engine.Partitions;
        var placements = new List<PartitionPlacementInfo>(count);
        for (var p = 0; p < count; p++)
        {
            placements.Add(new PartitionPlacementInfo(p, nodeOfShard.GetValueOrDefault(p.ToString(CultureInfo.InvariantCulture))));
        }

        return spec.Pipelines
            .Select(pipeline => new PipelinePartitionsInfo(pipeline.Id.ToString(), placements))
            .OrderBy(p => p.Pipeline, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<RegionInfo> RegionAsync(ClusterSharding sharding, string typeName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var region = sharding.ShardRegion(typeName);
            var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var shards = stats.Regions
                .SelectMany(r => r.Value.Stats.Select(s => new ShardInfo(s.Key, r.Key.ToString(), s.Value)))
                .OrderBy(s => s.Shard, ShardIdComparer.Instance)
                .ToList();
            var nodes = stats.Regions
                .Select(r => new RegionNodeInfo(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum()))
                .OrderBy(n => n.Node, StringComparer.Ordinal)
                .ToList();
            var failed = stats.Regions
                .SelectMany(r => r.Value.Failed.Select(shard => $"{shard}@{r.Key}"))
                .Order(StringComparer.Ordinal)
                .ToList();
            return new RegionInfo(typeName, shards, nodes, failed, null);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException or ArgumentException or InvalidOperationException)
        {
            return new RegionInfo(typeName, [], [], [], e.Message);
        }
    }

    /// <summary>Numeric shard ids in numeric order, others after them in ordinal order.</summary>
    private sealed class ShardIdComparer : IComparer<string>
    {
        public static readonly ShardIdComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var xNumber = int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var xi);
            var yNumber = int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var yi);
            return (xNumber, yNumber) switch
            {
                (true, true) => xi.CompareTo(yi),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(x, y),
            };
        }
    }
}
