using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Nodes.Query;

internal static partial class QueryTelemetry
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Prometheus query API of exporter {Exporter}: following the cluster-merged view every {Interval}")]
    public static partial void Following(ILogger logger, string exporter, TimeSpan interval);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Prometheus query API of exporter {Exporter}: the cluster-merged view cannot be read; queries answer from what was read so far")]
    public static partial void ViewUnavailable(ILogger logger, string exporter, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Prometheus query API of exporter {Exporter}: the cluster-merged view is readable again")]
    public static partial void ViewRecovered(ILogger logger, string exporter);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Prometheus query API of exporter {Exporter}: stopped following")]
    public static partial void Stopped(ILogger logger, string exporter);
}
