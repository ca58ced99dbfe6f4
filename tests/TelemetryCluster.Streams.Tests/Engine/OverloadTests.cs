using System.Net;
using System.Net.Http.Headers;
using Akka.Streams;
using Akka.TestKit.Xunit;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Engine;

/// <summary>
/// The overload acceptance case end to end through the real OTLP receiver and the real batch processor: a blocked
/// exporter fills the bounded buffers, clients then get UNAVAILABLE + RetryInfo (gRPC) or 503 + Retry-After (HTTP),
/// and after unblocking every acknowledged item is exported — no more, no less.
/// </summary>
public sealed class OverloadTests : TestKit
{
    private const string Config = """
        receivers.otlp.protocols {
          grpc.endpoint = "127.0.0.1:0"
          http.endpoint = "127.0.0.1:0"
        }
        processors { batch { send_batch_size = 20, timeout = 10ms } }
        exporters { gate { } }
        service { pipelines { metrics { receivers = [otlp], processors = [batch], exporters = [gate] } } }
        cluster { pipeline-queue-size = 2, admission-timeout = 10ms, retry-after = 3s }
        """;

    [Fact]
    public async Task Blocked_exporter_leads_to_retryable_refusals_and_every_acknowledged_item_is_exported()
    {
        var gate = new GateExporterFactory();
        var registry = ComponentRegistry.Builtin().With([gate]);
        registry = new ComponentRegistry(registry.All, f => f is GateExporterFactory ? string.Empty : ComponentRegistry.EmbeddedDefaults(f));
        var spec = ConfigLoader.LoadText(Config, registry);
        using var telemetry = new EngineTelemetry();
        var status = new ComponentStatusRegistry(TimeProvider.System);
        await using var host = new PipelineHost(spec, new PipelineHostContext(Sys, Sys.Materializer(), NullLoggerFactory.Instance, TimeProvider.System, status, telemetry));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var exporter = gate.Created.Values.Single();
        exporter.Close();
        var receiver = (OtlpReceiver)host.Receivers.Values.Single();

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{receiver.GrpcPort}");
        var grpc = new MetricsService.MetricsServiceClient(channel);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{receiver.HttpPort}") };
        var request = Requests.Metrics(10);

        long acknowledged = 0;
        RpcException? grpcRefusal = null;
        for (var i = 0; i < 500 && grpcRefusal is null; i++)
        {
            try
            {
                await grpc.ExportAsync(request, cancellationToken: TestContext.Current.CancellationToken);
                acknowledged += 10;
            }
            catch (RpcException e)
            {
                grpcRefusal = e;
            }
        }

        Assert.NotNull(grpcRefusal);
        Assert.Equal(StatusCode.Unavailable, grpcRefusal.StatusCode);
        var retry = grpcRefusal.GetRpcStatus()!.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.Equal(3, retry.RetryDelay.Seconds);

        HttpResponseMessage? httpRefusal = null;
        for (var i = 0; i < 500 && httpRefusal is null; i++)
        {
            using var content = new ByteArrayContent(request.ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            var response = await http.PostAsync("/v1/metrics", content, TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                acknowledged += 10;
                response.Dispose();
            }
            else
            {
                httpRefusal = response;
            }
        }

        using (httpRefusal)
        {
            Assert.NotNull(httpRefusal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, httpRefusal.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), httpRefusal.Headers.RetryAfter?.Delta);
            var body = Google.Rpc.Status.Parser.ParseFrom(await httpRefusal.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
            Assert.Equal((int)Code.Unavailable, body.Code);
        }

        Assert.True(acknowledged > 0, "some requests must have been accepted before the buffers filled");
        Assert.Equal(0, exporter.Items);

        exporter.Open();
        await AwaitConditionAsync(() => Task.FromResult(exporter.Items == acknowledged), TimeSpan.FromSeconds(20));
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(acknowledged, exporter.Items);
        var otlp = ComponentId.Parse("otlp");
        Assert.Equal(acknowledged, telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("gate"), Signal.Metrics, Outcomes.Sent));
        Assert.Equal(acknowledged, telemetry.Total(ComponentKind.Receiver, otlp, Signal.Metrics, Outcomes.Accepted));
        Assert.True(telemetry.Total(ComponentKind.Receiver, otlp, Signal.Metrics, Outcomes.Refused) >= 20);
    }
}
