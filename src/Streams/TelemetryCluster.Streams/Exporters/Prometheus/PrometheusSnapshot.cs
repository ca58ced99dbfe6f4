namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>A Prometheus metric family type.</summary>
public enum PrometheusMetricType
{
    Gauge = 0,
    Counter = 1,
    Histogram = 2,
    Summary = 3,
    Untyped = 4,
}

/// <summary>One label of a series (name already sanitised, value non-empty).</summary>
public readonly record struct PrometheusLabel(string Name, string Value);

/// <summary>
/// One series of a family at one moment: its labels (sorted by name, ordinal), the sample values and the data
/// point timestamp (Unix ms). Gauges and counters use <see cref="Value"/>; histograms use <see cref="Sum"/>,
/// <see cref="Count"/>, <see cref="BucketBounds"/> (upper bounds without +Inf, increasing) and
/// <see cref="BucketCounts"/> (cumulative, same length; the +Inf bucket is <see cref="Count"/>); summaries use
/// <see cref="Sum"/>, <see cref="Count"/>, <see cref="Quantiles"/> (increasing) and <see cref="QuantileValues"/>.
/// Immutable by convention: nothing changes the arrays after construction.
/// </summary>
public sealed class PrometheusSeries(
    PrometheusLabel[] labels,
    long timestampMs,
    double value = 0,
    double sum = 0,
    ulong count = 0,
    double[]? bucketBounds = null,
    ulong[]? bucketCounts = null,
    double[]? quantiles = null,
    double[]? quantileValues = null)
{
    public IReadOnlyList<PrometheusLabel> Labels { get; } = labels;

    public long TimestampMs { get; } = timestampMs;

    public double Value { get; } = value;

    public double Sum { get; } = sum;

    public ulong Count { get; } = count;

    public IReadOnlyList<double> BucketBounds { get; } = bucketBounds ?? [];

    public IReadOnlyList<ulong> BucketCounts { get; } = bucketCounts ?? [];

    public IReadOnlyList<double> Quantiles { get; } = quantiles ?? [];

    public IReadOnlyList<double> QuantileValues { get; } = quantileValues ?? [];

    /// <summary>Ordinal order of label lists: pair by pair (name, then value); a prefix sorts first.</summary>
    public static int CompareLabels(IReadOnlyList<PrometheusLabel> a, IReadOnlyList<PrometheusLabel> b)
    {
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a[i].Name, b[i].Name);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(a[i].Value, b[i].Value);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Count.CompareTo(b.Count);
    }
}

/// <summary>A metric family: its name, type, HELP text, unit (the suffix the name got, for OpenMetrics <c># UNIT</c>; may be empty) and its series sorted by labels.</summary>
public sealed class PrometheusFamily(string name, PrometheusMetricType type, string help, string unit, IReadOnlyList<PrometheusSeries> series)
{
    public string Name { get; } = name;

    public PrometheusMetricType Type { get; } = type;

    public string Help { get; } = help;

    public string Unit { get; } = unit;

    public IReadOnlyList<PrometheusSeries> Series { get; } = series;
}

/// <summary>
/// What a prometheus exporter instance exposes: families sorted by name (ordinal), series sorted by labels. The
/// cluster's MetricsView singleton merges one per node (<see cref="Merge"/>); the later PromQL store reads the same
/// values and timestamps.
/// </summary>
public sealed class PrometheusSnapshot(IReadOnlyList<PrometheusFamily> families)
{
    public static PrometheusSnapshot Empty { get; } = new([]);

    public IReadOnlyList<PrometheusFamily> Families { get; } = families;

    public int SeriesCount
    {
        get
        {
            var n = 0;
            foreach (var family in Families)
            {
                n += family.Series.Count;
            }

            return n;
        }
    }

    /// <summary>
    /// Merges the snapshots of several nodes into one, deterministically (the same inputs in any order give the same
    /// result). A series (family name + labels) held by several nodes — a shard moved — is taken from the one with
    /// the newer timestamp, then the smaller node address. A family name with different types on different nodes
    /// keeps the type whose newest series is newest (then the smaller type number); the HELP text is the first
    /// non-empty one in ordinal order, the unit likewise.
    /// </summary>
    public static PrometheusSnapshot Merge(IEnumerable<KeyValuePair<string, PrometheusSnapshot>> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var ordered = nodes.OrderBy(n => n.Key, StringComparer.Ordinal).ToList();
        if (ordered.Count == 1)
        {
            return ordered[0].Value;
        }

        var byName = new SortedDictionary<string, List<(PrometheusFamily Family, int Node)>>(StringComparer.Ordinal);
        for (var node = 0; node < ordered.Count; node++)
        {
            foreach (var family in ordered[node].Value.Families)
            {
                if (!byName.TryGetValue(family.Name, out var list))
                {
                    byName[family.Name] = list = [];
                }

                list.Add((family, node));
            }
        }

        var result = new List<PrometheusFamily>(byName.Count);
        foreach (var (name, candidates) in byName)
        {
            var type = ChooseType(candidates);
            string? help = null;
            string? unit = null;
            var series = new List<(PrometheusSeries Series, int Node)>();
            foreach (var (family, node) in candidates)
            {
                if (family.Type != type)
                {
                    continue;
                }

                if (family.Help.Length > 0 && (help is null || string.CompareOrdinal(family.Help, help) < 0))
                {
                    help = family.Help;
                }

                if (family.Unit.Length > 0 && (unit is null || string.CompareOrdinal(family.Unit, unit) < 0))
                {
                    unit = family.Unit;
                }

                foreach (var s in family.Series)
                {
                    series.Add((s, node));
                }
            }

            // Same labels: newest first, then the smaller node address; the first of each run is kept.
            series.Sort(static (a, b) =>
            {
                var c = PrometheusSeries.CompareLabels(a.Series.Labels, b.Series.Labels);
                if (c != 0)
                {
                    return c;
                }

                c = b.Series.TimestampMs.CompareTo(a.Series.TimestampMs);
                return c != 0 ? c : a.Node.CompareTo(b.Node);
            });

            var unique = new List<PrometheusSeries>(series.Count);
            foreach (var (s, _) in series)
            {
                if (unique.Count > 0 && PrometheusSeries.CompareLabels(unique[^1].Labels, s.Labels) == 0)
                {
                    continue;
                }

                unique.Add(s);
            }

            result.Add(new PrometheusFamily(name, type, help ?? string.Empty, unit ?? string.Empty, unique));
        }

        return new PrometheusSnapshot(result);
    }

    private static PrometheusMetricType ChooseType(List<(PrometheusFamily Family, int Node)> candidates)
    {
        var best = candidates[0].Family.Type;
        var bestTime = Newest(candidates[0].Family);
        for (var i = 1; i < candidates.Count; i++)
        {
            var time = Newest(candidates[i].Family);
            if (time > bestTime || (time == bestTime && candidates[i].Family.Type < best))
            {
                best = candidates[i].Family.Type;
                bestTime = time;
            }
        }

        return best;
    }

    private static long Newest(PrometheusFamily family)
    {
        var newest = long.MinValue;
        foreach (var s in family.Series)
        {
            newest = Math.Max(newest, s.TimestampMs);
        }

        return newest;
    }
}
