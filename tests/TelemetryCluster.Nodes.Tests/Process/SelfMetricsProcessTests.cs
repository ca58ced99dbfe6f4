using System.Net;
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
        await using var started = await LoopbackNode.StartAsync(self =>
            form == "address"
            ? $$"""service.telemetry.metrics.address = "127.0.0.1:{{self}}" """
            : $$"""service.telemetry.metrics.readers = [{ pull { exporter { prometheus { host = "127.0.0.1", port = {{self}} } } } }]""", ct);
        var (node, client, metrics, self) = (started.Process, started.Client, started.Metrics, started.ExtraPort);

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
}
