using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Sharding;
using TelemetryCluster.Streams.Receivers.FileLog;

namespace TelemetryCluster.Nodes.FileClaims;

/// <summary>
/// The node's <see cref="IFileClaims"/>: touches go to the <c>filelog-claims</c> shard region; the claim entities that
/// live on this node grant (and on hand-off release) files to this node's receivers. A grant that arrives before the
/// receiver joined is kept and given to it when it joins.
/// </summary>
public sealed class ClusterFileClaims : IFileClaims
{
    private readonly ConcurrentDictionary<string, IFileClaimHolder> _holders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Receiver, string FileKey), byte> _local = new();
    private ActorSystem? _system;
    private IActorRef? _region;

    /// <summary>Claims this node holds now (receiver, file key).</summary>
    public IReadOnlyCollection<(string Receiver, string FileKey)> Local => [.. _local.Keys];

    public IFileClaimSession Join(string receiverId, IFileClaimHolder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        _holders[receiverId] = holder;
        foreach (var (receiver, key) in _local.Keys)
        {
            if (receiver == receiverId)
            {
                holder.Grant(key);
            }
        }

        return new Session(this, receiverId, holder);
    }

    internal void Attach(ActorSystem system) => _system = system;

    internal void GrantLocal(string receiver, string fileKey)
    {
        _local[(receiver, fileKey)] = 0;
        if (_holders.TryGetValue(receiver, out var holder))
        {
            holder.Grant(fileKey);
        }
    }

    internal Task ReleaseLocal(string receiver, string fileKey)
    {
        _local.TryRemove((receiver, fileKey), out _);
        return _holders.TryGetValue(receiver, out var holder) ? holder.ReleaseAsync(fileKey) : Task.CompletedTask;
    }

    private IActorRef? Region()
    {
        if (_region is not null || _system is null)
        {
            return _region;
        }

        try
        {
            _region = ClusterSharding.Get(_system).ShardRegion(FileClaimSettings.RegionName);
        }
        catch (ArgumentException)
        {
            // not started yet: the next touch tries again
        }

        return _region;
    }

    private sealed class Session(ClusterFileClaims claims, string receiverId, IFileClaimHolder holder) : IFileClaimSession
    {
        public void Touch(IReadOnlyCollection<string> fileKeys)
        {
            if (claims.Region() is not { } region)
            {
                return;
            }

            foreach (var key in fileKeys)
            {
                region.Tell(new FileClaimTouch(receiverId, key));
            }
        }

        public void Dispose() => claims._holders.TryRemove(new KeyValuePair<string, IFileClaimHolder>(receiverId, holder));
    }
}
