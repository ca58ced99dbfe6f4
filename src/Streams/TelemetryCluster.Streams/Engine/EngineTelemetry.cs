using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// Self-telemetry with the collector's metric names (<c>otelcol_receiver_accepted_metric_points</c>, ...), kept as
/// plain counters that tests and the management endpoint read, and published through a <see cref="Meter"/>.
/// One instance per node (or per test host): no static state.
/// </summary>
public sealed class EngineTelemetry : IDisposable
{
    public const string MeterName = "TelemetryCluster";

    private readonly ConcurrentDictionary<CounterKey, StrongBox> _counters = new();

    public EngineTelemetry()
    {
        Meter = new Meter(MeterName);
        Meter.CreateObservableCounter("otelcol_items", Observe, description: "Items per component, outcome and signal.");
    }

    public Meter Meter { get; }

    /// <summary>Adds to a counter; <paramref name="outcome"/> is accepted/refused/sent/send_failed/dropped/...</summary>
    public void Add(ComponentKind kind, ComponentId id, Signal signal, string outcome, long items, string? reason = null)
    {
        if (items == 0)
        {
            return;
        }

        var box = _counters.GetOrAdd(new CounterKey(kind, id.ToString(), signal, outcome, reason), static _ => new StrongBox());
        Interlocked.Add(ref box.Value, items);
    }

    public long Get(ComponentKind kind, ComponentId id, Signal signal, string outcome, string? reason = null) =>
        _counters.TryGetValue(new CounterKey(kind, id.ToString(), signal, outcome, reason), out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>Sum over reasons of one outcome.</summary>
    public long Total(ComponentKind kind, ComponentId id, Signal signal, string outcome) =>
        _counters.Where(kv => kv.Key.Kind == kind && kv.Key.Component == id.ToString() && kv.Key.Signal == signal && kv.Key.Outcome == outcome)
            .Sum(kv => Interlocked.Read(ref kv.Value.Value));

    public IReadOnlyList<CounterReading> Snapshot() =>
        _counters.Select(kv => new CounterReading(kv.Key.Kind, kv.Key.Component, kv.Key.Signal, kv.Key.Outcome, kv.Key.Reason, Interlocked.Read(ref kv.Value.Value)))
            .OrderBy(r => r.Kind).ThenBy(r => r.Component).ThenBy(r => r.Signal).ThenBy(r => r.Outcome).ThenBy(r => r.Reason)
            .ToList();

    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<long>> Observe() =>
        Snapshot().Select(r => new Measurement<long>(
            r.Value,
            new KeyValuePair<string, object?>(r.Kind.DisplayName(), r.Component),
            new KeyValuePair<string, object?>("signal", r.Signal.ToConfigName()),
            new KeyValuePair<string, object?>("outcome", r.Outcome),
            new KeyValuePair<string, object?>("reason", r.Reason ?? string.Empty)));

    private readonly record struct CounterKey(ComponentKind Kind, string Component, Signal Signal, string Outcome, string? Reason);

    private sealed class StrongBox
    {
        public long Value;
    }
}

public sealed record CounterReading(ComponentKind Kind, string Component, Signal Signal, string Outcome, string? Reason, long Value);

/// <summary>Outcome names used with <see cref="EngineTelemetry"/>.</summary>
public static class Outcomes
{
    public const string Accepted = "accepted";
    public const string Refused = "refused";
    public const string Sent = "sent";
    public const string SendFailed = "send_failed";
    public const string Dropped = "dropped";
}
