using Grpc.Core;
using TelemetryCluster.ClusterTests.Support;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 3 acceptance: a blocked exporter on node 3 fills the partitions there, node 1's OTLP receiver answers
/// UNAVAILABLE for the traffic routed to them (and only for that), memory stays bounded, and unblocking drains
/// everything that was acknowledged.
/// </summary>
public sealed class BackpressureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Allowed RSS growth of a node while its partitions (or a peer's) are blocked.</summary>
    private const long MemoryGrowthLimit = 256L * 1024 * 1024;

    [Fact]
    public async Task A_blocked_exporter_on_node_3_makes_node_1_refuse_traffic_for_node_3_partitions_and_unblocking_drains_everything()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(new ClusterOptions(), output, ct);
        await cluster.RunAsync(async () =>
        {
            var all = cluster.Nodes;
            var (node1, node3) = (cluster[1], cluster[3]);
            var partitions = cluster.Options.Partitions;

            // Every request targets one partition (request k → partition k mod 16), so a refusal names the node.
            await using var load = new LoadGenerator(node1.OtlpGrpc, new LoadOptions
            {
                Partitions = partitions,
                Shape = RequestShape.OnePartitionPerRequest,
                Concurrency = 400,
                Pacing = TimeSpan.FromMilliseconds(10),
            });

            // Warm-up: every partition gets traffic, so sharding places all of them (balanced: nothing moves later).
            var homes = await cluster.WarmUpAsync(load, all, Timeout, ct);
            var onNode3 = homes.Where(kv => kv.Value == node3.Address).Select(kv => kv.Key).ToHashSet();
            cluster.Log($"placement: {cluster.Describe(await node1.ShardsAsync(ct))}");
            Assert.NotEmpty(onNode3);
            var baseline = all.ToDictionary(n => n.Name, n => n.ResidentBytes());

            node3.Sink.Pause();
            var paused = load.Elapsed;
            load.Start();

            // The partitions on node 3 fill: their queues are full and node 1 answers UNAVAILABLE for them.
            PipelinesView? node3Pipelines = null;
            await Wait.UntilAsync(
                async () =>
                {
                    node3Pipelines = await node3.PipelinesAsync(ct);
                    var metrics = node3Pipelines?.Pipelines.SingleOrDefault(p => p.Pipeline == "metrics");
                    return metrics is { QueueCapacity: > 0 } && metrics.Queued == metrics.QueueCapacity
                        && load.AnswersWith(StatusCode.Unavailable) >= 200;
                },
                Timeout,
                () => $"node 3's queues full and 200 refusals; node 3 /pipelines: {Describe(node3Pipelines)}; load: {load}",
                ct);

            // Meanwhile traffic to the other nodes' partitions keeps being accepted.
            var firstRefusal = load.Attempts.First(a => a.Status == StatusCode.Unavailable).At;
            var acceptedElsewhere = () => load.Attempts.Count(a => a.Status == StatusCode.OK && a.At > firstRefusal && !onNode3.Contains(a.Partition!.Value));
            await Wait.UntilAsync(() => acceptedElsewhere() >= 100, Timeout, () => $"100 requests to node 1/2 partitions accepted after the first refusal; load: {load}", ct);

            // Memory stays bounded while the refusals go on (a client that is refused does not make the node buffer).
            var peak = all.ToDictionary(n => n.Name, _ => 0L);
            var refusalsBefore = load.AnswersWith(StatusCode.Unavailable);
            await Wait.UntilAsync(
                () =>
                {
                    foreach (var node in all)
                    {
                        peak[node.Name] = Math.Max(peak[node.Name], node.ResidentBytes());
                    }

                    return load.AnswersWith(StatusCode.Unavailable) >= refusalsBefore + 1000;
                },
                Timeout,
                () => $"1000 more refusals; load: {load}",
                ct);
            node3Pipelines = await node3.PipelinesAsync(ct);
            var pausedFor = load.Elapsed - paused;
            var generatedWhilePaused = load.GeneratedItems;
            cluster.Log($"load while paused: {load}");
            cluster.Log($"node 3 /pipelines while paused: {Describe(node3Pipelines)}; sink 3 held {node3.Sink.Held} export calls, {node3.Sink.CancelledWhileHeld} timed out");
            cluster.Log($"memory (RSS MB) baseline → peak while paused: {string.Join(", ", all.Select(n => $"{n.Name} {baseline[n.Name] / 1048576} → {peak[n.Name] / 1048576}"))}");

            var refusedPartitions = load.Attempts.Where(a => a.Status != StatusCode.OK).Select(a => a.Partition!.Value).ToHashSet();
            var refusals = load.Attempts.Where(a => a.Status != StatusCode.OK)
                .GroupBy(a => (OnNode3: onNode3.Contains(a.Partition!.Value), a.Status, a.Detail))
                .Select(g => $"{(g.Key.OnNode3 ? "node 3" : "node 1/2")} partitions: {g.Key.Status} \"{g.Key.Detail}\" x{g.Count()}");
            cluster.Log($"refusals while paused: {string.Join("; ", refusals)}");
            Assert.True(refusedPartitions.IsSubsetOf(onNode3), $"refusals for partitions not on node 3: {string.Join(",", refusedPartitions.Except(onNode3))} (node 3 hosts {string.Join(",", onNode3)}); load: {load}");
            Assert.All(load.Attempts.Where(a => a.Status != StatusCode.OK), a => Assert.Equal(StatusCode.Unavailable, a.Status));
            var metricsOnNode3 = node3Pipelines!.Pipelines.Single(p => p.Pipeline == "metrics");
            Assert.True(metricsOnNode3.Queued <= metricsOnNode3.QueueCapacity, Describe(node3Pipelines));
            foreach (var node in all)
            {
                Assert.True(peak[node.Name] - baseline[node.Name] < MemoryGrowthLimit, $"{node.Name} grew from {baseline[node.Name] / 1048576} MB to {peak[node.Name] / 1048576} MB while node 3 was blocked");
            }

            // Unblock: node 3 drains its queues, the refused requests are retried and accepted, nothing is lost.
            node3.Sink.Resume();
            await load.WaitForProgressAsync(200, Timeout, ct);
            await load.StopAsync(Timeout, ct);
            await Wait.UntilAsync(() => DeliveryReport.AllAcknowledgedArrived(load, all), Timeout, () => DeliveryReport.Compare(load, all).ToString(), ct);
            var report = DeliveryReport.Compare(load, all);
            cluster.Log($"load at the end: {load}");
            cluster.Result($"RESULT backpressure: paused {pausedFor.TotalSeconds:F1} s, {load.AnswersWith(StatusCode.Unavailable)} UNAVAILABLE answers for partitions {string.Join(",", refusedPartitions.Order())}, "
                + $"{generatedWhilePaused} items generated by then; {report}");

            Assert.Equal(load.GeneratedItems, report.Acknowledged);
            Assert.Empty(report.Lost);
            Assert.Equal(0, report.Unknown);
            Assert.Equal(report.Acknowledged, report.ReceivedTotal);
            Assert.True(node3.Sink.Items > 0);
        });
    }

    private static string Describe(PipelinesView? view) => view is null
        ? "(no answer)"
        : string.Join("; ", view.Pipelines.Select(p => $"{p.Pipeline}: {p.Segments} segments, queued {p.Queued}/{p.QueueCapacity}"));
}
