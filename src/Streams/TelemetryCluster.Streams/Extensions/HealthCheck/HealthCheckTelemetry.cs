using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>The health_check extension's log messages (lifecycle only; probes are never logged).</summary>
internal static partial class HealthCheckTelemetry
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "health_check listening on {Addresses} (path {Path}; /livez, /readyz, /status)")]
    public static partial void Started(ILogger logger, string addresses, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "health_check stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "health_check could not answer {Path}")]
    public static partial void RequestFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "health_check could not get the cluster view for /status?cluster")]
    public static partial void ClusterStatusFailed(ILogger logger, Exception exception);
}
