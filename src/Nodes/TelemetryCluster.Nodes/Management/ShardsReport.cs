using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;

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

/// <summary>The answer of <c>GET /cluster/shards</c>: every shard region type started on this node (empty when none).</summary>
internal sealed record ShardsInfo(IReadOnlyList<RegionInfo> Regions);

/// <summary>
/// Cluster-wide shard placement from <see cref="ClusterSharding"/>: for every region type this node started (region
/// or proxy), <see cref="GetClusterShardingStats"/> asks every node's region for its shards and entity counts.
/// </summary>
internal static class ShardsReport
{
    public static async Task<ShardsInfo> CollectAsync(ActorSystem system, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sharding = ClusterSharding.Get(system);
        var regions = await Task.WhenAll(sharding.ShardTypeNames.Order(StringComparer.Ordinal)
            .Select(typeName => RegionAsync(sharding, typeName, timeout, cancellationToken))).ConfigureAwait(false);
        return new ShardsInfo(regions);
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
