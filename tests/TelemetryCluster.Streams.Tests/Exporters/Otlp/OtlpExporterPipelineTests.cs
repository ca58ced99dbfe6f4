using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Otlp;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Otlp;

/// <summary>
/// A node from config (otlp receiver → batch → otlp exporter) forwarding to a second OTLP receiver (the "downstream
/// node"): every item sent upstream arrives downstream, unchanged.
/// </summary>
public sealed class OtlpExporterPipelineTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(int downstreamPort, string delivery = "accepted", string exporterType = "otlp") => $$"""
        receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:0"
        processors { batch { send_batch_size = 40, timeout = 20ms } }
        exporters {
          {{exporterType}} {
            endpoint = "127.0.0.1:{{downstreamPort}}"
            tls { insecure = true }
            headers { x-forwarded-by = "node-a" }
            retry_on_failure { initial_interval = 50ms, max_interval = 200ms }
          }
        }
        service.pipelines {
          metrics { receivers = [otlp], processors = [batch], exporters = [{{exporterType}}] }
          logs { receivers = [otlp], processors = [batch], exporters = [{{exporterType}}] }
          traces { receivers = [otlp], processors = [batch], exporters = [{{exporterType}}] }
        }
        cluster { delivery = {{delivery}} }
        """;

    [Fact]
    public async Task Items_sent_upstream_equal_items_received_downstream()
    {
        await using var downstream = await OtlpReceiverHarness.StartAsync(akka, new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { IncludeMetadata = true } });
        await using var node = await UpstreamNode.StartAsync(akka, Config(downstream.Receiver.GrpcPort!.Value));
        var sent = new List<IMessage>();

        for (var i = 0; i < 25; i++)
        {
            var metrics = OtlpRequests.Metrics(1 + (i % 7));
            var logs = OtlpRequests.Logs(1 + (i % 5));
            var traces = OtlpRequests.Traces(1 + (i % 3));
            await new MetricsService.MetricsServiceClient(node.Channel).ExportAsync(metrics, cancellationToken: Ct);
            await new LogsService.LogsServiceClient(node.Channel).ExportAsync(logs, cancellationToken: Ct);
            await new TraceService.TraceServiceClient(node.Channel).ExportAsync(traces, cancellationToken: Ct);
            sent.AddRange([metrics, logs, traces]);
        }

        var expected = Items(sent);
        await WaitUntilAsync(() => downstream.Accepted(Signal.Metrics) == expected[Signal.Metrics].Count
            && downstream.Accepted(Signal.Logs) == expected[Signal.Logs].Count
            && downstream.Accepted(Signal.Traces) == expected[Signal.Traces].Count);
        await Task.Delay(200, Ct); // nothing more may arrive (no duplicates)
        await node.Host.StopAsync(Ct);

        var received = Items(downstream.Consumer.Batches.Select(b => b.Payload));
        foreach (var signal in new[] { Signal.Metrics, Signal.Logs, Signal.Traces })
        {
            Assert.Equal(expected[signal].Count, downstream.Accepted(signal));
            Assert.Equal(expected[signal].Count, node.Telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("otlp"), signal, Outcomes.Sent));
            Assert.Equal(expected[signal].Order(StringComparer.Ordinal), received[signal].Order(StringComparer.Ordinal));
        }

        Assert.True(downstream.Consumer.Calls < 75, $"the batch processor should merge requests ({downstream.Consumer.Calls} downstream calls)");
        Assert.All(downstream.Consumer.Batches, b => Assert.Equal(["node-a"], b.Metadata.Get("x-forwarded-by")));
        Assert.Contains(node.Spec.Warnings, w => w.Contains("\"otlp\" is deprecated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Downstream_refusals_are_retried_until_everything_is_delivered()
    {
        var consumer = new FakeConsumer
        {
            FirstOutcomes = [AckOutcome.Refuse("busy", TimeSpan.FromMilliseconds(100)), AckOutcome.Refuse("busy", TimeSpan.FromMilliseconds(100))],
        };
        await using var downstream = await OtlpReceiverHarness.StartAsync(akka, new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc }, consumer);
        await using var node = await UpstreamNode.StartAsync(akka, Config(downstream.Receiver.GrpcPort!.Value, exporterType: "otlp_grpc"));
        var client = new LogsService.LogsServiceClient(node.Channel);

        for (var i = 0; i < 10; i++)
        {
            await client.ExportAsync(OtlpRequests.Logs(3), cancellationToken: Ct);
        }

        await WaitUntilAsync(() => downstream.Accepted(Signal.Logs) == 30);
        await node.Host.StopAsync(Ct);

        Assert.Equal(30, downstream.Accepted(Signal.Logs));
        Assert.True(downstream.Refused(Signal.Logs) > 0);
        Assert.Equal(30, node.Telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("otlp_grpc"), Signal.Logs, Outcomes.Sent));
        Assert.Empty(node.Spec.Warnings);
    }

    [Fact]
    public async Task Delivery_exported_answers_the_client_after_the_downstream_node_has_the_data()
    {
        await using var downstream = await OtlpReceiverHarness.StartAsync(akka, new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc });
        await using var node = await UpstreamNode.StartAsync(akka, Config(downstream.Receiver.GrpcPort!.Value, delivery: "exported"));
        var client = new TraceService.TraceServiceClient(node.Channel);

        await client.ExportAsync(OtlpRequests.Traces(4), cancellationToken: Ct);
        Assert.Equal(4, downstream.Accepted(Signal.Traces));

        downstream.Consumer.Outcome = AckOutcome.Fail("schema violation");
        var e = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(OtlpRequests.Traces(2), cancellationToken: Ct).ResponseAsync);
        await node.Host.StopAsync(Ct);

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal(4, downstream.Accepted(Signal.Traces));
    }

    /// <summary>Items as comparable strings: the serialized data point, log record or span.</summary>
    private static Dictionary<Signal, List<string>> Items(IEnumerable<IMessage> requests)
    {
        var items = new Dictionary<Signal, List<string>> { [Signal.Metrics] = [], [Signal.Logs] = [], [Signal.Traces] = [] };
        foreach (var request in requests)
        {
            switch (request)
            {
                case ExportMetricsServiceRequest m:
                    items[Signal.Metrics].AddRange(m.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)
                        .SelectMany(x => x.Gauge.DataPoints.Select(p => x.Name + ":" + p.ToByteString().ToBase64())));
                    break;
                case ExportLogsServiceRequest l:
                    items[Signal.Logs].AddRange(l.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).Select(r => r.ToByteString().ToBase64()));
                    break;
                case ExportTraceServiceRequest t:
                    items[Signal.Traces].AddRange(t.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans).Select(s => s.ToByteString().ToBase64()));
                    break;
            }
        }

        return items;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "condition not met within 20 s");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>A pipeline host from config text, with a gRPC channel to its OTLP receiver.</summary>
    private sealed class UpstreamNode : IAsyncDisposable
    {
        private UpstreamNode(PipelineSpec spec, PipelineHost host, EngineTelemetry telemetry, GrpcChannel channel)
        {
            Spec = spec;
            Host = host;
            Telemetry = telemetry;
            Channel = channel;
        }

        public PipelineSpec Spec { get; }

        public PipelineHost Host { get; }

        public EngineTelemetry Telemetry { get; }

        public GrpcChannel Channel { get; }

        public static async Task<UpstreamNode> StartAsync(OtlpAkkaFixture akka, string config)
        {
            var spec = ConfigLoader.LoadText(config, ComponentRegistry.Builtin());
            var telemetry = new EngineTelemetry();
            var status = new ComponentStatusRegistry(TimeProvider.System);
            var host = new PipelineHost(spec, new PipelineHostContext(akka.System, akka.Materializer, NullLoggerFactory.Instance, TimeProvider.System, status, telemetry));
            await host.StartAsync(Ct);
            var receiver = (OtlpReceiver)host.Receivers.Values.Single();
            return new UpstreamNode(spec, host, telemetry, GrpcChannel.ForAddress($"http://127.0.0.1:{receiver.GrpcPort}"));
        }

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await Host.DisposeAsync();
            Telemetry.Dispose();
        }
    }
}
