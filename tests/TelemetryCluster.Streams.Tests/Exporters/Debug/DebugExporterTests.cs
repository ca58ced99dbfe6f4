using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Exporters.Debug;
using Xunit;
using static TelemetryCluster.Streams.Tests.Exporters.Debug.DebugTestData;

namespace TelemetryCluster.Streams.Tests.Exporters.Debug;

public sealed class DebugExporterTests : IAsyncLifetime
{
    private const string Category = "TelemetryCluster.Exporter.debug";

    private readonly CapturingLoggerProvider _logs = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private ActorSystem _system = null!;
    private ILoggerFactory _loggerFactory = null!;
    private EngineTelemetry _telemetry = null!;

    public ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("debug-exporter-tests", "akka.loglevel = WARNING\nakka.stdout-loglevel = OFF");
        _loggerFactory = _logs.CreateFactory();
        _telemetry = new EngineTelemetry();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _telemetry.Dispose();
        _loggerFactory.Dispose();
        await _system.Terminate();
    }

    [Fact]
    public async Task Basic_writes_one_summary_line_per_batch_with_counts_never_per_item()
    {
        var exporter = Create(DebugExporterConfig.Default);

        await exporter.ExportAsync(Batch(Metrics()), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Logs(3)), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Traces()), TestContext.Current.CancellationToken);

        var lines = _logs.For(Category);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(LogLevel.Information, l.Level));
        Assert.Equal("MetricsExporter resource metrics: 2, metrics: 3, data points: 5", lines[0].Message);
        Assert.Equal("LogsExporter resource logs: 1, log records: 3", lines[1].Message);
        Assert.Equal("TracesExporter resource spans: 2, spans: 3", lines[2].Message);
    }

    [Fact]
    public async Task Basic_writes_one_line_for_each_of_many_batches()
    {
        var exporter = Create(DebugExporterConfig.Default);

        for (var i = 0; i < 5; i++)
        {
            await exporter.ExportAsync(Batch(Logs(10)), TestContext.Current.CancellationToken);
        }

        Assert.Equal(5, _logs.For(Category).Count);
        Assert.Equal(50, exporter.ExportedItems(Signal.Logs));
        Assert.Equal(5, exporter.ExportedBatches(Signal.Logs));
    }

    [Fact]
    public async Task Normal_writes_the_summary_and_one_compact_line_per_item()
    {
        var exporter = Create(DebugExporterConfig.Default with { Verbosity = DebugVerbosity.Normal });

        await exporter.ExportAsync(Batch(Logs(3)), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Metrics()), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Traces()), TestContext.Current.CancellationToken);

        var lines = _logs.For(Category).Select(l => l.Message).ToList();
        Assert.Equal(1 + 3 + 1 + 5 + 1 + 3, lines.Count);
        Assert.Equal("LogsExporter resource logs: 1, log records: 3", lines[0]);
        Assert.Equal("INFO line 0 file=QELog.log", lines[1]);
        Assert.Equal("MetricsExporter resource metrics: 2, metrics: 3, data points: 5", lines[4]);
        Assert.Equal("queue_depth{queue=a} 42", lines[5]);
        Assert.Equal("queue_depth{queue=b} 1.5", lines[6]);
        Assert.Equal("requests{method=GET} 7", lines[7]);
        Assert.Equal("latency{} count=3 sum=12.5 le5=1 le10=1 1", lines[8]);
        Assert.Equal("TracesExporter resource spans: 2, spans: 3", lines[10]);
        Assert.Equal("GET /orders abababababababababababababababab 0101010101010101 http.route=/orders", lines[11]);
        Assert.All(lines, l => Assert.DoesNotContain('\n', l));
    }

    [Fact]
    public async Task Detailed_writes_the_summary_and_a_full_dump_per_batch()
    {
        var exporter = Create(DebugExporterConfig.Default with { Verbosity = DebugVerbosity.Detailed });

        await exporter.ExportAsync(Batch(Metrics()), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Logs(2)), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Traces()), TestContext.Current.CancellationToken);

        var lines = _logs.For(Category).Select(l => l.Message).ToList();
        Assert.Equal(6, lines.Count);

        var metrics = lines[1];
        Assert.Contains("ResourceMetrics #0", metrics, StringComparison.Ordinal);
        Assert.Contains("ResourceMetrics #1", metrics, StringComparison.Ordinal);
        Assert.Contains("     -> service.name: Str(api)", metrics, StringComparison.Ordinal);
        Assert.Contains("InstrumentationScope lib 1.0", metrics, StringComparison.Ordinal);
        Assert.Contains("     -> Name: queue_depth", metrics, StringComparison.Ordinal);
        Assert.Contains("     -> DataType: Gauge", metrics, StringComparison.Ordinal);
        Assert.Contains("     -> queue: Str(a)", metrics, StringComparison.Ordinal);
        Assert.Contains("Timestamp: 2023-11-14 22:13:20.000000001 +0000 UTC", metrics, StringComparison.Ordinal);
        Assert.Contains("Value: 42", metrics, StringComparison.Ordinal);
        Assert.Contains("     -> IsMonotonic: true", metrics, StringComparison.Ordinal);
        Assert.Contains("     -> AggregationTemporality: Cumulative", metrics, StringComparison.Ordinal);
        Assert.Contains("ExplicitBounds #1: 10", metrics, StringComparison.Ordinal);
        Assert.Contains("Buckets #2, Count: 1", metrics, StringComparison.Ordinal);
        Assert.Equal(5, CountOf(metrics, "DataPoints #"));

        var logs = lines[3];
        Assert.Equal(2, CountOf(logs, "LogRecord #"));
        Assert.Contains("SeverityNumber: Info(9)", logs, StringComparison.Ordinal);
        Assert.Contains("Body: Str(line 1)", logs, StringComparison.Ordinal);
        Assert.Contains("     -> file: Str(QELog.log)", logs, StringComparison.Ordinal);

        var traces = lines[5];
        Assert.Equal(3, CountOf(traces, "Span #"));
        Assert.Contains("    Name           : SELECT", traces, StringComparison.Ordinal);
        Assert.Contains("    Kind           : Server", traces, StringComparison.Ordinal);
        Assert.Contains("    ID             : 0303030303030303", traces, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sampling_logs_the_initial_batches_of_each_second_then_every_nth()
    {
        var exporter = Create(DebugExporterConfig.Default with { SamplingInitial = 2, SamplingThereafter = 3 });

        // One window: batches 1, 2 (initial), then 5 and 8 (every 3rd after the initial ones).
        for (var i = 0; i < 10; i++)
        {
            await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(4, _logs.For(Category).Count);
        Assert.Equal(4, exporter.LoggedBatches(Signal.Logs));
        Assert.Equal(10, exporter.ExportedItems(Signal.Logs));

        // A new one-second window starts: the initial batches are logged again.
        _time.Advance(TimeSpan.FromSeconds(1));
        await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);

        Assert.Equal(6, _logs.For(Category).Count);
        Assert.Equal(13, exporter.ExportedItems(Signal.Logs));
    }

    [Fact]
    public async Task Sampling_is_counted_per_signal()
    {
        var exporter = Create(DebugExporterConfig.Default with { SamplingInitial = 1, SamplingThereafter = 0 });

        for (var i = 0; i < 3; i++)
        {
            await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);
            await exporter.ExportAsync(Batch(Traces()), TestContext.Current.CancellationToken);
            await exporter.ExportAsync(Batch(Metrics()), TestContext.Current.CancellationToken);
        }

        var lines = _logs.For(Category);
        Assert.Equal(3, lines.Count);
        Assert.Equal(1, exporter.LoggedBatches(Signal.Logs));
        Assert.Equal(1, exporter.LoggedBatches(Signal.Traces));
        Assert.Equal(1, exporter.LoggedBatches(Signal.Metrics));
        Assert.Equal(3, exporter.ExportedItems(Signal.Logs));
        Assert.Equal(9, exporter.ExportedItems(Signal.Traces));
        Assert.Equal(15, exporter.ExportedItems(Signal.Metrics));
    }

    [Fact]
    public async Task Default_sampling_logs_every_batch()
    {
        var exporter = Create(DebugExporterConfig.Default);

        for (var i = 0; i < 20; i++)
        {
            await exporter.ExportAsync(Batch(Traces()), TestContext.Current.CancellationToken);
        }

        Assert.Equal(20, _logs.For(Category).Count);
    }

    [Fact]
    public async Task Counts_items_per_signal_even_when_the_log_level_is_off()
    {
        using var quiet = LoggerFactory.Create(b => b.ClearProviders().AddProvider(_logs).SetMinimumLevel(LogLevel.Warning));
        var exporter = new DebugExporter(Context(quiet), DebugExporterConfig.Default with { Verbosity = DebugVerbosity.Detailed });

        await exporter.ExportAsync(Batch(Metrics()), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Logs(4)), TestContext.Current.CancellationToken);

        Assert.Empty(_logs.Entries);
        Assert.Equal(5, exporter.ExportedItems(Signal.Metrics));
        Assert.Equal(4, exporter.ExportedItems(Signal.Logs));
        Assert.Equal(0, exporter.ExportedItems(Signal.Traces));
    }

    [Fact]
    public async Task Without_the_internal_logger_writes_plain_lines_to_stdout()
    {
        using var stdout = new StringWriter();
        var exporter = new DebugExporter(Context(_loggerFactory), DebugExporterConfig.Default with { Verbosity = DebugVerbosity.Normal, UseInternalLogger = false }, stdout);

        await exporter.ExportAsync(Batch(Logs(2)), TestContext.Current.CancellationToken);
        await exporter.ShutdownAsync(TestContext.Current.CancellationToken);

        Assert.Empty(_logs.For(Category));
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["LogsExporter resource logs: 1, log records: 2", "INFO line 0 file=QELog.log", "INFO line 1 file=QELog.log"], lines);
    }

    [Fact]
    public async Task Logger_category_is_named_after_the_component_id()
    {
        var exporter = new DebugExporter(Context(_loggerFactory, new ComponentId("debug", "qelog")), DebugExporterConfig.Default);

        await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);

        Assert.Single(_logs.For("TelemetryCluster.Exporter.debug/qelog"));
    }

    [Fact]
    public async Task Factory_creates_a_working_exporter_for_every_signal()
    {
        var factory = new DebugExporterFactory();
        var exporter = (DebugExporter)factory.CreateExporter(Context(_loggerFactory), DebugExporterConfig.Default);

        await exporter.StartAsync(TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Metrics()), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Logs(1)), TestContext.Current.CancellationToken);
        await exporter.ExportAsync(Batch(Traces()), TestContext.Current.CancellationToken);
        await exporter.ShutdownAsync(TestContext.Current.CancellationToken);

        Assert.Equal(3, _logs.For(Category).Count);
    }

    private DebugExporter Create(DebugExporterConfig config) => new(Context(_loggerFactory), config);

    private ComponentContext Context(ILoggerFactory loggerFactory, ComponentId? id = null) => new(
        id ?? new ComponentId("debug", null),
        ComponentKind.Exporter,
        loggerFactory,
        _time,
        new ComponentStatusRegistry(_time),
        _telemetry,
        _system,
        _system.Materializer());

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
