using System.Net;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Process;

/// <summary>The node's own telemetry (:8888 by default) as a real process, set with both of the collector's forms.</summary>
public sealed class SelfMetricsProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("address")]
    [InlineData("readers")]
    public async Task Own_metrics_count_what_the_otlp_receiver_accepted_and_the_debug_exporter_sent(string form)
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = FreePorts.Take(5);
        var (grpc, http, health, remoting, self) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
        var extra = Path.Combine(Path.GetTempPath(), $"self-metrics-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(extra, form == "address"
            ? $$"""service.telemetry.metrics.address = "127.0.0.1:{{self}}" """
            : $$"""service.telemetry.metrics.readers = [{ pull { exporter { prometheus { host = "127.0.0.1", port = {{self}} } } } }]""", ct);
        try
        {
            using var node = NodeProcess.StartNode(
            [
                "--config", TestFiles.ApplicationConf,
                "--config", extra,
                "--set", $"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:{grpc}",
                "--set", $"receivers::otlp::protocols::http::endpoint=127.0.0.1:{http}",
                "--set", $"extensions::health_check::endpoint=127.0.0.1:{health}",
                "--set", $"cluster::port={remoting}",
            ]);

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
            var metrics = new MetricsService.MetricsServiceClient(channel);
            await NodeWaits.UntilAsync(node, async () => (await NodeWaits.TryGetAsync(client, $"http://127.0.0.1:{health}/")).Status == HttpStatusCode.OK, "health 200", ct);

            await metrics.ExportAsync(Otlp.Metrics(10, service: "alpha"), cancellationToken: ct);
            await metrics.ExportAsync(Otlp.Metrics(10, service: "beta"), cancellationToken: ct);

            var body = string.Empty;
            await NodeWaits.UntilAsync(node,
                async () =>
                {
                    body = (await NodeWaits.TryGetAsync(client, $"http://127.0.0.1:{self}/metrics")).Body;
                    return body.Contains("otelcol_exporter_sent_metric_points_total{exporter=\"debug\"} 20\n", StringComparison.Ordinal);
                },
                "the debug exporter's 20 points on the own-telemetry endpoint",
                ct);

            Assert.Contains("otelcol_receiver_accepted_metric_points_total{receiver=\"otlp\"} 20\n", body, StringComparison.Ordinal);
            Assert.Contains("# TYPE otelcol_processor_batch_batch_send_size histogram\n", body, StringComparison.Ordinal);
            Assert.Contains("otelcol_exporter_queue_capacity{exporter=\"debug\"}", body, StringComparison.Ordinal);
            Assert.Contains("# TYPE otelcol_process_memory_rss_bytes gauge\n", body, StringComparison.Ordinal);

            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(Timeout, ct));
        }
        finally
        {
            File.Delete(extra);
        }
    }
}
