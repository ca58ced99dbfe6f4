using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// One content lineage: the bytes a file started with (its fingerprint) and how far they were read and acknowledged.
/// Several files can back the same lineage at once — a rename keeps the inode, a copy (copy/truncate) or a gzip of a
/// rotated file has the same first bytes — so the offset is shared and no line is read twice. This is what a
/// checkpoint records. Only the receiver's loop touches it.
/// </summary>
internal sealed class FileState
{
    public FileState(long id, byte[] fingerprint, long offset, long recordNumber)
    {
        Id = id;
        Fingerprint = fingerprint;
        Offset = offset;
        RecordNumber = recordNumber;
        AckedOffset = offset;
        AckedRecordNumber = recordNumber;
    }

    public long Id { get; }

    /// <summary>The first bytes (up to fingerprint_size) of the content; grows with the file.</summary>
    public byte[] Fingerprint { get; set; }

    /// <summary>Next byte to tokenize: everything before it became entries (or is held by an operator).</summary>
    public long Offset { get; set; }

    public long RecordNumber { get; set; }

    /// <summary>What the pipeline acknowledged (and the checkpoint holds).</summary>
    public long AckedOffset { get; set; }

    public long AckedRecordNumber { get; set; }

    /// <summary>Device and inode of the file this lineage was last read from (checkpoint identity).</summary>
    public ulong Device { get; set; }

    public ulong Inode { get; set; }

    public string Path { get; set; } = string.Empty;

    public bool Compressed { get; set; }

    public List<Backing> Backings { get; } = [];

    public IOperatorPipeline? Pipeline { get; set; }

    /// <summary>Truncate mode: skipping the rest of an oversize entry up to its newline.</summary>
    public bool Skipping { get; set; }

    /// <summary>When new bytes last appeared (force_flush_period counts from here).</summary>
    public long LastDataTicks { get; set; }

    /// <summary>When the last backing went away (history pruning).</summary>
    public long OrphanSinceTicks { get; set; }

    /// <summary>Identity, path or fingerprint changed since the last checkpoint write.</summary>
    public bool DefinitionDirty { get; set; } = true;

    /// <summary>Acked offset changed since the last checkpoint write.</summary>
    public bool OffsetDirty { get; set; }

    /// <summary>Bytes in [Offset, end) that form an incomplete entry (waiting for its terminator).</summary>
    public long PendingBytes { get; set; }

    /// <summary>Batches in flight that carry entries of this lineage.</summary>
    public int InFlight { get; set; }

    public bool Removed { get; set; }

    /// <summary>Attribute values of the file currently read (cached per file, not per line).</summary>
    public FileAttributesCache? Attributes { get; set; }

    public bool IsOrphan => Backings.Count == 0;
}

/// <summary>One open (or dormant) file that backs a <see cref="FileState"/>.</summary>
internal sealed class Backing
{
    public Backing(string path, FileStat stat, SafeFileHandle? handle, bool gzip)
    {
        Path = path;
        Stat = stat;
        Handle = handle;
        Gzip = gzip;
    }

    public string Path { get; set; }

    public FileStat Stat { get; set; }

    /// <summary>Null when closed to save handles (too many idle files); reopened when the file changes.</summary>
    public SafeFileHandle? Handle { get; set; }

    public bool Gzip { get; }

    public GZipStream? GzStream { get; set; }

    public FileStream? GzFile { get; set; }

    /// <summary>Decompressed position of <see cref="GzStream"/>.</summary>
    public long GzPosition { get; set; }

    /// <summary>The gzip trailer says the decompressed size equals the lineage's offset: nothing to read.</summary>
    public bool GzExhausted { get; set; }

    /// <summary>Matched by the include globs in the last full scan.</summary>
    public bool InPattern { get; set; } = true;

    /// <summary>When the file last grew or was first seen.</summary>
    public long LastGrowthTicks { get; set; }

    /// <summary>Set by the watcher: the file changed since the last look.</summary>
    public bool Dirty { get; set; } = true;

    public void Close()
    {
        GzStream?.Dispose();
        GzFile?.Dispose();
        GzStream = null;
        GzFile = null;
        Handle?.Dispose();
        Handle = null;
    }
}

/// <summary>File attribute values of one backing, computed once.</summary>
internal sealed record FileAttributesCache(
    string Path,
    string Name,
    string? PathResolved,
    string? NameResolved,
    string? Owner,
    string? Group,
    string? Permissions);
