using System.Collections.Concurrent;

namespace TelemetryCluster.PromQL.Storage;

/// <summary>Limits of a <see cref="SeriesStore"/>.</summary>
public sealed record SeriesStoreOptions
{
    /// <summary>Samples older than (newest appended timestamp − Retention) are discarded. Default 1h.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>At most this many series; samples of further new series are dropped (reason series_limit).</summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary>At most this many samples in the whole store; beyond it new samples are dropped (reason sample_limit).</summary>
    public long MaxSamples { get; init; } = 20_000_000;

    /// <summary>Ring capacity of one series.</summary>
    public int MaxSamplesPerSeries { get; init; } = 100_000;
}

/// <summary>Per-metric metadata served on /api/v1/metadata.</summary>
public sealed record MetricMetadata(string Type, string Help, string Unit);

/// <summary>Why the store refused a sample.</summary>
public enum AppendResult
{
    Ok,
    OutOfOrder,
    Duplicate,
    TooOld,
    SeriesLimit,
    SampleLimit,
    InvalidLabels,
}

/// <summary>
/// In-memory time series store: one sample ring per series, a retention window measured from the newest appended
/// timestamp and series/sample budgets. One writer (Append, MarkStale, SetMetadata, Truncate) and any number of
/// concurrent readers (queries).
/// </summary>
public sealed class SeriesStore
{
    /// <summary>Prometheus' stale marker: a NaN with this exact bit pattern.</summary>
    public const ulong StaleNaNBits = 0x7ff0000000000002UL;

    public static readonly double StaleNaN = BitConverter.UInt64BitsToDouble(StaleNaNBits);

    public static bool IsStaleNaN(double v) => BitConverter.DoubleToUInt64Bits(v) == StaleNaNBits;

