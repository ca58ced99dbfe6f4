using TelemetryCluster.ClusterTests.Support;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 3 acceptance: three nodes form one cluster through Akka Cluster Bootstrap (discovery = config as the
/// stand-in for DNS: every node lists the three management endpoints, required-contact-points = 3), served by our
/// management endpoint's <c>/bootstrap/seed-nodes</c>; then the cluster works as with static seeds.
/// </summary>
public sealed class BootstrapTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_nodes_form_one_cluster_through_bootstrap_with_config_discovery_and_all_of_them_export()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(new ClusterOptions { Membership = Membership.Bootstrap }, output, ct);
        await cluster.RunAsync(async () =>
        {
            var all = cluster.Nodes;

            // One cluster, seen alike from every node.
            foreach (var node in all)
            {
                await cluster.WaitForMembersAsync(node, all, Timeout, ct);
            }

            var leaders = await Task.WhenAll(all.Select(n => n.MembersAsync(ct)));
            Assert.Single(leaders.Select(m => m!.Leader).Distinct());

            await using var load = new LoadGenerator(cluster[1].OtlpGrpc, new LoadOptions { Partitions = cluster.Options.Partitions, Concurrency = 4 });
            var homes = await cluster.WarmUpAsync(load, all, Timeout, ct);
            await load.SendAsync(50, Timeout, ct);
            await Wait.UntilAsync(() => DeliveryReport.AllAcknowledgedArrived(load, all), Timeout, () => DeliveryReport.Compare(load, all).ToString(), ct);
            var report = DeliveryReport.Compare(load, all);
            cluster.Result($"RESULT bootstrap: formed and ready in {cluster.FormationTime.TotalSeconds:F1} s, leader {cluster.NameOf(leaders[0]!.Leader)}; "
                + $"placement {cluster.Describe(await cluster[1].ShardsAsync(ct))}; {report}");

            foreach (var node in all)
            {
                Assert.Contains(node.Address, homes.Values);
                Assert.True(node.Sink.Items > 0, $"{node.Name}'s exporter sent nothing: {report}");
            }

            Assert.Equal(load.GeneratedItems, report.Acknowledged);
            Assert.Empty(report.Lost);
            Assert.Equal(0, report.Unknown);
        });
    }
}
