using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>The OpenTelemetry .NET SDK's OTLP exporter as a real client, over gRPC and HTTP/protobuf.</summary>
/// <remarks>
/// <c>ForceFlush</c> of a batch processor may return while an export that the worker thread had already started is
/// still running (or retrying), so each test waits for the expected count before it checks it exactly.
/// </remarks>
public sealed class OtlpSdkClientTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    public static TheoryData<OtlpExportProtocol, OtlpExportCompression> Transports => new()
    {
        { OtlpExportProtocol.Grpc, OtlpExportCompression.None },
        { OtlpExportProtocol.Grpc, OtlpExportCompression.GZip },
        { OtlpExportProtocol.HttpProtobuf, OtlpExportCompression.None },
        { OtlpExportProtocol.HttpProtobuf, OtlpExportCompression.GZip },
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Metrics_from_a_meter_provider_arrive_exactly(OtlpExportProtocol protocol, OtlpExportCompression compression)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var meterName = "otlp.sdk.test." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("orders");
        var histogram = meter.CreateHistogram<double>("latency", "ms");
        using var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("sdk-test"))
            .AddMeter(meterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, h, protocol, compression, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build();

        counter.Add(1, new KeyValuePair<string, object?>("region", "eu"));
        counter.Add(2, new KeyValuePair<string, object?>("region", "us"));
        counter.Add(3, new KeyValuePair<string, object?>("region", "ap"));
        counter.Add(4, new KeyValuePair<string, object?>("region", "eu"));
        histogram.Record(12.5, new KeyValuePair<string, object?>("route", "/a"));
        histogram.Record(99, new KeyValuePair<string, object?>("route", "/b"));

        Assert.True(provider.ForceFlush(10_000));

        await WaitUntil(() => h.Consumer.Items(Signal.Metrics) >= 5);
        Assert.Equal(5, h.Consumer.Items(Signal.Metrics)); // 3 counter series + 2 histogram series
        Assert.Equal(5, h.Accepted(Signal.Metrics));
        var batch = Assert.Single(h.Consumer.Batches);
        Assert.Contains(batch.Metrics.ResourceMetrics[0].Resource.Attributes, a => a.Key == "service.name" && a.Value.StringValue == "sdk-test");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Spans_from_a_tracer_provider_arrive_exactly(OtlpExportProtocol protocol, OtlpExportCompression compression)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var sourceName = "otlp.sdk.test." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(exporter => Configure(exporter, h, protocol, compression, "/v1/traces"))
            .Build();

        string traceId;
        using (var parent = source.StartActivity("checkout", ActivityKind.Server)!)
        {
            traceId = parent.TraceId.ToHexString();
            for (var i = 0; i < 3; i++)
            {
                using var child = source.StartActivity($"step {i}", ActivityKind.Internal);
            }
        }

        Assert.True(provider.ForceFlush(10_000));

        await WaitUntil(() => h.Consumer.Items(Signal.Traces) >= 4);
        Assert.Equal(4, h.Consumer.Items(Signal.Traces));
        Assert.Equal(4, h.Accepted(Signal.Traces));
        var spans = h.Consumer.Batches.SelectMany(b => b.Traces.ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans).ToList();
        Assert.All(spans, s => Assert.Equal(traceId, Convert.ToHexStringLower(s.TraceId.Span)));
        Assert.Single(spans, s => s.ParentSpanId.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Log_records_from_a_logger_factory_arrive_exactly(OtlpExportProtocol protocol, OtlpExportCompression compression)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        using (var factory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(options => options.AddOtlpExporter(exporter => Configure(exporter, h, protocol, compression, "/v1/logs")))))
        {
            var logger = factory.CreateLogger("OtlpSdkClientTests");
            for (var i = 0; i < 6; i++)
            {
                logger.LogInformation("order {OrderId} shipped", i);
            }

            logger.LogWarning("one more");
        } // disposing the factory flushes the batch processor

        await WaitUntil(() => h.Consumer.Items(Signal.Logs) >= 7);
        Assert.Equal(7, h.Consumer.Items(Signal.Logs));
        Assert.Equal(7, h.Accepted(Signal.Logs));
        var bodies = h.Consumer.Batches.SelectMany(b => b.Logs.ResourceLogs).SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).Select(r => r.Body.StringValue).ToList();
        Assert.Contains("one more", bodies);
    }

    /// <summary>The SDK's opt-in in-memory retry honours our RetryInfo: the refused batch comes again and is accepted.</summary>
    [Fact]
    public async Task A_refused_export_is_retried_by_the_sdk_and_then_accepted()
    {
        var consumer = new FakeConsumer { FirstOutcomes = [AckOutcome.Refuse("busy", TimeSpan.FromMilliseconds(100))] };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);
        var sourceName = "otlp.sdk.retry." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory" })
            .Build();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(settings))
            .AddSource(sourceName)
            .AddOtlpExporter(exporter => Configure(exporter, h, OtlpExportProtocol.Grpc, OtlpExportCompression.None, "/v1/traces"))
            .Build();

        source.StartActivity("refused first")?.Dispose();
        Assert.True(provider.ForceFlush(20_000));

        await WaitUntil(() => h.Consumer.Calls >= 2);
        Assert.Equal(2, h.Consumer.Calls);
        Assert.Equal(1, h.Accepted(Signal.Traces));
        Assert.Equal(1, h.Refused(Signal.Traces));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (!condition() && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static void Configure(OtlpExporterOptions exporter, OtlpReceiverHarness h, OtlpExportProtocol protocol, OtlpExportCompression compression, string path)
    {
        exporter.Protocol = protocol;
        exporter.Compression = compression;
        exporter.Endpoint = protocol == OtlpExportProtocol.Grpc ? h.GrpcBase : new Uri(h.HttpBase, path);
        exporter.TimeoutMilliseconds = 10_000;
    }
}
