using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>The receiver's log messages; nothing is logged per line.</summary>
internal static partial class FileLogLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "file_log receiver started: {Patterns}; checkpoints in {Directory} ({Restored} restored)")]
    public static partial void Started(ILogger logger, string patterns, string directory, int restored);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "file_log receiver started: {Patterns}; no checkpoints (checkpoints = false)")]
    public static partial void StartedWithoutCheckpoints(ILogger logger, string patterns);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "no files match the include patterns {Patterns} yet")]
    public static partial void NoFiles(ILogger logger, string patterns);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "started watching file {Path} at offset {Offset}")]
    public static partial void FileStarted(ILogger logger, string path, long offset);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "file {Path} was truncated below its read offset; lines written after the last read and before the truncation could not be read (copy/truncate rotation with the copy outside the include patterns)")]
    public static partial void TruncatedWithPossibleLoss(ILogger logger, string path);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "cannot read file {Path}")]
    public static partial void ReadFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "file change notifications are unavailable for {Directory}; polling only")]
    public static partial void WatcherUnavailable(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "the pipeline failed a batch of {Count} log records for good ({Reason}); they are dropped")]
    public static partial void BatchDropped(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "file_log receiver loop failed; restarting it")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "checkpoints could not be written to {Path}")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "file_log receiver stopped")]
    public static partial void Stopped(ILogger logger);
}

/// <summary>Receiver-specific counters (read by tests and published as observable counters).</summary>
internal sealed class FileLogStats
{
    public long FilesOpened;
    public long Renames;
    public long Truncations;
    public long TruncationsWithPossibleLoss;
    public long CopiesJoined;
    public long CompressedJoined;
    public long LinesRead;
    public long BytesRead;
    public long FullScans;
    public long Refusals;
    public long Dropped;
    public long ReadErrors;
}
