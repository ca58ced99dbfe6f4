using System.Buffers.Binary;
using System.Text;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>A lineage as the checkpoint file holds it.</summary>
internal sealed record CheckpointEntry(long Id, ulong Device, ulong Inode, bool Compressed, long Offset, long RecordNumber, string Path, byte[] Fingerprint);

/// <summary>
/// The receiver's checkpoints: an append-only journal of framed records (a full record when a lineage is defined or
/// its fingerprint/identity changes, a 24-byte offset record per acknowledgement, a removal record), rewritten
/// compactly when it grows. Each append is one write of the records a commit produced, so a <c>kill -9</c> loses at
/// most what was not yet written; a torn last record is ignored on load (length + checksum framing). Writes go to the
/// page cache without fsync (a process crash keeps them; a power cut may lose the last ones — they are re-read).
/// </summary>
internal sealed class CheckpointStore : IDisposable
{
    private const byte Full = (byte)'S';
    private const byte OffsetOnly = (byte)'O';
    private const byte Remove = (byte)'X';
    private const int CompactThreshold = 8 * 1024 * 1024;

    private readonly string _path;
    private readonly MemoryStream _pending = new();
    private FileStream? _journal;

    public CheckpointStore(string directory)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "checkpoints.bin");
    }

    public string FilePath => _path;

    /// <summary>Reads every valid record; the last record of an id wins.</summary>
    public Dictionary<long, CheckpointEntry> Load()
    {
        var result = new Dictionary<long, CheckpointEntry>();
        if (!File.Exists(_path))
        {
            return result;
        }

        var bytes = File.ReadAllBytes(_path);
        var position = 0;
        while (position + 8 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
            var sum = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4));
            if (length <= 0 || position + 8 + length > bytes.Length)
            {
                break;
            }

            var record = bytes.AsSpan(position + 8, length);
            if (Checksum(record) != sum)
            {
                break;
            }

            Apply(record, result);
            position += 8 + length;
        }

        return result;
    }

    public void WriteFull(FileState state)
    {
        Span<byte> head = stackalloc byte[1 + 8 + 8 + 8 + 1 + 8 + 8];
        head[0] = Full;
        BinaryPrimitives.WriteInt64LittleEndian(head[1..], state.Id);
        BinaryPrimitives.WriteUInt64LittleEndian(head[9..], state.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(head[17..], state.Inode);
        head[25] = state.Compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(head[26..], state.AckedOffset);
        BinaryPrimitives.WriteInt64LittleEndian(head[34..], state.AckedRecordNumber);
        var path = Encoding.UTF8.GetBytes(state.Path);
        var record = new byte[head.Length + 4 + path.Length + 4 + state.Fingerprint.Length];
        head.CopyTo(record);
        var at = head.Length;
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(at), path.Length);
        path.CopyTo(record.AsSpan(at + 4));
        at += 4 + path.Length;
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(at), state.Fingerprint.Length);
        state.Fingerprint.CopyTo(record.AsSpan(at + 4));
        Frame(record);
    }

    public void WriteOffset(FileState state)
    {
        Span<byte> record = stackalloc byte[25];
        record[0] = OffsetOnly;
        BinaryPrimitives.WriteInt64LittleEndian(record[1..], state.Id);
        BinaryPrimitives.WriteInt64LittleEndian(record[9..], state.AckedOffset);
        BinaryPrimitives.WriteInt64LittleEndian(record[17..], state.AckedRecordNumber);
        Frame(record);
    }

    public void WriteRemove(long id)
    {
        Span<byte> record = stackalloc byte[9];
        record[0] = Remove;
        BinaryPrimitives.WriteInt64LittleEndian(record[1..], id);
        Frame(record);
    }

    /// <summary>Appends what was written since the last flush in one write; compacts when the journal is large.</summary>
    public void Flush(Func<IEnumerable<FileState>> liveStates)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        _journal ??= new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        _journal.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
        _pending.SetLength(0);
        if (_journal.Length > CompactThreshold)
        {
            Compact(liveStates());
        }
    }

    /// <summary>Rewrites the journal with one full record per live lineage (temp file + rename).</summary>
    public void Compact(IEnumerable<FileState> states)
    {
        _pending.SetLength(0);
        foreach (var state in states)
        {
            WriteFull(state);
        }

        var temp = _path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
            file.Flush(flushToDisk: true);
        }

        _pending.SetLength(0);
        _journal?.Dispose();
        _journal = null;
        File.Move(temp, _path, overwrite: true);
    }

    public void Dispose()
    {
        _journal?.Dispose();
        _pending.Dispose();
    }

    private void Frame(ReadOnlySpan<byte> record)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Checksum(record));
        _pending.Write(header);
        _pending.Write(record);
    }

    private static void Apply(ReadOnlySpan<byte> record, Dictionary<long, CheckpointEntry> states)
    {
        switch (record[0])
        {
            case Full when record.Length >= 42 + 8:
                {
                    var id = BinaryPrimitives.ReadInt64LittleEndian(record[1..]);
                    var pathLength = BinaryPrimitives.ReadInt32LittleEndian(record[42..]);
                    if (pathLength < 0 || 46 + pathLength + 4 > record.Length)
                    {
                        return;
                    }

                    var path = Encoding.UTF8.GetString(record.Slice(46, pathLength));
                    var at = 46 + pathLength;
                    var fpLength = BinaryPrimitives.ReadInt32LittleEndian(record[at..]);
                    if (fpLength < 0 || at + 4 + fpLength > record.Length)
                    {
                        return;
                    }

                    states[id] = new CheckpointEntry(
                        id,
                        BinaryPrimitives.ReadUInt64LittleEndian(record[9..]),
                        BinaryPrimitives.ReadUInt64LittleEndian(record[17..]),
                        record[25] == 1,
                        BinaryPrimitives.ReadInt64LittleEndian(record[26..]),
                        BinaryPrimitives.ReadInt64LittleEndian(record[34..]),
                        path,
                        record.Slice(at + 4, fpLength).ToArray());
                    break;
                }

            case OffsetOnly when record.Length >= 25:
                {
                    var id = BinaryPrimitives.ReadInt64LittleEndian(record[1..]);
                    if (states.TryGetValue(id, out var entry))
                    {
                        states[id] = entry with
                        {
                            Offset = BinaryPrimitives.ReadInt64LittleEndian(record[9..]),
                            RecordNumber = BinaryPrimitives.ReadInt64LittleEndian(record[17..]),
                        };
                    }

                    break;
                }

            case Remove when record.Length >= 9:
                states.Remove(BinaryPrimitives.ReadInt64LittleEndian(record[1..]));
                break;
        }
    }

    /// <summary>FNV-1a, enough to tell a torn or garbage tail from a record.</summary>
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
