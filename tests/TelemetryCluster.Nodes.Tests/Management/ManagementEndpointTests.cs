using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.Extensions.DependencyInjection;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Management;

/// <summary>The management endpoint's routes on in-process nodes (one or two, static seeds, loopback).</summary>
public sealed class ManagementEndpointTests
{
    private static async Task<(ManagementTestNode First, ManagementTestNode Second)> StartTwoAsync(string firstExtra, CancellationToken ct)
    {
        var first = await ManagementTestNode.StartAsync(ManagementTestNode.Config(firstExtra), ct);
        try
        {
            await ManagementTestNode.WaitUntilAsync(() => first.Cluster.SelfMember.Status == MemberStatus.Up, "node 1 Up", ct);
            var seed = first.Cluster.SelfAddress;
            var second = await ManagementTestNode.StartAsync(ManagementTestNode.Config($"cluster.seed-nodes = [\"{seed.Host}:{seed.Port}\"]"), ct);
            await ManagementTestNode.WaitUntilAsync(() => first.UpMembers == 2 && second.UpMembers == 2, "two Up members on both nodes", ct);
            return (first, second);
        }
        catch
        {
            await first.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Members_lists_every_member_Up_with_leader_oldest_self_and_up_since()
    {
        var ct = TestContext.Current.CancellationToken;
        var (first, second) = await StartTwoAsync(string.Empty, ct);
        await using var _ = first;
        await using var __ = second;

        var fromSecond = await second.GetJsonAsync("/cluster/members", ct);
        Assert.Equal(second.Address, fromSecond.GetProperty("self").GetString());
        Assert.Equal("Up", fromSecond.GetProperty("selfStatus").GetString());
        var members = fromSecond.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(
            new[] { first.Address, second.Address }.Order(StringComparer.Ordinal),
            members.Select(m => m.GetProperty("address").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(members, m =>
        {
            Assert.Equal("Up", m.GetProperty("status").GetString());
            Assert.True(m.GetProperty("reachable").GetBoolean());
            Assert.Equal(JsonValueKind.Array, m.GetProperty("roles").ValueKind);
        });
        var leader = fromSecond.GetProperty("leader").GetString();
        Assert.Contains(leader, new[] { first.Address, second.Address });
        Assert.Equal(first.Address, fromSecond.GetProperty("oldest").GetString());
        Assert.Empty(fromSecond.GetProperty("unreachable").EnumerateArray());

        // Node 1 saw both members become Up (itself and node 2); node 2 joined after node 1 was Up.
        var fromFirst = await first.GetJsonAsync("/cluster/members", ct);
        Assert.All(fromFirst.GetProperty("members").EnumerateArray(), m => Assert.True(m.TryGetProperty("upSince", out var since) && since.GetDateTimeOffset() > DateTimeOffset.UnixEpoch));
        Assert.Equal(leader, fromFirst.GetProperty("leader").GetString());

        // One member, named by host:port.
        var secondAddress = second.Cluster.SelfAddress;
        var one = await first.GetJsonAsync($"/cluster/members/{secondAddress.Host}:{secondAddress.Port}", ct);
        Assert.Equal(second.Address, one.GetProperty("address").GetString());
        using var missing = await first.Http.GetAsync("/cluster/members/127.0.0.1:1", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Leave_needs_the_configured_bearer_token_and_a_known_operation_and_member()
    {
        var ct = TestContext.Current.CancellationToken;
        var (first, second) = await StartTwoAsync("cluster.management.token = \"s3cret-token\"", ct);
        await using var _ = first;
        await using var __ = second;
        var path = $"/cluster/members/{Uri.EscapeDataString(second.Address)}";

        using (var noToken = await first.Http.PutAsync(path, Form("leave"), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
            Assert.Equal("Bearer", noToken.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PutAsync(first, path, Form("leave"), "wrong-token", ct));
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync(first, path, Form("jump"), "s3cret-token", ct));
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync(first, path, content: null, "s3cret-token", ct));
        Assert.Equal(HttpStatusCode.NotFound, await PutAsync(first, "/cluster/members/127.0.0.1:1", Form("leave"), "s3cret-token", ct));
        Assert.Equal(2, first.UpMembers);

        // Leave through node 1, naming node 2 by its full address (escaped in the path).
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = Form("leave") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");
        using var response = await first.Http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal($"Leaving {second.Address}", body.GetProperty("message").GetString());

        await ManagementTestNode.WaitUntilAsync(() => first.Cluster.State.Members.Count == 1, "node 2 removed", ct);
        await second.Run.WaitAsync(ManagementTestNode.Timeout, ct);
        var members = await first.GetJsonAsync("/cluster/members", ct);
        Assert.Equal([first.Address], members.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("address").GetString()));
    }

    [Fact]
    public async Task Down_from_the_query_string_is_open_without_a_configured_token()
    {
        var ct = TestContext.Current.CancellationToken;
        var (first, second) = await StartTwoAsync(string.Empty, ct);
        await using var _ = first;
        await using var __ = second;
        var target = second.Cluster.SelfAddress;

        using var response = await first.Http.PutAsync($"/cluster/members/{target.Host}:{target.Port}?operation=down", content: null, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"Downing {second.Address}", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        await ManagementTestNode.WaitUntilAsync(() => first.Cluster.State.Members.Count == 1, "node 2 downed and removed", ct);
        // A downed node shuts itself down (run-coordinated-shutdown-when-down) and exits with 1.
        Assert.Equal(1, await second.Run.WaitAsync(ManagementTestNode.Timeout, ct));
    }

    [Fact]
    public async Task Shards_answers_with_every_region_type_and_pipelines_with_counters_and_queue_fill()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ManagementTestNode.StartAsync(ManagementTestNode.Config(), ct);
        await ManagementTestNode.WaitUntilAsync(() => node.Cluster.SelfMember.Status == MemberStatus.Up, "node Up", ct);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await node.SendAsync(7, ct)).IsAccepted);
        }

        var telemetry = node.Host.Services.GetRequiredService<EngineTelemetry>();
        telemetry.Add(ComponentKind.Receiver, new ComponentId("testin", null), Signal.Metrics, Outcomes.Accepted, 21);
        telemetry.Add(ComponentKind.Receiver, new ComponentId("testin", null), Signal.Metrics, Outcomes.Refused, 4, "full");
        telemetry.Add(ComponentKind.Receiver, new ComponentId("testin", null), Signal.Logs, Outcomes.Accepted, 1000);
        await ManagementTestNode.WaitUntilAsync(() => node.Components.Exporter.Items == 21, "21 points exported", ct);

        var pipelines = await node.GetJsonAsync("/pipelines", ct);
        Assert.Equal(node.Address, pipelines.GetProperty("node").GetString());
        Assert.Equal("running", pipelines.GetProperty("state").GetString());
        var metrics = Assert.Single(pipelines.GetProperty("pipelines").EnumerateArray());
        Assert.Equal("metrics", metrics.GetProperty("pipeline").GetString());
        var segments = metrics.GetProperty("segments").GetInt32();
        Assert.True(segments >= 1, "at least one segment of the pipeline runs on the only node");
        Assert.Equal(segments * 16, metrics.GetProperty("queueCapacity").GetInt32());
        Assert.InRange(metrics.GetProperty("queued").GetInt32(), 0, segments * 16);
        var components = metrics.GetProperty("components").EnumerateArray().ToDictionary(c => $"{c.GetProperty("kind").GetString()}:{c.GetProperty("id").GetString()}");
        Assert.Equal(["receiver:testin", "exporter:record"], components.Keys);
        var receiver = components["receiver:testin"].GetProperty("counters");
        Assert.Equal(21, receiver.GetProperty("accepted").GetInt64());
        Assert.Equal(4, receiver.GetProperty("refused").GetInt64());
        var exporter = components["exporter:record"].GetProperty("counters");
        Assert.Equal(21, exporter.GetProperty("sent").GetInt64());
        foreach (var outcome in new[] { "accepted", "refused", "sent", "send_failed", "dropped" })
        {
            Assert.True(exporter.TryGetProperty(outcome, out _), $"counter {outcome} is always present");
        }

        var shards = await node.GetJsonAsync("/cluster/shards", ct);
        foreach (var region in shards.GetProperty("regions").EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(region.GetProperty("typeName").GetString()));
            Assert.All(region.GetProperty("shards").EnumerateArray(), shard =>
            {
                Assert.Equal(node.Address, shard.GetProperty("node").GetString());
                Assert.True(shard.GetProperty("entities").GetInt32() >= 0);
            });
        }

        // Partition → node per pipeline: every partition that has data (so an allocated shard) is on the only node.
        var pipeline = Assert.Single(shards.GetProperty("pipelines").EnumerateArray());
        Assert.Equal("metrics", pipeline.GetProperty("pipeline").GetString());
        var placed = pipeline.GetProperty("partitions").EnumerateArray()
            .Where(p => p.TryGetProperty("node", out _))
            .ToList();
        Assert.True(placed.Count >= segments, "the partitions that ran segments are placed");
        Assert.All(placed, p => Assert.Equal(node.Address, p.GetProperty("node").GetString()));
    }

    [Fact]
    public async Task Seed_nodes_is_the_contact_point_answer_the_bootstrap_prober_reads()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ManagementTestNode.StartAsync(ManagementTestNode.Config(), ct);
        await ManagementTestNode.WaitUntilAsync(() => node.Cluster.SelfMember.Status == MemberStatus.Up, "node Up", ct);

        using var response = await node.Http.GetAsync("/bootstrap/seed-nodes", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        // Deserialized exactly as Akka.Management's HttpContactPointBootstrap does.
        var seedNodes = Newtonsoft.Json.JsonConvert.DeserializeObject<HttpBootstrapJsonProtocol.SeedNodes>(await response.Content.ReadAsStringAsync(ct));
        Assert.NotNull(seedNodes);
        Assert.Equal(node.Cluster.SelfAddress, seedNodes.SelfNode);
        var self = Assert.Single(seedNodes.Nodes);
        Assert.Equal(node.Cluster.SelfAddress, self.Node);
        Assert.Equal(node.Cluster.SelfUniqueAddress.Uid, self.NodeUid);
        Assert.Equal(MemberStatus.Up, self.Status);
    }

    [Fact]
    public async Task Unknown_routes_answer_404_and_wrong_methods_405()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await ManagementTestNode.StartAsync(ManagementTestNode.Config(), ct);

        using var unknown = await node.Http.GetAsync("/cluster/nope", ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/json", unknown.Content.Headers.ContentType?.MediaType);
        using var post = await node.Http.PostAsync("/cluster/members", content: null, ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Contains("GET", post.Content.Headers.Allow);
        using var delete = await node.Http.DeleteAsync($"/cluster/members/{Uri.EscapeDataString(node.Address)}", ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
    }

    [Fact]
    public async Task A_node_without_bootstrap_runs_on_when_the_management_port_is_taken()
    {
        var ct = TestContext.Current.CancellationToken;
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((IPEndPoint)blocker.LocalEndpoint).Port;

        await using var node = await ManagementTestNode.StartAsync(ManagementTestNode.Config(managementPort: taken), ct);

        Assert.Empty(node.Endpoint.Addresses);
        Assert.True((await node.SendAsync(2, ct)).IsAccepted);
        await ManagementTestNode.WaitUntilAsync(() => node.Cluster.SelfMember.Status == MemberStatus.Up, "node Up", ct);
        Assert.Equal(0, await node.StopAsync());
    }

    private static FormUrlEncodedContent Form(string operation) => new([new KeyValuePair<string, string>("operation", operation)]);

    private static async Task<HttpStatusCode> PutAsync(ManagementTestNode node, string path, HttpContent? content, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.Http.SendAsync(request, ct);
        return response.StatusCode;
    }
}
