using ActorSystem = Akka.Actor.ActorSystem;
using Akka.Streams;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Engine;

/// <summary>Everything a <see cref="PipelineHost"/> needs from its process.</summary>
public sealed record PipelineHostContext(
    ActorSystem System,
    IMaterializer Materializer,
    ILoggerFactory LoggerFactory,
    TimeProvider Time,
    ComponentStatusRegistry Status,
    EngineTelemetry Telemetry,
    IPipelinePlacement? Placement = null,
    Func<CancellationToken, Task>? StartGate = null);

/// <summary>
/// Runs a validated <see cref="PipelineSpec"/> on one node: builds one instance per receiver id and per exporter
/// id, processors per pipeline, and a <see cref="PipelineSegment"/> per pipeline. Start order: extensions,
/// exporters, segments (processors), receivers; then the service is Running. Stop order: Draining, receivers stop
/// taking data, segments drain through processors and exporters (bounded by <c>cluster.drain-timeout</c>),
/// exporters shut down, extensions stop. With a <see cref="PipelineHostContext.Placement"/> (the cluster) the
/// receivers deliver to the placement's gateways and segments are created on demand by partition entities through
/// <see cref="CreateSegment"/>; the host still owns the exporters they share and drains whatever segments are left
/// when it stops.
/// </summary>
public sealed partial class PipelineHost : IAsyncDisposable
{
    private readonly PipelineSpec _spec;
    private readonly PipelineHostContext _context;
    private readonly ILogger _logger;
    private readonly Dictionary<ComponentId, IExtension> _extensions = [];
    private readonly Dictionary<ComponentId, ExporterRunner> _exporters = [];
    private readonly Dictionary<PipelineId, PipelineSegment> _segments = [];
    private readonly Dictionary<PipelineId, PipelineDefinition> _definitions = [];
    private readonly HashSet<PipelineSegment> _placed = [];
    private readonly Lock _placedGate = new();
    private int _receiversStopped;
    private readonly Dictionary<ComponentId, IReceiver> _receivers = [];
    private int _stopped;

    public PipelineHost(PipelineSpec spec, PipelineHostContext context)
    {
        _spec = spec;
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<PipelineHost>();
    }

    public PipelineSpec Spec => _spec;

    public ComponentStatusRegistry Status => _context.Status;

    public EngineTelemetry Telemetry => _context.Telemetry;

    public IReadOnlyDictionary<ComponentId, IReceiver> Receivers => _receivers;

    public IReadOnlyDictionary<ComponentId, IExtension> Extensions => _extensions;

    public IReadOnlyDictionary<ComponentId, IExporter> Exporters => _exporters.ToDictionary(kv => kv.Key, kv => kv.Value.Exporter);

