using System.Collections.Concurrent;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// <c>cluster.shared_storage = true</c>: the receiver reads only the files this node holds the claim of
/// (<see cref="IFileClaims"/>), keeps one checkpoint per file in the shared checkpoint directory, and on a release
/// stops reading the file, waits for its batches to be answered and writes the acknowledged offset before the claim
/// moves on. Grants and releases arrive on any thread and are applied by the receiver's loop.
/// </summary>
internal sealed partial class FileLogReceiver : IFileClaimHolder
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<string> _grants = new();
    private readonly ConcurrentQueue<(string Key, TaskCompletionSource Done)> _releases = new();
    private readonly HashSet<string> _claimed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keyOfPath = new(StringComparer.Ordinal);
    private SharedCheckpointStore? _shared;
    private IFileClaimSession? _session;
    private DateTimeOffset _lastTouch;
    private DateTimeOffset _lastSharedWrite;
    private bool _sharedWriteFailing;

    /// <summary>Shared storage: the file keys this node holds (loop thread only; tests read it after stopping).</summary>
    internal IReadOnlyCollection<string> ClaimedKeys => _claimed;

    public void Grant(string fileKey)
    {
        _grants.Enqueue(fileKey);
        _tracker?.RequestScan();
    }

    public Task ReleaseAsync(string fileKey)
    {
        if (Volatile.Read(ref _stopped) == 1 || _shared is null)
        {
            return Task.CompletedTask; // stopped: the final checkpoint is written
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _releases.Enqueue((fileKey, done));
        if (Volatile.Read(ref _stopped) == 1)
        {
            CompleteReleases();
        }

        return done.Task;
    }

    /// <summary>The stable key of a file on the shared volume: its path relative to the base directory of the first include pattern that matches.</summary>
    internal string KeyOf(string path)
    {
        if (_keyOfPath.TryGetValue(path, out var key))
        {
            return key;
        }

        key = path;
        foreach (var glob in _config.Include)
        {
            if (glob.IsMatch(path))
            {
                key = Path.GetRelativePath(glob.BaseDirectory, path).Replace('\\', '/');
                break;
            }
        }

        if (_keyOfPath.Count > 100_000)
        {
            _keyOfPath.Clear();
        }

        _keyOfPath[path] = key;
        return key;
    }

    private void StartShared()
    {
        _shared = new SharedCheckpointStore(CheckpointDirectory);
        _tracker!.Claim = path => _claimed.Contains(KeyOf(path));
        var claims = _context.System.TryGetExtension<IFileClaims>(out var registered) && registered is not null ? registered : LocalFileClaims.Instance;
        _session = claims.Join(_context.Id.ToString(), this);
    }

    private void StopShared()
    {
        _session?.Dispose();
        _session = null;
        CompleteReleases();
    }

    private void CompleteReleases()
    {
        while (_releases.TryDequeue(out var release))
        {
            release.Done.TrySetResult();
        }
    }

    /// <summary>Loop thread, at the start of each poll: applies grants and releases, and touches the files seen.</summary>
    private async Task ProcessClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tracker = _tracker!;
        while (_releases.TryDequeue(out var release))
        {
            await ReleaseClaimAsync(release.Key, cancellationToken).ConfigureAwait(false);
            release.Done.TrySetResult();
        }

        while (_grants.TryDequeue(out var key))
        {
            if (!_claimed.Add(key))
            {
                continue;
            }

            CheckpointEntry? entry = null;
            try
            {
                entry = _shared!.Load(key);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FileLogLog.CheckpointFailed(_logger, e, _shared!.PathOf(key));
            }

            if (entry is not null)
            {
                tracker.Adopt(entry);
            }

            FileLogLog.Claimed(_logger, key, entry?.Offset ?? 0);
            tracker.RequestScan();
        }

        if (now - _lastTouch >= TouchInterval && _session is not null)
        {
            _lastTouch = now;
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var path in tracker.LastMatched)
            {
                keys.Add(KeyOf(path));
            }

            _session.Touch(keys);
        }
    }

    /// <summary>Stops reading one file, waits (bounded) for every batch in flight, then writes its acknowledged offset.</summary>
    private async Task ReleaseClaimAsync(string key, CancellationToken cancellationToken)
    {
        _claimed.Remove(key);
        var released = new List<FileState>();
        foreach (var state in _tracker!.States.ToList())
        {
            if (state.Path.Length > 0 && KeyOf(state.Path) == key)
            {
                released.AddRange(_tracker.Release(state.Path));
            }
        }

        if (released.Count == 0)
        {
            return;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(StopWait);
        try
        {
            await SendPendingAsync(wait.Token).ConfigureAwait(false);
            while (_inFlight.Count > 0)
            {
                await CompleteHeadAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            FileLogLog.ReleasedUnacknowledged(_logger, key);
        }

        foreach (var state in released)
        {
            WriteShared(key, state);
            FileLogLog.Released(_logger, key, state.AckedOffset);
        }
    }

    private void WriteSharedCheckpoints(bool final)
    {
        var now = _context.Time.GetUtcNow();
        if (!final && now - _lastSharedWrite < _config.PollInterval)
        {
            return;
        }

        _lastSharedWrite = now;
        foreach (var state in _tracker!.States)
        {
            if ((state.DefinitionDirty || state.OffsetDirty) && state.Path.Length > 0)
            {
                var key = KeyOf(state.Path);
                if (_claimed.Contains(key))
                {
                    WriteShared(key, state);
                }
            }
        }
    }

    private void WriteShared(string key, FileState state)
    {
        try
        {
            _shared!.Write(key, state);
            state.DefinitionDirty = false;
            state.OffsetDirty = false;
            _sharedWriteFailing = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Retried at the next poll (the state stays dirty); logged once per failing period, not per poll.
            if (!_sharedWriteFailing)
            {
                _sharedWriteFailing = true;
                FileLogLog.CheckpointFailed(_logger, e, _shared!.PathOf(key));
            }
        }
    }

    /// <summary>A lineage the tracker forgot (pruned, or deleted by delete_after_read).</summary>
    private void Forget(FileState state, bool deleted)
    {
        if (_shared is null)
        {
            _store?.WriteRemove(state.Id);
            return;
        }

        if (deleted && state.Path.Length > 0 && _claimed.Contains(KeyOf(state.Path)))
        {
            try
            {
                _shared.Delete(KeyOf(state.Path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FileLogLog.CheckpointFailed(_logger, e, _shared.PathOf(KeyOf(state.Path)));
            }
        }
    }
}
