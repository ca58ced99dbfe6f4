using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>Log messages of the shared-storage mode (claims are rare events: one message per grant/release).</summary>
internal static partial class FileLogLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "claimed shared file {FileKey}; resuming at offset {Offset}")]
    public static partial void Claimed(ILogger logger, string fileKey, long offset);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "released shared file {FileKey} at acknowledged offset {Offset}")]
    public static partial void Released(ILogger logger, string fileKey, long offset);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "shared file {FileKey} released before every batch was acknowledged; the next owner reads the unacknowledged lines again")]
    public static partial void ReleasedUnacknowledged(ILogger logger, string fileKey);
}
