using System.Collections.Immutable;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>One node of the status tree: the collector, a pipeline (or the extensions group), or a component.</summary>
internal sealed record HealthNode(
    ComponentStatus Status,
    bool Healthy,
    string? Error,
    DateTimeOffset Time,
    IReadOnlyDictionary<string, HealthNode> Components);

/// <summary>
/// Builds the /status tree from the registry, collector-v2 style: <c>pipeline:&lt;id&gt;</c> scopes (plus
/// <c>extensions</c>) holding <c>&lt;kind&gt;:&lt;id&gt;</c> components. Aggregation priority
/// Fatal &gt; Permanent &gt; Recoverable &gt; Stopping &gt; Starting &gt; OK (all Stopped = Stopped); an error aggregate
/// carries the earliest matching error, other aggregates the latest time. Health: RecoverableError is unhealthy once
/// it is older than the recovery window, Permanent and Fatal errors at once; an aggregate is healthy when all its
/// children are. The service lifecycle (Starting/Draining/Stopped) replaces a non-error status at the top.
/// </summary>
internal static class HealthAggregator
{
    public const string ExtensionsScope = "extensions";
    public const string PipelinePrefix = "pipeline:";

    /// <summary>Components reported outside any pipeline that are not extensions (reported before registration).</summary>
    public const string UnattachedScope = "unattached";

    private static readonly IReadOnlyDictionary<string, HealthNode> EmptyChildren = ImmutableDictionary<string, HealthNode>.Empty;

    public static HealthNode Collector(
        ServiceStateEntry service,
        IReadOnlyList<ComponentStatusEntry> entries,
        DateTimeOffset now,
        TimeSpan recoveryDuration)
    {
        var scopes = Scopes(entries, now, recoveryDuration);
        var node = scopes.Count == 0
            ? new HealthNode(ComponentStatus.Ok, true, null, service.Since, scopes)
            : Aggregate(scopes);

        var lifecycle = service.State switch
        {
            ServiceState.Starting => ComponentStatus.Starting,
            ServiceState.Draining => ComponentStatus.Stopping,
            ServiceState.Stopped => ComponentStatus.Stopped,
            _ => (ComponentStatus?)null,
        };

        if (lifecycle is { } status && !IsError(node.Status))
        {
            node = node with { Status = status, Error = null, Time = service.Since };
        }

        return node;
    }

    /// <summary>
    /// The node for <c>?pipeline=</c>: a pipeline id (<c>metrics/foo</c>) or <c>extensions</c>; null when unknown.
    /// </summary>
    public static HealthNode? Scope(string scope, HealthNode collector)
    {
        if (collector.Components.TryGetValue(PipelinePrefix + scope, out var pipeline))
        {
            return pipeline;
        }

        return scope is ExtensionsScope or UnattachedScope && collector.Components.TryGetValue(scope, out var group) ? group : null;
    }

    public static bool IsError(ComponentStatus status) =>
        status is ComponentStatus.RecoverableError or ComponentStatus.PermanentError or ComponentStatus.FatalError;

    public static string StatusName(ComponentStatus status) => status switch
    {
        ComponentStatus.Starting => "StatusStarting",
        ComponentStatus.Ok => "StatusOK",
        ComponentStatus.RecoverableError => "StatusRecoverableError",
        ComponentStatus.PermanentError => "StatusPermanentError",
        ComponentStatus.FatalError => "StatusFatalError",
        ComponentStatus.Stopping => "StatusStopping",
        ComponentStatus.Stopped => "StatusStopped",
        _ => "StatusNone",
    };

    private static Dictionary<string, HealthNode> Scopes(IReadOnlyList<ComponentStatusEntry> entries, DateTimeOffset now, TimeSpan recoveryDuration)
    {
        var groups = new Dictionary<string, Dictionary<string, HealthNode>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var scope = entry.Pipeline is { } pipeline
                ? PipelinePrefix + pipeline
                : entry.Kind == ComponentKind.Extension ? ExtensionsScope : UnattachedScope;
            if (!groups.TryGetValue(scope, out var components))
            {
                components = new Dictionary<string, HealthNode>(StringComparer.Ordinal);
                groups[scope] = components;
            }

            components[$"{entry.Kind.DisplayName()}:{entry.Component}"] = Leaf(entry, now, recoveryDuration);
        }

        var scopes = new Dictionary<string, HealthNode>(StringComparer.Ordinal);
        foreach (var (scope, components) in groups)
        {
            scopes[scope] = Aggregate(components);
        }

        return scopes;
    }

    private static HealthNode Leaf(ComponentStatusEntry entry, DateTimeOffset now, TimeSpan recoveryDuration)
    {
        var healthy = entry.Status switch
        {
            ComponentStatus.RecoverableError => now < entry.Since + recoveryDuration,
            ComponentStatus.PermanentError or ComponentStatus.FatalError => false,
            _ => true,
        };

        return new HealthNode(entry.Status, healthy, entry.Error, entry.Since, EmptyChildren);
    }

    private static HealthNode Aggregate(IReadOnlyDictionary<string, HealthNode> children)
    {
        var status = AggregateStatus(children.Values);
        var healthy = children.Values.All(c => c.Healthy);
        HealthNode? chosen = null;
        var latest = DateTimeOffset.MinValue;
        foreach (var child in children.Values)
        {
            if (child.Time > latest)
            {
                latest = child.Time;
            }

            if (child.Status != status)
            {
                continue;
            }

            if (chosen is null
                || (IsError(status) && child.Time < chosen.Time)
                || (!IsError(status) && child.Time > chosen.Time))
            {
                chosen = child;
            }
        }

        return new HealthNode(
            status,
            healthy,
            IsError(status) ? chosen?.Error : null,
            chosen?.Time ?? latest,
            children);
    }

    private static ComponentStatus AggregateStatus(IEnumerable<HealthNode> children)
    {
        var best = ComponentStatus.Ok;
        var bestRank = -1;
        var allStopped = true;
        var any = false;
        foreach (var child in children)
        {
            any = true;
            allStopped &= child.Status == ComponentStatus.Stopped;
            var status = child.Status == ComponentStatus.Stopped ? ComponentStatus.Stopping : child.Status;
            var rank = Rank(status);
            if (rank > bestRank)
            {
                bestRank = rank;
                best = status;
            }
        }

        return any && allStopped ? ComponentStatus.Stopped : best;
    }

    private static int Rank(ComponentStatus status) => status switch
    {
        ComponentStatus.FatalError => 6,
        ComponentStatus.PermanentError => 5,
        ComponentStatus.RecoverableError => 4,
        ComponentStatus.Stopping => 3,
        ComponentStatus.Starting => 2,
        _ => 1,
    };
}
