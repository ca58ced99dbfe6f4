using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>
/// Tells a waiting router that cluster sharding dropped its part. A shard region drops the messages it buffered for a
/// shard when that shard's hand-off begins (Akka avoids reordering them), and publishes each as <see cref="Dropped"/>
/// on the event stream. The ask would otherwise wait out its whole timeout (under <c>delivery = exported</c>, the
/// export timeout). The dropped message is the very <see cref="PartitionBatch"/> instance the router asked with, so
/// parts are matched by reference.
/// </summary>
internal sealed class DroppedPartWatch
{
    private readonly ConcurrentDictionary<PartitionBatch, TaskCompletionSource> _pending = new(ReferenceEqualityComparer.Instance);

    /// <summary>Subscribes a listener on <paramref name="system"/>'s event stream.</summary>
    public DroppedPartWatch(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var listener = system.ActorOf(Props.Create(() => new Listener(this)), "dropped-partition-parts");
        system.EventStream.Subscribe(listener, typeof(Dropped));
    }

    /// <summary>Completes when <paramref name="part"/> is dropped; call before sending it, and <see cref="Forget"/> after.</summary>
    public Task Watch(PartitionBatch part)
    {
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[part] = dropped;
        return dropped.Task;
    }

    public void Forget(PartitionBatch part) => _pending.TryRemove(part, out _);

    private void OnDropped(object message)
    {
        if (message is PartitionBatch part && _pending.TryRemove(part, out var dropped))
        {
            dropped.TrySetResult();
        }
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(DroppedPartWatch watch) => Receive<Dropped>(d => watch.OnDropped(d.Message));
    }
}
