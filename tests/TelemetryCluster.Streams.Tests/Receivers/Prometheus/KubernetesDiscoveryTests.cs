using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Receivers.Prometheus.Discovery;
using TelemetryCluster.Streams.Tests.Exporters.Otlp;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

/// <summary>
/// A local stand-in for the Kubernetes API server over HTTPS (its certificate issued by a throwaway CA): answers the
/// pod list (JSON PodList) and streams watch events (one JSON object per line) that the test pushes. Requires the
/// service account bearer token.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    public const string Token = "sa-token-42";

    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();

    private FakeApiServer(TestHttpServer server, TestPki pki, string serviceAccountDir)
    {
        Server = server;
        Pki = pki;
        ServiceAccountDir = serviceAccountDir;
    }

    public TestHttpServer Server { get; }

    public TestPki Pki { get; }

    public string ServiceAccountDir { get; }

    public ConcurrentBag<JsonObject> Pods { get; } = [];

    public ConcurrentQueue<string> Paths { get; } = new();

    public int Watches;

    public KubernetesEnvironment Environment => new("127.0.0.1", Server.Port.ToString(CultureInfo.InvariantCulture), ServiceAccountDir);

    public static async Task<FakeApiServer> StartAsync()
    {
        var pki = new TestPki();
        var server = await TestHttpServer.StartAsync(pki.Server(withLoopbackIp: true, "kubernetes.default.svc"));
        var sa = Directory.CreateTempSubdirectory("prom-sa-").FullName;
        await File.WriteAllTextAsync(Path.Combine(sa, "token"), Token + "\n");
        await File.WriteAllTextAsync(Path.Combine(sa, "ca.crt"), pki.Ca.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(sa, "namespace"), "shop");
        var api = new FakeApiServer(server, pki, sa);
        server.Handler = api.HandleAsync;
        return api;
    }

    /// <summary>Pushes a watch event to the open watch stream.</summary>
    public void Push(string type, JsonObject pod) =>
        _events.Writer.TryWrite(new JsonObject { ["type"] = type, ["object"] = pod.DeepClone() }.ToJsonString());

    private async Task HandleAsync(HttpContext ctx)
    {
        Paths.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
        if (ctx.Request.Headers.Authorization != "Bearer " + Token)
        {
            ctx.Response.StatusCode = 401;
            return;
        }

        ctx.Response.ContentType = "application/json";
        if (ctx.Request.Query["watch"] == "1")
        {
            Interlocked.Increment(ref Watches);
            await ctx.Response.StartAsync(ctx.RequestAborted);
            try
            {
                await foreach (var line in _events.Reader.ReadAllAsync(ctx.RequestAborted))
                {
                    await ctx.Response.WriteAsync(line + "\n", ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        var list = new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "100" },
            ["items"] = new JsonArray([.. Pods.Select(p => (JsonNode)p.DeepClone())]),
        };
        await ctx.Response.WriteAsync(list.ToJsonString(), ctx.RequestAborted);
    }

    public static JsonObject Pod(string name, int port, string app, bool scrape, string ip = "10.0.0.5") => JsonNode.Parse($$"""
        {
          "metadata": {
            "name": "{{name}}", "namespace": "shop", "uid": "uid-{{name}}",
            "labels": { "app": "{{app}}", "app.kubernetes.io/part-of": "store" },
            "annotations": { "prometheus.io/scrape": "{{(scrape ? "true" : "false")}}" },
            "ownerReferences": [ { "kind": "ReplicaSet", "name": "{{app}}-7d9f", "controller": true } ]
          },
          "spec": {
            "nodeName": "node-a",
            "containers": [
              { "name": "main", "image": "example/{{app}}:1", "ports": [ { "name": "metrics", "containerPort": {{port}}, "protocol": "TCP" } ] },
              { "name": "sidecar", "image": "example/proxy:2" }
            ],
            "initContainers": [ { "name": "init", "image": "example/init:1" } ]
          },
          "status": {
            "phase": "Running", "podIP": "{{ip}}", "hostIP": "192.0.2.10",
            "conditions": [ { "type": "Ready", "status": "True" } ],
            "containerStatuses": [ { "name": "main", "containerID": "containerd://abc" } ]
          }
        }
        """)!.AsObject();

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await Server.DisposeAsync();
        Pki.Dispose();
        Directory.Delete(ServiceAccountDir, recursive: true);
    }
}