    /// <summary>The segments running on this node: one per pipeline locally, one per hosted partition in the cluster.</summary>
    public IReadOnlyCollection<PipelineSegment> Segments
    {
        get
        {
            lock (_placedGate)
            {
                return [.. _segments.Values, .. _placed];
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _context.Status.SetServiceState(ServiceState.Starting);
        foreach (var pipeline in _spec.Pipelines)
        {
            Register(pipeline);
        }

        foreach (var id in _spec.ServiceExtensions)
        {
            var spec = _spec.Extensions[id];
            var extension = ((IExtensionFactory)spec.Factory).CreateExtension(ContextFor(spec), spec.Config);
            await extension.StartAsync(cancellationToken).ConfigureAwait(false);
            _extensions[id] = extension;
            _context.Status.Report(ComponentKind.Extension, id, ComponentStatus.Ok);
        }

        // The cluster holds the pipelines back until this node is a member (readiness stays 503, liveness is up).
        if (_context.StartGate is { } gate)
        {
            await gate(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (id, spec) in _spec.Exporters)
        {
            var exporter = ((IExporterFactory)spec.Factory).CreateExporter(ContextFor(spec), spec.Config);
            await exporter.StartAsync(cancellationToken).ConfigureAwait(false);
            var settings = spec.Config is IExporterConfig withKit ? withKit.Exporter : ExporterSettings.None;
            _exporters[id] = new ExporterRunner(ContextFor(spec), exporter, settings);
            _context.Status.Report(ComponentKind.Exporter, id, ComponentStatus.Ok);
        }

        var targets = new Dictionary<ComponentId, List<ReceiverFanout.Target>>();
        foreach (var pipeline in _spec.Pipelines)
        {
            _definitions[pipeline.Id] = pipeline;
            var processors = CreateProcessors(pipeline);
            IPipelineGateway gateway;
            if (_context.Placement is { } placement)
            {
                gateway = placement.CreateGateway(pipeline);
            }
            else
            {
                var segment = RunSegment(pipeline, processors);
                _segments[pipeline.Id] = segment;
                gateway = segment;
            }

            foreach (var id in pipeline.Processors)
            {
                _context.Status.Report(ComponentKind.Processor, id, ComponentStatus.Ok);
            }

            var mutates = processors.Any(p => p.MutatesData);
            foreach (var receiver in pipeline.Receivers)
            {
                if (!targets.TryGetValue(receiver, out var list))
                {
                    targets[receiver] = list = [];
                }

                list.Add(new ReceiverFanout.Target(pipeline.Id, gateway, mutates));
            }
        }

        foreach (var (id, spec) in _spec.Receivers)
        {
            var bySignal = targets.TryGetValue(id, out var list)
                ? list.GroupBy(t => t.Pipeline.Signal).ToDictionary(g => g.Key, g => g.ToArray())
                : [];
            var fanout = new ReceiverFanout(id, bySignal, _spec.Engine.Delivery, _spec.Engine.RetryAfter);
            var receiver = ((IReceiverFactory)spec.Factory).CreateReceiver(ContextFor(spec), spec.Config);
            await receiver.StartAsync(fanout, cancellationToken).ConfigureAwait(false);
            _receivers[id] = receiver;
            _context.Status.Report(ComponentKind.Receiver, id, ComponentStatus.Ok);
        }

        _context.Status.SetServiceState(ServiceState.Running);
        LogStarted(_logger, _spec.Pipelines.Count, _receivers.Count, _exporters.Count);
    }

    /// <summary>
    /// Starts the drain: the service turns Draining (readiness 503) and every receiver stops taking data. Safe to
    /// call more than once. In the cluster this runs before shard hand-off, so partitions drain while they move.
    /// </summary>
    public async Task StopReceiversAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _receiversStopped, 1) == 1)
        {
            return;
        }

        _context.Status.SetServiceState(ServiceState.Draining);
        LogDraining(_logger);
        foreach (var (id, receiver) in _receivers)
        {
            _context.Status.Report(ComponentKind.Receiver, id, ComponentStatus.Stopping);
            await Guard(id, () => receiver.StopAsync(cancellationToken)).ConfigureAwait(false);
            _context.Status.Report(ComponentKind.Receiver, id, ComponentStatus.Stopped);
        }
    }

    /// <summary>
    /// A new segment of <paramref name="pipeline"/> on this node (its own processors, the node's shared exporters),
    /// for a partition entity. Complete it when the entity stops; the host drains any that are left on stop.
    /// </summary>
    public PipelineSegment CreateSegment(PipelineId pipeline)
    {
        if (!_definitions.TryGetValue(pipeline, out var definition))
        {
            throw new ArgumentException($"unknown pipeline {pipeline}", nameof(pipeline));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopped) == 1, this);

        var segment = RunSegment(definition, CreateProcessors(definition));
        lock (_placedGate)
        {
            _placed.Add(segment);
        }

