using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Process;

/// <summary>The node as a real process: default config, OTLP over gRPC, debug exporter output, SIGTERM drain.</summary>
public sealed partial class NodeProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Node_exports_OTLP_through_the_debug_exporter_and_drains_on_SIGTERM()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = FreePorts.Take(4);
        var (grpc, http, health, remoting) = (ports[0], ports[1], ports[2], ports[3]);
        using var node = NodeProcess.StartNode(
        [
            "--config", TestFiles.ApplicationConf,
            "--set", $"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:{grpc}",
            "--set", $"receivers::otlp::protocols::http::endpoint=127.0.0.1:{http}",
            "--set", $"extensions::health_check::endpoint=127.0.0.1:{health}",
            "--set", $"cluster::port={remoting}",
            // Long enough that the second round is still inside the batcher when SIGTERM arrives.
            "--set", "processors::batch::timeout=5s",
            "--set", "exporters::debug::sampling_thereafter=1",
        ]);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitForHealthAsync(client, node, health, ct);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
        var metrics = new MetricsService.MetricsServiceClient(channel);
        var logs = new LogsService.LogsServiceClient(channel);
        var traces = new TraceService.TraceServiceClient(channel);

        // Round 1: one request per signal; the batch timeout sends them out while the node runs.
        await metrics.ExportAsync(Otlp.Metrics(10), cancellationToken: ct);
        await logs.ExportAsync(Otlp.Logs(5), cancellationToken: ct);
        await traces.ExportAsync(Otlp.Traces(3), cancellationToken: ct);
        await WaitForCountsAsync(node, new Counts(10, 5, 3), ct);

        // Round 2: acknowledged (queued) but not yet exported when SIGTERM arrives.
        var round2 = new List<Task>();
        for (var i = 0; i < 10; i++)
        {
            round2.Add(metrics.ExportAsync(Otlp.Metrics(7, service: $"svc-{i}"), cancellationToken: ct).ResponseAsync);
            round2.Add(logs.ExportAsync(Otlp.Logs(4), cancellationToken: ct).ResponseAsync);
            round2.Add(traces.ExportAsync(Otlp.Traces(2), cancellationToken: ct).ResponseAsync);
        }

        await Task.WhenAll(round2);
        var linesBeforeStop = node.Lines.Count;
        var acknowledged = new Counts(10 + 70, 5 + 40, 3 + 20);

        node.Terminate();
        var exitCode = await node.WaitForExitAsync(Timeout, ct);

        Assert.True(exitCode == 0, node.Describe());
        var lines = node.Lines.Select(l => l.Text).ToList();
        Assert.Equal(acknowledged, CountExported(lines));

        // The drain happened after the stop request, before the pipelines reported the end.
        var draining = lines.FindIndex(l => l.Contains("Draining:", StringComparison.Ordinal));
        var complete = lines.FindLastIndex(l => l.Contains("Shutdown complete", StringComparison.Ordinal));
        Assert.True(draining >= linesBeforeStop, node.Describe());
        Assert.True(complete > draining, node.Describe());
        Assert.Equal(acknowledged - new Counts(10, 5, 3), CountExported(lines.Skip(draining).Take(complete - draining)));
        TestContext.Current.TestOutputHelper?.WriteLine(node.Describe());
    }

    [Theory]
    [InlineData("otlp-grpc")]
    [InlineData("health-check")]
    [InlineData("remoting")]
    public async Task Node_exits_1_when_a_port_it_needs_is_taken(string taken)
    {
        var ct = TestContext.Current.CancellationToken;
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var busyPort = ((IPEndPoint)busy.LocalEndpoint).Port;
        var ports = FreePorts.Take(4);
        using var node = NodeProcess.StartNode(
        [
            "--config", TestFiles.ApplicationConf,
            "--set", $"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:{(taken == "otlp-grpc" ? busyPort : ports[0])}",
            "--set", $"receivers::otlp::protocols::http::endpoint=127.0.0.1:{ports[1]}",
            "--set", $"extensions::health_check::endpoint=127.0.0.1:{(taken == "health-check" ? busyPort : ports[2])}",
            "--set", $"cluster::port={(taken == "remoting" ? busyPort : ports[3])}",
        ]);

        var exitCode = await node.WaitForExitAsync(StartTimeout, ct);
        Assert.True(exitCode == 1, node.Describe());
        var failure = await node.WaitForLineAsync(l => l.Contains("The node failed to start:", StringComparison.Ordinal), Timeout, ct);
        Assert.Contains(busyPort.ToString(CultureInfo.InvariantCulture), failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_refuses_to_start_with_an_invalid_config()
    {
        var ct = TestContext.Current.CancellationToken;
        using var node = NodeProcess.StartNode(["--config", Path.Combine(TestFiles.BrokenConfigs, "unknown-key.conf")]);
        var exitCode = await node.WaitForExitAsync(Timeout, ct);
        Assert.True(exitCode == 1, node.Describe());
        Assert.Contains(node.Lines, l => l.Stream == OutputStream.Stderr && l.Text.Contains("processors.batch.send_batch_sise", StringComparison.Ordinal));
    }

    private static async Task WaitForHealthAsync(HttpClient client, NodeProcess node, int port, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(StartTimeout);
        while (true)
        {
            if (node.HasExited)
            {
                Assert.Fail($"the node exited before it was healthy.\n{node.Describe()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/"), deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                // request timeout; try again
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                Assert.Fail($"health_check did not answer 200 within {StartTimeout}.\n{node.Describe()}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"health_check did not answer 200 within {StartTimeout}.\n{node.Describe()}");
            }
        }
    }

    private static async Task WaitForCountsAsync(NodeProcess node, Counts expected, CancellationToken ct)
    {
        // Each debug line is one batch; wait until the lines add up (a request may arrive in more than one batch).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        while (CountExported(node.Lines.Select(l => l.Text)) != expected)
        {
            try
            {
                await node.WaitForLineAsync(IsDebugLine, Timeout, deadline.Token);
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"expected {expected} exported, saw {CountExported(node.Lines.Select(l => l.Text))}.\n{node.Describe()}");
            }
        }
    }

    private static bool IsDebugLine(string line) => DebugLine().IsMatch(line);

    /// <summary>Sums the debug exporter's basic lines (one per batch).</summary>
    private static Counts CountExported(IEnumerable<string> lines)
    {
        var counts = new Counts(0, 0, 0);
        foreach (var line in lines)
        {
            var match = DebugLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var n = long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            counts = match.Groups["kind"].Value switch
            {
                "data points" => counts with { DataPoints = counts.DataPoints + n },
                "log records" => counts with { LogRecords = counts.LogRecords + n },
                _ => counts with { Spans = counts.Spans + n },
            };
        }

        return counts;
    }

    [GeneratedRegex(@"(?:MetricsExporter|LogsExporter|TracesExporter) .*\b(?<kind>data points|log records|spans): (?<n>\d+)\s*$")]
    private static partial Regex DebugLine();

    private readonly record struct Counts(long DataPoints, long LogRecords, long Spans)
    {
        public static Counts operator -(Counts a, Counts b) => new(a.DataPoints - b.DataPoints, a.LogRecords - b.LogRecords, a.Spans - b.Spans);
    }
}
