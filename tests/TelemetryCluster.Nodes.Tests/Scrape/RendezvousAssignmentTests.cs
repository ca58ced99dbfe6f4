using TelemetryCluster.Nodes.Scrape;
using Xunit;

namespace TelemetryCluster.Nodes.Tests.Scrape;

public sealed class RendezvousAssignmentTests
{
    private static readonly string[] Members =
    [
        "akka.tcp://telemetry-cluster@10.0.0.1:4053",
        "akka.tcp://telemetry-cluster@10.0.0.2:4053",
        "akka.tcp://telemetry-cluster@10.0.0.3:4053",
        "akka.tcp://telemetry-cluster@10.0.0.4:4053",
        "akka.tcp://telemetry-cluster@10.0.0.5:4053",
    ];

    private static readonly string[] Keys =
        [.. Enumerable.Range(0, 10_000).Select(i => $"kubernetes-pods|http://10.1.{i / 250}.{i % 250}:8080/metrics")];

    [Fact]
    public void The_owner_does_not_depend_on_member_order_and_is_stable_across_runs()
    {
        var reversed = Members.Reverse().ToArray();
        foreach (var key in Keys.Take(500))
        {
            Assert.Equal(RendezvousAssignment.OwnerOf(key, Members), RendezvousAssignment.OwnerOf(key, reversed));
        }

        // Fixed values: the hash is the same in every process (no per-process string hash seeds).
        Assert.Equal(RendezvousAssignment.Weight("a", "b"), RendezvousAssignment.Weight("a", "b"));
        Assert.NotEqual(RendezvousAssignment.Weight("a", "b"), RendezvousAssignment.Weight("b", "a"));
        Assert.Equal(14993462102032597135UL, TelemetryCluster.Streams.Receivers.Prometheus.Scraping.StableHash.Of("a"));
    }

    [Fact]
    public void No_members_means_no_owner_and_one_member_owns_everything()
    {
        Assert.Null(RendezvousAssignment.OwnerOf("k", []));
        Assert.All(Keys.Take(100), k => Assert.Equal(Members[0], RendezvousAssignment.OwnerOf(k, [Members[0]])));
    }

    [Fact]
    public void Keys_spread_evenly_over_the_members()
    {
        var counts = Keys.GroupBy(k => RendezvousAssignment.OwnerOf(k, Members)!).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(Members.Length, counts.Count);
        var expected = Keys.Length / Members.Length;
        Assert.All(counts.Values, c => Assert.InRange(c, expected * 0.9, expected * 1.1));
    }

    [Fact]
    public void When_a_member_leaves_only_its_keys_move()
    {
        var before = Keys.ToDictionary(k => k, k => RendezvousAssignment.OwnerOf(k, Members)!);
        var leaving = Members[2];
        var remaining = Members.Where(m => m != leaving).ToArray();

        var moved = 0;
        foreach (var key in Keys)
        {
            var after = RendezvousAssignment.OwnerOf(key, remaining)!;
            if (before[key] == leaving)
            {
                moved++;
                Assert.NotEqual(leaving, after);
            }
            else
            {
                Assert.Equal(before[key], after);
            }
        }

        Assert.Equal(before.Values.Count(v => v == leaving), moved);
    }

    [Fact]
    public void A_joining_member_takes_about_its_share_and_nothing_else_moves()
    {
        var joined = Members.Append("akka.tcp://telemetry-cluster@10.0.0.6:4053").ToArray();
        var moved = 0;
        foreach (var key in Keys)
        {
            var before = RendezvousAssignment.OwnerOf(key, Members);
            var after = RendezvousAssignment.OwnerOf(key, joined);
            if (before != after)
            {
                moved++;
                Assert.Equal(joined[^1], after);
            }
        }

        Assert.InRange(moved, Keys.Length / 6 * 0.85, Keys.Length / 6 * 1.15);
    }
}
