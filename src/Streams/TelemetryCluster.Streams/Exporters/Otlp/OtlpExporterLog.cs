using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>The OTLP exporter's log messages. Failures are logged by the exporter kit; nothing is logged per item.</summary>
internal static partial class OtlpExporterLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "OTLP exporter sends to {Endpoint} ({Security}, compression {Compression}, balancer {Balancer})")]
    public static partial void Started(ILogger logger, string endpoint, string security, string compression, string balancer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Partial success response from {Endpoint}: {Rejected} of {Items} {ItemKind} rejected: {Message}")]
    public static partial void PartialSuccess(ILogger logger, string endpoint, long rejected, int items, string itemKind, string message);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Setting} is not applied: {Reason}")]
    public static partial void SettingNotApplied(ILogger logger, string setting, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "TLS certificate verification is off (tls.insecure_skip_verify = true) for {Endpoint}")]
    public static partial void VerificationOff(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "OTLP exporter to {Endpoint} stopped")]
    public static partial void Stopped(ILogger logger, string endpoint);
}
