using TelemetryCluster.Nodes.Scrape;
using Xunit;

namespace TelemetryCluster.Nodes.Tests.Scrape;

public sealed class ClusterScrapeOwnershipTests
{
    private const string A = "akka.tcp://telemetry-cluster@127.0.0.1:4053";
    private const string B = "akka.tcp://telemetry-cluster@127.0.0.1:4054";

    [Fact]
    public void Two_nodes_split_the_targets_without_overlap_or_gaps()
    {
        var a = new ClusterScrapeOwnership(A);
        var b = new ClusterScrapeOwnership(B);
        a.Update([A, B]);
        b.Update([B, A]);
        var keys = Enumerable.Range(0, 1000).Select(i => $"job|http://host-{i}:9100/metrics").ToList();

        Assert.All(keys, k => Assert.True(a.Owns(k) ^ b.Owns(k), k));
        Assert.InRange(keys.Count(a.Owns), 400, 600);
    }

    [Fact]
    public void A_node_that_is_not_up_owns_nothing_and_the_survivor_owns_everything()
    {
        var a = new ClusterScrapeOwnership(A);
        Assert.False(a.Owns("job|http://x:1/metrics")); // no membership yet

        a.Update([B]); // A is not (or no longer) Up
        Assert.False(a.Owns("job|http://x:1/metrics"));

        a.Update([A]); // B left
        Assert.True(Enumerable.Range(0, 100).All(i => a.Owns($"job|http://h{i}:1/metrics")));
    }

    [Fact]
    public void Subscribers_hear_about_changes_only()
    {
        var a = new ClusterScrapeOwnership(A);
        var calls = 0;
        using (a.Subscribe(() => Interlocked.Increment(ref calls)))
        {
            a.Update([A]);
            a.Update([A]);
            a.Update([A, B]);
            a.Update([B, A]);
        }

        a.Update([A]);
        Assert.Equal(2, calls);
        Assert.Equal([A], a.Members);
    }
}
