using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Engine.SelfMetrics;
using TelemetryCluster.Streams.Tests.Exporters.Prometheus;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Engine.SelfMetrics;

/// <summary>The own-telemetry endpoint (:8888): collector metric names, real HTTP, checked by the real promtool.</summary>
public sealed class SelfMetricsTests
{
    private static readonly ComponentId Otlp = ComponentId.Parse("otlp");
    private static readonly ComponentId Debug = ComponentId.Parse("debug");

    [Fact]
    public async Task Item_counters_instruments_and_process_metrics_are_served_with_collector_names_and_pass_promtool()
    {
        var ct = TestContext.Current.CancellationToken;
        using var telemetry = new EngineTelemetry();
        telemetry.Add(ComponentKind.Receiver, Otlp, Signal.Metrics, Outcomes.Accepted, 700);
        telemetry.Add(ComponentKind.Receiver, Otlp, Signal.Metrics, Outcomes.Refused, 70);
        telemetry.Add(ComponentKind.Receiver, Otlp, Signal.Logs, Outcomes.Accepted, 5);
        telemetry.Add(ComponentKind.Exporter, Debug, Signal.Metrics, Outcomes.Sent, 690);
        telemetry.Add(ComponentKind.Exporter, Debug, Signal.Traces, Outcomes.SendFailed, 3);
        telemetry.Add(ComponentKind.Exporter, Debug, Signal.Metrics, Outcomes.Dropped, 10, "permanent error");
        var sendSize = telemetry.Meter.CreateHistogram<long>(
            "otelcol_processor_batch_batch_send_size", description: "Items in a batch sent.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [10, 100, 1000] });
        var trigger = telemetry.Meter.CreateCounter<long>("otelcol_processor_batch_timeout_trigger_send", description: "Sends because of the timeout.");
        var collector = new SelfMetricsCollector(telemetry, TimeProvider.System, () => null);
        using var _ = collector;
        sendSize.Record(50, new KeyValuePair<string, object?>("processor", "batch"));
        sendSize.Record(5000, new KeyValuePair<string, object?>("processor", "batch"));
        trigger.Add(2, new KeyValuePair<string, object?>("processor", "batch"));

        await using var server = new SelfMetricsServer(collector, NullLoggerFactory.Instance);
        await server.StartAsync("127.0.0.1:0", ct);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/metrics"), ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var text = Encoding.UTF8.GetString(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var (rc, stdout, stderr) = await Promtool.RunAsync(["check", "metrics"], body, ct);
        Assert.True(rc == 0, $"promtool check metrics exited {rc}\n{stdout}\n{stderr}\n---\n{text}");

        Assert.Contains("otelcol_receiver_accepted_metric_points_total{receiver=\"otlp\"} 700\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_receiver_refused_metric_points_total{receiver=\"otlp\"} 70\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_receiver_accepted_log_records_total{receiver=\"otlp\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_exporter_sent_metric_points_total{exporter=\"debug\"} 690\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_exporter_send_failed_spans_total{exporter=\"debug\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_dropped_metric_points_total{exporter=\"debug\",reason=\"permanent error\"} 10\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE otelcol_processor_batch_batch_send_size histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_processor_batch_batch_send_size_bucket{processor=\"batch\",le=\"100\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_processor_batch_batch_send_size_bucket{processor=\"batch\",le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_processor_batch_batch_send_size_sum{processor=\"batch\"} 5050\n", text, StringComparison.Ordinal);
        Assert.Contains("otelcol_processor_batch_timeout_trigger_send_total{processor=\"batch\"} 2\n", text, StringComparison.Ordinal);
        foreach (var family in new[] { "otelcol_process_uptime_seconds_total", "otelcol_process_cpu_seconds_total", "otelcol_process_memory_rss_bytes", "otelcol_process_runtime_heap_alloc_bytes" })
        {
            Assert.Contains($"# TYPE {family} ", text, StringComparison.Ordinal);
        }

        using var missing = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/other"), ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_malformed_address_is_an_error_that_names_the_setting()
    {
        using var telemetry = new EngineTelemetry();
        using var collector = new SelfMetricsCollector(telemetry, TimeProvider.System, () => null);
        await using var server = new SelfMetricsServer(collector, NullLoggerFactory.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync("no-port", TestContext.Current.CancellationToken));
        Assert.Contains("service.telemetry.metrics.address", error.Message, StringComparison.Ordinal);
    }
}