    private readonly SeriesStoreOptions _options;
    private readonly ConcurrentDictionary<Labels, MemSeries> _series = new();
    // Copy-on-write per-name index; written only by the single writer.
    private readonly ConcurrentDictionary<string, NameIndex> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);
    private readonly long[] _dropped = new long[Enum.GetValues<AppendResult>().Length];
    private long _totalSamples;
    private long _newest = long.MinValue;
    private long _appendsSinceTruncate;

    public SeriesStore(SeriesStoreOptions? options = null)
    {
        _options = options ?? new SeriesStoreOptions();
        if (_options.MaxSeries <= 0 || _options.MaxSamples <= 0 || _options.MaxSamplesPerSeries <= 0 || _options.Retention <= TimeSpan.Zero)
        {
            throw new ArgumentException("SeriesStoreOptions: limits and retention must be positive", nameof(options));
        }
    }

    public SeriesStoreOptions Options => _options;

    public int SeriesCount => _series.Count;

    public long SampleCount => Interlocked.Read(ref _totalSamples);

    /// <summary>Samples refused so far, by reason.</summary>
    public long Dropped(AppendResult reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Appends one sample. Labels must include __name__. Timestamps in ms must increase per series.</summary>
    public AppendResult Append(Labels labels, long timestampMs, double value)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var r = AppendCore(labels, timestampMs, value);
        if (r != AppendResult.Ok)
        {
            Interlocked.Increment(ref _dropped[(int)r]);
        }
        return r;
    }

    /// <summary>Records a stale marker: instant queries stop returning the series from this timestamp on.</summary>
    public AppendResult MarkStale(Labels labels, long timestampMs) => Append(labels, timestampMs, StaleNaN);

    public void SetMetadata(string metricFamily, string type, string help, string unit)
    {
        ArgumentNullException.ThrowIfNull(metricFamily);
        _metadata[metricFamily] = new MetricMetadata(type ?? "unknown", help ?? "", unit ?? "");
    }

    public IReadOnlyDictionary<string, MetricMetadata> Metadata => _metadata;

    private AppendResult AppendCore(Labels labels, long t, double v)
    {
        var name = labels.MetricNameValue;
        if (name.Length == 0)
        {
            return AppendResult.InvalidLabels;
        }
        var retentionMs = (long)_options.Retention.TotalMilliseconds;
        if (_newest != long.MinValue && t < _newest - retentionMs)
        {
            return AppendResult.TooOld;
        }
        if (!_series.TryGetValue(labels, out var s))
        {
            if (_series.Count >= _options.MaxSeries)
            {
                Truncate();
                if (_series.Count >= _options.MaxSeries)
                {
                    return AppendResult.SeriesLimit;
                }
            }
            s = new MemSeries(labels, _options.MaxSamplesPerSeries);
            _series[labels] = s;
            _byName.AddOrUpdate(name, _ => new NameIndex([s]), (_, old) => new NameIndex([.. old.Series, s]));
        }
        if (Interlocked.Read(ref _totalSamples) >= _options.MaxSamples)
        {
            Truncate();
            if (Interlocked.Read(ref _totalSamples) >= _options.MaxSamples)
            {
                return AppendResult.SampleLimit;
            }
        }
        var (result, delta) = s.Append(t, v, t - retentionMs);
        if (delta != 0)
        {
            Interlocked.Add(ref _totalSamples, delta);
        }
        if (result == AppendResult.Ok && t > _newest)
        {
            _newest = t;
        }
        if (++_appendsSinceTruncate >= 100_000)
        {
            Truncate();
        }
        return result;
    }

    /// <summary>Drops samples outside retention from every series and removes series left empty.</summary>
    public void Truncate()
    {
        _appendsSinceTruncate = 0;
        if (_newest == long.MinValue)
        {
            return;
        }
        var mint = _newest - (long)_options.Retention.TotalMilliseconds;
        List<MemSeries>? empty = null;
        foreach (var kv in _series)
        {
            var removed = kv.Value.TruncateBefore(mint);
            if (removed != 0)
            {
                Interlocked.Add(ref _totalSamples, -removed);
            }
            if (kv.Value.IsEmpty)
            {
                (empty ??= []).Add(kv.Value);
            }
        }
        if (empty is null)
        {
            return;
        }
        foreach (var s in empty)
        {
            _series.TryRemove(s.Labels, out _);
            var name = s.Labels.MetricNameValue;
            if (_byName.TryGetValue(name, out var index))
            {
                var next = Array.FindAll(index.Series, x => !ReferenceEquals(x, s));
                if (next.Length == 0)
                {
                    _byName.TryRemove(name, out _);
                }
                else
                {
                    _byName[name] = new NameIndex(next);
                }
            }
        }
    }

    /// <summary>Series that could match a selector with this exact metric name (null = all series).</summary>
    internal IReadOnlyList<MemSeries> Candidates(string? exactName)
    {
        if (exactName is not null)
        {
            return _byName.TryGetValue(exactName, out var index) ? index.Series : [];
        }
        return _series.Values.ToArray();
    }

    /// <summary>The series of one metric name, sorted, with label postings; null when no series has the name.</summary>
    internal NameIndex? Index(string name) => _byName.TryGetValue(name, out var index) ? index : null;
}

/// <summary>
/// The series of one metric name at one moment (replaced, never changed, when a series of the name comes or goes):
/// the series sorted by labels and, built on first use per label name, postings — for each value of the label, the
/// positions in <see cref="Sorted"/> of the series that have it, ascending — so that a selector with an equality
/// matcher looks only at the series that can match, and its result needs no sorting.
/// </summary>
internal sealed class NameIndex(MemSeries[] series)
{
    private readonly Dictionary<string, Dictionary<string, int[]>> _postings = new(StringComparer.Ordinal);
    private MemSeries[]? _sorted;

    public MemSeries[] Series { get; } = series;

    /// <summary><see cref="Series"/> in label order (computed once).</summary>
    public MemSeries[] Sorted
    {
        get
        {
            var sorted = Volatile.Read(ref _sorted);
            if (sorted is null)
            {
                sorted = (MemSeries[])Series.Clone();
                Array.Sort(sorted, static (a, b) => a.Labels.CompareTo(b.Labels));
                Volatile.Write(ref _sorted, sorted);
            }
            return sorted;
        }
    }

