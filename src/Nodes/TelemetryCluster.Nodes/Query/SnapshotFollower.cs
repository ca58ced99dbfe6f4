using System.Globalization;
using TelemetryCluster.PromQL;
using TelemetryCluster.PromQL.Storage;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.Query;

/// <summary>
/// Turns successive merged snapshots of one prometheus exporter into samples of a <see cref="SeriesStore"/>, the way
/// Prometheus would store a scrape of the exporter's <c>/metrics</c>: gauges, counters and untyped as is (the family
/// name is <c>__name__</c>); histograms as cumulative <c>_bucket{le}</c> series (with <c>le="+Inf"</c> = count),
/// <c>_sum</c> and <c>_count</c>; summaries as <c>{quantile}</c>, <c>_sum</c> and <c>_count</c>. Every sample carries
/// its data point's timestamp; a series whose timestamp is not newer than the last one appended for it is skipped
/// (the view did not change). A series missing from the snapshots for <c>staleAfter</c> (so that the partial view
/// of a MetricsView hand-over, rebuilt within the exporters' 5s refresh, does not end every series) gets one stale
/// marker, 1 ms after its last sample, so every node following the same view writes the same marker. The single
/// writer of its store: call <see cref="Apply"/> from one thread at a time.
/// </summary>
public sealed class SnapshotFollower
{
    /// <summary>The default grace before a missing series is marked stale: twice the exporters' refresh interval.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(10);

