using System.Collections.Concurrent;
using System.Collections.Immutable;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Engine;

/// <summary>Component status values, as the collector's component status model names them.</summary>
public enum ComponentStatus
{
    Starting,
    Ok,
    RecoverableError,
    PermanentError,
    FatalError,
    Stopping,
    Stopped,
}

/// <summary>Lifecycle of the whole service (node), which drives readiness.</summary>
public enum ServiceState
{
    Starting,
    Running,
    Draining,
    Stopped,
}

/// <summary>One component's latest status inside one pipeline (a shared component appears in each of its pipelines).</summary>
public sealed record ComponentStatusEntry(
    PipelineId? Pipeline,
    ComponentId Component,
    ComponentKind Kind,
    ComponentStatus Status,
    string? Error,
    DateTimeOffset Since);

/// <summary>
/// Where components report their status and where health_check reads it. A component reports by id; the registry
/// records the status for every pipeline the component belongs to. Thread-safe, lock-free reads.
/// </summary>
public sealed class ComponentStatusRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<(PipelineId? Pipeline, ComponentKind Kind, ComponentId Id), ComponentStatusEntry> _entries = new();
    private readonly ConcurrentDictionary<(ComponentKind Kind, ComponentId Id), ImmutableArray<PipelineId>> _membership = new();
    private volatile ServiceStateEntry _service = new(ServiceState.Starting, time.GetUtcNow(), null);

    public TimeProvider Time { get; } = time;

    public ServiceStateEntry Service => _service;

    public void SetServiceState(ServiceState state)
    {
        var now = Time.GetUtcNow();
        var readySince = state == ServiceState.Running ? now : (DateTimeOffset?)null;
        _service = new ServiceStateEntry(state, now, readySince);
    }

    /// <summary>Declares that a component belongs to a pipeline (called by the engine while building).</summary>
    public void Register(PipelineId pipeline, ComponentKind kind, ComponentId id)
    {
        _membership.AddOrUpdate((kind, id), _ => ImmutableArray.Create(pipeline), (_, list) => list.Contains(pipeline) ? list : list.Add(pipeline));
        _entries.TryAdd((pipeline, kind, id), new ComponentStatusEntry(pipeline, id, kind, ComponentStatus.Starting, null, Time.GetUtcNow()));
    }

    /// <summary>Reports a status; a repeated status keeps its original <c>Since</c> (only the error text is updated).</summary>
    public void Report(ComponentKind kind, ComponentId id, ComponentStatus status, string? error = null)
    {
        var now = Time.GetUtcNow();
        var pipelines = _membership.TryGetValue((kind, id), out var list) ? list : ImmutableArray<PipelineId>.Empty;
        if (pipelines.IsEmpty)
        {
            Set(null, kind, id, status, error, now);
            return;
        }

        foreach (var pipeline in pipelines)
        {
            Set(pipeline, kind, id, status, error, now);
        }
    }

    public IReadOnlyList<ComponentStatusEntry> Snapshot() => _entries.Values.OrderBy(e => e.Pipeline?.ToString()).ThenBy(e => e.Kind).ThenBy(e => e.Component.ToString()).ToList();

    private void Set(PipelineId? pipeline, ComponentKind kind, ComponentId id, ComponentStatus status, string? error, DateTimeOffset now) =>
        _entries.AddOrUpdate(
            (pipeline, kind, id),
            _ => new ComponentStatusEntry(pipeline, id, kind, status, error, now),
            (_, old) => old.Status != status ? new ComponentStatusEntry(pipeline, id, kind, status, error, now)
                : old.Error == error ? old : old with { Error = error });
}

public sealed record ServiceStateEntry(ServiceState State, DateTimeOffset Since, DateTimeOffset? ReadySince);
