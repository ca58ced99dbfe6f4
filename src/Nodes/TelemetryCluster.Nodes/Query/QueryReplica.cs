using Microsoft.Extensions.Logging;
using TelemetryCluster.PromQL.Storage;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.Query;

/// <summary>
/// This node's replica of one prometheus exporter's series: a <see cref="SeriesStore"/> fed by a background loop that
/// reads the cluster-merged view (the one <c>/metrics</c> serves) every follow interval and hands it to a
/// <see cref="SnapshotFollower"/>. Every node runs one per exporter id and follows the same view, so every node
/// answers queries alike; after a singleton hand-over the view is rebuilt from the nodes' pushes and the replica just
/// continues. The hub ships the view only when its version moved, and an unchanged view is not applied again unless a
/// missing series still waits for its stale marker. Started when the exporter's HTTP server has started, stopped when it stops (and restartable).
/// </summary>
public sealed class QueryReplica
{
    private readonly string _exporterId;
    private readonly Func<IPrometheusViewHub?> _hub;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SnapshotFollower _follower;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;
    private long _reads;

    public QueryReplica(string exporterId, SeriesStore store, Func<IPrometheusViewHub?> hub, TimeSpan interval, TimeSpan staleAfter, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(exporterId);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _exporterId = exporterId;
        _hub = hub;
        _interval = interval;
        _time = time;
        _logger = logger;
        _follower = new SnapshotFollower(store, time, staleAfter);
    }

    public SeriesStore Store => _follower.Store;

    /// <summary>Merged views read and applied so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Starts following (a no-op when already running).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_stop is not null)
            {
                return;
            }

            _stop = new CancellationTokenSource();
            var previous = _loop;
            var token = _stop.Token;
            _loop = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                await RunAsync(token).ConfigureAwait(false);
            });
        }

        QueryTelemetry.Following(_logger, _exporterId, _interval);
    }

    /// <summary>Stops following; the store keeps what it has.</summary>
    public Task StopAsync()
    {
        CancellationTokenSource? stop;
        Task loop;
        lock (_gate)
        {
            stop = _stop;
            _stop = null;
            loop = _loop;
        }

        if (stop is null)
        {
            return loop;
        }

        stop.Cancel();
        return loop.ContinueWith(
            _ =>
            {
                stop.Dispose();
                QueryTelemetry.Stopped(_logger, _exporterId);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        var failing = false;
        var applied = PrometheusContentVersion.None;
        do
        {
            try
            {
                if (_hub() is { } hub)
                {
                    var view = await hub.GetMergedAsync(_exporterId, cancellationToken).ConfigureAwait(false);

                    // An unchanged view (same version) adds nothing unless a missing series still waits for its marker.
                    if (!view.Version.IsKnown || view.Version != applied || !_follower.Settled)
                    {
                        _follower.Apply(view.Snapshot);
                        applied = view.Version;
                    }

                    Interlocked.Increment(ref _reads);
                    if (failing)
                    {
                        failing = false;
                        QueryTelemetry.ViewRecovered(_logger, _exporterId);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (!failing)
                {
                    failing = true;
                    QueryTelemetry.ViewUnavailable(_logger, _exporterId, ex);
                }
            }

            try
            {
                if (!await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (!cancellationToken.IsCancellationRequested);
    }
}
