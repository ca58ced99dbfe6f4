using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.ClusterTests.Support;
using TelemetryCluster.Testing;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 4: three nodes, each with the prometheus exporter on its own port, scraped every second by a real Prometheus
/// server (Debian <c>prometheus</c> 2.42): every target is up without errors, every node serves the whole cluster's
/// series (the same count from each), and the values Prometheus stored are the values the OTLP client sent.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int Services = 24;

    [Fact]
    public async Task A_real_prometheus_scrapes_every_node_and_sees_the_whole_cluster_from_each()
    {
        var ct = TestContext.Current.CancellationToken;
        var prometheusBinary = Which("prometheus")
            ?? throw new InvalidOperationException("the prometheus server is not installed: run `sudo apt-get install -y --no-install-recommends prometheus`");
        var ports = FreePorts.Take(4);
        var exporterPorts = ports[..3];
        var options = new ClusterOptions
        {
            Nodes = 3,
            ExtraHocon = "service.pipelines.metrics.exporters = [otlp_grpc, prometheus]",
            NodeHocon = i => $"exporters.prometheus.endpoint = \"127.0.0.1:{exporterPorts[i - 1].ToString(CultureInfo.InvariantCulture)}\"",
        };

        await using var cluster = await TestCluster.StartAsync(options, output, ct);
        await cluster.RunAsync(async () =>
        {
            // Services spread over partitions, partitions over nodes: every node ends up exporting some of them.
            using var channel = GrpcChannel.ForAddress(cluster[1].OtlpGrpc);
            var client = new MetricsService.MetricsServiceClient(channel);
            await client.ExportAsync(Request(), cancellationToken: ct);
            await Wait.UntilAsync(() => cluster.Nodes.Sum(n => n.Sink.Items) == Services, Timeout, () => $"{Services} points exported over the nodes' sinks: {string.Join(", ", cluster.Nodes.Select(n => $"{n.Name} {n.Sink.Items}"))}", ct);
            var exporting = cluster.Nodes.Count(n => n.Sink.Items > 0);
            cluster.Log($"points per node: {string.Join(", ", cluster.Nodes.Select(n => $"{n.Name} {n.Sink.Items}"))}");
            Assert.True(exporting >= 2, "the services should be spread over at least two nodes' partitions");

            var directory = Directory.CreateTempSubdirectory("prometheus-scrape-");
            try
            {
                var config = Path.Combine(directory.FullName, "prometheus.yml");
                await File.WriteAllTextAsync(config, $"""
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: telemetry-cluster
                        static_configs:
                          - targets: [{string.Join(", ", exporterPorts.Select(p => $"'127.0.0.1:{p}'"))}]
                    """, ct);
                var web = $"127.0.0.1:{ports[3]}";
                await using var prometheus = NodeProcess.Start(prometheusBinary,
                [
                    $"--config.file={config}",
                    $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
                    $"--web.listen-address={web}",
                ]);
                using var http = new HttpClient { BaseAddress = new Uri($"http://{web}"), Timeout = TimeSpan.FromSeconds(5) };

                // Every target up, no scrape error (Prometheus scrapes the first time a few seconds after start).
                JsonElement targets = default;
                await Wait.UntilAsync(
                    async () =>
                    {
                        targets = await GetDataAsync(http, "/api/v1/targets", ct);
                        var active = targets.ValueKind == JsonValueKind.Object ? targets.GetProperty("activeTargets").EnumerateArray().ToList() : [];
                        return active.Count == 3 && active.All(t => t.GetProperty("health").GetString() == "up" && t.GetProperty("lastError").GetString() == string.Empty);
                    },
                    Timeout,
                    () => $"3 targets up without errors; last answer: {targets}\n{prometheus.Describe()}",
                    ct);

                // Every node serves every service, with the value the client sent.
                JsonElement result = default;
                await Wait.UntilAsync(
                    async () =>
                    {
                        result = await GetDataAsync(http, "/api/v1/query?query=" + Uri.EscapeDataString("cluster_test_value"), ct);
                        return result.ValueKind == JsonValueKind.Object && result.GetProperty("result").GetArrayLength() == 3 * Services;
                    },
                    Timeout,
                    () => $"{3 * Services} series (every service from every node); last answer: {result}",
                    ct);

                var samples = result.GetProperty("result").EnumerateArray()
                    .Select(s => (
                        Instance: s.GetProperty("metric").GetProperty("instance").GetString()!,
                        Service: s.GetProperty("metric").GetProperty("exported_job").GetString()!,
                        Value: double.Parse(s.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
                    .ToList();
                foreach (var port in exporterPorts)
                {
                    var fromNode = samples.Where(s => s.Instance == $"127.0.0.1:{port}").OrderBy(s => s.Service, StringComparer.Ordinal).ToList();
                    Assert.Equal(Services, fromNode.Count);
                    for (var i = 0; i < Services; i++)
                    {
                        Assert.Equal($"svc-{i:D2}", fromNode[i].Service);
                        Assert.Equal(Value(i), fromNode[i].Value);
                    }
                }

                // The same number of samples scraped from every node.
                JsonElement scraped = default;
                await Wait.UntilAsync(
                    async () =>
                    {
                        scraped = await GetDataAsync(http, "/api/v1/query?query=" + Uri.EscapeDataString("scrape_samples_scraped"), ct);
                        var counts = scraped.ValueKind == JsonValueKind.Object
                            ? scraped.GetProperty("result").EnumerateArray().Select(s => s.GetProperty("value")[1].GetString()).ToList()
                            : [];
                        return counts.Count == 3 && counts.Distinct().Count() == 1;
                    },
                    Timeout,
                    () => $"equal scrape_samples_scraped from every node; last answer: {scraped}",
                    ct);
                cluster.Result($"RESULT prometheus scrape: 3 targets up, {Services} services on every node, scrape_samples_scraped {scraped.GetProperty("result")[0].GetProperty("value")[1].GetString()} from each");

                // Every node's /metrics: the same bytes.
                using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                var bodies = await Task.WhenAll(exporterPorts.Select(p => direct.GetStringAsync(new Uri($"http://127.0.0.1:{p}/metrics"), ct)));
                Assert.Equal(bodies[0], bodies[1]);
                Assert.Equal(bodies[0], bodies[2]);

                prometheus.Terminate();
                await prometheus.WaitForExitAsync(TimeSpan.FromSeconds(30), ct);
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        });
    }

    private static double Value(int service) => (service * 10) + 0.5;

    private static ExportMetricsServiceRequest Request()
    {
        var request = new ExportMetricsServiceRequest();
        for (var i = 0; i < Services; i++)
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
                                Name = "cluster.test.value",
                                Description = "A value per service.",
                                Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = Value(i), TimeUnixNano = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL } } },
                            },
                        },
                    },
                },
            });
        }

        return request;
    }

    private static async Task<JsonElement> GetDataAsync(HttpClient http, string path, CancellationToken ct)
    {
        try
        {
            var body = await http.GetFromJsonAsync<JsonElement>(path, ct);
            return body.TryGetProperty("data", out var data) ? data : default;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return default;
        }
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
