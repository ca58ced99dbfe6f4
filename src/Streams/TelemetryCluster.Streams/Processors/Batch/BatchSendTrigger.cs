namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>What made the batch processor send a batch.</summary>
internal enum BatchSendTrigger
{
    /// <summary>The pending items reached <c>send_batch_size</c> (or <c>timeout = 0</c>).</summary>
    Size,

    /// <summary>The timeout of the pending batch elapsed, or the stream ended (the collector counts its final flush so).</summary>
    Timeout,

    /// <summary>The stage's buffer was full and downstream asked for more: the oldest pending batch went early.</summary>
    BufferFull,
}
