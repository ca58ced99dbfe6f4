using System.Globalization;

namespace TelemetryCluster.ClusterTests.Support;

/// <summary>
/// What the sinks received compared with what the load generator got acknowledged, item by item (sequence numbers):
/// lost = acknowledged but received nowhere; unknown = received but never generated; duplicates = arrivals beyond
/// the first (a request retried after part of it was accepted is delivered again: at-least-once).
/// </summary>
public sealed record DeliveryReport(
    long Generated,
    long Acknowledged,
    long ReceivedTotal,
    long ReceivedDistinct,
    IReadOnlyList<long> Lost,
    long Unknown,
    long Duplicates,
    IReadOnlyDictionary<string, long> ReceivedByNode)
{
    public long LostCount => Lost.Count;

    public static DeliveryReport Compare(LoadGenerator load, IEnumerable<ClusterNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(nodes);
        var acknowledged = load.AcknowledgedSequences();
        var generated = load.GeneratedItems;
        var received = new HashSet<long>();
        long total = 0;
        var byNode = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var arrivals = node.Sink.Arrivals;
            byNode[node.Name] = arrivals.Values.Sum(n => (long)n);
            total += byNode[node.Name];
            received.UnionWith(arrivals.Keys);
        }

        var lost = acknowledged.Where(s => !received.Contains(s)).Order().ToList();
        var unknown = received.LongCount(s => s < 0 || s >= generated);
        return new DeliveryReport(generated, acknowledged.Count, total, received.Count, lost, unknown, total - received.Count, byNode);
    }

    /// <summary>True when every acknowledged item arrived somewhere.</summary>
    public static bool AllAcknowledgedArrived(LoadGenerator load, IEnumerable<ClusterNode> nodes)
    {
        var received = new HashSet<long>();
        foreach (var node in nodes)
        {
            received.UnionWith(node.Sink.DistinctSequences);
        }

        return load.AcknowledgedSequences().All(received.Contains);
    }

    public override string ToString() =>
        $"generated {Generated}, acknowledged {Acknowledged}, received {ReceivedTotal} ({ReceivedDistinct} distinct, {Duplicates} duplicates), "
        + $"lost {LostCount}, unknown {Unknown}; per node: {string.Join(", ", ReceivedByNode.Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"))}";
}
