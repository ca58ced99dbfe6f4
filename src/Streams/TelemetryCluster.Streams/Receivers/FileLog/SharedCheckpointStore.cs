using System.Buffers.Binary;
using System.Text;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// Checkpoints of a receiver with <c>cluster.shared_storage = true</c>: one small file per file key in a directory on
/// the shared volume (<c>&lt;checkpoint_dir&gt;/&lt;receiver&gt;/&lt;escaped key&gt;.ckpt</c>), so the node that claims a
/// file next reads exactly what the previous owner acknowledged. Each write goes to a temp file unique to the writer
/// and is renamed over the checkpoint (atomic on POSIX file systems): a reader sees the old or the new record, never a
/// torn one, and two nodes never write into the same temp file. Record: magic, offset, record number, device, inode,
/// compressed flag, path, fingerprint, FNV-1a checksum.
/// </summary>
internal sealed class SharedCheckpointStore
{
    private const uint Magic = 0x31434654; // "TFC1"
    private readonly string _tempSuffix = "." + Guid.NewGuid().ToString("N")[..12] + ".tmp";

    public SharedCheckpointStore(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public string PathOf(string fileKey) => Path.Combine(Directory, Uri.EscapeDataString(fileKey) + ".ckpt");

    /// <summary>The checkpoint of a file key; null when there is none or it is unreadable (then the file is read from its start).</summary>
    public CheckpointEntry? Load(string fileKey)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(fileKey));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Decode(bytes);
    }

    /// <summary>Writes the acknowledged offset of a lineage under its file key (temp + rename).</summary>
    public void Write(string fileKey, FileState state)
    {
        var target = PathOf(fileKey);
        var temp = target + _tempSuffix;
        var bytes = Encode(state);
        try
        {
            File.WriteAllBytes(temp, bytes);
        }
        catch (DirectoryNotFoundException)
        {
            // The directory went away (volume remounted, cleaned up): create it again once.
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(temp, bytes);
        }

        File.Move(temp, target, overwrite: true);
    }

    public void Delete(string fileKey)
    {
        try
        {
            File.Delete(PathOf(fileKey));
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    internal static byte[] Encode(FileState state)
    {
        var path = Encoding.UTF8.GetBytes(state.Path);
        var length = 4 + 8 + 8 + 8 + 8 + 1 + 4 + path.Length + 4 + state.Fingerprint.Length;
        var bytes = new byte[length + 4];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], state.AckedOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], state.AckedRecordNumber);
        BinaryPrimitives.WriteUInt64LittleEndian(span[20..], state.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(span[28..], state.Inode);
        span[36] = state.Compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(span[37..], path.Length);
        path.CopyTo(span[41..]);
        var at = 41 + path.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], state.Fingerprint.Length);
        state.Fingerprint.CopyTo(span[(at + 4)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[length..], Checksum(span[..length]));
        return bytes;
    }

    internal static CheckpointEntry? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 49 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            return null;
        }

        var length = bytes.Length - 4;
        if (Checksum(bytes[..length]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[length..]))
        {
            return null;
        }

        var pathLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[37..]);
        if (pathLength < 0 || 41 + pathLength + 4 > length)
        {
            return null;
        }

        var at = 41 + pathLength;
        var fpLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        if (fpLength < 0 || at + 4 + fpLength != length)
        {
            return null;
        }

        return new CheckpointEntry(
            0,
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[20..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[28..]),
            bytes[36] == 1,
            BinaryPrimitives.ReadInt64LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[12..]),
            Encoding.UTF8.GetString(bytes.Slice(41, pathLength)),
            bytes.Slice(at + 4, fpLength).ToArray());
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        var hash = 2166136261u;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
