using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// Finds files, keeps their identity across renames, copies, truncation and compression, and reads new bytes into
/// entries. Identity = (device, inode) first, then the fingerprint (first bytes): a renamed file keeps its inode; a
/// copy or a <c>.gz</c> of a known file has a new inode but the same first bytes, so it joins the same lineage and
/// continues at the shared offset. Change detection: a FileSystemWatcher marks changed files (a full glob + stat pass
/// runs on structural events and every few seconds as a safety net), so idle files cost no reads.
/// Single-threaded: only the receiver's loop calls in; the watcher only enqueues.
/// </summary>
internal sealed partial class FileTracker : IDisposable
{
    /// <summary>Unread bytes in the buffer below which it is compacted and topped up from the file.</summary>
    private const int MinUnreadBeforeRefill = 64 * 1024;

    private static readonly TimeSpan ActiveWindow = TimeSpan.FromSeconds(2);

    /// <summary>How long a lineage cut off by a truncation waits for a copy to appear before its loss is counted (longer than the safety rescan).</summary>
    private static readonly TimeSpan LossGrace = TimeSpan.FromSeconds(7);

    private readonly FileLogReceiverConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileLogStats _stats;
    private readonly EntryEmitter _emitter;
    private readonly List<FileState> _states = [];
    private readonly Dictionary<(ulong, ulong), Backing> _byInode = [];
    private readonly Dictionary<Backing, FileState> _owner = [];
    private readonly Dictionary<string, Backing> _byPath = new(StringComparer.Ordinal);
    private readonly HashSet<Backing> _active = [];
    private readonly ConcurrentQueue<string> _changedPaths = new();
    private readonly ConcurrentQueue<(string Path, SafeFileHandle Handle)> _preopened = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly List<FileState> _work = [];
    private byte[] _buffer;
    private FileState? _bufferState;
    private long _bufferStart;
    private int _bufferLength;
    private long _lastFillOffset = -1;
    private long _nextId = 1;
    private int _structural = 1;
    private bool _watching;
    private bool _warnedNoFiles;
    private int _workIndex;

