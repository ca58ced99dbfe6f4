using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>
/// Writes each batch it is given to the log (or to standard output with <c>use_internal_logger = false</c>):
/// <c>basic</c> one summary line per batch, <c>normal</c> the summary plus one compact line per item, <c>detailed</c>
/// the summary plus a full dump. Batches are sampled per signal like the collector's zap sampler; sampling only
/// decides what is written — every batch counts as exported. Never fails a batch.
/// </summary>
internal sealed class DebugExporter : IExporter
{
    private readonly ILogger _logger;
    private readonly TextWriter? _stdout;
    private readonly DebugExporterConfig _config;
    private readonly DebugSampler[] _samplers;
    private readonly long[] _items = new long[3];
    private readonly long[] _batches = new long[3];
    private readonly long[] _logged = new long[3];

    /// <param name="stdout">Where to write plain lines instead of the logger (<c>use_internal_logger = false</c>); null = the logger.</param>
    public DebugExporter(ComponentContext context, DebugExporterConfig config, TextWriter? stdout = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        _logger = context.CreateLogger();
        _stdout = stdout is null ? null : TextWriter.Synchronized(stdout);
        _config = config;
        _samplers =
        [
            new DebugSampler(context.Time, config.SamplingInitial, config.SamplingThereafter),
            new DebugSampler(context.Time, config.SamplingInitial, config.SamplingThereafter),
            new DebugSampler(context.Time, config.SamplingInitial, config.SamplingThereafter),
        ];
    }

    public DebugExporterConfig Config => _config;

    /// <summary><c>basic</c> counts encoded entries from their bytes; <c>normal</c> and <c>detailed</c> parse them before writing.</summary>
    public bool HandlesEncodedEntries => true;

    /// <summary>Items (data points, log records, spans) exported so far for a signal, sampled out or not.</summary>
    public long ExportedItems(Signal signal) => Interlocked.Read(ref _items[Index(signal)]);

    /// <summary>Batches exported so far for a signal.</summary>
    public long ExportedBatches(Signal signal) => Interlocked.Read(ref _batches[Index(signal)]);

    /// <summary>Batches that passed the sampler and were written.</summary>
    public long LoggedBatches(Signal signal) => Interlocked.Read(ref _logged[Index(signal)]);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();

        var index = Index(batch.Signal);
        Interlocked.Increment(ref _batches[index]);
        Interlocked.Add(ref _items[index], batch.ItemCount);

        if (_stdout is null && !_logger.IsEnabled(LogLevel.Information))
        {
            return Task.CompletedTask;
        }

        if (!_samplers[index].ShouldLog())
        {
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _logged[index]);
        if (_config.Verbosity != DebugVerbosity.Basic)
        {
            OtlpWire.Expand(batch.Payload);
        }

        switch (batch.Signal)
        {
            case Signal.Metrics:
                WriteMetrics(batch);
                break;
            case Signal.Logs:
                WriteLogs(batch);
                break;
            case Signal.Traces:
                WriteTraces(batch);
                break;
        }

        return Task.CompletedTask;
    }

    public Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _stdout?.Flush();
        return Task.CompletedTask;
    }

    private void WriteMetrics(TelemetryBatch batch) => Write(
        batch.Metrics,
        DebugTextFormatter.Count,
        static (logger, counts) => DebugExporterTelemetry.MetricsBatch(logger, counts.Resources, counts.Metrics, counts.Items),
        static counts => $"MetricsExporter resource metrics: {counts.Resources}, metrics: {counts.Metrics}, data points: {counts.Items}",
        DebugTextFormatter.NormalLines,
        DebugTextFormatter.Detailed);

    private void WriteLogs(TelemetryBatch batch) => Write(
        batch.Logs,
        DebugTextFormatter.Count,
        static (logger, counts) => DebugExporterTelemetry.LogsBatch(logger, counts.Resources, counts.Items),
        static counts => $"LogsExporter resource logs: {counts.Resources}, log records: {counts.Items}",
        DebugTextFormatter.NormalLines,
        DebugTextFormatter.Detailed);

    private void WriteTraces(TelemetryBatch batch) => Write(
        batch.Traces,
        DebugTextFormatter.Count,
        static (logger, counts) => DebugExporterTelemetry.TracesBatch(logger, counts.Resources, counts.Items),
        static counts => $"TracesExporter resource spans: {counts.Resources}, spans: {counts.Items}",
        DebugTextFormatter.NormalLines,
        DebugTextFormatter.Detailed);

    /// <summary>
    /// One batch of a signal: the summary (logged, or as a plain line to standard output), then per verbosity the
    /// item lines or the full dump.
    /// </summary>
    private void Write<TRequest>(
        TRequest request,
        Func<TRequest, DebugBatchCounts> count,
        Action<ILogger, DebugBatchCounts> logSummary,
        Func<DebugBatchCounts, string> summaryLine,
        Func<TRequest, IEnumerable<string>> normalLines,
        Func<TRequest, string> detailed)
    {
        var counts = count(request);
        if (_stdout is null)
        {
            logSummary(_logger, counts);
        }
        else
        {
            _stdout.WriteLine(summaryLine(counts));
        }

        switch (_config.Verbosity)
        {
            case DebugVerbosity.Normal:
                WriteItems(normalLines(request));
                break;
            case DebugVerbosity.Detailed:
                WriteDump(detailed(request));
                break;
        }
    }

    private void WriteItems(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (_stdout is null)
            {
                DebugExporterTelemetry.Item(_logger, line);
            }
            else
            {
                _stdout.WriteLine(line);
            }
        }
    }

    private void WriteDump(string dump)
    {
        if (_stdout is null)
        {
            DebugExporterTelemetry.Dump(_logger, dump);
        }
        else
        {
            _stdout.WriteLine(dump);
        }
    }

    private static int Index(Signal signal) => signal switch
    {
        Signal.Traces => 0,
        Signal.Metrics => 1,
        Signal.Logs => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, null),
    };
}
