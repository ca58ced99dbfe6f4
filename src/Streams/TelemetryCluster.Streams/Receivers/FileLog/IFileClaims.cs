namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// Which node reads which file when a <c>file_log</c> receiver has <c>cluster.shared_storage = true</c> (the files are
/// on a volume every node mounts). This project does not know the cluster, so the node registers an implementation
/// as an Akka extension on its ActorSystem (read by the receiver from <c>ComponentContext.System</c>). The node's
/// implementation gives every file one authoritative owner through sharding: the entity of a file lives on one node,
/// and that node's receiver holds the claim. Without the extension every file is claimed by this node.
/// </summary>
public interface IFileClaims : Akka.Actor.IExtension
{
    /// <summary>Registers a receiver instance (its id is the same on every node); dispose the result when it stops.</summary>
    IFileClaimSession Join(string receiverId, IFileClaimHolder holder);
}

/// <summary>A receiver's side of the claims: what it is told by the node.</summary>
public interface IFileClaimHolder
{
    /// <summary>This node now owns the file: load its checkpoint and read it. Any thread; must not block.</summary>
    void Grant(string fileKey);

    /// <summary>
    /// This node must stop reading the file: the returned task completes once reading stopped and the acknowledged
    /// offset is in the shared checkpoint (the next owner resumes from it). Any thread.
    /// </summary>
    Task ReleaseAsync(string fileKey);
}

/// <summary>A receiver's registration with the claims.</summary>
public interface IFileClaimSession : IDisposable
{
    /// <summary>
    /// The files (stable keys: path relative to the include pattern's base directory) this node sees now. Called
    /// about once a second; each key's claim is created (on its owner node) if it does not exist yet, which is how a
    /// file is taken over after its owner died.
    /// </summary>
    void Touch(IReadOnlyCollection<string> fileKeys);
}

/// <summary>Without a cluster (or tests): every file this node sees is granted to it at once.</summary>
internal sealed class LocalFileClaims : IFileClaims
{
    public static readonly LocalFileClaims Instance = new();

    public IFileClaimSession Join(string receiverId, IFileClaimHolder holder) => new Session(holder);

    private sealed class Session(IFileClaimHolder holder) : IFileClaimSession
    {
        private readonly HashSet<string> _granted = new(StringComparer.Ordinal);

        public void Touch(IReadOnlyCollection<string> fileKeys)
        {
            foreach (var key in fileKeys)
            {
                if (_granted.Add(key))
                {
                    holder.Grant(key);
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
