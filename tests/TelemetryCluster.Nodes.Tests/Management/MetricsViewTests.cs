using System.Net;
using System.Text.Json;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Management;

/// <summary>The MetricsView singleton: pushes from every node, reads through any node's proxy, hand-over, /status?cluster.</summary>
public sealed class MetricsViewTests
{
    [Fact]
    public async Task Every_nodes_report_is_visible_from_node_2_and_the_view_is_rebuilt_after_hand_over()
    {
        var ct = TestContext.Current.CancellationToken;
        var health = FreePorts.Take();
        await using var first = await ManagementTestNode.StartAsync(ManagementTestNode.Config(), ct);
        await ManagementTestNode.WaitUntilAsync(() => first.Cluster.SelfMember.Status == MemberStatus.Up, "node 1 Up", ct);
        var seed = first.Cluster.SelfAddress;
        await using var second = await ManagementTestNode.StartAsync(
            ManagementTestNode.Config($"cluster.seed-nodes = [\"{seed.Host}:{seed.Port}\"]", healthCheckPort: health), ct);
        var client = second.Host.Services.GetRequiredService<MetricsViewClient>();

        // Both nodes push to the singleton (on node 1, the oldest); node 2 reads it through its proxy.
        ClusterView? view = null;
        await ManagementTestNode.WaitUntilAsync(
            async () =>
            {
                view = await TryGetViewAsync(client, ct);
                return view is not null && view.Nodes.Length == 2 && view.Nodes.All(n => n.ServiceState == "running");
            },
            "both nodes' reports in the view read from node 2",
            ct);
        Assert.Equal(first.Address, view!.ViewNode);
        Assert.Equal(new[] { first.Address, second.Address }.Order(StringComparer.Ordinal), view.Nodes.Select(n => n.Address));
        Assert.All(view.Nodes, n =>
        {
            Assert.True(n.Healthy);
            var pipeline = Assert.Single(n.Pipelines);
            Assert.Equal(new PipelineHealth("metrics", "StatusOK", true, null), pipeline);
        });

        // An exporter failure on node 1 shows in the view everyone reads.
        first.Host.Services.GetRequiredService<ComponentStatusRegistry>()
            .Report(ComponentKind.Exporter, new ComponentId("record", null), ComponentStatus.PermanentError, "backend said 400");
        await ManagementTestNode.WaitUntilAsync(
            async () => (await TryGetViewAsync(client, ct))?.Nodes.FirstOrDefault(n => n.Address == first.Address) is { Healthy: false } node
                && node.Pipelines.Single() == new PipelineHealth("metrics", "StatusPermanentError", false, "backend said 400"),
            "node 1's failing pipeline in the view",
            ct);

        // The same view over HTTP: the management endpoint's /cluster/status and health_check's /status?cluster.
        var status = await second.GetJsonAsync("/cluster/status", ct);
        Assert.Equal(first.Address, status.GetProperty("viewNode").GetString());
        Assert.Equal(2, status.GetProperty("nodes").GetArrayLength());
        using (var http = new HttpClient())
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{health}/status?cluster", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.True(body.GetProperty("healthy").GetBoolean(), "node 2 itself is healthy");
            var cluster = body.GetProperty("cluster");
            Assert.Equal(first.Address, cluster.GetProperty("viewNode").GetString());
            var nodes = cluster.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("address").GetString()!);
            Assert.False(nodes[first.Address].GetProperty("healthy").GetBoolean());
            Assert.Equal("StatusPermanentError", nodes[first.Address].GetProperty("pipelines")[0].GetProperty("status").GetString());
            Assert.True(nodes[second.Address].GetProperty("healthy").GetBoolean());

            using var plain = await http.GetAsync($"http://127.0.0.1:{health}/status", ct);
            Assert.False(JsonDocument.Parse(await plain.Content.ReadAsStringAsync(ct)).RootElement.TryGetProperty("cluster", out _), "only ?cluster adds the view");
        }

        // Node 1 (singleton host) leaves: the singleton moves to node 2, starts empty and is rebuilt from the pushes;
        // node 1 is gone from it.
        Assert.Equal(0, await first.StopAsync());
        await ManagementTestNode.WaitUntilAsync(
            async () => await TryGetViewAsync(client, ct) is { } after && after.ViewNode == second.Address
                && after.Nodes.Select(n => n.Address).SequenceEqual([second.Address]),
            "the view on node 2 after the hand-over, without node 1",
            ct);
    }

    [Fact]
    public async Task The_view_works_with_serialize_messages_on()
    {
        // Every message, local ones included, goes through its serializer: the report, the ask and the answer.
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ManagementTestNode.StartAsync(ManagementTestNode.Config("akka.actor.serialize-messages = on"), ct);
        Assert.True(node.System.Settings.SerializeAllMessages);
        var client = node.Host.Services.GetRequiredService<MetricsViewClient>();

        await ManagementTestNode.WaitUntilAsync(
            async () => await TryGetViewAsync(client, ct) is { } view && view.Nodes.Select(n => n.Address).SequenceEqual([node.Address]),
            "the node's own report in the view",
            ct);
    }

    [Fact]
    public void A_report_carries_the_service_state_and_each_pipelines_status_from_the_registry()
    {
        var registry = new ComponentStatusRegistry(TimeProvider.System);
        var metrics = new PipelineId(Signal.Metrics, null);
        var logs = new PipelineId(Signal.Logs, "qelog");
        var otlp = new ComponentId("otlp", null);
        var backend = new ComponentId("otlphttp", "backend");
        registry.Register(metrics, ComponentKind.Receiver, otlp);
        registry.Register(metrics, ComponentKind.Exporter, backend);
        registry.Register(logs, ComponentKind.Receiver, otlp);
        registry.Report(ComponentKind.Receiver, otlp, ComponentStatus.Ok);
        registry.Report(ComponentKind.Exporter, backend, ComponentStatus.FatalError, "auth failed");
        registry.SetServiceState(ServiceState.Running);

        var report = NodeHealthReporter.Build("akka.tcp://telemetry-cluster@10.0.0.1:4053", registry, TimeProvider.System);

        Assert.Equal("akka.tcp://telemetry-cluster@10.0.0.1:4053", report.Address);
        Assert.Equal("running", report.ServiceState);
        Assert.False(report.Healthy);
        Assert.Equal(
            [new PipelineHealth("logs/qelog", "StatusOK", true, null), new PipelineHealth("metrics", "StatusFatalError", false, "auth failed")],
            report.Pipelines);

        registry.SetServiceState(ServiceState.Draining);
        Assert.Equal("draining", NodeHealthReporter.Build("a", registry, TimeProvider.System).ServiceState);
    }

    private static async Task<ClusterView?> TryGetViewAsync(MetricsViewClient client, CancellationToken ct)
    {
        try
        {
            return await client.GetViewAsync(ct);
        }
        catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
