using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>The receiver's log messages. Nothing is logged per request above Debug.</summary>
internal static partial class OtlpReceiverLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "OTLP gRPC listening on {Endpoint}")]
    public static partial void GrpcListening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "OTLP HTTP listening on {Endpoint}")]
    public static partial void HttpListening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "OTLP receiver stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "OTLP {Protocol} server could not start on {Endpoint}")]
    public static partial void StartFailed(ILogger logger, Exception exception, string protocol, string endpoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Delivering an OTLP {Signal} request failed; the client is told to retry")]
    public static partial void ConsumeFailed(ILogger logger, Exception exception, string signal);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Setting} is not supported by this server and is ignored")]
    public static partial void SettingIgnored(ILogger logger, string setting);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "OTLP {Signal} request answered {Status}: {Reason}")]
    public static partial void RequestNotAccepted(ILogger logger, string signal, string status, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "OTLP/HTTP request rejected with {StatusCode}: {Reason}")]
    public static partial void HttpRejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "OTLP receiver did not stop within the shutdown deadline; open requests were aborted")]
    public static partial void StopAborted(ILogger logger, Exception exception);
}
