using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>The prometheus exporter's log messages (lifecycle and failures; never per scrape or per point).</summary>
internal static partial class PrometheusExporterTelemetry
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "prometheus exporter serving /metrics on {Addresses} ({Scheme}, view: {View})")]
    public static partial void Started(ILogger logger, string addresses, string scheme, string view);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "prometheus exporter stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "prometheus exporter could not get the cluster view; the scrape answers 503")]
    public static partial void ClusterViewFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "prometheus exporter could not answer a scrape")]
    public static partial void ScrapeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "prometheus exporter could not publish its snapshot to the cluster view")]
    public static partial void PublishFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "translation_strategy {Strategy}: names are escaped to [a-zA-Z0-9_:] because text 0.0.4 and OpenMetrics 1.0 carry no UTF-8 names")]
    public static partial void Utf8NamesEscaped(ILogger logger, string strategy);
}
