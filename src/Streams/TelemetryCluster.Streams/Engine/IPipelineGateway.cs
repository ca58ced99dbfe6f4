using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// The seam between the receiving side of a pipeline and its processor→exporter segment. On one node it is the
/// segment itself; in the cluster it is a router that splits a batch by routing key and asks the sharded
/// partitions that host the segment. Acceptance means "in a bounded queue of the segment".
/// </summary>
public interface IPipelineGateway
{
    /// <summary>
    /// Offers a batch; true once the segment queued it, false when it stayed full for the admission timeout
    /// (the caller refuses with a retry hint). Under <c>delivery = exported</c> the batch carries the sender's acks,
    /// which the exporters release; otherwise its acks are empty.
    /// </summary>
    Task<bool> OfferAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}