    public FileTracker(FileLogReceiverConfig config, TimeProvider time, ILogger logger, FileLogStats stats, EntryEmitter emitter)
    {
        _config = config;
        _time = time;
        _logger = logger;
        _stats = stats;
        _emitter = emitter;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256 * 1024, config.InitialBufferSize));
    }

    public IReadOnlyList<FileState> States => _states;

    public bool Watching => _watching;

    public int OpenHandles => _byInode.Values.Count(b => b.Handle is not null);

    /// <summary>Adds the lineages of a checkpoint (no files attached yet: the first scan finds them).</summary>
    public void Restore(IEnumerable<CheckpointEntry> entries)
    {
        var now = _time.GetUtcNow().UtcTicks;
        foreach (var entry in entries)
        {
            var state = new FileState(entry.Id, entry.Fingerprint, entry.Offset, entry.RecordNumber)
            {
                Device = entry.Device,
                Inode = entry.Inode,
                Path = entry.Path,
                Compressed = entry.Compressed,
                DefinitionDirty = false,
                OrphanSinceTicks = now,
            };
            _states.Add(state);
            _nextId = Math.Max(_nextId, entry.Id + 1);
        }
    }

    /// <summary>Starts change notifications on the include patterns' base directories; false when unavailable.</summary>
    public bool StartWatching()
    {
        var ok = true;
        foreach (var group in _config.Include.GroupBy(g => g.BaseDirectory, StringComparer.Ordinal))
        {
            var recursive = group.Any(g => g.MaxDepth is null or > 0);
            try
            {
                var watcher = new FileSystemWatcher(group.Key)
                {
                    IncludeSubdirectories = recursive,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName,
                    InternalBufferSize = 64 * 1024,
                };
                watcher.Changed += (_, e) => _changedPaths.Enqueue(e.FullPath);
                watcher.Created += (_, e) =>
                {
                    Preopen(e.FullPath);
                    Interlocked.Exchange(ref _structural, 1);
                };
                watcher.Deleted += (_, _) => Interlocked.Exchange(ref _structural, 1);
                watcher.Renamed += (_, _) => Interlocked.Exchange(ref _structural, 1);
                watcher.Error += (_, _) => Interlocked.Exchange(ref _structural, 1);
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                FileLogLog.WatcherUnavailable(_logger, e, group.Key);
                ok = false;
            }
        }

        _watching = ok && _watchers.Count > 0;
        return _watching;
    }

    /// <summary>
    /// Opens a file the moment it is created (on the watcher's thread), so that a file that leaves the patterns
    /// before the next poll (created and rotated away quickly, or a poll delayed by load) can still be read through
    /// its handle. The loop adopts or closes the handle in the next full scan.
    /// </summary>
    private void Preopen(string path)
    {
        try
        {
            if (Claim is not null || !_config.Include.Any(g => g.IsMatch(path)) || Excluded(path) || Directory.Exists(path))
            {
                return;
            }

            _preopened.Enqueue((path, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone already, or not readable: the scan decides
        }
    }

    /// <summary>True when a structural change (create/delete/rename/overflow) was reported or notifications are off.</summary>
    public bool TakeStructuralChange() => !_watching || Interlocked.Exchange(ref _structural, 0) == 1;

    /// <summary>Marks the files the watcher reported as changed; an unknown path asks for a full scan.</summary>
    public void DrainChanges()
    {
        while (_changedPaths.TryDequeue(out var path))
        {
            if (_byPath.TryGetValue(path, out var backing))
            {
                backing.Dirty = true;
                _active.Add(backing);
            }
            else
            {
                Interlocked.Exchange(ref _structural, 1);
            }
        }
    }

    /// <summary>Glob + stat of every matching file; attaches new files to lineages, notices renames and files that left.</summary>
    public void FullScan(bool firstScan)
    {
        var matched = Match();
        if (matched.Count == 0 && firstScan && !_warnedNoFiles)
        {
            _warnedNoFiles = true;
            FileLogLog.NoFiles(_logger, string.Join(", ", _config.Include.Select(g => g.Pattern)));
        }

        var now = _time.GetUtcNow().UtcTicks;
        var early = new Dictionary<(ulong, ulong), (string Path, SafeFileHandle Handle)>();
        while (_preopened.TryDequeue(out var item))
        {
            var id = FileStats.Of(item.Handle, item.Path);
            if (!id.HasIdentity || _byInode.ContainsKey((id.Device, id.Inode)) || !early.TryAdd((id.Device, id.Inode), item))
            {
                item.Handle.Dispose();
            }
        }

        var seen = new HashSet<Backing>();
        NoteMatched(matched);
        foreach (var (path, stat) in matched)
        {
            if (Claim is not null && !Claim(path))
            {
                continue; // shared storage: another node reads it
            }

            if (stat.HasIdentity && _byInode.TryGetValue((stat.Device, stat.Inode), out var known))
            {
                seen.Add(known);
                Revisit(known, path, stat);
                continue;
            }

            if (!stat.HasIdentity && _byPath.TryGetValue(path, out var samePath))
            {
                seen.Add(samePath);
                Revisit(samePath, path, stat);
                continue;
            }

            if (stat.Size == 0)
            {
                continue; // no fingerprint yet: looked at again when it has content
            }

            SafeFileHandle? handle = null;
            if (stat.HasIdentity && early.Remove((stat.Device, stat.Inode), out var opened))
            {
                handle = opened.Handle;
            }

            var backing = Open(path, stat, firstScan, now, handle);
            if (backing is not null)
            {
                seen.Add(backing);
            }
        }

        // Created and gone from the patterns before this scan: read through the handle opened at creation, under the
        // name it was created with; the loop below treats it as a file that left the patterns (drain, then close).
        foreach (var (path, handle) in early.Values)
        {
            var stat = FileStats.Of(handle, path);
            if (stat.Size == 0 || Open(path, stat, firstScan: false, now, handle) is null)
            {
                handle.Dispose();
            }
        }

        foreach (var backing in _byInode.Values.ToList())
        {
            if (!seen.Contains(backing) && backing.InPattern)
            {
                // Moved out of the patterns or deleted: drained through the open handle, then closed when idle.
                backing.InPattern = false;
                backing.LastGrowthTicks = now;
                _byPath.Remove(backing.Path);
                if (backing.Handle is null)
                {
                    Detach(backing, now);
                }
                else
                {
                    backing.Dirty = true;
                    _active.Add(backing);
                }
            }
        }

        LimitOpenHandles();
        _stats.FullScans++;
    }

    /// <summary>Lists the lineages to read in this poll (files marked changed, draining or recently active).</summary>
    public void BeginPoll()
    {
        _work.Clear();
        _workIndex = 0;
        var now = _time.GetUtcNow().UtcTicks;
        var seen = new HashSet<FileState>();
        foreach (var backing in _active.ToList())
        {
            if (!_owner.TryGetValue(backing, out var state))
            {
                _active.Remove(backing);
                continue;
            }

            if (backing.Handle is null)
            {
                _active.Remove(backing);
                continue;
            }

            var before = backing.Stat;
            FileStat stat;
            try
            {
                stat = FileStats.Of(backing.Handle, backing.Path);
            }
            catch (IOException)
            {
                continue;
            }

            backing.Stat = stat;
            var changed = stat.Size != before.Size || stat.MtimeTicks != before.MtimeTicks;
            if (!backing.Gzip && (stat.Size < before.Size || (changed && ContentReplaced(state, backing, stat))))
            {
                Truncated(state, backing, stat, now);
                if (!_owner.TryGetValue(backing, out state))
                {
                    continue;
                }
            }

            if (stat.Size != before.Size || stat.MtimeTicks != before.MtimeTicks)
            {
                backing.LastGrowthTicks = now;
                GrowFingerprint(state, backing, stat);
                if (backing.Gzip)
                {
                    // A .gz still being written when first seen: decompress again from the start.
                    backing.GzExhausted = false;
                    backing.GzStream?.Dispose();
                    backing.GzStream = null;
                }
            }

            var idle = TimeSpan.FromTicks(now - backing.LastGrowthTicks);
            if (!backing.InPattern && idle > LostGrace && state.Offset >= stat.Size && state.PendingBytes == 0)
            {
                Detach(backing, now);
                continue;
            }

            if (backing.InPattern && idle > ActiveWindow && !backing.Dirty && state.PendingBytes == 0)
            {
                _active.Remove(backing);
            }

            backing.Dirty = false;
            if (seen.Add(state))
            {
                _work.Add(state);
            }
        }
    }

    /// <summary>Reads the lineages of this poll until the emitter's batch is full (true) or everything is read (false).</summary>
    public bool ReadSome()
    {
        while (_workIndex < _work.Count)
        {
            var state = _work[_workIndex];
            if (state.Removed || state.Backings.Count == 0)
            {
                _workIndex++;
                continue;
            }

            var full = ReadState(state);
            if (full)
            {
                return true;
            }

            _workIndex++;
        }

        return false;
    }

    /// <summary>Force-flushes trailing partial entries idle for force_flush_period and asks operators to flush.</summary>
    public bool FlushIdle(bool force)
    {
        var now = _time.GetUtcNow();
        foreach (var state in _states)
        {
            if (_emitter.Full)
            {
                return true;
            }

            if (state.Backings.Count == 0 && state.PendingBytes == 0 && state.Pipeline is null)
            {
                continue;
            }

            var idle = now.UtcTicks - state.LastDataTicks;
            if (state.PendingBytes > 0 && (force || (_config.ForceFlushPeriod > TimeSpan.Zero && idle >= _config.ForceFlushPeriod.Ticks)))
            {
                ReadState(state, flushTail: true);
            }

            if (state.Pipeline is not null)
            {
                _emitter.FlushOperators(state, now, force);
            }
        }

        return false;
    }

    /// <summary>Closes files that left the patterns long ago; forgets lineages without files after an hour.</summary>
    public IReadOnlyList<FileState> Prune()
    {
        var removed = new List<FileState>();
        var now = _time.GetUtcNow().UtcTicks;
        var horizon = TimeSpan.FromHours(1).Ticks;
        foreach (var state in _states)
        {
            if (state.LossSuspectTicks != 0 && now - state.LossSuspectTicks > LossGrace.Ticks)
            {
                state.LossSuspectTicks = 0;
                _stats.TruncationsWithPossibleLoss++;
                FileLogLog.TruncatedWithPossibleLoss(_logger, state.LossSuspectPath ?? state.Path);
            }
        }

        for (var i = _states.Count - 1; i >= 0; i--)
        {
            var state = _states[i];
            if (state.Backings.Count == 0 && state.InFlight == 0 && now - state.OrphanSinceTicks > horizon)
            {
                state.Removed = true;
                removed.Add(state);
                _states.RemoveAt(i);
            }
        }

        if (_states.Count > 20_000)
        {
            foreach (var state in _states.Where(s => s.Backings.Count == 0 && s.InFlight == 0).OrderBy(s => s.OrphanSinceTicks).Take(_states.Count - 20_000).ToList())
            {
                state.Removed = true;
                removed.Add(state);
                _states.Remove(state);
            }
        }

        return removed;
    }

    /// <summary>delete_after_read: files read to the end, acknowledged and idle for force_flush_period are deleted.</summary>
    public IReadOnlyList<FileState> DeleteFinished()
    {
        var removed = new List<FileState>();
        var now = _time.GetUtcNow().UtcTicks;
        foreach (var state in _states.ToList())
        {
            if (state.Backings.Count == 0 || state.InFlight > 0 || state.PendingBytes > 0 || state.AckedOffset < state.Offset)
            {
                continue;
            }

            var done = state.Backings.All(b => b.InPattern && (b.Gzip ? b.GzExhausted : b.Stat.Size <= state.Offset)
                && now - Math.Max(b.LastGrowthTicks, state.LastDataTicks) >= Math.Max(_config.ForceFlushPeriod.Ticks, _config.PollInterval.Ticks));
            if (!done)
            {
                continue;
            }

            foreach (var backing in state.Backings.ToList())
            {
                try
                {
                    File.Delete(backing.Path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    FileLogLog.ReadFailed(_logger, e, backing.Path);
                }

                Detach(backing, now);
            }

            state.Removed = true;
            _states.Remove(state);
            removed.Add(state);
        }

        return removed;
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        while (_preopened.TryDequeue(out var early))
        {
            early.Handle.Dispose();
        }

        foreach (var backing in _byInode.Values)
        {
            backing.Close();
        }

        foreach (var state in _states)
        {
            foreach (var backing in state.Backings)
            {
                backing.Close();
            }
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private TimeSpan LostGrace => TimeSpan.FromTicks(Math.Max(Math.Max(_config.ForceFlushPeriod.Ticks, 5 * _config.PollInterval.Ticks), TimeSpan.FromSeconds(1).Ticks));

    private List<(string Path, FileStat Stat)> Match()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, FileStat)>();
        var now = _time.GetUtcNow().UtcDateTime;
        foreach (var glob in _config.Include)
        {
            if (!Directory.Exists(glob.BaseDirectory))
            {
                continue;
            }

            var options = new EnumerationOptions
            {
                RecurseSubdirectories = glob.MaxDepth is null or > 0,
                MaxRecursionDepth = glob.MaxDepth ?? int.MaxValue,
                IgnoreInaccessible = true,
                AttributesToSkip = 0,
                ReturnSpecialDirectories = false,
            };
            IEnumerable<string> files;
            try
            {
                files = Directory.EnumerateFiles(glob.BaseDirectory, "*", options);
                foreach (var path in files)
                {
                    if (!glob.IsMatch(path) || !paths.Add(path) || Excluded(path))
                    {
                        continue;
                    }

                    if (FileStats.OfPath(path) is not { } stat)
                    {
                        continue;
                    }

                    if (_config.ExcludeOlderThan > TimeSpan.Zero && now.Ticks - stat.MtimeTicks > _config.ExcludeOlderThan.Ticks)
                    {
                        continue;
                    }

                    result.Add((path, stat));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FileLogLog.ReadFailed(_logger, e, glob.BaseDirectory);
            }
        }

        return _config.Ordering is { Enabled: true } ordering ? FileOrdering.Apply(ordering, result) : result;
    }

    private bool Excluded(string path)
    {
        foreach (var glob in _config.Exclude)
        {
            if (glob.IsMatch(path))
            {
                return true;
            }
        }

        return false;
    }

    private void Revisit(Backing backing, string path, FileStat stat)
    {
        var state = _owner[backing];
        if (!string.Equals(backing.Path, path, StringComparison.Ordinal) || !backing.InPattern)
        {
            if (!string.Equals(backing.Path, path, StringComparison.Ordinal))
            {
                _stats.Renames++;
            }

            _byPath.Remove(backing.Path);
            backing.Path = path;
            backing.InPattern = true;
            _byPath[path] = backing;
            state.Path = path;
            state.Attributes = null;
            state.DefinitionDirty = true;
        }

        if (stat.Size != backing.Stat.Size || stat.MtimeTicks != backing.Stat.MtimeTicks)
        {
            backing.Dirty = true;
            if (backing.Handle is null)
            {
                try
                {
                    backing.Handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    var reopened = ReadFingerprint(backing.Handle, backing.Gzip);
                    if (!PrefixCompatible(reopened, state.Fingerprint))
                    {
                        // The inode was reused by another file while the handle was closed: a new file.
                        Detach(backing, _time.GetUtcNow().UtcTicks);
                        Open(path, stat, firstScan: false, _time.GetUtcNow().UtcTicks);
                        return;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _stats.ReadErrors++;
                    return;
                }
            }

            _active.Add(backing);
        }
    }

    private Backing? Open(string path, FileStat pathStat, bool firstScan, long now, SafeFileHandle? opened = null)
    {
        SafeFileHandle handle;
        try
        {
            handle = opened ?? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _stats.ReadErrors++;
            return null;
        }

        var stat = FileStats.Of(handle, path);
        if (stat.HasIdentity && _byInode.TryGetValue((stat.Device, stat.Inode), out var raced))
        {
            handle.Dispose();
            return raced;
        }

        var gzip = _config.Compression == Compression.Gzip || (_config.Compression == Compression.Auto && IsGzip(handle));
        byte[] fingerprint;
        try
        {
            fingerprint = ReadFingerprint(handle, gzip);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            FileLogLog.ReadFailed(_logger, e, path);
            _stats.ReadErrors++;
            handle.Dispose();
            return null;
        }

        if (fingerprint.Length == 0)
        {
            handle.Dispose();
            return null;
        }

        _stats.FilesOpened++;
        var backing = new Backing(path, stat, handle, gzip) { LastGrowthTicks = now };
        var state = FindLineage(stat, fingerprint);
        if (state is not null)
        {
            if (state.Backings.Count > 0)
            {
                if (gzip)
                {
                    _stats.CompressedJoined++;
                }
                else
                {
                    _stats.CopiesJoined++;
                }
            }
            else if (gzip && state.Offset > 0)
            {
                _stats.CompressedJoined++;
            }

            if (!gzip && state.Backings.Count == 0 && stat.Size < state.Offset && stat.SameFile(new FileStat(state.Device, state.Inode, 0, 0, 0, 0, 0)))
            {
                // Known inode, smaller than its checkpoint: truncated while we were away.
                Attach(state, backing, stat, fingerprint);
                Truncated(state, backing, stat, now);
                return backing;
            }

            Attach(state, backing, stat, fingerprint);
            if (gzip && state.Offset > 0 && GzipTrailerSize(handle) == (uint)state.Offset)
            {
                backing.GzExhausted = true;
            }
        }
        else
        {
            long offset = 0;
            if (firstScan && _config.StartAt == StartAt.End)
            {
                offset = gzip ? DecompressedLength(handle) : stat.Size;
            }

            state = NewState(fingerprint, offset, 0);
            Attach(state, backing, stat, fingerprint);
            FileLogLog.FileStarted(_logger, path, offset);
        }

        return backing;
    }

    private FileState NewState(byte[] fingerprint, long offset, long recordNumber)
    {
        var state = new FileState(_nextId++, fingerprint, offset, recordNumber)
        {
            LastDataTicks = _time.GetUtcNow().UtcTicks,
        };
        _states.Add(state);
        return state;
    }

    private void Attach(FileState state, Backing backing, FileStat stat, byte[] fingerprint)
    {
        state.LossSuspectTicks = 0;
        state.Backings.Add(backing);
        _owner[backing] = state;
        if (stat.HasIdentity)
        {
            _byInode[(stat.Device, stat.Inode)] = backing;
        }

        _byPath[backing.Path] = backing;
        if (!backing.Gzip || state.Backings.Count == 1)
        {
            state.Device = stat.Device;
            state.Inode = stat.Inode;
            state.Path = backing.Path;
            state.Compressed = backing.Gzip;
            state.Attributes = null;
        }

        if (fingerprint.Length > state.Fingerprint.Length)
        {
            state.Fingerprint = fingerprint;
        }

        state.DefinitionDirty = true;
        backing.Dirty = true;
        _active.Add(backing);
    }

    private void Detach(Backing backing, long now)
    {
        backing.Close();
        _active.Remove(backing);
        if (_byPath.TryGetValue(backing.Path, out var atPath) && ReferenceEquals(atPath, backing))
        {
            _byPath.Remove(backing.Path);
        }

        if (backing.Stat.HasIdentity && _byInode.TryGetValue((backing.Stat.Device, backing.Stat.Inode), out var atInode) && ReferenceEquals(atInode, backing))
        {
            _byInode.Remove((backing.Stat.Device, backing.Stat.Inode));
        }

        if (_owner.Remove(backing, out var state))
        {
            state.Backings.Remove(backing);
            if (state.Backings.Count == 0)
            {
                state.OrphanSinceTicks = now;
            }
            else if (state.Backings.FirstOrDefault(b => !b.Gzip) is { } other)
            {
                state.Device = other.Stat.Device;
                state.Inode = other.Stat.Inode;
                state.Path = other.Path;
                state.Attributes = null;
                state.DefinitionDirty = true;
            }
        }

        if (_bufferState is not null && _bufferState.Backings.Count == 0)
        {
            _bufferState = null;
        }
    }

    /// <summary>
    /// A file became smaller than it was. Same first bytes: <c>on_truncate</c> decides. Other content (copy/truncate):
    /// the file starts a new lineage from 0; the old lineage keeps its other files (a copy inside the patterns) —
    /// without one, lines written between the last read and the truncation are lost and counted.
    /// </summary>
    private void Truncated(FileState state, Backing backing, FileStat stat, long now)
    {
        _stats.Truncations++;
        byte[] current;
        try
        {
            current = backing.Handle is null ? [] : ReadFingerprint(backing.Handle, gzip: false);
        }
        catch (IOException)
        {
            current = [];
        }

        var sameContent = current.Length > 0 && PrefixCompatible(current, state.Fingerprint);
        if (sameContent && _config.OnTruncate == OnTruncate.Ignore)
        {
            return; // read again once the file grows past the old offset
        }

        var hadOther = state.Backings.Any(b => !ReferenceEquals(b, backing) && b.Handle is not null);
        RemoveFromState(state, backing, now);
        var offset = sameContent && _config.OnTruncate == OnTruncate.ReadNew ? stat.Size : 0;
        var fresh = NewState(current, offset, 0);
        Attach(fresh, backing, stat, current);
        if (!sameContent && !hadOther)
        {
            // Lost unless a copy with the same first bytes turns up (its Created event may come after the truncation).
            state.LossSuspectTicks = now;
            state.LossSuspectPath = backing.Path;
        }

        if (ReferenceEquals(_bufferState, state) || ReferenceEquals(_bufferState, fresh))
        {
            _bufferState = null;
        }
    }

    private void RemoveFromState(FileState state, Backing backing, long now)
    {
        state.Backings.Remove(backing);
        _owner.Remove(backing);
        if (state.Backings.Count == 0)
        {
            state.OrphanSinceTicks = now;
            state.PendingBytes = 0;
        }
    }

    /// <summary>
    /// The lineage a new file belongs to: the checkpointed lineage of the same inode whose first bytes agree, else any
    /// lineage with the same first bytes (prefix match while either is shorter than fingerprint_size).
    /// </summary>
    private FileState? FindLineage(FileStat stat, byte[] fingerprint)
    {
        FileState? byFingerprint = null;
        foreach (var state in _states)
        {
            if (state.Fingerprint.Length == 0 || !PrefixCompatible(state.Fingerprint, fingerprint))
            {
                continue;
            }

            if (stat.HasIdentity && state.Backings.Count == 0 && state.Device == stat.Device && state.Inode == stat.Inode)
            {
                return state;
            }

            // Prefer a lineage without files (the original went away: rotated out, gzipped) over a live one.
            if (byFingerprint is null || (byFingerprint.Backings.Count > 0 && state.Backings.Count == 0))
            {
                byFingerprint = state;
            }
        }

        return byFingerprint;
    }

    /// <summary>
    /// True when the file no longer starts with the lineage's first bytes: truncated and written again past its old
    /// size between two looks (copy/truncate under load). One read of the fingerprint region per changed file.
    /// </summary>
    private bool ContentReplaced(FileState state, Backing backing, FileStat stat)
    {
        var length = (int)Math.Min(state.Fingerprint.Length, stat.Size);
        if (backing.Handle is null || length == 0)
        {
            return false;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var total = 0;
            while (total < length)
            {
                var n = RandomAccess.Read(backing.Handle, scratch.AsSpan(total, length - total), total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total == length && !scratch.AsSpan(0, length).SequenceEqual(state.Fingerprint.AsSpan(0, length));
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void GrowFingerprint(FileState state, Backing backing, FileStat stat)
    {
        if (backing.Gzip || backing.Handle is null || state.Fingerprint.Length >= _config.FingerprintSize || stat.Size <= state.Fingerprint.Length)
        {
            return;
        }

        try
        {
            var grown = ReadFingerprint(backing.Handle, gzip: false);
            if (grown.Length > state.Fingerprint.Length && PrefixCompatible(grown, state.Fingerprint))
            {
                state.Fingerprint = grown;
                state.DefinitionDirty = true;
            }
        }
        catch (IOException)
        {
        }
    }

    private static bool PrefixCompatible(byte[] a, byte[] b)
    {
        var length = Math.Min(a.Length, b.Length);
        return a.AsSpan(0, length).SequenceEqual(b.AsSpan(0, length));
    }

    private byte[] ReadFingerprint(SafeFileHandle handle, bool gzip)
    {
        var buffer = new byte[_config.FingerprintSize];
        var total = 0;
        if (gzip)
        {
            using var file = new FileStream(new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 1);
            file.Position = 0;
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            try
            {
                while (total < buffer.Length)
                {
                    var n = gz.Read(buffer, total, buffer.Length - total);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                // a gzip file still being written: what decompressed so far
            }
        }
        else
        {
            while (total < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }

        return total == buffer.Length ? buffer : buffer.AsSpan(0, total).ToArray();
    }

    private static bool IsGzip(SafeFileHandle handle)
    {
        Span<byte> magic = stackalloc byte[2];
        return RandomAccess.Read(handle, magic, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static uint GzipTrailerSize(SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        if (length < 18)
        {
            return uint.MaxValue;
        }

        Span<byte> size = stackalloc byte[4];
        return RandomAccess.Read(handle, size, length - 4) == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(size) : uint.MaxValue;
    }

    private static long DecompressedLength(SafeFileHandle handle)
    {
        using var file = new FileStream(new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 1);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long total = 0;
        try
        {
            int n;
            while ((n = gz.Read(scratch, 0, scratch.Length)) > 0)
            {
                total += n;
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return total;
    }

    private void LimitOpenHandles()
    {
        var open = _byInode.Values.Where(b => b.Handle is not null).ToList();
        if (open.Count <= _config.MaxConcurrentFiles)
        {
            return;
        }

        foreach (var backing in open
            .Where(b => b.InPattern && !b.Gzip && !_active.Contains(b) && _owner.TryGetValue(b, out var s) && s.Offset >= b.Stat.Size && s.PendingBytes == 0)
            .OrderBy(b => b.LastGrowthTicks)
            .Take(open.Count - _config.MaxConcurrentFiles))
        {
            backing.Handle?.Dispose();
            backing.Handle = null;
        }
    }

    /// <summary>Reads one lineage from its best file to the end (or until the batch is full). True when the batch is full.</summary>
    private bool ReadState(FileState state, bool flushTail = false)
    {
        var backing = Source(state);
        if (backing is null)
        {
            if (flushTail)
            {
                state.PendingBytes = 0;
            }

            return false;
        }

        while (true)
        {
            int available;
            try
            {
                available = Fill(state, backing);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                FileLogLog.ReadFailed(_logger, e, backing.Path);
                _stats.ReadErrors++;
                return false;
            }

            var skip = (int)(state.Offset - _bufferStart);
            var data = _buffer.AsSpan(skip, available);
            if (data.Length == 0)
            {
                state.PendingBytes = 0;
                return false;
            }

            var atEnd = IsAtEnd(state, backing, data.Length);
            var consumed = _emitter.Tokenize(state, backing, data, flushTail && atEnd, out var full);
            if (flushTail && consumed == 0 && !full)
            {
                state.PendingBytes = 0;
                return false;
            }

            if (consumed > 0)
            {
                state.LastDataTicks = _time.GetUtcNow().UtcTicks;
            }

            if (full)
            {
                state.PendingBytes = Math.Max(0, data.Length - consumed);
                return true;
            }

            if (consumed == 0)
            {
                if (data.Length >= _buffer.Length - 16 && _buffer.Length < _config.MaxLogSize * 2L + 1024)
                {
                    Grow();
                    continue;
                }

                if (atEnd)
                {
                    state.PendingBytes = data.Length;
                    return false;
                }
            }

            if (atEnd && consumed == data.Length)
            {
                state.PendingBytes = 0;
                return false;
            }

            if (atEnd && consumed < data.Length && !flushTail)
            {
                state.PendingBytes = data.Length - consumed;
                return false;
            }
        }
    }

    private bool IsAtEnd(FileState state, Backing backing, int available)
    {
        if (backing.Gzip)
        {
            return backing.GzExhausted;
        }

        return state.Offset + available >= backing.Stat.Size;
    }

    /// <summary>The file to read a lineage from: the largest plain file, else a gzip file not yet exhausted.</summary>
    private static Backing? Source(FileState state)
    {
        Backing? best = null;
        foreach (var backing in state.Backings)
        {
            if (backing.Gzip || backing.Handle is null)
            {
                continue;
            }

            if (best is null || backing.Stat.Size > best.Stat.Size)
            {
                best = backing;
            }
        }

        if (best is not null && best.Stat.Size > state.Offset)
        {
            return best;
        }

        foreach (var backing in state.Backings)
        {
            if (backing.Gzip && !backing.GzExhausted && backing.Handle is not null)
            {
                return backing;
            }
        }

        return best;
    }

    /// <summary>
    /// Makes the shared buffer hold the lineage's bytes from its offset on and returns how many there are. Bytes
    /// already in the buffer are kept (a batch that filled up leaves the rest for the next call).
    /// </summary>
    private int Fill(FileState state, Backing backing)
    {
        var sameState = ReferenceEquals(_bufferState, state) && state.Offset >= _bufferStart && state.Offset <= _bufferStart + _bufferLength;
        if (sameState && state.Offset > _lastFillOffset && _bufferStart + _bufferLength - state.Offset >= MinUnreadBeforeRefill)
        {
            // Enough unread bytes (and progress since the last call): tokenize them in place. Moving the rest to the
            // front and topping up after every batch would copy the whole buffer per batch.
            _lastFillOffset = state.Offset;
            return (int)(_bufferStart + _bufferLength - state.Offset);
        }

        _lastFillOffset = state.Offset;
        if (!sameState)
        {
            _bufferState = state;
            _bufferStart = state.Offset;
            _bufferLength = 0;
        }
        else if (state.Offset > _bufferStart)
        {
            // Move the unread rest to the front.
            var skip = (int)(state.Offset - _bufferStart);
            var rest = _bufferLength - skip;
            if (rest > 0)
            {
                Buffer.BlockCopy(_buffer, skip, _buffer, 0, rest);
            }

            _bufferStart = state.Offset;
            _bufferLength = rest;
        }

        var end = _bufferStart + _bufferLength;
        while (_bufferLength < _buffer.Length)
        {
            int n;
            if (backing.Gzip)
            {
                n = ReadGzip(backing, end, _buffer.AsSpan(_bufferLength));
            }
            else
            {
                if (end >= backing.Stat.Size)
                {
                    // Stat is from the start of this poll; look once more for bytes written since.
                    n = RandomAccess.Read(backing.Handle!, _buffer.AsSpan(_bufferLength), end);
                    if (n > 0)
                    {
                        backing.Stat = backing.Stat with { Size = end + n };
                    }
                }
                else
                {
                    n = RandomAccess.Read(backing.Handle!, _buffer.AsSpan(_bufferLength), end);
                }
            }

            if (n <= 0)
            {
                break;
            }

            _stats.BytesRead += n;
            _bufferLength += n;
            end += n;
        }

        return _bufferLength;
    }

    private static int ReadGzip(Backing backing, long position, Span<byte> into)
    {
        if (backing.GzExhausted)
        {
            return 0;
        }

        if (backing.GzStream is null || backing.GzPosition > position)
        {
            backing.GzStream?.Dispose();
            backing.GzFile?.Dispose();
            backing.GzFile = new FileStream(new SafeFileHandle(backing.Handle!.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 64 * 1024);
            backing.GzFile.Position = 0;
            backing.GzStream = new GZipStream(backing.GzFile, CompressionMode.Decompress);
            backing.GzPosition = 0;
        }

        if (backing.GzPosition < position)
        {
            var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                while (backing.GzPosition < position)
                {
                    var n = backing.GzStream.Read(scratch, 0, (int)Math.Min(scratch.Length, position - backing.GzPosition));
                    if (n == 0)
                    {
                        backing.GzExhausted = true;
                        return 0;
                    }

                    backing.GzPosition += n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        int read;
        try
        {
            read = backing.GzStream.Read(into);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            read = 0;
        }

        if (read == 0)
        {
            backing.GzExhausted = true;
        }

        backing.GzPosition += read;
        return read;
    }

    private void Grow()
    {
        var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _bufferLength);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
