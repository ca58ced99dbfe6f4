using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Streams.Engine.SelfMetrics;

/// <summary>
/// The node's own metrics with the collector's names (so existing collector dashboards work), as a
/// <see cref="PrometheusSnapshot"/> for the <c>service.telemetry.metrics</c> endpoint (:8888):
/// <list type="bullet">
/// <item>the engine's item counters: <c>otelcol_receiver_accepted_{metric_points,log_records,spans}_total</c>,
/// <c>..._refused_...</c>, <c>otelcol_exporter_sent_...</c>, <c>otelcol_exporter_send_failed_...</c>, and every drop
/// with its reason (<c>otelcol_dropped_..._total</c>);</item>
/// <item><c>otelcol_exporter_queue_size</c> / <c>_capacity</c>: the bounded queues in front of each exporter (the
/// entry queues of the pipeline segments that feed it);</item>
/// <item>every instrument of the engine's <see cref="Meter"/> (e.g. <c>otelcol_processor_batch_batch_send_size</c>),
/// collected with a <see cref="MeterListener"/>: counters as <c>_total</c>, up-down counters as gauges, histograms
/// with their advised buckets;</item>
/// <item>process and runtime: uptime, CPU seconds, RSS, GC heap and allocation totals.</item>
/// </list>
/// </summary>
public sealed class SelfMetricsCollector : IDisposable
{
    private readonly EngineTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly Func<PipelineHost?> _host;
    private readonly long _startedAt;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<InstrumentKey, Aggregate> _aggregates = new();

