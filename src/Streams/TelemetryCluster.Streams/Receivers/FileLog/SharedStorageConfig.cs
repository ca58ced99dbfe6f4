using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// The receiver's <c>cluster</c> section: <c>shared_storage</c> (files on a volume every node mounts; each file is
/// claimed by one node) and <c>checkpoint_dir</c> (where the per-file checkpoints live on that volume).
/// </summary>
internal sealed record SharedStorageConfig(bool SharedStorage, string? CheckpointDirectory)
{
    public static readonly SharedStorageConfig Off = new(false, null);

    public static SharedStorageConfig Bind(ComponentConfigReader reader)
    {
        var shared = reader.GetBool("cluster.shared_storage");
        var directory = reader.GetOptionalString("cluster.checkpoint_dir");
        if (!shared)
        {
            return Off with { CheckpointDirectory = directory };
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            reader.Error("cluster.checkpoint_dir", "is required when cluster.shared_storage = true (a directory on the shared volume)");
            return Off;
        }

        if (!Path.IsPathFullyQualified(directory))
        {
            reader.Error("cluster.checkpoint_dir", $"must be an absolute path, got \"{directory}\"");
            return Off;
        }

        return new SharedStorageConfig(true, Path.GetFullPath(directory));
    }
}
