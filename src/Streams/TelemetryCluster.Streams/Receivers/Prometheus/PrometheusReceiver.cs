using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Prometheus.Discovery;
using TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

namespace TelemetryCluster.Streams.Receivers.Prometheus;

/// <summary>
/// The <c>prometheus</c> receiver: one <see cref="ScrapePool"/> per scrape job, delivering OTLP metrics to the
/// consumer. In a cluster the node's <see cref="IScrapeTargetOwnership"/> extension decides which targets this node
/// scrapes; ownership changes (a node joins or leaves) re-sync every job.
/// </summary>
public sealed class PrometheusReceiver : IReceiver, IAsyncDisposable
{
    private readonly ComponentContext _context;
    private readonly KubernetesEnvironment _kubernetes;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly List<ScrapePool> _pools = [];
    private IDisposable? _ownershipSubscription;
    private bool _disposed;

    public PrometheusReceiver(ComponentContext context, PrometheusReceiverConfig config, KubernetesEnvironment? kubernetes = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        _context = context;
        Config = config;
        _kubernetes = kubernetes ?? KubernetesEnvironment.FromProcess();
        _logger = context.CreateLogger();
    }

    public PrometheusReceiverConfig Config { get; }

    internal PrometheusReceiverCounters Counters { get; } = new();

    /// <summary>Targets this node scrapes now, over all jobs.</summary>
    internal IReadOnlyList<ScrapeTarget> ActiveTargets => [.. _pools.SelectMany(p => p.ActiveTargets)];

    internal IReadOnlyList<ScrapePool> Pools => _pools;

    public async Task StartAsync(IReceiverConsumer consumer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pools.Count > 0)
            {
                throw new InvalidOperationException($"receiver {_context.Id} is already started");
            }

            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Starting);
            if (!consumer.Signals.Contains(Signal.Metrics))
            {
                _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Ok);
                return;
            }

            _context.System.TryGetExtension<IScrapeTargetOwnership>(out var ownership);
            var version = typeof(PrometheusReceiver).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            var env = new ScrapeEnvironment(_context, consumer, _logger, Counters, $"telemetry-cluster/{version}");
            try
            {
                foreach (var scrape in Config.ScrapeConfigs)
                {
                    var pool = new ScrapePool(env, scrape, ownership, _kubernetes);
                    _pools.Add(pool);
                    await pool.StartAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.PermanentError, e.Message);
                await StopPoolsAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (ownership is not null)
            {
                var pools = _pools.ToArray();
                _ownershipSubscription = ownership.Subscribe(() =>
                {
                    foreach (var pool in pools)
                    {
                        pool.RequestSync();
                    }
                });
            }

            PrometheusReceiverLog.Started(_logger, _pools.Count);
            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Ok);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }

        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_pools.Count == 0)
            {
                return;
            }

            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Stopping);
            await StopPoolsAsync(cancellationToken).ConfigureAwait(false);
            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Stopped);
            PrometheusReceiverLog.Stopped(_logger);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StopPoolsAsync(CancellationToken cancellationToken)
    {
        _ownershipSubscription?.Dispose();
        _ownershipSubscription = null;
        var pools = _pools.ToArray();
        _pools.Clear();
        await Task.WhenAll(pools.Select(p => p.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _disposed = true;
    }
}
