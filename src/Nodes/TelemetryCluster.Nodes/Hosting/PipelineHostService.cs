using Akka;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Partitions;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Engine.SelfMetrics;

namespace TelemetryCluster.Nodes.Hosting;

/// <summary>
/// Builds and starts the node's <see cref="PipelineHost"/> once the ActorSystem is up (it is registered after
/// Akka.Hosting's own hosted service, and hosted services start in order), and registers the drain as a
/// CoordinatedShutdown task in <see cref="ShutdownPlan.DrainPhase"/>. A SIGTERM therefore runs: host stop →
/// CoordinatedShutdown → readiness 503 (Draining), receivers stop, queued batches drain through the exporters →
/// the node leaves the cluster → the ActorSystem terminates → exit 0. When CoordinatedShutdown starts for another
/// reason (the node was downed), the same drain runs and the host is stopped with exit code 1.
/// </summary>
internal sealed partial class PipelineHostService(
    IServiceProvider services,
    PipelineSpec spec,
    ShutdownPlan plan,
    NodeLifetime lifetime,
    ComponentStatusRegistry status,
    EngineTelemetry telemetry,
    TimeProvider time,
    PipelineHostAccessor partitions,
    ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<PipelineHostService>();
    private PipelineHost? _host;
    private SelfMetricsServer? _selfMetrics;

    /// <summary>The running pipelines (null before start or when the start failed).</summary>
    public PipelineHost? Host => _host;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ActorSystem system;
        try
        {
            system = services.GetRequiredService<ActorSystem>();
        }
        catch (Exception ex)
        {
            LogActorSystemFailed(_logger, ex);
            lifetime.Fail("the actor system failed to start");
            throw;
        }

        var shutdown = CoordinatedShutdown.Get(system);
        if (shutdown.ShutdownReason is not null || system.WhenTerminated.IsCompleted)
        {
            lifetime.Fail("the actor system stopped before the pipelines started");
            throw new InvalidOperationException("The actor system is shutting down; the pipelines were not started.");
        }

        var materializer = system.Materializer(namePrefix: "pipelines");
        var region = services.GetRequiredService<ActorRegistry>().Get<PipelinePartitionRegion>();
        var placement = new ClusterPlacement(region, spec.Engine, time, new DroppedPartWatch(system));
        var host = new PipelineHost(spec, new PipelineHostContext(system, materializer, loggerFactory, time, status, telemetry, placement, ct => WaitForMembershipAsync(system, ct)));
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogStartFailed(_logger, ex);
            partitions.Failed(ex);
            lifetime.Fail($"the pipelines failed to start: {ex.Message}");
            using var cleanup = new CancellationTokenSource(plan.DrainPhaseTimeout, time);
            try
            {
                await host.StopAsync(cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception stopError)
            {
                LogCleanupFailed(_logger, stopError);
            }

            throw;
        }

        _host = host;
        partitions.Started(host);
        await StartSelfMetricsAsync(cancellationToken).ConfigureAwait(false);
        shutdown.AddTask(ShutdownPlan.DrainPhase, "drain-pipelines", () => DrainAsync(host, region, shutdown));
        LogStarted(_logger, ShutdownPlan.DrainPhase, plan.DrainTimeout, plan.DrainPhaseTimeout);
    }

    /// <summary>
    /// The own-telemetry endpoint (<c>service.telemetry.metrics</c>, :8888). Unlike the collector, a port that cannot
    /// be bound does not stop the node: the pipelines keep running and the error is logged with the address.
    /// </summary>
    private async Task StartSelfMetricsAsync(CancellationToken cancellationToken)
    {
        if (spec.Telemetry.MetricsAddress is not { } address)
        {
            return;
        }

        var server = new SelfMetricsServer(new SelfMetricsCollector(telemetry, time, () => _host), loggerFactory);
        try
        {
            await server.StartAsync(address, cancellationToken).ConfigureAwait(false);
            _selfMetrics = server;
        }
        catch (InvalidOperationException ex)
        {
            LogSelfMetricsFailed(_logger, address, ex.Message);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Nothing to do here: the drain runs inside CoordinatedShutdown, which Akka.Hosting starts next.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<Done> DrainAsync(PipelineHost host, IActorRef region, CoordinatedShutdown shutdown)
    {
        var reason = shutdown.ShutdownReason;
        // A stop request (SIGTERM) or a requested leave (management PUT operation=leave) is a normal exit.
        if (reason is not null and not CoordinatedShutdown.ClrExitReason and not CoordinatedShutdown.ClusterLeavingReason)
        {
            lifetime.Fail($"the actor system is shutting down ({reason})");
            LogUnexpectedShutdown(_logger, reason.ToString() ?? reason.GetType().Name);
        }

        // Cancelled shortly before CoordinatedShutdown would give up on the phase, so a stuck component cannot
        // keep the node from leaving the cluster.
        using var deadline = new CancellationTokenSource(plan.DrainPhaseTimeout - TimeSpan.FromSeconds(1), time);
        try
        {
            // 1. Readiness 503 and receivers stop taking data. 2. This node's partitions hand off: each entity
            // drains its queue through the exporters before it stops, and sharding restarts it on another node
            // (buffering what arrives meanwhile). 3. Whatever is left drains, exporters and extensions stop.
            await host.StopReceiversAsync(deadline.Token).ConfigureAwait(false);
            await HandOffPartitionsAsync(region, deadline.Token).ConfigureAwait(false);
            await host.StopAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogDrainFailed(_logger, ex);
        }

        if (Interlocked.Exchange(ref _selfMetrics, null) is { } selfMetrics)
        {
            await selfMetrics.DisposeAsync().ConfigureAwait(false);
        }

        return Done.Instance;
    }

    /// <summary>Completes once this node is an Up member of the cluster (self-join, seed nodes or bootstrap).</summary>
    private Task WaitForMembershipAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        LogWaitingForMembership(_logger);
        return up.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Own telemetry endpoint {Address} (service.telemetry.metrics) is not served: {Reason}; the pipelines keep running")]
    private static partial void LogSelfMetricsFailed(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting until this node is a cluster member before starting receivers and exporters")]
    private static partial void LogWaitingForMembership(ILogger logger);

    private async Task HandOffPartitionsAsync(IActorRef region, CancellationToken cancellationToken)
    {
        var stopped = region.WatchAsync(cancellationToken);
        region.Tell(GracefulShutdown.Instance);
        try
        {
            await stopped.ConfigureAwait(false);
            LogHandedOff(_logger);
        }
        catch (OperationCanceledException)
        {
            LogHandOffTimeout(_logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This node's pipeline partitions drained and were handed off")]
    private static partial void LogHandedOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition hand-off did not finish in the drain window")]
    private static partial void LogHandOffTimeout(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The actor system could not be created")]
    private static partial void LogActorSystemFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The pipelines failed to start; the node stops")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping the partly started pipelines failed")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipelines drain in coordinated-shutdown phase {Phase} (drain-timeout {DrainTimeout}, phase timeout {PhaseTimeout})")]
    private static partial void LogStarted(ILogger logger, string phase, TimeSpan drainTimeout, TimeSpan phaseTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Coordinated shutdown started without a stop request ({Reason}); draining the pipelines")]
    private static partial void LogUnexpectedShutdown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining the pipelines failed")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
