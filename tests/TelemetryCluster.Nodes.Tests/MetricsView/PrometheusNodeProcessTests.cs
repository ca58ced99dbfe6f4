using System.Net;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.MetricsView;

/// <summary>The node as a real process: OTLP metrics in over gRPC, the prometheus exporter's /metrics out.</summary>
public sealed class PrometheusNodeProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Otlp_metrics_sent_to_a_running_node_show_up_on_its_metrics_endpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var started = await LoopbackNode.StartAsync(prometheus =>
            $$"""
            exporters { prometheus { endpoint = "127.0.0.1:{{prometheus}}", namespace = node } }
            service.pipelines.metrics.exporters = [debug, prometheus]
            """, ct);
        var (node, client, metrics, prometheus) = (started.Process, started.Client, started.Metrics, started.ExtraPort);

        // Ten points of one gauge per service; the last (by timestamp) has the value 9.
        await metrics.ExportAsync(Otlp.Metrics(10, service: "alpha"), cancellationToken: ct);
        await metrics.ExportAsync(Otlp.Metrics(10, service: "beta"), cancellationToken: ct);

        var body = string.Empty;
        await NodeWaits.UntilAsync(node,
            async () =>
            {
                var (status, text, contentType) = await NodeWaits.TryGetAsync(client, $"http://127.0.0.1:{prometheus}/metrics");
                body = text;
                return status == HttpStatusCode.OK && contentType == "text/plain; version=0.0.4; charset=utf-8"
                    && text.Contains("node_test_gauge_ratio{job=\"alpha\"", StringComparison.Ordinal)
                    && text.Contains("node_test_gauge_ratio{job=\"beta\"", StringComparison.Ordinal);
            },
            "both services on /metrics",
            ct);

        var samples = body.Split('\n').Where(l => l.StartsWith("node_test_gauge_ratio{", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, samples.Count);
        Assert.All(samples, s => Assert.EndsWith("} 9", s, StringComparison.Ordinal));
        Assert.Contains("# TYPE node_test_gauge_ratio gauge\n", body, StringComparison.Ordinal);

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(Timeout, ct));
    }
}