    /// <summary>Positions in <see cref="Sorted"/> of the series whose label <paramref name="label"/> is <paramref name="value"/> (non-empty), ascending.</summary>
    public int[] Postings(string label, string value)
    {
        var sorted = Sorted;
        lock (_postings)
        {
            if (!_postings.TryGetValue(label, out var byValue))
            {
                var lists = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                for (int i = 0; i < sorted.Length; i++)
                {
                    var v = sorted[i].Labels.Get(label);
                    if (v.Length == 0)
                    {
                        continue;
                    }
                    if (!lists.TryGetValue(v, out var list))
                    {
                        list = [];
                        lists[v] = list;
                    }
                    list.Add(i);
                }
                byValue = new Dictionary<string, int[]>(lists.Count, StringComparer.Ordinal);
                foreach (var (v, list) in lists)
                {
                    byValue[v] = [.. list];
                }
                _postings[label] = byValue;
            }
            return byValue.TryGetValue(value, out var positions) ? positions : [];
        }
    }
}

/// <summary>One series: a ring of (timestamp ms, value) in increasing time order. Guarded by its own lock.</summary>
internal sealed class MemSeries
{
    private readonly int _max;
    private long[] _t;
    private double[] _v;
    private int _start;
    private int _count;

    public MemSeries(Labels labels, int maxSamples)
    {
        Labels = labels;
        _max = maxSamples;
        int initial = Math.Min(16, maxSamples);
        _t = new long[initial];
        _v = new double[initial];
    }

    public Labels Labels { get; }

    public bool IsEmpty
    {
        get
        {
            lock (this)
            {
                return _count == 0;
            }
        }
    }

    private long TAt(int i) => _t[(_start + i) % _t.Length];

    private double VAt(int i) => _v[(_start + i) % _t.Length];

    /// <summary>Returns the outcome and the change of the sample count.</summary>
    public (AppendResult Result, long Delta) Append(long t, double v, long minT)
    {
        lock (this)
        {
            long delta = 0;
            if (_count > 0)
            {
                long last = TAt(_count - 1);
                if (t < last)
                {
                    return (AppendResult.OutOfOrder, 0);
                }
                if (t == last)
                {
                    return (AppendResult.Duplicate, 0);
                }
            }
            while (_count > 0 && TAt(0) < minT)
            {
                _start = (_start + 1) % _t.Length;
                _count--;
                delta--;
            }
            if (_count == _t.Length)
            {
                if (_t.Length < _max)
                {
                    Grow(Math.Min(_max, _t.Length * 2));
                }
                else
                {
                    _start = (_start + 1) % _t.Length;
                    _count--;
                    delta--;
                }
            }
            int idx = (_start + _count) % _t.Length;
            _t[idx] = t;
            _v[idx] = v;
            _count++;
            return (AppendResult.Ok, delta + 1);
        }
    }

    private void Grow(int capacity)
    {
        var t = new long[capacity];
        var v = new double[capacity];
        for (int i = 0; i < _count; i++)
        {
            t[i] = TAt(i);
            v[i] = VAt(i);
        }
        _t = t;
        _v = v;
        _start = 0;
    }

    public int TruncateBefore(long minT)
    {
        lock (this)
        {
            int removed = 0;
            while (_count > 0 && TAt(0) < minT)
            {
                _start = (_start + 1) % _t.Length;
                _count--;
                removed++;
            }
            return removed;
        }
    }

    /// <summary>Index of the first sample with timestamp ≥ t (count when none).</summary>
    private int LowerBound(long t)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (TAt(mid) < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>The newest sample with mint ≤ timestamp ≤ maxt.</summary>
    public bool Latest(long mint, long maxt, out long t, out double v)
    {
        lock (this)
        {
            int i = LowerBound(maxt + 1) - 1;
            if (i >= 0 && TAt(i) >= mint)
            {
                t = TAt(i);
                v = VAt(i);
                return true;
            }
            t = 0;
            v = 0;
            return false;
        }
    }

    /// <summary>Appends samples with mint ≤ t ≤ maxt to the list, skipping stale markers.</summary>
    public int CopyRange(long mint, long maxt, List<Point> into)
    {
        lock (this)
        {
            int n = 0;
            for (int i = LowerBound(mint); i < _count; i++)
            {
                long t = TAt(i);
                if (t > maxt)
                {
                    break;
                }
                double v = VAt(i);
                if (!SeriesStore.IsStaleNaN(v))
                {
                    into.Add(new Point(t, v));
                    n++;
                }
            }
            return n;
        }
    }

    /// <summary>Whether any sample lies in [mint, maxt].</summary>
    public bool HasSamplesIn(long mint, long maxt)
    {
        lock (this)
        {
            int i = LowerBound(mint);
            return i < _count && TAt(i) <= maxt;
        }
    }
}
