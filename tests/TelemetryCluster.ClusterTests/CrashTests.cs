using System.Globalization;
using TelemetryCluster.ClusterTests.Support;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 3 acceptance: SIGKILL on node 3 under load. The split brain resolver (keep-majority) downs it, the survivors
/// keep accepting, and the client's retries of what was refused or failed arrive. Under <c>delivery = exported</c>
/// nothing acknowledged is lost; under <c>delivery = accepted</c> what node 3 had queued is lost — reported, and
/// checked to be only data that was acknowledged for node 3's partitions and never exported.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("exported")]
    [InlineData("accepted")]
    public async Task SIGKILL_on_node_3_under_load_the_survivors_down_it_and_keep_accepting(string delivery)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(new ClusterOptions { Delivery = delivery }, output, ct);
        await cluster.RunAsync(async () =>
        {
            var all = cluster.Nodes;
            var (node1, node2, node3) = (cluster[1], cluster[2], cluster[3]);
            await using var load = new LoadGenerator(node1.OtlpGrpc, new LoadOptions
            {
                Partitions = cluster.Options.Partitions,
                Concurrency = 8,
                AttemptTimeout = TimeSpan.FromSeconds(5),
            });
            load.Start();

            await load.WaitForProgressAsync(50, Timeout, ct);
            var homes = await cluster.WaitForBalancedShardsAsync(node1, all, Timeout, ct);
            await Wait.UntilAsync(() => all.All(n => n.Sink.Items > 0), Timeout, () => string.Join("; ", all.Select(n => n.Sink)), ct);
            var onNode3 = homes.Where(kv => kv.Value == node3.Address).Select(kv => kv.Key).ToHashSet();
            cluster.Log($"before SIGKILL: {cluster.Describe(await node1.ShardsAsync(ct))}; load: {load}");
            Assert.NotEmpty(onNode3);

            var killedAt = load.Elapsed;
            node3.Kill();
            await node3.Process.WaitForExitAsync(Timeout, ct);
            var ackedAtKill = load.AcknowledgedSequences();
            var exportedByNode3 = node3.Sink.DistinctSequences.ToHashSet();

            // The survivors notice, SBR downs node 3, its partitions are placed on nodes 1 and 2, and the load goes on.
            var survivors = new[] { node1, node2 };
            await cluster.WaitForMembersAsync(node1, survivors, Timeout, ct);
            var downedAfter = load.Elapsed - killedAt;
            await cluster.WaitForMembersAsync(node2, survivors, Timeout, ct);
            var after = await cluster.WaitForShardsAsync(node1, survivors, Timeout, cancellationToken: ct);
            var ackedAtDown = load.AcknowledgedRequests;
            await load.WaitForProgressAsync(50, Timeout, ct);
            Assert.DoesNotContain(node3.Address, after.Values);

            // Every request is eventually acknowledged: the client retried what was refused or timed out.
            await load.StopAsync(Timeout, ct);
            var partitionOf = load.PartitionOfSequences();

            // What the survivors must deliver: every acknowledged item except those node 3 held when it died.
            bool MayBeLost(long seq) => delivery == "accepted" && onNode3.Contains(partitionOf[seq]) && ackedAtKill.Contains(seq) && !exportedByNode3.Contains(seq);
            await Wait.UntilAsync(
                async () =>
                {
                    var received = all.SelectMany(n => n.Sink.DistinctSequences).ToHashSet();
                    if (!load.AcknowledgedSequences().All(s => received.Contains(s) || MayBeLost(s)))
                    {
                        return false;
                    }

                    // Nothing left queued on the survivors.
                    var views = await Task.WhenAll(survivors.Select(n => n.PipelinesAsync(ct)));
                    return views.All(v => v is not null && v.Pipelines.All(p => p.Queued == 0));
                },
                Timeout,
                () => DeliveryReport.Compare(load, all).ToString(),
                ct);

            var report = DeliveryReport.Compare(load, all);
            var heldByNode3 = ackedAtKill.Count(s => onNode3.Contains(partitionOf[s]) && !exportedByNode3.Contains(s));
            var lostByPartition = report.Lost.GroupBy(s => partitionOf[s]).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            cluster.Log($"after: {cluster.Describe(await node1.ShardsAsync(ct))}; load: {load}");
            var result = string.Create(
                CultureInfo.InvariantCulture,
                $"RESULT sigkill delivery={delivery}: acknowledged-but-lost {report.LostCount} "
                + $"(bound: {heldByNode3} items acknowledged for node 3's partitions {string.Join(",", onNode3.Order())} and not exported by it at the kill; lost by partition [{string.Join(" ", lostByPartition)}]); "
                + $"node 3 downed {downedAfter.TotalSeconds:F1} s after SIGKILL, {ackedAtDown} requests acknowledged by then, {load.AcknowledgedRequests} in all; "
                + $"answers {string.Join(", ", load.Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))}; {report}");
            cluster.Result(result);

            Assert.Equal(load.GeneratedItems, report.Acknowledged);
            Assert.Equal(0, report.Unknown);
            if (delivery == "exported")
            {
                Assert.Empty(report.Lost);
            }
            else
            {
                // Only what node 3 had acknowledged (queued) and not yet exported can be gone.
                var unexplained = report.Lost.Where(s => !MayBeLost(s)).Take(10).ToList();
                Assert.True(unexplained.Count == 0, $"lost items that node 3 did not hold: {string.Join(",", unexplained)} (partitions {string.Join(",", unexplained.Select(s => partitionOf[s]))})");
                Assert.True(report.LostCount <= heldByNode3);
            }
        });
    }
}