    public SelfMetricsCollector(EngineTelemetry telemetry, TimeProvider time, Func<PipelineHost?> host)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(host);
        _telemetry = telemetry;
        _time = time;
        _host = host;
        _startedAt = time.GetTimestamp();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // The item counters are rendered from EngineTelemetry directly (with the collector's per-signal names).
            if (ReferenceEquals(instrument.Meter, telemetry.Meter) && instrument is not ObservableCounter<long>)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Everything, families sorted by name and series by labels.</summary>
    public PrometheusSnapshot Snapshot()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var families = new Dictionary<string, FamilyBuilder>(StringComparer.Ordinal);
        AddItemCounters(families, now);
        AddQueues(families, now);
        AddInstruments(families, now);
        AddProcess(families, now);
        return new PrometheusSnapshot(families.Values
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => f.Build())
            .ToList());
    }

    public void Dispose() => _listener.Dispose();

    private void AddItemCounters(Dictionary<string, FamilyBuilder> families, long now)
    {
        foreach (var reading in _telemetry.Snapshot())
        {
            var kind = reading.Kind.DisplayName();
            var items = reading.Signal switch
            {
                Signal.Metrics => "metric_points",
                Signal.Logs => "log_records",
                _ => "spans",
            };
            var (name, help) = (reading.Kind, reading.Outcome) switch
            {
                (ComponentKind.Receiver, Outcomes.Accepted) => ($"otelcol_receiver_accepted_{items}_total", "Items successfully pushed into the pipeline."),
                (ComponentKind.Receiver, Outcomes.Refused) => ($"otelcol_receiver_refused_{items}_total", "Items that could not be pushed into the pipeline."),
                (ComponentKind.Exporter, Outcomes.Sent) => ($"otelcol_exporter_sent_{items}_total", "Items successfully sent to destination."),
                (ComponentKind.Exporter, Outcomes.SendFailed) => ($"otelcol_exporter_send_failed_{items}_total", "Items that failed to be sent to destination."),
                (_, Outcomes.Dropped) => ($"otelcol_dropped_{items}_total", "Items dropped, by component and reason."),
                _ => ($"otelcol_{kind}_{reading.Outcome}_{items}_total", $"Items with outcome {reading.Outcome}."),
            };
            var labels = new List<PrometheusLabel> { new(kind, reading.Component) };
            if (!string.IsNullOrEmpty(reading.Reason))
            {
                labels.Add(new("reason", reading.Reason));
            }

            Family(families, name, PrometheusMetricType.Counter, help).Add(labels, now, reading.Value);
        }
    }

    private void AddQueues(Dictionary<string, FamilyBuilder> families, long now)
    {
        if (_host() is not { } host)
        {
            return;
        }

        var queued = new Dictionary<PipelineId, (int Queued, int Segments)>();
        foreach (var segment in host.Segments)
        {
            var (q, s) = queued.GetValueOrDefault(segment.Pipeline);
            queued[segment.Pipeline] = (q + segment.Queued, s + 1);
        }

        var perExporter = new SortedDictionary<string, (long Size, long Capacity)>(StringComparer.Ordinal);
        foreach (var pipeline in host.Spec.Pipelines)
        {
            var (q, segments) = queued.GetValueOrDefault(pipeline.Id);
            foreach (var exporter in pipeline.Exporters)
            {
                var (size, capacity) = perExporter.GetValueOrDefault(exporter.ToString());
                perExporter[exporter.ToString()] = (size + q, capacity + (long)segments * host.Spec.Engine.PipelineQueueSize);
            }
        }

        foreach (var (exporter, (size, capacity)) in perExporter)
        {
            Family(families, "otelcol_exporter_queue_size", PrometheusMetricType.Gauge, "Batches waiting in the bounded queues in front of the exporter.")
                .Add([new("exporter", exporter)], now, size);
            Family(families, "otelcol_exporter_queue_capacity", PrometheusMetricType.Gauge, "Capacity of the bounded queues in front of the exporter, in batches.")
                .Add([new("exporter", exporter)], now, capacity);
        }
    }

    private void AddInstruments(Dictionary<string, FamilyBuilder> families, long now)
    {
        _listener.RecordObservableInstruments();
        foreach (var (key, aggregate) in _aggregates)
        {
            lock (aggregate)
            {
                switch (aggregate.Kind)
                {
                    case AggregateKind.Sum:
                        Family(families, key.Name + "_total", PrometheusMetricType.Counter, key.Help).Add(key.Labels, now, aggregate.Sum);
                        break;
                    case AggregateKind.Gauge:
                        Family(families, key.Name, PrometheusMetricType.Gauge, key.Help).Add(key.Labels, now, aggregate.Sum);
                        break;
                    default:
                        var cumulative = new ulong[aggregate.Bounds.Length];
                        ulong running = 0;
                        for (var i = 0; i < cumulative.Length; i++)
                        {
                            running += aggregate.Buckets[i];
                            cumulative[i] = running;
                        }

                        Family(families, key.Name, PrometheusMetricType.Histogram, key.Help)
                            .AddHistogram(key.Labels, now, aggregate.Sum, aggregate.Count, aggregate.Bounds, cumulative);
                        break;
                }
            }
        }
    }

    private void AddProcess(Dictionary<string, FamilyBuilder> families, long now)
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        Family(families, "otelcol_process_uptime_seconds_total", PrometheusMetricType.Counter, "Uptime of the process.")
            .Add([], now, _time.GetElapsedTime(_startedAt).TotalSeconds);
        Family(families, "otelcol_process_cpu_seconds_total", PrometheusMetricType.Counter, "Total CPU user and system time in seconds.")
            .Add([], now, process.TotalProcessorTime.TotalSeconds);
        Family(families, "otelcol_process_memory_rss_bytes", PrometheusMetricType.Gauge, "Total physical memory (resident set size).")
            .Add([], now, process.WorkingSet64);
        Family(families, "otelcol_process_runtime_heap_alloc_bytes", PrometheusMetricType.Gauge, "Bytes of allocated heap objects (GC heap size).")
            .Add([], now, GC.GetTotalMemory(forceFullCollection: false));
        Family(families, "otelcol_process_runtime_total_alloc_bytes_total", PrometheusMetricType.Counter, "Cumulative bytes allocated for heap objects.")
            .Add([], now, GC.GetTotalAllocatedBytes());
        Family(families, "otelcol_process_runtime_total_sys_memory_bytes", PrometheusMetricType.Gauge, "Memory the runtime committed for the GC heap.")
            .Add([], now, gc.TotalCommittedBytes);
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var labels = new PrometheusLabel[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = new PrometheusLabel(PrometheusLabelName(tags[i].Key), Convert.ToString(tags[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        }

        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var key = new InstrumentKey(PrometheusMetricName(instrument.Name), instrument.Description ?? string.Empty, LabelText(labels), labels);
        var kind = instrument switch
        {
            Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => AggregateKind.Sum,
            Histogram<long> or Histogram<double> => AggregateKind.Histogram,
            _ => AggregateKind.Gauge,
        };
        var aggregate = _aggregates.GetOrAdd(key, static (_, state) => new Aggregate(state.kind, state.bounds), (kind, bounds: BoundsOf(instrument)));
        var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        lock (aggregate)
        {
            switch (aggregate.Kind)
            {
                case AggregateKind.Sum when instrument.IsObservable:
                    aggregate.Sum = number;
                    break;
                case AggregateKind.Sum:
                    aggregate.Sum += number;
                    break;
                case AggregateKind.Gauge when instrument.IsObservable:
                    aggregate.Sum = number;
                    break;
                case AggregateKind.Gauge:
                    aggregate.Sum += number;
                    break;
                default:
                    aggregate.Sum += number;
                    aggregate.Count++;
                    var bucket = Array.BinarySearch(aggregate.Bounds, number);
                    aggregate.Buckets[bucket >= 0 ? bucket : ~bucket]++;
                    break;
            }
        }
    }

    private static double[] BoundsOf(Instrument instrument) => instrument switch
    {
        Histogram<long> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b.Select(x => (double)x)],
        Histogram<double> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b],
        _ => [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
    };

    private static string LabelText(PrometheusLabel[] labels) => string.Join('\u0001', labels.Select(l => l.Name + '\u0002' + l.Value));

    private static string PrometheusMetricName(string name) => Sanitize(name, allowColon: true);

    private static string PrometheusLabelName(string name) => Sanitize(name, allowColon: false);

    private static string Sanitize(string name, bool allowColon)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            chars[i] = ok ? c : '_';
        }

        return new string(chars);
    }

    private static FamilyBuilder Family(Dictionary<string, FamilyBuilder> families, string name, PrometheusMetricType type, string help)
    {
        if (!families.TryGetValue(name, out var family))
        {
            families[name] = family = new FamilyBuilder(name, type, help);
        }

        return family;
    }

    private enum AggregateKind
    {
        Sum,
        Gauge,
        Histogram,
    }

    private sealed record InstrumentKey(string Name, string Help, string LabelKey, PrometheusLabel[] Labels)
    {
        public bool Equals(InstrumentKey? other) => other is not null && Name == other.Name && LabelKey == other.LabelKey;

        public override int GetHashCode() => HashCode.Combine(Name, LabelKey);
    }

    private sealed class Aggregate(AggregateKind kind, double[] bounds)
    {
        public AggregateKind Kind { get; } = kind;

        public double[] Bounds { get; } = bounds;

        /// <summary>Finite bounds plus the +Inf bucket.</summary>
        public ulong[] Buckets { get; } = new ulong[bounds.Length + 1];

        public double Sum { get; set; }

        public ulong Count { get; set; }
    }

    /// <summary>Collects the series of one family; series are sorted by labels and de-duplicated (summed) on build.</summary>
    private sealed class FamilyBuilder(string name, PrometheusMetricType type, string help)
    {
        private readonly List<PrometheusSeries> _series = [];

        public string Name { get; } = name;

        public void Add(IReadOnlyList<PrometheusLabel> labels, long now, double value) =>
            _series.Add(new PrometheusSeries(Sorted(labels), now, value));

        public void AddHistogram(IReadOnlyList<PrometheusLabel> labels, long now, double sum, ulong count, double[] bounds, ulong[] cumulative) =>
            _series.Add(new PrometheusSeries(Sorted(labels), now, sum: sum, count: count, bucketBounds: bounds, bucketCounts: cumulative));

        public PrometheusFamily Build()
        {
            _series.Sort(static (a, b) => PrometheusSeries.CompareLabels(a.Labels, b.Labels));
            var merged = new List<PrometheusSeries>(_series.Count);
            foreach (var series in _series)
            {
                if (merged.Count > 0 && PrometheusSeries.CompareLabels(merged[^1].Labels, series.Labels) == 0 && type != PrometheusMetricType.Histogram)
                {
                    var last = merged[^1];
                    merged[^1] = new PrometheusSeries([.. last.Labels], last.TimestampMs, last.Value + series.Value);
                    continue;
                }

                merged.Add(series);
            }

            return new PrometheusFamily(Name, type, help, string.Empty, merged);
        }

        private static PrometheusLabel[] Sorted(IReadOnlyList<PrometheusLabel> labels)
        {
            var result = labels.Where(l => l.Value.Length > 0).ToArray();
            Array.Sort(result, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }
    }
}
