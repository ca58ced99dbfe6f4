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
using OtelSdk = OpenTelemetry.Sdk;

namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>
/// The OpenTelemetry .NET SDK (NuGet OpenTelemetry + OpenTelemetry.Exporter.OpenTelemetryProtocol), in this process,
/// exporting OTLP over gRPC and over HTTP/protobuf to a started <c>telemetry-cluster</c> process; the node's debug
/// exporter must count exactly what the SDK sent, and the SDK must report success.
/// </summary>
/// <remarks>
/// Each test finishes the SDK completely (ForceFlush, then Dispose, which joins the export thread) before it asks
/// the fixture for the delivered counts, because a batch processor's ForceFlush can return while its last export is
/// still on the wire. The SDK reads no OTEL_* environment variables here (an empty IConfiguration replaces them).
/// </remarks>
public sealed class DotnetSdkTests(SdkNodeFixture node) : IClassFixture<SdkNodeFixture>
{
    private const int FlushTimeoutMs = 15_000;
    private const int DataPoints = 200;
    private const int LogRecords = 300;
    private const int Spans = 300;

    /// <summary>Small enough that logs and spans go out in several export requests.</summary>
    private const int MaxExportBatchSize = 128;

    /// <summary>No timer-driven export during a test: only the flush and the shutdown export.</summary>
    private const int NoTimerMs = 24 * 60 * 60 * 1000;

    private static readonly IConfiguration NoEnvironment = new ConfigurationBuilder().Build();

    private static readonly Action<ILogger, int, Exception?> LogRecord =
        LoggerMessage.Define<int>(LogLevel.Information, new EventId(1, "Record"), "log record {I}");