public sealed class KubernetesDiscoveryTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    [Fact]
    public void A_pod_becomes_a_group_with_prometheus_meta_labels_and_one_target_per_port()
    {
        using var document = JsonDocument.Parse(FakeApiServer.Pod("web-1", 8080, "web", scrape: true).ToJsonString());

        var group = KubernetesPodDiscovery.ToGroup(document.RootElement)!;

        Assert.Equal("pod/shop/web-1", group.Source);
        var expected = new Dictionary<string, string>
        {
            ["__meta_kubernetes_namespace"] = "shop",
            ["__meta_kubernetes_pod_name"] = "web-1",
            ["__meta_kubernetes_pod_uid"] = "uid-web-1",
            ["__meta_kubernetes_pod_label_app"] = "web",
            ["__meta_kubernetes_pod_labelpresent_app"] = "true",
            ["__meta_kubernetes_pod_label_app_kubernetes_io_part_of"] = "store",
            ["__meta_kubernetes_pod_labelpresent_app_kubernetes_io_part_of"] = "true",
            ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"] = "true",
            ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] = "true",
            ["__meta_kubernetes_pod_controller_kind"] = "ReplicaSet",
            ["__meta_kubernetes_pod_controller_name"] = "web-7d9f",
            ["__meta_kubernetes_pod_phase"] = "Running",
            ["__meta_kubernetes_pod_host_ip"] = "192.0.2.10",
            ["__meta_kubernetes_pod_ready"] = "true",
            ["__meta_kubernetes_pod_ip"] = "10.0.0.5",
            ["__meta_kubernetes_pod_node_name"] = "node-a",
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key), group.Labels.OrderBy(kv => kv.Key));
        Assert.Equal(2, group.Targets.Count); // main:8080, and sidecar without ports (pod IP alone); init container without ports: none
        var main = group.Targets[0];
        Assert.Equal("10.0.0.5:8080", main["__address__"]);
        Assert.Equal(("main", "metrics", "8080", "TCP", "false", "containerd://abc", "example/web:1"), (
            main["__meta_kubernetes_pod_container_name"], main["__meta_kubernetes_pod_container_port_name"],
            main["__meta_kubernetes_pod_container_port_number"], main["__meta_kubernetes_pod_container_port_protocol"],
            main["__meta_kubernetes_pod_container_init"], main["__meta_kubernetes_pod_container_id"], main["__meta_kubernetes_pod_container_image"]));
        Assert.Equal("10.0.0.5", group.Targets[1]["__address__"]);
    }

    [Fact]
    public async Task Pods_are_discovered_by_list_and_watch_with_in_cluster_token_and_ca_and_relabeled_into_targets()
    {
        await using var web1 = await TestHttpServer.StartAsync();
        await using var web2 = await TestHttpServer.StartAsync();
        web1.Serve("# TYPE hits_total counter\nhits_total 1\n");
        web2.Serve("# TYPE hits_total counter\nhits_total 2\n");
        await using var api = await FakeApiServer.StartAsync();
        api.Pods.Add(FakeApiServer.Pod("web-1", web1.Port, "web", scrape: true));
        api.Pods.Add(FakeApiServer.Pod("db-1", 5432, "db", scrape: false));

        await using var harness = await PromReceiverHarness.StartAsync(akka, """
            config.scrape_configs = [ {
              job_name = kubernetes-pods
              scrape_interval = 1s
              kubernetes_sd_configs = [ {
                role = pod
                namespaces { names = ["shop"] }
                selectors = [ { role = pod, label = "tier=backend" } ]
              } ]
              relabel_configs = [
                { source_labels = [__meta_kubernetes_pod_annotation_prometheus_io_scrape], regex = "true", action = keep }
                { source_labels = [__meta_kubernetes_pod_container_port_name], regex = metrics, action = keep }
                { source_labels = [__meta_kubernetes_pod_label_app], target_label = app }
                { source_labels = [__meta_kubernetes_namespace], target_label = namespace }
                { source_labels = [__meta_kubernetes_pod_name], target_label = pod }
                { source_labels = [__address__], regex = "[^:]+:(\\d+)", target_label = __address__, replacement = "127.0.0.1:$1" }
              ]
            } ]
            """, kubernetes: api.Environment);

        var first = await harness.WaitForAsync(r => PromData.MetricOrNull(r, "hits_total") is not null, what: "web-1 scraped");
        var attrs = PromData.Attributes(PromData.Point(first, "hits_total").Attributes);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web", ["namespace"] = "shop", ["pod"] = "web-1" }, attrs);
        var target = Assert.Single(harness.Receiver.ActiveTargets);
        Assert.DoesNotContain(target.Labels, l => l.Key.StartsWith("__", StringComparison.Ordinal));
        Assert.Contains(api.Paths, p => p.StartsWith("/api/v1/namespaces/shop/pods?", StringComparison.Ordinal) && p.Contains("labelSelector=tier%3Dbackend", StringComparison.Ordinal));
        await Wait.UntilAsync(() => Volatile.Read(ref api.Watches) >= 1, TimeSpan.FromSeconds(10), "the watch");
        Assert.Contains(api.Paths, p => p.Contains("watch=1", StringComparison.Ordinal) && p.Contains("resourceVersion=100", StringComparison.Ordinal));

        var web2Pod = FakeApiServer.Pod("web-2", web2.Port, "web", scrape: true, ip: "10.0.0.6");
        api.Push("ADDED", web2Pod);
        await harness.WaitForAsync(r => PromData.MetricOrNull(r, "hits_total") is { } m && m.Sum.DataPoints[0].AsDouble == 2, what: "web-2 scraped after ADDED");
        Assert.Equal(2, harness.Receiver.ActiveTargets.Count);
        Assert.DoesNotContain(harness.Requests, r => PromData.Metrics(r).Any(m => m.Name == "hits_total" && m.Sum.DataPoints.Any(p => p.Flags != 0)));

        api.Push("DELETED", FakeApiServer.Pod("web-1", web1.Port, "web", scrape: true));
        var stale = await harness.WaitForAsync(
            r => PromData.MetricOrNull(r, "hits_total") is { } m && m.Sum.DataPoints[0].Flags == (uint)DataPointFlags.NoRecordedValueMask,
            what: "web-1 staleness after DELETED");
        Assert.Equal("web-1", PromData.Attributes(PromData.Point(stale, "hits_total").Attributes)["pod"]);
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(stale, "up").Flags);
        Assert.Equal(["web-2"], harness.Receiver.ActiveTargets.Select(t => t.Labels.Single(l => l.Key == "pod").Value));
    }

    [Fact]
    public async Task Own_namespace_and_api_server_settings_are_honoured_and_a_wrong_token_is_retried_not_fatal()
    {
        await using var api = await FakeApiServer.StartAsync();
        api.Pods.Add(FakeApiServer.Pod("web-1", 9, "web", scrape: true));
        var badToken = Path.Combine(api.ServiceAccountDir, "bad-token");
        await File.WriteAllTextAsync(badToken, "nope", TestContext.Current.CancellationToken);
        var caFile = Path.Combine(api.ServiceAccountDir, "ca.crt");

        await using var harness = await PromReceiverHarness.StartAsync(akka, $$"""
            config.scrape_configs = [ {
              job_name = explicit
              scrape_interval = 1h
              kubernetes_sd_configs = [ {
                role = pod
                api_server = "https://127.0.0.1:{{api.Server.Port}}"
                namespaces { own_namespace = true }
                bearer_token_file = "{{badToken}}"
                tls_config { ca_file = "{{caFile}}" }
              } ]
            } ]
            """, kubernetes: api.Environment);

        await Wait.UntilAsync(() => api.Paths.Count(p => p.StartsWith("/api/v1/namespaces/shop/pods", StringComparison.Ordinal)) >= 2,
            TimeSpan.FromSeconds(15), "two list attempts on the own namespace");
        Assert.Empty(harness.Receiver.ActiveTargets); // 401: nothing discovered, nothing crashed

        await File.WriteAllTextAsync(badToken, FakeApiServer.Token, TestContext.Current.CancellationToken); // token rotated: re-read per request
        await Wait.UntilAsync(() => harness.Receiver.ActiveTargets.Count == 2, TimeSpan.FromSeconds(30), "targets after the token was fixed");
    }

    [Fact]
    public async Task In_cluster_discovery_without_the_service_environment_fails_at_start()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PromReceiverHarness.StartAsync(akka, """
            config.scrape_configs = [ { job_name = k, kubernetes_sd_configs = [ { role = pod } ] } ]
            """));

        Assert.Contains("KUBERNETES_SERVICE_HOST", e.Message, StringComparison.Ordinal);
    }
}
