using System.Globalization;
using System.Net;
using System.Text.Json;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Query;

/// <summary>
/// The node as a real process: OTLP metrics in over gRPC, the Prometheus query API out on the prometheus exporter's
/// port (next to /metrics), read with HTTP and with the real promtool.
/// </summary>
public sealed class QueryNodeProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Otlp_metrics_sent_to_a_running_node_are_answered_by_the_query_api_on_the_exporter_port()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var started = await LoopbackNode.StartAsync(prometheus =>
            $$"""
            exporters { prometheus { endpoint = "127.0.0.1:{{prometheus}}", namespace = node } }
            service.pipelines.metrics.exporters = [debug, prometheus]
            """, ct);
        var (node, client, metrics, prometheus) = (started.Process, started.Client, started.Metrics, started.ExtraPort);

        // Ten points of one gauge per service, ending a little before `at` (whole seconds); the last has the value 9.
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        var startNanos = (at - 3) * 1_000_000_000L;
        await metrics.ExportAsync(Otlp.Metrics(10, service: "alpha", startNanos: startNanos), cancellationToken: ct);
        await metrics.ExportAsync(Otlp.Metrics(10, service: "beta", startNanos: startNanos), cancellationToken: ct);

        var api = $"http://127.0.0.1:{prometheus}/api/v1";
        var body = string.Empty;
        await NodeWaits.UntilAsync(node,
            async () =>
            {
                var (status, text, _) = await NodeWaits.TryGetAsync(client, $"{api}/query?query=sum(node_test_gauge_ratio)&time={at}");
                body = text;
                return status == HttpStatusCode.OK && text.Contains("\"18\"", StringComparison.Ordinal);
            },
            "sum(node_test_gauge_ratio) = 18 on the query API",
            ct);
        Assert.Equal($$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[{{{at}}},"18"]}]}}""", body);

        // One series per service, each with its own labels and the last value.
        var (_, perService, contentType) = await NodeWaits.TryGetAsync(client, $"{api}/query?query=node_test_gauge_ratio&time={at}");
        Assert.Equal("application/json", contentType?.Split(';')[0]);
        using (var doc = JsonDocument.Parse(perService))
        {
            var result = doc.RootElement.GetProperty("data").GetProperty("result");
            Assert.Equal("alpha,beta", string.Join(",", result.EnumerateArray().Select(r => r.GetProperty("metric").GetProperty("job").GetString()).Order(StringComparer.Ordinal)));
            Assert.All(result.EnumerateArray(), r =>
            {
                Assert.Equal("node_test_gauge_ratio", r.GetProperty("metric").GetProperty("__name__").GetString());
                Assert.Equal("9", r.GetProperty("value")[1].GetString());
            });
        }

        // query_range: every step at or after the points (within the 5m lookback) sees 18.
        var (rangeStatus, range, _) = await NodeWaits.TryGetAsync(client, $"{api}/query_range?query=sum(node_test_gauge_ratio)&start={at - 2}&end={at + 30}&step=15");
        Assert.Equal(HttpStatusCode.OK, rangeStatus);
        Assert.Equal(
            $$$"""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[{{{at - 2}}},"18"],[{{{at + 13}}},"18"],[{{{at + 28}}},"18"]]}]}}""",
            range);

        var (_, series, _) = await NodeWaits.TryGetAsync(client, $"{api}/series?match[]=node_test_gauge_ratio&start={at - 60}&end={at + 60}");
        using (var doc = JsonDocument.Parse(series))
        {
            Assert.Equal("success", doc.RootElement.GetProperty("status").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("data").GetArrayLength());
        }

        var (_, labels, _) = await NodeWaits.TryGetAsync(client, $"{api}/labels");
        using (var doc = JsonDocument.Parse(labels))
        {
            var names = doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("__name__", names);
            Assert.Contains("job", names);
        }

        var (_, values, _) = await NodeWaits.TryGetAsync(client, $"{api}/label/job/values");
        Assert.Contains("\"alpha\"", values, StringComparison.Ordinal);

        // /metrics still answers, anything else is 404.
        Assert.Equal(HttpStatusCode.OK, (await NodeWaits.TryGetAsync(client, $"http://127.0.0.1:{prometheus}/metrics")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await NodeWaits.TryGetAsync(client, $"http://127.0.0.1:{prometheus}/nothing")).Status);

        // The real promtool reads the same answer.
        var (exit, stdout, stderr) = await Promtool.RunAsync(
            ["query", "instant", "--time", at.ToString(CultureInfo.InvariantCulture), $"http://127.0.0.1:{prometheus}", "sum(node_test_gauge_ratio)"], ct);
        Assert.True(exit == 0, $"promtool failed ({exit}): {stderr}");
        Assert.StartsWith("{} => 18 @[", stdout, StringComparison.Ordinal);

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(Timeout, ct));
    }
}
