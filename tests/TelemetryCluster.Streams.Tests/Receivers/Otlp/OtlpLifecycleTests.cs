using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>Start, stop and logging of the receiver, and gRPC edge cases handled by the framework.</summary>
public sealed class OtlpLifecycleTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_lets_requests_in_flight_finish()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new FakeConsumer
        {
            Delay = async (_, token) =>
            {
                entered.TrySetResult();
                await release.Task.WaitAsync(token);
            },
        };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);
        var client = h.Http();
        var content = new ByteArrayContent(OtlpRequests.Logs(3).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        var inFlight = client.PostAsync("/v1/logs", content, Ct);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        using var stopDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stopping = h.Receiver.StopAsync(stopDeadline.Token);
        await Task.Delay(200, Ct);
        Assert.False(stopping.IsCompleted, "stop must wait for the request in flight");

        release.SetResult();
        using var response = await inFlight;
        await stopping;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, h.Accepted(Signal.Logs));
        Assert.Null(h.Receiver.HttpPort);
    }

    [Fact]
    public async Task Start_logs_the_listening_endpoints_and_requests_are_not_logged_at_information()
    {
        var logs = new RecordingLoggerFactory();
        await using (var h = await OtlpReceiverHarness.StartAsync(akka, loggerFactory: logs))
        {
            await new LogsService.LogsServiceClient(h.Channel()).ExportAsync(OtlpRequests.Logs(1), cancellationToken: Ct);
            var content = new ByteArrayContent([1, 2, 3]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var bad = await h.Http().PostAsync("/v1/logs", content, Ct);
            using var get = await h.Http().GetAsync("/v1/logs", Ct);

            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message == $"OTLP gRPC listening on http://127.0.0.1:{h.Receiver.GrpcPort}");
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message == $"OTLP HTTP listening on http://127.0.0.1:{h.Receiver.HttpPort}");
        }

        var information = logs.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => e.Message).ToList();
        Assert.True(information.Count == 3, string.Join(" | ", logs.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => $"{e.Category} {e.Level} {e.Message}"))); // two "listening" lines and "OTLP receiver stopped"
        Assert.Contains("OTLP receiver stopped", information);
    }

    [Fact]
    public async Task Receiver_can_start_again_after_stop()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        await h.Receiver.StopAsync(Ct);

        await h.Receiver.StartAsync(h.Consumer, Ct);
        await new MetricsService.MetricsServiceClient(h.Channel()).ExportAsync(OtlpRequests.Metrics(2), cancellationToken: Ct);

        Assert.Equal(2, h.Accepted(Signal.Metrics));
    }

    [Fact]
    public async Task Starting_twice_is_an_error()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Receiver.StartAsync(h.Consumer, Ct));
    }

    /// <summary>grpc-go (the collector) answers INTERNAL; Grpc.AspNetCore answers UNKNOWN. Both are non-retryable.</summary>
    [Fact]
    public async Task Undecodable_grpc_message_is_a_non_retryable_error()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var method = new Method<byte[], byte[]>(
            MethodType.Unary, "opentelemetry.proto.collector.logs.v1.LogsService", "Export",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            h.Channel().CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(cancellationToken: Ct), [0x0a, 0xff, 0xff, 0xff, 0x01]).ResponseAsync);

        Assert.Contains(e.StatusCode, new[] { StatusCode.Internal, StatusCode.Unknown });
        Assert.Equal(0, h.Consumer.Calls);
    }

    [Fact]
    public async Task Max_receive_size_applies_to_the_decompressed_grpc_message()
    {
        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { MaxRecvMsgSizeMiB = 1 } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        var channel = h.Channel(new GrpcChannelOptions { CompressionProviders = [new Grpc.Net.Compression.GzipCompressionProvider(CompressionLevel.Optimal)] });
        var request = OtlpRequests.Metrics(1, attributeBytes: 3_000_000); // compresses to a few KiB

        var e = await Assert.ThrowsAsync<RpcException>(() => new MetricsService.MetricsServiceClient(channel)
            .ExportAsync(request, new Metadata { { "grpc-internal-encoding-request", "gzip" } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.True(request.CalculateSize() > 1024 * 1024);
    }

    [Fact]
    public async Task Unix_socket_can_be_reused_after_stop()
    {
        var path = Path.Combine(Path.GetTempPath(), $"otlp-{Guid.NewGuid():N}.sock");
        var config = new OtlpReceiverConfig { Grpc = new OtlpGrpcConfig { Endpoint = path, Transport = "unix" } };
        await using (await OtlpReceiverHarness.StartAsync(akka, config))
        {
            Assert.True(File.Exists(path));
        }

        await using var again = await OtlpReceiverHarness.StartAsync(akka, config);
        Assert.Equal("http://unix:" + path, Assert.Single(again.Receiver.GrpcAddresses));
    }
}
