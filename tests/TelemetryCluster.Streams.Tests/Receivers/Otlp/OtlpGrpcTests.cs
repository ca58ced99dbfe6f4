using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>OTLP/gRPC with our generated clients (Grpc.Net.Client) against a started receiver.</summary>
public sealed class OtlpGrpcTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Export_of_each_signal_is_accepted_and_counted()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var channel = h.Channel();

        var metrics = await new MetricsService.MetricsServiceClient(channel).ExportAsync(OtlpRequests.Metrics(3), cancellationToken: Ct);
        var logs = await new LogsService.LogsServiceClient(channel).ExportAsync(OtlpRequests.Logs(4), cancellationToken: Ct);
        var traces = await new TraceService.TraceServiceClient(channel).ExportAsync(OtlpRequests.Traces(5), cancellationToken: Ct);

        Assert.Null(metrics.PartialSuccess);
        Assert.Null(logs.PartialSuccess);
        Assert.Null(traces.PartialSuccess);
        Assert.Equal(3, h.Consumer.Items(Signal.Metrics));
        Assert.Equal(4, h.Consumer.Items(Signal.Logs));
        Assert.Equal(5, h.Consumer.Items(Signal.Traces));
        Assert.Equal(3, h.Accepted(Signal.Metrics));
        Assert.Equal(4, h.Accepted(Signal.Logs));
        Assert.Equal(5, h.Accepted(Signal.Traces));
        Assert.Equal(OtlpRequests.Traces(5), Assert.Single(h.Consumer.Batches, b => b.Signal == Signal.Traces).Traces);
    }

    [Fact]
    public async Task Refused_is_unavailable_with_retry_info()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Refuse("memory limit reached", TimeSpan.FromSeconds(7)) };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);
        var client = new MetricsService.MetricsServiceClient(h.Channel());

        var e = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(OtlpRequests.Metrics(2), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)Code.Unavailable, status.Code);
        Assert.Equal("memory limit reached", status.Message);
        var retry = status.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.Equal(TimeSpan.FromSeconds(7), retry.RetryDelay.ToTimeSpan());
        Assert.Equal(2, h.Refused(Signal.Metrics));
        Assert.Equal(0, h.Accepted(Signal.Metrics));
    }

    [Fact]
    public async Task Failed_is_internal()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Fail("exporter said 400") };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);
        var client = new LogsService.LogsServiceClient(h.Channel());

        var e = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(OtlpRequests.Logs(1), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("exporter said 400", e.Status.Detail);
        Assert.Null(e.GetRpcStatus()?.GetDetail<RetryInfo>());
    }

    [Fact]
    public async Task Signal_without_a_pipeline_is_unimplemented()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: new FakeConsumer(Signal.Metrics));
        var channel = h.Channel();

        var e = await Assert.ThrowsAsync<RpcException>(() => new LogsService.LogsServiceClient(channel).ExportAsync(OtlpRequests.Logs(1), cancellationToken: Ct).ResponseAsync);
        await new MetricsService.MetricsServiceClient(channel).ExportAsync(OtlpRequests.Metrics(1), cancellationToken: Ct);

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal(1, h.Consumer.Calls);
    }

    [Fact]
    public async Task Message_over_max_recv_msg_size_is_resource_exhausted()
    {
        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { MaxRecvMsgSizeMiB = 1 } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        var client = new MetricsService.MetricsServiceClient(h.Channel());
        var big = OtlpRequests.Metrics(3, attributeBytes: 400_000); // ~1.2 MiB
        var fits = OtlpRequests.Metrics(2, attributeBytes: 400_000); // ~0.8 MiB

        var e = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(big, cancellationToken: Ct).ResponseAsync);
        await client.ExportAsync(fits, cancellationToken: Ct);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal(2, h.Consumer.Items(Signal.Metrics));
    }

    [Fact]
    public async Task Default_limit_is_4_MiB()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var client = new MetricsService.MetricsServiceClient(h.Channel());

        var e = await Assert.ThrowsAsync<RpcException>(() => client.ExportAsync(OtlpRequests.Metrics(5, attributeBytes: 1_000_000), cancellationToken: Ct).ResponseAsync);
        await client.ExportAsync(OtlpRequests.Metrics(3, attributeBytes: 1_000_000), cancellationToken: Ct);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("snappy")]
    public async Task Compressed_messages_are_accepted(string encoding)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var channel = h.Channel(new GrpcChannelOptions
        {
            CompressionProviders = [new Grpc.Net.Compression.GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest), new ZstdCompressionProvider(), new SnappyCompressionProvider()],
        });
        var client = new TraceService.TraceServiceClient(channel);
        var headers = new Metadata { { "grpc-internal-encoding-request", encoding } };

        await client.ExportAsync(OtlpRequests.Traces(9), headers, cancellationToken: Ct);

        Assert.Equal(9, h.Consumer.Items(Signal.Traces));
    }

    [Fact]
    public async Task Include_metadata_copies_request_metadata()
    {
        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { IncludeMetadata = true } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        var client = new LogsService.LogsServiceClient(h.Channel());

        await client.ExportAsync(OtlpRequests.Logs(1), new Metadata { { "x-tenant", "team-b" } }, cancellationToken: Ct);

        var metadata = Assert.Single(h.Consumer.Batches).Metadata;
        Assert.Equal(["team-b"], metadata.Get("x-tenant"));
        Assert.True(metadata.Contains(":authority"));
    }

    [Fact]
    public async Task Zero_items_is_ok_without_calling_the_pipeline()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Fail("must not be called") };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);

        await new MetricsService.MetricsServiceClient(h.Channel()).ExportAsync(new ExportMetricsServiceRequest(), cancellationToken: Ct);

        Assert.Equal(0, h.Consumer.Calls);
    }

    [Fact]
    public async Task Only_grpc_when_http_is_not_configured()
    {
        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);

        Assert.NotNull(h.Receiver.GrpcPort);
        Assert.Null(h.Receiver.HttpPort);
        Assert.Empty(h.Receiver.HttpAddresses);
        Assert.StartsWith("http://127.0.0.1:", Assert.Single(h.Receiver.GrpcAddresses));
    }

    [Fact]
    public async Task Grpc_over_a_unix_socket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"otlp-{Guid.NewGuid():N}.sock");
        var config = new OtlpReceiverConfig { Grpc = new OtlpGrpcConfig { Endpoint = path, Transport = "unix" } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path), token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });

        await new LogsService.LogsServiceClient(channel).ExportAsync(OtlpRequests.Logs(2), cancellationToken: Ct);

        Assert.Null(h.Receiver.GrpcPort);
        Assert.Equal(2, h.Consumer.Items(Signal.Logs));
    }

    [Fact]
    public async Task Port_in_use_fails_start_with_permanent_error()
    {
        await using var first = await OtlpReceiverHarness.StartAsync(akka);
        var config = new OtlpReceiverConfig
        {
            Grpc = OtlpReceiverHarness.LocalGrpc,
            Http = new OtlpHttpConfig { Endpoint = $"127.0.0.1:{first.Receiver.HttpPort}" },
        };
        var telemetry = new EngineTelemetry();
        var status = new ComponentStatusRegistry(TimeProvider.System);
        var id = ComponentId.Parse("otlp/second");
        await using var receiver = new OtlpReceiver(OtlpReceiverHarness.Context(akka, id, telemetry, status), config);

        await Assert.ThrowsAnyAsync<IOException>(() => receiver.StartAsync(new FakeConsumer(), Ct));

        Assert.Contains(status.Snapshot(), e => e.Component == id && e.Status == ComponentStatus.PermanentError);
        Assert.Null(receiver.GrpcPort);
        telemetry.Dispose();
    }
}
