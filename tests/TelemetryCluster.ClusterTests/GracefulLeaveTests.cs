using TelemetryCluster.ClusterTests.Support;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 3 acceptance: SIGTERM on node 2 under load — its readiness flips, its partitions drain and move to nodes 1
/// and 3, it leaves and exits 0, the others keep serving, and no acknowledged item is lost.
/// </summary>
public sealed class GracefulLeaveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SIGTERM_on_node_2_under_load_moves_its_partitions_to_nodes_1_and_3_and_loses_no_acknowledged_item()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(new ClusterOptions(), output, ct);
        await cluster.RunAsync(async () =>
        {
            var all = cluster.Nodes;
            var (node1, node2, node3) = (cluster[1], cluster[2], cluster[3]);
            await using var load = new LoadGenerator(node1.OtlpGrpc, new LoadOptions { Partitions = cluster.Options.Partitions, Concurrency = 4 });
            load.Start();

            // Load flows and every node exports some of it.
            await load.WaitForProgressAsync(50, Timeout, ct);
            var homes = await cluster.WaitForBalancedShardsAsync(node1, all, Timeout, ct);
            await Wait.UntilAsync(() => all.All(n => n.Sink.Items > 0), Timeout, () => string.Join("; ", all.Select(n => n.Sink)), ct);
            var onNode2 = homes.Where(kv => kv.Value == node2.Address).Select(kv => kv.Key).Order().ToList();
            cluster.Log($"before SIGTERM: {cluster.Describe(await node1.ShardsAsync(ct))}; load: {load}");
            Assert.NotEmpty(onNode2);

            var stopping = load.Elapsed;
            node2.Terminate();

            // Readiness flips to 503 while node 2 drains (its receivers stop first), until it is gone.
            var readiness = new List<int>();
            var watch = Task.Run(async () =>
            {
                while (!node2.HasExited)
                {
                    readiness.Add(await node2.ReadinessAsync(ct));
                    await Task.Delay(Wait.PollInterval / 2, ct);
                }
            });
            var exitCode = await node2.Process.WaitForExitAsync(Timeout, ct);
            await watch;
            var stopTime = load.Elapsed - stopping;
            Assert.True(exitCode == 0, $"node 2 exited with {exitCode}.\n{node2.Describe()}");
            cluster.Log($"node 2 /readyz after SIGTERM: {string.Join(" ", readiness.Distinct())} ({readiness.Count} polls)");
            Assert.Contains(503, readiness);
            var ackedAtExit = load.AcknowledgedRequests;

            // Node 2 is gone from the membership and from the shard placement; the survivors keep serving.
            var survivors = new[] { node1, node3 };
            await cluster.WaitForMembersAsync(node1, survivors, Timeout, ct);
            await cluster.WaitForMembersAsync(node3, survivors, Timeout, ct);
            var after = await cluster.WaitForShardsAsync(node1, survivors, Timeout, cancellationToken: ct);
            await load.WaitForProgressAsync(50, Timeout, ct);
            var members = await node1.MembersAsync(ct);
            Assert.False(members!.Lists(node2.Address), cluster.Describe(members));
            Assert.DoesNotContain(node2.Address, after.Values);
            Assert.Contains(node1.Address, after.Values);
            Assert.Contains(node3.Address, after.Values);

            await load.StopAsync(Timeout, ct);
            await Wait.UntilAsync(() => DeliveryReport.AllAcknowledgedArrived(load, all), Timeout, () => DeliveryReport.Compare(load, all).ToString(), ct);
            var report = DeliveryReport.Compare(load, all);
            cluster.Log($"after: {cluster.Describe(await node1.ShardsAsync(ct))}; load: {load}");
            cluster.Result($"RESULT sigterm: node 2 (partitions {string.Join(",", onNode2)}) exited 0 {stopTime.TotalSeconds:F1} s after SIGTERM, "
                + $"{ackedAtExit} requests acknowledged by then, {load.AcknowledgedRequests} in all; "
                + $"answers {string.Join(", ", load.Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))} "
                + $"({string.Join("; ", load.Attempts.Where(a => a.Status != Grpc.Core.StatusCode.OK).Select(a => a.Detail).Distinct())}); {report}");

            Assert.Equal(load.GeneratedItems, report.Acknowledged);
            Assert.Empty(report.Lost);
            Assert.Equal(0, report.Unknown);
        });
    }
}
