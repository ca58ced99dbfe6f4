using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>The batch processor's log messages: lifecycle and rate-limited overload facts, never per item.</summary>
internal static partial class BatchProcessorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "Batch processor {ComponentId} in pipeline {PipelineId} started: send_batch_size {SendBatchSize}, timeout {Timeout}, send_batch_max_size {SendBatchMaxSize}, buffer capacity {Capacity} items")]
    public static partial void Started(this ILogger logger, string componentId, string pipelineId, uint sendBatchSize, TimeSpan timeout, uint sendBatchMaxSize, long capacity);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Batch processor {ComponentId} in pipeline {PipelineId}: metadata_cardinality_limit {Limit} reached; {Requests} request(s) ({Items} items) with a new metadata-value combination failed since the last report")]
    public static partial void CardinalityLimitReached(this ILogger logger, string componentId, string pipelineId, uint limit, long requests, long items);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Batch processor {ComponentId} in pipeline {PipelineId} stopped before sending {Items} items held in {Parts} part(s); their acks were refused so the senders retry")]
    public static partial void StoppedWithData(this ILogger logger, string componentId, string pipelineId, long items, int parts);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Batch processor {ComponentId} in pipeline {PipelineId}: upstream failed; sending the {Items} buffered items before failing")]
    public static partial void UpstreamFailed(this ILogger logger, Exception exception, string componentId, string pipelineId, long items);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug,
        Message = "Batch processor {ComponentId} in pipeline {PipelineId}: upstream finished; flushed {Items} pending items")]
    public static partial void Flushed(this ILogger logger, string componentId, string pipelineId, long items);
}
