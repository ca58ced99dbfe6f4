namespace TelemetryCluster.Nodes.FileClaims;

/// <summary>Marker of the messages the file-claim serializer handles (bound to it, so none travels as JSON).</summary>
public interface IFileClaimMessage;

/// <summary>A node sees a file of a shared-storage <c>file_log</c> receiver; sharding routes it to the file's claim entity.</summary>
public sealed record FileClaimTouch(string Receiver, string FileKey) : IFileClaimMessage
{
    /// <summary>Separates receiver id and file key in the entity id (neither contains a control character).</summary>
    public const char Separator = '\u001f';

    public string EntityId => Receiver + Separator + FileKey;

    public static bool TryParseEntityId(string entityId, out string receiver, out string fileKey)
    {
        var at = entityId.IndexOf(Separator, StringComparison.Ordinal);
        receiver = at > 0 ? entityId[..at] : string.Empty;
        fileKey = at > 0 ? entityId[(at + 1)..] : string.Empty;
        return at > 0 && fileKey.Length > 0;
    }
}

/// <summary>Hand-off stop message of a claim entity: the local receiver releases the file, then the entity stops.</summary>
public sealed record FileClaimStop : IFileClaimMessage
{
    public static FileClaimStop Instance { get; } = new();
}

/// <summary>Names of the file-claim wiring.</summary>
public static class FileClaimSettings
{
    /// <summary>The sharding type name of the claim region.</summary>
    public const string RegionName = "filelog-claims";

    /// <summary>Shards of the claim region (files hash onto them; shards spread over the nodes).</summary>
    public const int Shards = 64;

    /// <summary>The shard of an entity: FNV-1a of the UTF-16 code units, the same in every process (unlike string.GetHashCode).</summary>
    public static string ShardOf(string entityId)
    {
        var hash = 2166136261u;
        foreach (var c in entityId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (hash % Shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
