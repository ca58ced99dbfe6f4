using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Exporters.Otlp;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Otlp;

/// <summary>What goes over the wire and how every status is mapped, against a scripted gRPC server.</summary>
public sealed class OtlpExporterWireTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Gzip", "gzip")]
    [InlineData("Zstd", "zstd")]
    [InlineData("Snappy", "snappy")]
    [InlineData("None", null)]
    public async Task Requests_are_compressed_as_configured(string compression, string? encoding)
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port) with { Compression = System.Enum.Parse<OtlpCompression>(compression) });
        var request = OtlpRequests.Metrics(50);

        await exporter.ExportAsync(OtlpExporterTesting.Batch(request), Ct);

        var headers = Assert.Single(server.Behavior.Headers);
        Assert.Equal(encoding, headers.GetValueOrDefault("grpc-encoding"));
        Assert.False(headers.ContainsKey("grpc-internal-encoding-request"));
        Assert.Equal(request, Assert.Single(server.Behavior.Requests));
    }

    [Fact]
    public async Task Default_config_compresses_with_gzip_and_sends_a_5s_deadline()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port));

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(3)), Ct);

        var headers = Assert.Single(server.Behavior.Headers);
        Assert.Equal("gzip", headers["grpc-encoding"]);
        Assert.Equal("/opentelemetry.proto.collector.logs.v1.LogsService/Export", headers[":path"]);
        var timeout = headers["grpc-timeout"];
        Assert.Matches("^[0-9]{1,8}[HMSmun]$", timeout);
        var value = long.Parse(timeout[..^1], System.Globalization.CultureInfo.InvariantCulture);
        var deadline = timeout[^1] switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            'S' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMilliseconds(value),
            'u' => TimeSpan.FromMicroseconds(value),
            _ => TimeSpan.FromTicks(value / 100),
        };
        Assert.InRange(deadline, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task No_deadline_when_timeout_is_zero()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        var config = OtlpExporterTesting.Plaintext(server.Port) with { Exporter = OtlpExporterConfig.DefaultExporterSettings with { Timeout = TimeSpan.Zero } };
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, config);

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Traces(1)), Ct);

        Assert.False(Assert.Single(server.Behavior.Headers).ContainsKey("grpc-timeout"));
    }

    [Fact]
    public async Task Authority_overrides_the_host()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port) with { Authority = "gateway.example:4317" });

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Traces(1)), Ct);

        Assert.Equal("gateway.example:4317", Assert.Single(server.Behavior.Headers)["host"]);
    }

    [Theory]
    [InlineData(StatusCode.Cancelled, false)]
    [InlineData(StatusCode.DeadlineExceeded, false)]
    [InlineData(StatusCode.Aborted, false)]
    [InlineData(StatusCode.OutOfRange, false)]
    [InlineData(StatusCode.Unavailable, false)]
    [InlineData(StatusCode.DataLoss, false)]
    [InlineData(StatusCode.ResourceExhausted, true)]
    [InlineData(StatusCode.InvalidArgument, true)]
    [InlineData(StatusCode.Unimplemented, true)]
    [InlineData(StatusCode.PermissionDenied, true)]
    [InlineData(StatusCode.Unauthenticated, true)]
    [InlineData(StatusCode.Internal, true)]
    [InlineData(StatusCode.Unknown, true)]
    [InlineData(StatusCode.NotFound, true)]
    [InlineData(StatusCode.FailedPrecondition, true)]
    [InlineData(StatusCode.AlreadyExists, true)]
    public async Task Status_without_retry_info_maps_like_the_collector(StatusCode code, bool permanent)
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        server.Behavior.Fail = new RpcException(new Grpc.Core.Status(code, "scripted"));
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port));

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct));

        Assert.Equal(permanent, e.Permanent);
        Assert.Equal(code, Assert.IsType<RpcException>(e.InnerException).StatusCode);
        Assert.Contains($"code = {code}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.Aborted)]
    public async Task Retry_info_makes_a_retry_after_exception(StatusCode code)
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        server.Behavior.Fail = WithRetryInfo(code, TimeSpan.FromMilliseconds(2500));
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port));

        var e = await Assert.ThrowsAsync<RetryAfterException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(1)), Ct));

        Assert.Equal(TimeSpan.FromMilliseconds(2500), e.RetryAfter);
        Assert.Equal(code, Assert.IsType<RpcException>(e.InnerException).StatusCode);
    }

    [Fact]
    public async Task Resource_exhausted_with_a_zero_retry_delay_is_retryable_without_a_minimum()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        server.Behavior.Fail = WithRetryInfo(StatusCode.ResourceExhausted, TimeSpan.Zero);
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port));

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(1)), Ct));

        Assert.False(e.Permanent);
    }

    [Fact]
    public async Task Retry_info_on_a_permanent_code_stays_permanent()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        server.Behavior.Fail = WithRetryInfo(StatusCode.InvalidArgument, TimeSpan.FromSeconds(3));
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port));

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(1)), Ct));

        Assert.True(e.Permanent);
    }

    [Theory]
    [InlineData(Signal.Metrics, "data points")]
    [InlineData(Signal.Logs, "log records")]
    [InlineData(Signal.Traces, "spans")]
    public async Task Partial_success_is_a_success_with_one_warning(Signal signal, string itemKind)
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        server.Behavior.Partial = (2, "2 items had no timestamp");
        var logs = new RecordingLoggerFactory();
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port), logs);
        var request = signal switch
        {
            Signal.Metrics => (Google.Protobuf.IMessage)OtlpRequests.Metrics(5),
            Signal.Logs => OtlpRequests.Logs(5),
            _ => OtlpRequests.Traces(5),
        };

        await exporter.ExportAsync(OtlpExporterTesting.Batch(request), Ct);

        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains($"2 of 5 {itemKind} rejected: 2 items had no timestamp", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_partial_success_logs_nothing()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        server.Behavior.Partial = (0, string.Empty);
        var logs = new RecordingLoggerFactory();
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(server.Port), logs);

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(3)), Ct);

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("plaintext, compression gzip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sending_queue_batch_is_reported_as_not_applied()
    {
        await using var server = await ScriptedOtlpServer.StartAsync();
        var logs = new RecordingLoggerFactory();
        var config = OtlpExporterTesting.Plaintext(server.Port) with { SendingQueue = new OtlpSendingQueueConfig { Batch = true } };

        await using var exporter = await OtlpExporterTesting.StartAsync(akka, config, logs);

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("sending_queue.batch is not applied", StringComparison.Ordinal));
    }

    private static RpcException WithRetryInfo(StatusCode code, TimeSpan delay)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = "slow down" };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        return status.ToRpcException();
    }
}
