using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// Hands the node's <see cref="PipelineHost"/> to partition entities. Sharding may start an entity on this node
/// before the host is up (a node that just joined); the entity then waits for <see cref="Host"/>.
/// </summary>
public sealed class PipelineHostAccessor
{
    private readonly TaskCompletionSource<PipelineHost> _host = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<PipelineHost> Host => _host.Task;

    internal void Started(PipelineHost host) => _host.TrySetResult(host);

    internal void Failed(Exception error) => _host.TrySetException(error);
}