    public static TheoryData<OtlpExportProtocol> Protocols => [OtlpExportProtocol.Grpc, OtlpExportProtocol.HttpProtobuf];

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Metrics_from_a_MeterProvider_reach_the_node_exactly(OtlpExportProtocol protocol)
    {
        var name = TestName(Signal.Metrics, protocol);
        var before = node.Exported();
        using var events = new OpenTelemetryEvents();

        using (var meter = new Meter(name))
        {
            var counter = meter.CreateCounter<long>("telemetrycluster.test.dotnet.counter");
            using var provider = OtelSdk.CreateMeterProviderBuilder()
                .ConfigureServices(services => services.AddSingleton(NoEnvironment))
                .ConfigureResource(r => r.AddService(name))
                .AddMeter(name)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, protocol, "/v1/metrics");

                    // Delta: the flush exports each of the N points once; the collect at shutdown finds no point
                    // updated since then and exports none. (Cumulative would export all N again at shutdown.)
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = NoTimerMs;
                })
                .Build();

            for (var i = 0; i < DataPoints; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("i", i));
            }

            // A metric reader's flush collects and exports on this thread; true = the export succeeded.
            Assert.True(provider.ForceFlush(FlushTimeoutMs), "MeterProvider.ForceFlush reported failure.\n" + events.Describe());
        }

        var delivered = await node.DeliveredSinceAsync(before, Signal.Metrics, TestContext.Current.CancellationToken);

        Assert.True(SignalCounts.Of(Signal.Metrics, DataPoints) == delivered, Mismatch(SignalCounts.Of(Signal.Metrics, DataPoints), delivered, events));
        events.AssertExportsSucceeded();
        Report(delivered, events);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Log_records_from_a_LoggerFactory_reach_the_node_exactly(OtlpExportProtocol protocol)
    {
        var name = TestName(Signal.Logs, protocol);
        var before = node.Exported();
        using var events = new OpenTelemetryEvents();

        // The ILoggerFactory of AddLogging + AddOpenTelemetry (what LoggerFactory.Create builds internally), from a
        // service provider we hold, so the OpenTelemetry LoggerProvider can be flushed before it is disposed.
        // LoggerFactory.Create offers only Dispose: the batch processor then often makes its first export while the
        // service provider is already being disposed, and the HTTP exporter warns HttpClientFactoryUnavailable.
        var services = new ServiceCollection();
        services.AddSingleton(NoEnvironment);
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddOpenTelemetry(options =>
            {
                options.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(name));
                options.AddOtlpExporter((exporter, processor) =>
                {
                    Configure(exporter, protocol, "/v1/logs");
                    processor.ExportProcessorType = ExportProcessorType.Batch;
                    processor.BatchExportProcessorOptions = new BatchExportLogRecordProcessorOptions
                    {
                        MaxQueueSize = LogRecords * 2,
                        MaxExportBatchSize = MaxExportBatchSize,
                        ScheduledDelayMilliseconds = NoTimerMs,
                        ExporterTimeoutMilliseconds = FlushTimeoutMs,
                    };
                });
            });
        });

        using (var provider = services.BuildServiceProvider())
        {
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(name);
            for (var i = 0; i < LogRecords; i++)
            {
                LogRecord(logger, i, null);
            }

            // true = the queue was drained (not that the exports succeeded: the events say that).
            Assert.True(provider.GetRequiredService<LoggerProvider>().ForceFlush(FlushTimeoutMs), "LoggerProvider.ForceFlush did not drain.\n" + events.Describe());
        } // disposing shuts the logger provider down and joins its export thread: the last export has been answered

        var delivered = await node.DeliveredSinceAsync(before, Signal.Logs, TestContext.Current.CancellationToken);

        Assert.True(SignalCounts.Of(Signal.Logs, LogRecords) == delivered, Mismatch(SignalCounts.Of(Signal.Logs, LogRecords), delivered, events));
        events.AssertExportsSucceeded();
        Assert.Contains(events.Events, e => e.Name == "NoDroppedExportProcessorItems");
        Report(delivered, events);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Spans_from_a_TracerProvider_reach_the_node_exactly(OtlpExportProtocol protocol)
    {
        var name = TestName(Signal.Traces, protocol);
        var before = node.Exported();
        using var events = new OpenTelemetryEvents();

        using (var source = new ActivitySource(name))
        {
            using var provider = OtelSdk.CreateTracerProviderBuilder()
                .ConfigureServices(services => services.AddSingleton(NoEnvironment))
                .ConfigureResource(r => r.AddService(name))
                .AddSource(name)
                .SetSampler(new AlwaysOnSampler())
                .AddOtlpExporter(exporter =>
                {
                    Configure(exporter, protocol, "/v1/traces");
                    exporter.ExportProcessorType = ExportProcessorType.Batch;
                    exporter.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions
                    {
                        MaxQueueSize = Spans * 2,
                        MaxExportBatchSize = MaxExportBatchSize,
                        ScheduledDelayMilliseconds = NoTimerMs,
                        ExporterTimeoutMilliseconds = FlushTimeoutMs,
                    };
                })
                .Build();

            Activity.Current = null; // every span the root of its own trace
            for (var i = 0; i < Spans; i++)
            {
                using var span = source.StartActivity($"span {i}", ActivityKind.Internal);
                Assert.NotNull(span);
                span.SetTag("i", i);
            }

            // true = the queue was drained (not that the exports succeeded: the events say that).
            Assert.True(provider.ForceFlush(FlushTimeoutMs), "TracerProvider.ForceFlush did not drain.\n" + events.Describe());
        } // disposing the provider joins the export thread, so the last export has been answered

        var delivered = await node.DeliveredSinceAsync(before, Signal.Traces, TestContext.Current.CancellationToken);

        Assert.True(SignalCounts.Of(Signal.Traces, Spans) == delivered, Mismatch(SignalCounts.Of(Signal.Traces, Spans), delivered, events));
        events.AssertExportsSucceeded();
        Assert.Contains(events.Events, e => e.Name == "NoDroppedExportProcessorItems");
        Report(delivered, events);
    }

    private static string TestName(Signal signal, OtlpExportProtocol protocol) =>
        $"telemetrycluster.test.dotnet.{signal.ToConfigName()}.{(protocol == OtlpExportProtocol.Grpc ? "grpc" : "http")}";

    private void Configure(OtlpExporterOptions exporter, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;

        // Set in code, the endpoint is used as given: HTTP/protobuf needs the full path (the SDK appends
        // /v1/<signal> only to an endpoint that came from OTEL_EXPORTER_OTLP_ENDPOINT).
        exporter.Endpoint = protocol == OtlpExportProtocol.Grpc ? node.GrpcEndpoint : node.HttpEndpoint(signalPath);
        exporter.TimeoutMilliseconds = FlushTimeoutMs;
    }

    private string Mismatch(SignalCounts expected, SignalCounts delivered, OpenTelemetryEvents events) =>
        $"the debug exporter counted {delivered}, the SDK sent {expected}.\n{events.Describe()}\n{node.Node.Describe()}";

    private void Report(SignalCounts delivered, OpenTelemetryEvents events) =>
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"node {node.Node.Id} (healthy after {node.StartupTime.TotalMilliseconds:F0} ms): delivered {delivered} in {events.ExportSuccesses} successful export request(s)");
}