        _ = segment.Completion.ContinueWith(
            _ =>
            {
                lock (_placedGate)
                {
                    _placed.Remove(segment);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return segment;
    }

    /// <summary>Drains and stops everything; safe to call more than once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await StopReceiversAsync(cancellationToken).ConfigureAwait(false);
        var segments = Segments;
        foreach (var segment in segments)
        {
            segment.Complete();
        }

        var drained = Task.WhenAll(segments.Select(s => s.Completion));
        var deadline = Task.Delay(_spec.Engine.DrainTimeout, _context.Time, cancellationToken);
        if (await Task.WhenAny(drained, deadline).ConfigureAwait(false) != drained)
        {
            LogDrainTimeout(_logger, _spec.Engine.DrainTimeout);
            foreach (var segment in segments)
            {
                segment.Abort();
            }
        }

        try
        {
            await drained.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSegmentFailed(_logger, ex);
        }

        foreach (var (id, runner) in _exporters)
        {
            _context.Status.Report(ComponentKind.Exporter, id, ComponentStatus.Stopping);
            await Guard(id, () => runner.Exporter.ShutdownAsync(cancellationToken)).ConfigureAwait(false);
            _context.Status.Report(ComponentKind.Exporter, id, ComponentStatus.Stopped);
        }

        _context.Status.SetServiceState(ServiceState.Stopped);
        foreach (var (id, extension) in _extensions.Reverse())
        {
            await Guard(id, () => extension.StopAsync(cancellationToken)).ConfigureAwait(false);
        }

        LogStopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30), _context.Time);
        await StopAsync(cts.Token).ConfigureAwait(false);
    }

    private List<IProcessor> CreateProcessors(PipelineDefinition pipeline) => pipeline.Processors
        .Select(id => _spec.Processors[id])
        .Select(spec => ((IProcessorFactory)spec.Factory).CreateProcessor(ContextFor(spec), pipeline.Id, spec.Config))
        .ToList();

    private PipelineSegment RunSegment(PipelineDefinition pipeline, IReadOnlyList<IProcessor> processors) => PipelineSegment.Run(
        pipeline.Id,
        processors,
        pipeline.Exporters.Select(id => _exporters[id]).ToList(),
        _spec.Engine.PipelineQueueSize,
        _spec.Engine.AdmissionTimeout,
        _context.Time,
        _context.Materializer);

    private void Register(PipelineDefinition pipeline)
    {
        foreach (var id in pipeline.Receivers)
        {
            _context.Status.Register(pipeline.Id, ComponentKind.Receiver, id);
        }

        foreach (var id in pipeline.Processors)
        {
            _context.Status.Register(pipeline.Id, ComponentKind.Processor, id);
        }

        foreach (var id in pipeline.Exporters)
        {
            _context.Status.Register(pipeline.Id, ComponentKind.Exporter, id);
        }
    }

    private ComponentContext ContextFor(ComponentSpec spec) => new(
        spec.Id,
        spec.Kind,
        _context.LoggerFactory,
        _context.Time,
        _context.Status,
        _context.Telemetry,
        _context.System,
        _context.Materializer)
    {
        StorageDirectory = System.IO.Path.GetFullPath(_spec.Engine.StorageDir ?? "data"),
    };

    private async Task Guard(ComponentId id, Func<Task> stop)
    {
        try
        {
            await stop().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogStopFailed(_logger, id.ToString(), ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Everything is ready: {Pipelines} pipelines, {Receivers} receivers, {Exporters} exporters")]
    private static partial void LogStarted(ILogger logger, int pipelines, int receivers, int exporters);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: receivers stop taking data, queued batches flow to the exporters")]
    private static partial void LogDraining(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain did not finish within {Timeout}; cancelling exports still in flight")]
    private static partial void LogDrainTimeout(ILogger logger, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pipeline segment failed while draining")]
    private static partial void LogSegmentFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping {Component} failed")]
    private static partial void LogStopFailed(ILogger logger, string component, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown complete")]
    private static partial void LogStopped(ILogger logger);
}