    private readonly SeriesStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private readonly Dictionary<SeriesKey, Entry> _entries = new(SeriesKeyComparer.Instance);
    private readonly Dictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);
    private readonly Dictionary<double, string> _numbers = [];
    private readonly List<SeriesKey> _evict = [];
    private long _generation;
    private long _newest = long.MinValue;
    private int _waiting;

    public SnapshotFollower(SeriesStore store, TimeProvider? time = null, TimeSpan? staleAfter = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
        _staleAfter = staleAfter ?? DefaultStaleAfter;
    }

    public SeriesStore Store => _store;

    /// <summary>Series (of the snapshot's kind: one per histogram, not per bucket) currently followed, stale ones included.</summary>
    public int TrackedSeries => _entries.Count;

    /// <summary>Samples appended so far (stale markers included).</summary>
    public long Appended { get; private set; }

    /// <summary>Series skipped because their timestamp was not newer than the last appended (the view had not changed).</summary>
    public long Unchanged { get; private set; }

    /// <summary>
    /// True when applying the last snapshot again would change nothing: no series missing from it still waits for its
    /// stale marker (a reader may then skip an unchanged view).
    /// </summary>
    public bool Settled => _waiting == 0;

    /// <summary>Appends what is new in <paramref name="snapshot"/> and marks the series it no longer holds stale.</summary>
    public void Apply(PrometheusSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var generation = ++_generation;
        var waiting = 0;
        var now = _time.GetTimestamp();
        foreach (var family in snapshot.Families)
        {
            UpdateMetadata(family);
            foreach (var series in family.Series)
            {
                var key = new SeriesKey(family.Name, family.Type, series.Labels);
                if (!_entries.TryGetValue(key, out var entry))
                {
                    entry = new Entry();
                    _entries[key] = entry;
                }

                entry.Generation = generation;
                entry.MissingSince = null;
                if (series.TimestampMs <= entry.LastTimestampMs)
                {
                    Unchanged++;
                    continue;
                }

                Append(family, series, entry);
            }
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.Generation == generation)
            {
                continue;
            }

            entry.MissingSince ??= now;
            if (!entry.Stale && entry.SampleLabels.Length > 0 && _time.GetElapsedTime(entry.MissingSince.Value, now) >= _staleAfter)
            {
                var at = entry.LastTimestampMs + 1;
                foreach (var labels in entry.SampleLabels)
                {
                    _store.MarkStale(labels, at);
                    Appended++;
                }

                entry.Stale = true;
                entry.LastTimestampMs = at;
            }
            else if (!entry.Stale && entry.SampleLabels.Length > 0)
            {
                waiting++;
            }

            // Kept (so that a late sample older than the marker is skipped) until it leaves the retention window.
            if (_newest != long.MinValue && entry.LastTimestampMs < _newest - (long)_store.Options.Retention.TotalMilliseconds)
            {
                _evict.Add(key);
            }
        }

        foreach (var key in _evict)
        {
            _entries.Remove(key);
        }

        _evict.Clear();
        _waiting = waiting;
    }

    private void Append(PrometheusFamily family, PrometheusSeries series, Entry entry)
    {
        var ts = series.TimestampMs;
        EnsureShape(family, series, entry, ts);
        var labels = entry.SampleLabels;
        switch (family.Type)
        {
            case PrometheusMetricType.Histogram:
                {
                    var n = series.BucketBounds.Count;
                    for (var i = 0; i < n; i++)
                    {
                        Add(labels[i], ts, series.BucketCounts[i]);
                    }

                    Add(labels[n], ts, series.Count);
                    Add(labels[n + 1], ts, series.Sum);
                    Add(labels[n + 2], ts, series.Count);
                    break;
                }

            case PrometheusMetricType.Summary:
                {
                    var n = series.Quantiles.Count;
                    for (var i = 0; i < n; i++)
                    {
                        Add(labels[i], ts, series.QuantileValues[i]);
                    }

                    Add(labels[n], ts, series.Sum);
                    Add(labels[n + 1], ts, series.Count);
                    break;
                }

            default:
                Add(labels[0], ts, series.Value);
                break;
        }

        entry.LastTimestampMs = ts;
        entry.Stale = false;
        if (ts > _newest)
        {
            _newest = ts;
        }
    }

    private void Add(Labels labels, long ts, double value)
    {
        _store.Append(labels, ts, value);
        Appended++;
    }

    /// <summary>Builds the sample label sets of a series once, and again only when its buckets or quantiles change.</summary>
    private void EnsureShape(PrometheusFamily family, PrometheusSeries series, Entry entry, long ts)
    {
        var extra = family.Type switch
        {
            PrometheusMetricType.Histogram => series.BucketBounds,
            PrometheusMetricType.Summary => series.Quantiles,
            _ => [],
        };
        if (entry.SampleLabels.Length > 0 && SameBounds(entry.Bounds, extra))
        {
            return;
        }

        var old = entry.SampleLabels;
        var built = new List<Labels>(extra.Count + 3);
        switch (family.Type)
        {
            case PrometheusMetricType.Histogram:
                foreach (var bound in extra)
                {
                    built.Add(Build(series.Labels, family.Name + "_bucket", "le", Format(bound)));
                }

                built.Add(Build(series.Labels, family.Name + "_bucket", "le", "+Inf"));
                built.Add(Build(series.Labels, family.Name + "_sum", null, null));
                built.Add(Build(series.Labels, family.Name + "_count", null, null));
                break;
            case PrometheusMetricType.Summary:
                foreach (var quantile in extra)
                {
                    built.Add(Build(series.Labels, family.Name, "quantile", Format(quantile)));
                }

                built.Add(Build(series.Labels, family.Name + "_sum", null, null));
                built.Add(Build(series.Labels, family.Name + "_count", null, null));
                break;
            default:
                built.Add(Build(series.Labels, family.Name, null, null));
                break;
        }

        entry.SampleLabels = [.. built];
        entry.Bounds = [.. extra];

        // Buckets or quantiles that went away: their series end here.
        if (old.Length > 0 && !entry.Stale)
        {
            var now = new HashSet<Labels>(entry.SampleLabels);
            foreach (var labels in old)
            {
                if (!now.Contains(labels))
                {
                    _store.MarkStale(labels, ts);
                    Appended++;
                }
            }
        }
    }

    private static bool SameBounds(double[] a, IReadOnlyList<double> b)
    {
        if (a.Length != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static Labels Build(IReadOnlyList<PrometheusLabel> labels, string name, string? extraName, string? extraValue)
    {
        var pairs = new (string Name, string Value)[labels.Count + (extraName is null ? 1 : 2)];
        pairs[0] = (Labels.MetricName, name);
        for (var i = 0; i < labels.Count; i++)
        {
            pairs[i + 1] = (labels[i].Name, labels[i].Value);
        }

        if (extraName is not null)
        {
            pairs[^1] = (extraName, extraValue!);
        }

        return Labels.From(pairs);
    }

    /// <summary>An <c>le</c> / <c>quantile</c> value spelled as the exporter's text format writes it.</summary>
    private string Format(double value)
    {
        if (_numbers.TryGetValue(value, out var text))
        {
            return text;
        }

        text = double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
        if (_numbers.Count < 10_000)
        {
            _numbers[value] = text;
        }

        return text;
    }

    private void UpdateMetadata(PrometheusFamily family)
    {
        var type = family.Type switch
        {
            PrometheusMetricType.Counter => "counter",
            PrometheusMetricType.Gauge => "gauge",
            PrometheusMetricType.Histogram => "histogram",
            PrometheusMetricType.Summary => "summary",
            _ => "unknown",
        };
        if (_metadata.TryGetValue(family.Name, out var known) && known.Type == type
            && string.Equals(known.Help, family.Help, StringComparison.Ordinal) && string.Equals(known.Unit, family.Unit, StringComparison.Ordinal))
        {
            return;
        }

        _metadata[family.Name] = new MetricMetadata(type, family.Help, family.Unit);
        _store.SetMetadata(family.Name, type, family.Help, family.Unit);
    }

    private sealed class Entry
    {
        public long Generation;
        public long LastTimestampMs = long.MinValue;
        public bool Stale;
        public long? MissingSince;
        public Labels[] SampleLabels = [];
        public double[] Bounds = [];
    }

    private readonly record struct SeriesKey(string Family, PrometheusMetricType Type, IReadOnlyList<PrometheusLabel> Labels);

    /// <summary>Compares the label lists by content (the snapshot builds new lists every time).</summary>
    private sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>
    {
        public static readonly SeriesKeyComparer Instance = new();

        public bool Equals(SeriesKey x, SeriesKey y) =>
            x.Type == y.Type && string.Equals(x.Family, y.Family, StringComparison.Ordinal) && PrometheusSeries.CompareLabels(x.Labels, y.Labels) == 0;

        public int GetHashCode(SeriesKey key)
        {
            var hash = new HashCode();
            hash.Add(key.Family, StringComparer.Ordinal);
            hash.Add(key.Type);
            for (var i = 0; i < key.Labels.Count; i++)
            {
                hash.Add(key.Labels[i].Name, StringComparer.Ordinal);
                hash.Add(key.Labels[i].Value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
