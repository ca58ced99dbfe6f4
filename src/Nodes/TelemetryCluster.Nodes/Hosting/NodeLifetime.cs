namespace TelemetryCluster.Nodes.Hosting;

/// <summary>
/// What the process should exit with: 0 after a requested stop (SIGTERM, Ctrl+C) that drained cleanly; 1 when the
/// pipelines failed to start or the ActorSystem went down on its own (downed, removed from the cluster).
/// </summary>
public sealed class NodeLifetime
{
    private string? _failure;

    public int ExitCode => Volatile.Read(ref _failure) is null ? 0 : 1;

    /// <summary>Why the node failed, or null.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Records the first failure; later ones are ignored.</summary>
    public void Fail(string reason) => Interlocked.CompareExchange(ref _failure, reason, null);
}
