using System.Globalization;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.ClusterTests.Support;
using TelemetryCluster.Testing;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 5: three nodes, each with the prometheus exporter on its own port; OTLP to node 1 only; the same PromQL
/// query asked of every node's :8889 query API gets the same answer, byte for byte, with the sum the client sent.
/// </summary>
public sealed class ClusterQueryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int Services = 24;

    [Fact]
    public async Task Every_node_answers_the_same_query_with_the_whole_clusters_data()
    {
        var ct = TestContext.Current.CancellationToken;
        var exporterPorts = FreePorts.Take(3);
        var options = new ClusterOptions
        {
            Nodes = 3,
            ExtraHocon = "service.pipelines.metrics.exporters = [otlp_grpc, prometheus]",
            NodeHocon = i => $"exporters.prometheus.endpoint = \"127.0.0.1:{exporterPorts[i - 1].ToString(CultureInfo.InvariantCulture)}\"",
        };

        await using var cluster = await TestCluster.StartAsync(options, output, ct);
        await cluster.RunAsync(async () =>
        {
            var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var at = (nowMs / 1000) + 2;
            using var channel = GrpcChannel.ForAddress(cluster[1].OtlpGrpc);
            var client = new MetricsService.MetricsServiceClient(channel);
            await client.ExportAsync(Request(nowMs), cancellationToken: ct);
            await Wait.UntilAsync(() => cluster.Nodes.Sum(n => n.Sink.Items) == Services, Timeout, () => $"{Services} points exported over the nodes' sinks", ct);
            cluster.Log($"points per node: {string.Join(", ", cluster.Nodes.Select(n => $"{n.Name} {n.Sink.Items}"))}");

            var expected = Enumerable.Range(0, Services).Sum(Value);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var sumQuery = $"/api/v1/query?query={Uri.EscapeDataString("sum(cluster_test_value)")}&time={at}";
            var wanted = $$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[{{{at}}},"{{{expected.ToString(CultureInfo.InvariantCulture)}}}"]}]}}""";
            var answers = new string[3];
            await Wait.UntilAsync(
                async () =>
                {
                    for (var i = 0; i < 3; i++)
                    {
                        answers[i] = await TryGetAsync(http, $"http://127.0.0.1:{exporterPorts[i]}{sumQuery}", ct);
                    }

                    return answers.All(a => a == wanted);
                },
                Timeout,
                () => $"every node answers {wanted}; last answers:\n{string.Join("\n", answers)}",
                ct);

            // The per-series answer too: the same bytes from every node.
            var seriesQuery = $"/api/v1/query?query=cluster_test_value&time={at}";
            var perSeries = await Task.WhenAll(exporterPorts.Select(p => TryGetAsync(http, $"http://127.0.0.1:{p}{seriesQuery}", ct)));
            Assert.Contains("svc-23", perSeries[0], StringComparison.Ordinal);
            Assert.Equal(perSeries[0], perSeries[1]);
            Assert.Equal(perSeries[0], perSeries[2]);
            cluster.Result($"RESULT cluster query: sum(cluster_test_value) = {expected} from each of 3 nodes' :8889, identical bytes");
        });
    }

    private static double Value(int service) => (service * 10) + 0.5;

    private static ExportMetricsServiceRequest Request(long nowMs)
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
                                Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = Value(i), TimeUnixNano = (ulong)nowMs * 1_000_000UL } } },
                            },
                        },
                    },
                },
            });
        }

        return request;
    }

    private static async Task<string> TryGetAsync(HttpClient http, string url, CancellationToken ct)
    {
        try
        {
            return await http.GetStringAsync(new Uri(url), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"({e.Message})";
        }
    }
}
