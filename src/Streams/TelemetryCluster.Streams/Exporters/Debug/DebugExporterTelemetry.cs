using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>The debug exporter's log messages (the exporter's output is its log).</summary>
internal static partial class DebugExporterTelemetry
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "MetricsExporter resource metrics: {ResourceMetrics}, metrics: {Metrics}, data points: {DataPoints}")]
    public static partial void MetricsBatch(ILogger logger, int resourceMetrics, int metrics, int dataPoints);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "LogsExporter resource logs: {ResourceLogs}, log records: {LogRecords}")]
    public static partial void LogsBatch(ILogger logger, int resourceLogs, int logRecords);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "TracesExporter resource spans: {ResourceSpans}, spans: {Spans}")]
    public static partial void TracesBatch(ILogger logger, int resourceSpans, int spans);

    /// <summary>verbosity = normal: one compact line per data point, log record or span.</summary>
    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Item}")]
    public static partial void Item(ILogger logger, string item);

    /// <summary>verbosity = detailed: the full dump of one batch (several lines).</summary>
    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Dump}")]
    public static partial void Dump(ILogger logger, string dump);
}
