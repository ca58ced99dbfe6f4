namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>What the tracker offers the shared-storage mode (<c>cluster.shared_storage</c>): only claimed files are opened.</summary>
internal sealed partial class FileTracker
{
    private readonly List<string> _lastMatched = [];

    /// <summary>Shared storage: true when this node holds the claim of the file at this path (null: every file is ours).</summary>
    public Func<string, bool>? Claim { get; set; }

    /// <summary>Every path the last full scan matched, claimed or not.</summary>
    public IReadOnlyList<string> LastMatched => _lastMatched;

    /// <summary>Asks the loop for a full scan at its next turn (a claim was granted).</summary>
    public void RequestScan() => Interlocked.Exchange(ref _structural, 1);

    /// <summary>Adds a lineage from a shared checkpoint with a fresh local id; the next scan attaches its file.</summary>
    public void Adopt(CheckpointEntry entry)
    {
        var state = new FileState(_nextId++, entry.Fingerprint, entry.Offset, entry.RecordNumber)
        {
            Device = entry.Device,
            Inode = entry.Inode,
            Path = entry.Path,
            Compressed = entry.Compressed,
            DefinitionDirty = false,
            OrphanSinceTicks = _time.GetUtcNow().UtcTicks,
        };
        _states.Add(state);
    }

    /// <summary>
    /// Stops reading the lineages whose current path is <paramref name="path"/> (their files are closed) and forgets
    /// them; returns them so the caller can checkpoint their acknowledged offsets once their batches are answered.
    /// </summary>
    public List<FileState> Release(string path)
    {
        var released = new List<FileState>();
        var now = _time.GetUtcNow().UtcTicks;
        for (var i = _states.Count - 1; i >= 0; i--)
        {
            var state = _states[i];
            if (!string.Equals(state.Path, path, StringComparison.Ordinal) && !state.Backings.Exists(b => string.Equals(b.Path, path, StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var backing in state.Backings.ToList())
            {
                Detach(backing, now);
            }

            state.Removed = true;
            state.PendingBytes = 0;
            _states.RemoveAt(i);
            if (ReferenceEquals(_bufferState, state))
            {
                _bufferState = null;
            }

            released.Add(state);
        }

        return released;
    }

    private void NoteMatched(List<(string Path, FileStat Stat)> matched)
    {
        if (Claim is null)
        {
            return;
        }

        _lastMatched.Clear();
        foreach (var (path, _) in matched)
        {
            _lastMatched.Add(path);
        }
    }
}
