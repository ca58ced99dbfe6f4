using TelemetryCluster.Streams.Receivers.Prometheus.Discovery;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

/// <summary>
/// The targets of one scrape job: static groups plus discovered ones, relabeled into targets, filtered by ownership
/// (this node scrapes only the targets it owns), each with its own <see cref="ScrapeLoop"/>. Discovery and ownership
/// changes request a sync; bursts of requests are coalesced, syncs never overlap. A target that goes away (or moves
/// to another node) gets staleness markers for its series.
/// </summary>
internal sealed class ScrapePool : IAsyncDisposable
{
    private readonly ScrapeEnvironment _env;
    private readonly ScrapeConfig _config;
    private readonly IScrapeTargetOwnership? _ownership;
    private readonly KubernetesEnvironment _kubernetes;
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly Dictionary<string, ScrapeLoop> _loops = new(StringComparer.Ordinal);
    private readonly List<KubernetesPodDiscovery> _discoveries = [];
    private readonly Lock _gate = new();
    private HttpClient? _client;
    private int _requested;
    private int _draining;
    private Task _drain = Task.CompletedTask;
    private bool _stopped;
    private int _knownTargets;

    public ScrapePool(ScrapeEnvironment env, ScrapeConfig config, IScrapeTargetOwnership? ownership, KubernetesEnvironment kubernetes)
    {
        _env = env;
        _config = config;
        _ownership = ownership;
        _kubernetes = kubernetes;
    }

    public string Job => _config.JobName;

    /// <summary>Targets this node scrapes now.</summary>
    public IReadOnlyList<ScrapeTarget> ActiveTargets
    {
        get
        {
            lock (_gate)
            {
                return [.. _loops.Values.Select(l => l.Target)];
            }
        }
    }

    /// <summary>Targets of the job after relabeling, on every node (this node scrapes the ones it owns).</summary>
    public int KnownTargets => Volatile.Read(ref _knownTargets);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _client = ScrapeHttp.CreateClient(_config.Auth, _config.FollowRedirects);
        foreach (var sd in _config.KubernetesSdConfigs)
        {
            _discoveries.Add(new KubernetesPodDiscovery(_config.JobName, sd, _kubernetes, _env.Context.Time, _env.Logger, RequestSync));
        }

        await SyncAsync(cancellationToken).ConfigureAwait(false);
        foreach (var discovery in _discoveries)
        {
            discovery.Start();
        }
    }

    /// <summary>Asks for a sync soon (thread-safe, coalescing).</summary>
    public void RequestSync()
    {
        Interlocked.Increment(ref _requested);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _drain = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var seen = Volatile.Read(ref _requested);
            try
            {
                await SyncAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                PrometheusReceiverLog.TargetInvalid(_env.Logger, _config.JobName, "sync failed: " + e.Message);
            }

            if (Volatile.Read(ref _requested) != seen)
            {
                continue;
            }

            Volatile.Write(ref _draining, 0);
            if (Volatile.Read(ref _requested) == seen || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Recomputes the targets and starts/stops loops to match.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }

            var desired = new Dictionary<string, ScrapeTarget>(StringComparer.Ordinal);
            var total = 0;
            foreach (var group in Groups())
            {
                foreach (var targetLabels in group.Targets)
                {
                    var target = ScrapeTarget.Create(_config, group.Labels, targetLabels, out var error);
                    if (target is null)
                    {
                        if (error is not null)
                        {
                            PrometheusReceiverLog.TargetInvalid(_env.Logger, _config.JobName, $"{group.Source}: {error}");
                        }

                        continue;
                    }

                    if (!desired.ContainsKey(target.Key))
                    {
                        total++;
                        if (_ownership is null || _ownership.Owns(target.Key))
                        {
                            desired[target.Key] = target;
                        }
                    }
                }
            }

            Volatile.Write(ref _knownTargets, total);
            List<ScrapeLoop> removed = [];
            List<ScrapeLoop> added = [];
            lock (_gate)
            {
                foreach (var (key, loop) in _loops)
                {
                    if (!desired.TryGetValue(key, out var target) || !target.SameAs(loop.Target))
                    {
                        removed.Add(loop);
                    }
                }

                foreach (var loop in removed)
                {
                    _loops.Remove(loop.Target.Key);
                }

                foreach (var (key, target) in desired)
                {
                    if (!_loops.ContainsKey(key))
                    {
                        var loop = new ScrapeLoop(_env, _config, _client!, target);
                        _loops[key] = loop;
                        added.Add(loop);
                    }
                }
            }

            await Task.WhenAll(removed.Select(l => l.StopAsync(markStale: true, cancellationToken))).ConfigureAwait(false);
            foreach (var loop in added)
            {
                loop.Start();
            }

            if (removed.Count > 0 || added.Count > 0)
            {
                PrometheusReceiverLog.TargetsChanged(_env.Logger, _config.JobName, desired.Count, total);
            }
        }
        finally
        {
            _sync.Release();
        }
    }

    private IEnumerable<TargetGroup> Groups()
    {
        foreach (var group in _config.StaticConfigs)
        {
            yield return new TargetGroup(
                group.Source,
                [.. group.Targets.Select(t => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [ScrapeTarget.AddressLabel] = t })],
                group.Labels);
        }

        foreach (var discovery in _discoveries)
        {
            foreach (var group in discovery.Groups)
            {
                yield return group;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var discovery in _discoveries)
        {
            await discovery.DisposeAsync().ConfigureAwait(false);
        }

        _discoveries.Clear();
        await _sync.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        List<ScrapeLoop> loops;
        try
        {
            _stopped = true;
            lock (_gate)
            {
                loops = [.. _loops.Values];
                _loops.Clear();
            }
        }
        finally
        {
            _sync.Release();
        }

        await Task.WhenAll(loops.Select(l => l.StopAsync(markStale: false, cancellationToken))).ConfigureAwait(false);
        await _drain.ConfigureAwait(false);
        _client?.Dispose();
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _sync.Dispose();
    }
}
