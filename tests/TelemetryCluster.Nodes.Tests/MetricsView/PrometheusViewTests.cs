using System.Net;
using Akka.Cluster;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Nodes.Tests.Management;
using TelemetryCluster.Streams.Exporters.Prometheus;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.MetricsView;

/// <summary>Two in-process nodes: every node's prometheus exporter serves the whole cluster's series, byte for byte.</summary>
public sealed class PrometheusViewTests
{
    private static string Config(int prometheusPort, string extra = "") => ManagementTestNode.Config($$"""
        exporters { prometheus { endpoint = "127.0.0.1:{{prometheusPort}}" } }
        service.pipelines.metrics.exporters = [record, prometheus]
        cluster.partitions = 8
        {{extra}}
        """);

    /// <summary>One gauge point per service: metrics are routed by resource, so services spread over partitions and nodes.</summary>
    private static ExportMetricsServiceRequest Request(int services, double value)
    {
        var request = new ExportMetricsServiceRequest();
        for (var i = 0; i < services; i++)
        {
            request.ResourceMetrics.Add(new ResourceMetrics
            {
                Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = $"svc-{i:D2}" } } } },
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Metrics =
                        {
                            new Metric
                            {
                                Name = "queue.depth",
                                Description = "Items waiting.",
                                Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = value + i, TimeUnixNano = 1_700_000_000_000_000_000UL } } },
                            },
                        },
                    },
                },
            });
        }

        return request;
    }

    [Fact]
    public async Task Every_node_serves_the_merged_series_of_the_whole_cluster()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = FreePorts.Take(2);
        await using var first = await ManagementTestNode.StartAsync(Config(ports[0]), ct);
        await ManagementTestNode.WaitUntilAsync(() => first.Cluster.SelfMember.Status == MemberStatus.Up, "node 1 Up", ct);
        var seed = first.Cluster.SelfAddress;
        await using var second = await ManagementTestNode.StartAsync(Config(ports[1], $"cluster.seed-nodes = [\"{seed.Host}:{seed.Port}\"]"), ct);
        await ManagementTestNode.WaitUntilAsync(() => first.UpMembers == 2 && second.UpMembers == 2, "two Up members", ct);

        // Partitions are spread over both nodes once sharding rebalanced; send until both nodes exported something.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        const int Services = 20;
        await ManagementTestNode.WaitUntilAsync(
            async () =>
            {
                var outcome = await first.Consumer.ConsumeAsync(TelemetryBatch.Create(Request(Services, 100), AckSet.Of(new Ack())), ct);
                return outcome.IsAccepted && first.Components.Exporter.Items > 0 && second.Components.Exporter.Items > 0;
            },
            "both nodes export part of the services",
            ct);

        string[] bodies = [];
        await ManagementTestNode.WaitUntilAsync(
            async () =>
            {
                bodies = await Task.WhenAll(ports.Select(p => GetAsync(http, p, ct)));
                return bodies.All(b => Count(b, "queue_depth{") == Services) && bodies[0] == bodies[1];
            },
            $"both nodes' /metrics list all {Services} services with the same bytes",
            ct);

        Assert.Contains("# HELP queue_depth Items waiting.\n# TYPE queue_depth gauge\n", bodies[0], StringComparison.Ordinal);
        for (var i = 0; i < Services; i++)
        {
            Assert.Contains($"queue_depth{{job=\"svc-{i:D2}\"}} {100 + i}\n", bodies[0], StringComparison.Ordinal);
        }

        // A change on either node reaches both views.
        Assert.True((await second.Consumer.ConsumeAsync(TelemetryBatch.Create(Request(Services, 500), AckSet.Of(new Ack())), ct)).IsAccepted);
        await ManagementTestNode.WaitUntilAsync(
            async () =>
            {
                bodies = await Task.WhenAll(ports.Select(p => GetAsync(http, p, ct)));
                return bodies.All(b => b.Contains("queue_depth{job=\"svc-00\"} 500\n", StringComparison.Ordinal) && b.Contains("queue_depth{job=\"svc-19\"} 519\n", StringComparison.Ordinal))
                    && bodies[0] == bodies[1];
            },
            "the new values in both views",
            ct);
        Assert.Equal(Services, Count(bodies[0], "queue_depth{"));

        // Nothing changes now: both nodes' refresh pushes (every 5 s) carry the versions the view holds, so the merged
        // view keeps its version and instance on both nodes, nothing more is shipped, and /metrics keeps its bytes.
        var hubs = new[] { first, second }.Select(n => (PrometheusViewHub)n.System.GetExtension<IPrometheusViewHub>()!).ToArray();
        var views = await Task.WhenAll(hubs.Select(h => h.GetMergedAsync("prometheus", ct)));
        var shipped = hubs.Select(h => h.FullViewsReceived).ToArray();
        await Task.Delay(PrometheusExporterRefresh + TimeSpan.FromSeconds(1.5), ct);
        var later = await Task.WhenAll(hubs.Select(h => h.GetMergedAsync("prometheus", ct)));
        var laterBodies = await Task.WhenAll(ports.Select(p => GetAsync(http, p, ct)));

        Assert.True(views[0].Version.IsKnown);
        Assert.Equal(views[0].Version, views[1].Version);
        Assert.Same(views[0], later[0]);
        Assert.Same(views[1], later[1]);
        Assert.Equal(shipped, hubs.Select(h => h.FullViewsReceived).ToArray());
        Assert.Equal(bodies, laterBodies);
    }

    private static readonly TimeSpan PrometheusExporterRefresh = TimeSpan.FromSeconds(5);

    private static async Task<string> GetAsync(HttpClient http, int port, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"), ct);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(ct) : string.Empty;
    }

    private static int Count(string text, string prefix) => text.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal));
}

/// <summary>The per-node size bound of published snapshots.</summary>
public sealed class PrometheusViewHubBoundTests
{
    [Fact]
    public void A_snapshot_over_the_limit_keeps_whole_families_in_order()
    {
        static Streams.Exporters.Prometheus.PrometheusFamily Family(string name, int series) => new(
            name,
            Streams.Exporters.Prometheus.PrometheusMetricType.Gauge,
            "h",
            string.Empty,
            [.. Enumerable.Range(0, series).Select(i => new Streams.Exporters.Prometheus.PrometheusSeries([new("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))], 1, i))]);

        var snapshot = new Streams.Exporters.Prometheus.PrometheusSnapshot([Family("a", 3), Family("b", 5), Family("c", 2)]);

        Assert.Same(snapshot, Nodes.MetricsView.PrometheusViewHub.Bound(snapshot, 10, out var none));
        Assert.Equal(0, none);
        var bounded = Nodes.MetricsView.PrometheusViewHub.Bound(snapshot, 6, out var cut);
        Assert.Equal(["a", "c"], bounded.Families.Select(f => f.Name));
        Assert.Equal(5, cut);
    }
}
