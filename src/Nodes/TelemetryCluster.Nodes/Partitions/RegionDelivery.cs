using Akka.Actor;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>Delivery of one part through a node's own shard region, shared by the router and the inbox.</summary>
internal static class RegionDelivery
{
    /// <summary>
    /// Asks <paramref name="region"/> with <paramref name="message"/>. A part sharding dropped at a shard hand-off
    /// (seen by <paramref name="drops"/> on this node's event stream) was never queued, so it is sent again (10 ms,
    /// doubling, up to 5 times) rather than waiting out the timeout, then refused as retryable. Throws
    /// <see cref="AskTimeoutException"/> or <see cref="OperationCanceledException"/> when the partition did not answer.
    /// </summary>
    public static async Task<PartitionReply> AskAsync(
        IActorRef region,
        DroppedPartWatch? drops,
        PartitionBatch message,
        TimeSpan timeout,
        TimeSpan retryAfter,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        try
        {
            var delay = TimeSpan.FromMilliseconds(10);
            for (var attempt = 1; ; attempt++)
            {
                var dropped = drops?.Watch(message);
                var ask = region.Ask<PartitionReply>(message, timeout, cancellationToken);
                if (dropped is null || await Task.WhenAny(ask, dropped).ConfigureAwait(false) == ask)
                {
                    return await ask.ConfigureAwait(false);
                }

                // The ask's temporary actor times out later; observe that so it is not an unobserved exception.
                _ = ask.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                if (attempt == 5)
                {
                    return new PartitionReply(AckStatus.Refused, "the partition was being handed over to another node", retryAfter);
                }

                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
        finally
        {
            drops?.Forget(message);
        }
    }
}
