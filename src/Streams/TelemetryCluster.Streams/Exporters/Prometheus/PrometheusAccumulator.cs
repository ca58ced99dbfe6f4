using System.Text;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>Why a data point was not taken (counted as <c>dropped</c> with this reason).</summary>
internal static class DropReasons
{
    public const string DeltaNonMonotonic = "delta_non_monotonic_sum";
    public const string UnspecifiedTemporality = "unspecified_temporality";
    public const string TypeConflict = "type_conflict";
    public const string OutOfOrder = "out_of_order";
    public const string MisalignedDelta = "misaligned_delta";
    public const string InvalidName = "invalid_name";
    public const string NoValue = "no_value";
    public const string InvalidBuckets = "invalid_buckets";
}

/// <summary>
/// The exporter's state: one latest point per series, as the collector's prometheus exporter keeps it (gauge =
/// last value by timestamp; cumulative monotonic sum = counter; cumulative non-monotonic sum = gauge; delta
/// monotonic sums and delta histograms added up while contiguous — start time equal to the stored point's time —
/// and reset otherwise; histograms and summaries = last point; exponential histograms as classic buckets; the
/// NoRecordedValue flag removes the series). A series is keyed by its final Prometheus identity (family name +
/// labels), so two sources that map to the same series merge into one (the newer point wins) and a duplicate series
/// can never be written. Series not updated for <c>metric_expiration</c> (by the <see cref="TimeProvider"/>) are
/// removed. Thread-safe: the partitions of a node export concurrently.
/// </summary>
internal sealed class PrometheusAccumulator
{
    private const ulong NoRecordedValueFlag = 1;
    private const string TargetInfoHelp = "Target metadata";

    private readonly PrometheusExporterConfig _config;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FamilyState> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<NameCacheKey, (string Name, string Unit)> _names = [];
    private readonly string _targetInfoName;
    private readonly bool _suffixes;
    private readonly StringBuilder _key = new();
    private readonly List<RawLabel> _raw = new(16);
    private readonly List<PrometheusLabel> _labels = new(16);
    private long _version;

    public PrometheusAccumulator(PrometheusExporterConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _suffixes = config.Suffixes;
        var ns = PrometheusNaming.Namespace(config.Namespace);
        _targetInfoName = ns.Length == 0 ? "target_info" : ns + "_target_info";
    }

    /// <summary>Grows on every change (new point, removal, expiry): a reader publishes only when it moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Series held now (without expiring).</summary>
    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                var n = 0;
                foreach (var family in _families.Values)
                {
                    n += family.Series.Count;
                }

                return n;
            }
        }
    }

    /// <summary>Takes every data point of <paramref name="request"/>; drops are added to <paramref name="drops"/> by reason.</summary>
    public void Accumulate(ExportMetricsServiceRequest request, DropCounts drops)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nowTicks = _time.GetUtcNow().UtcTicks;
        var changed = false;
        lock (_gate)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var resource = resourceMetrics.Resource?.Attributes ?? EmptyAttributes;
                var (job, instance) = JobAndInstance(resource);
                ulong newest = 0;
                foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
                {
                    foreach (var metric in scopeMetrics.Metrics)
                    {
                        changed |= AccumulateMetric(resource, job, instance, scopeMetrics.Scope, scopeMetrics.SchemaUrl, metric, nowTicks, drops, ref newest);
                    }
                }

                if (newest > 0 || changed)
                {
                    changed |= UpdateTargetInfo(resource, job, instance, newest == 0 ? (ulong)(_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000) : newest, nowTicks);
                }
            }

            if (changed)
            {
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Removes series not updated within <c>metric_expiration</c>; returns how many.</summary>
    public int Expire()
    {
        var cutoff = _time.GetUtcNow().UtcTicks - _config.MetricExpiration.Ticks;
        var removed = 0;
        lock (_gate)
        {
            List<string>? emptyFamilies = null;
            foreach (var (name, family) in _families)
            {
                List<string>? expired = null;
                foreach (var (key, series) in family.Series)
                {
                    if (series.UpdatedTicks <= cutoff)
                    {
                        (expired ??= []).Add(key);
                    }
                }

                if (expired is null)
                {
                    continue;
                }

                foreach (var key in expired)
                {
                    family.Series.Remove(key);
                }

                removed += expired.Count;
                if (family.Series.Count == 0)
                {
                    (emptyFamilies ??= []).Add(name);
                }
            }

            if (emptyFamilies is not null)
            {
                foreach (var name in emptyFamilies)
                {
                    _families.Remove(name);
                }
            }

            if (removed > 0)
            {
                Interlocked.Increment(ref _version);
            }
        }

        return removed;
    }

    /// <summary>Expires, then copies the state into a sorted, immutable snapshot.</summary>
    public PrometheusSnapshot Snapshot() => Snapshot(out _);

    /// <summary>
    /// Expires, then copies the state into a sorted, immutable snapshot; <paramref name="version"/> is the
    /// <see cref="Version"/> of exactly that content (read under the same lock as the copy).
    /// </summary>
    public PrometheusSnapshot Snapshot(out long version)
    {
        Expire();
        lock (_gate)
        {
            version = Interlocked.Read(ref _version);
            var names = new string[_families.Count];
            _families.Keys.CopyTo(names, 0);
            Array.Sort(names, StringComparer.Ordinal);
            var families = new PrometheusFamily[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                var family = _families[names[i]];
                var series = new PrometheusSeries[family.Series.Count];
                var j = 0;
                foreach (var state in family.Series.Values)
                {
                    series[j++] = state.ToSeries(family.Type);
                }

                Array.Sort(series, static (a, b) => PrometheusSeries.CompareLabels(a.Labels, b.Labels));
                families[i] = new PrometheusFamily(names[i], family.Type, family.Help, family.Unit, series);
            }

            return new PrometheusSnapshot(families);
        }
    }

    private static readonly RepeatedField<KeyValue> EmptyAttributes = [];

    private bool AccumulateMetric(
        RepeatedField<KeyValue> resource,
        string? job,
        string? instance,
        InstrumentationScope? scope,
        string scopeSchemaUrl,
        Metric metric,
        long nowTicks,
        DropCounts drops,
        ref ulong newest)
    {
        PrometheusMetricType type;
        NameKind kind;
        var delta = false;
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                type = PrometheusMetricType.Gauge;
                kind = NameKind.Gauge;
                break;
            case Metric.DataOneofCase.Sum:
                var sum = metric.Sum;
                if (sum.AggregationTemporality == AggregationTemporality.Cumulative)
                {
                    type = sum.IsMonotonic ? PrometheusMetricType.Counter : PrometheusMetricType.Gauge;
                    kind = sum.IsMonotonic ? NameKind.MonotonicCounter : NameKind.Gauge;
                }
                else if (sum.AggregationTemporality == AggregationTemporality.Delta && sum.IsMonotonic)
                {
                    type = PrometheusMetricType.Counter;
                    kind = NameKind.MonotonicCounter;
                    delta = true;
                }
                else
                {
                    drops.Add(sum.AggregationTemporality == AggregationTemporality.Delta ? DropReasons.DeltaNonMonotonic : DropReasons.UnspecifiedTemporality, sum.DataPoints.Count);
                    return false;
                }

                break;
            case Metric.DataOneofCase.Histogram:
                if (metric.Histogram.AggregationTemporality == AggregationTemporality.Unspecified)
                {
                    drops.Add(DropReasons.UnspecifiedTemporality, metric.Histogram.DataPoints.Count);
                    return false;
                }

                type = PrometheusMetricType.Histogram;
                kind = NameKind.Other;
                delta = metric.Histogram.AggregationTemporality == AggregationTemporality.Delta;
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                if (metric.ExponentialHistogram.AggregationTemporality == AggregationTemporality.Unspecified)
                {
                    drops.Add(DropReasons.UnspecifiedTemporality, metric.ExponentialHistogram.DataPoints.Count);
                    return false;
                }

                type = PrometheusMetricType.Histogram;
                kind = NameKind.Other;
                delta = metric.ExponentialHistogram.AggregationTemporality == AggregationTemporality.Delta;
                break;
            case Metric.DataOneofCase.Summary:
                type = PrometheusMetricType.Summary;
                kind = NameKind.Other;
                break;
            default:
                return false;
        }

        var (name, unit) = FamilyName(metric.Name, metric.Unit, kind);
        var points = PointCount(metric);
        if (!PrometheusNaming.IsValidMetricName(name))
        {
            drops.Add(DropReasons.InvalidName, points);
            return false;
        }

        if (!_families.TryGetValue(name, out var family))
        {
            family = new FamilyState(type, metric.Description ?? string.Empty, unit);
            _families[name] = family;
        }
        else if (family.Type != type)
        {
            drops.Add(DropReasons.TypeConflict, points);
            return false;
        }

        var changed = false;
        var reserved = type switch
        {
            PrometheusMetricType.Histogram => "le",
            PrometheusMetricType.Summary => "quantile",
            _ => null,
        };

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                foreach (var p in metric.Gauge.DataPoints)
                {
                    changed |= TakeNumber(family, p, delta: false, resource, job, instance, scope, scopeSchemaUrl, reserved, nowTicks, drops, ref newest);
                }

                break;
            case Metric.DataOneofCase.Sum:
                foreach (var p in metric.Sum.DataPoints)
                {
                    changed |= TakeNumber(family, p, delta, resource, job, instance, scope, scopeSchemaUrl, reserved, nowTicks, drops, ref newest);
                }

                break;
            case Metric.DataOneofCase.Histogram:
                foreach (var p in metric.Histogram.DataPoints)
                {
                    var key = SeriesKey(resource, job, instance, scope, scopeSchemaUrl, p.Attributes, reserved);
                    newest = Math.Max(newest, p.TimeUnixNano);
                    var counts = new ulong[p.BucketCounts.Count == p.ExplicitBounds.Count + 1 ? p.BucketCounts.Count : p.ExplicitBounds.Count + 1];
                    for (var i = 0; i < counts.Length && i < p.BucketCounts.Count; i++)
                    {
                        counts[i] = p.BucketCounts[i];
                    }

                    var bounds = new double[p.ExplicitBounds.Count];
                    p.ExplicitBounds.CopyTo(bounds, 0);
                    if (!Increasing(bounds))
                    {
                        drops.Add(DropReasons.InvalidBuckets, 1);
                        continue;
                    }

                    changed |= TakeHistogram(family, key, (p.Flags & NoRecordedValueFlag) != 0, p.StartTimeUnixNano, p.TimeUnixNano, p.Count, p.HasSum ? p.Sum : 0, bounds, counts, delta, nowTicks, drops);
                }

                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                foreach (var p in metric.ExponentialHistogram.DataPoints)
                {
                    var key = SeriesKey(resource, job, instance, scope, scopeSchemaUrl, p.Attributes, reserved);
                    newest = Math.Max(newest, p.TimeUnixNano);
                    var (bounds, counts) = ExponentialBuckets(p);
                    changed |= TakeHistogram(family, key, (p.Flags & NoRecordedValueFlag) != 0, p.StartTimeUnixNano, p.TimeUnixNano, p.Count, p.HasSum ? p.Sum : 0, bounds, counts, delta, nowTicks, drops);
                }

                break;
            case Metric.DataOneofCase.Summary:
                foreach (var p in metric.Summary.DataPoints)
                {
                    var key = SeriesKey(resource, job, instance, scope, scopeSchemaUrl, p.Attributes, reserved);
                    newest = Math.Max(newest, p.TimeUnixNano);
                    if ((p.Flags & NoRecordedValueFlag) != 0)
                    {
                        changed |= family.Series.Remove(key);
                        continue;
                    }

                    if (family.Series.TryGetValue(key, out var existing) && p.TimeUnixNano < existing.TimeNanos)
                    {
                        drops.Add(DropReasons.OutOfOrder, 1);
                        continue;
                    }

                    var quantiles = new double[p.QuantileValues.Count];
                    var values = new double[quantiles.Length];
                    for (var i = 0; i < quantiles.Length; i++)
                    {
                        quantiles[i] = p.QuantileValues[i].Quantile;
                        values[i] = p.QuantileValues[i].Value;
                    }

                    Array.Sort(quantiles, values);
                    var state = existing ?? new SeriesState(CurrentLabels());
                    state.Quantiles = quantiles;
                    state.QuantileValues = values;
                    state.Sum = p.Sum;
                    state.Count = p.Count;
                    state.StartNanos = p.StartTimeUnixNano;
                    state.TimeNanos = p.TimeUnixNano;
                    state.UpdatedTicks = nowTicks;
                    family.Series[key] = state;
                    changed = true;
                }

                break;
        }

        return changed;
    }

    private bool TakeNumber(
        FamilyState family,
        NumberDataPoint p,
        bool delta,
        RepeatedField<KeyValue> resource,
        string? job,
        string? instance,
        InstrumentationScope? scope,
        string scopeSchemaUrl,
        string? reserved,
        long nowTicks,
        DropCounts drops,
        ref ulong newest)
    {
        var key = SeriesKey(resource, job, instance, scope, scopeSchemaUrl, p.Attributes, reserved);
        newest = Math.Max(newest, p.TimeUnixNano);
        if ((p.Flags & NoRecordedValueFlag) != 0)
        {
            return family.Series.Remove(key);
        }

        double value;
        switch (p.ValueCase)
        {
            case NumberDataPoint.ValueOneofCase.AsDouble:
                value = p.AsDouble;
                break;
            case NumberDataPoint.ValueOneofCase.AsInt:
                value = p.AsInt;
                break;
            default:
                drops.Add(DropReasons.NoValue, 1);
                return false;
        }

        if (!family.Series.TryGetValue(key, out var state))
        {
            state = new SeriesState(CurrentLabels()) { Value = value, StartNanos = p.StartTimeUnixNano, TimeNanos = p.TimeUnixNano, UpdatedTicks = nowTicks };
            family.Series[key] = state;
            return true;
        }

        if (p.TimeUnixNano < state.TimeNanos)
        {
            drops.Add(DropReasons.OutOfOrder, 1);
            return false;
        }

        if (delta && p.StartTimeUnixNano == state.TimeNanos)
        {
            state.Value += value;
        }
        else
        {
            state.Value = value;
            state.StartNanos = p.StartTimeUnixNano;
        }

        state.TimeNanos = p.TimeUnixNano;
        state.UpdatedTicks = nowTicks;
        return true;
    }

    private bool TakeHistogram(
        FamilyState family,
        string key,
        bool noRecordedValue,
        ulong start,
        ulong time,
        ulong count,
        double sum,
        double[] bounds,
        ulong[] counts,
        bool delta,
        long nowTicks,
        DropCounts drops)
    {
        if (noRecordedValue)
        {
            return family.Series.Remove(key);
        }

        if (!family.Series.TryGetValue(key, out var state))
        {
            family.Series[key] = new SeriesState(CurrentLabels()) { Bounds = bounds, Buckets = counts, Count = count, Sum = sum, StartNanos = start, TimeNanos = time, UpdatedTicks = nowTicks };
            return true;
        }

        if (time < state.TimeNanos)
        {
            drops.Add(DropReasons.OutOfOrder, 1);
            return false;
        }

        if (delta)
        {
            if (start < state.TimeNanos)
            {
                drops.Add(DropReasons.MisalignedDelta, 1);
                return false;
            }

            if (start == state.TimeNanos && bounds.AsSpan().SequenceEqual(state.Bounds))
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    state.Buckets[i] += counts[i];
                }

                state.Count += count;
                state.Sum += sum;
                state.TimeNanos = time;
                state.UpdatedTicks = nowTicks;
                return true;
            }
        }

        state.Bounds = bounds;
        state.Buckets = counts;
        state.Count = count;
        state.Sum = sum;
        state.StartNanos = start;
        state.TimeNanos = time;
        state.UpdatedTicks = nowTicks;
        return true;
    }

    /// <summary>
    /// Classic buckets of an exponential histogram: negative buckets (most negative first, upper bound
    /// <c>-base^index</c>), the zero bucket (upper bound <c>zero_threshold</c>), positive buckets (upper bound
    /// <c>base^(index+1)</c>); the last count is the overflow (empty here).
    /// </summary>
    private static (double[] Bounds, ulong[] Counts) ExponentialBuckets(ExponentialHistogramDataPoint p)
    {
        var scale = Math.Clamp(p.Scale, -10, 20);
        var negative = p.Negative?.BucketCounts ?? [];
        var positive = p.Positive?.BucketCounts ?? [];
        var bounds = new List<double>(negative.Count + positive.Count + 1);
        var counts = new List<ulong>(negative.Count + positive.Count + 2);
        var negativeOffset = p.Negative?.Offset ?? 0;
        for (var i = negative.Count - 1; i >= 0; i--)
        {
            bounds.Add(-Bound(scale, negativeOffset + i));
            counts.Add(negative[i]);
        }

        bounds.Add(p.ZeroThreshold);
        counts.Add(p.ZeroCount);
        var positiveOffset = p.Positive?.Offset ?? 0;
        for (var i = 0; i < positive.Count; i++)
        {
            var upper = Bound(scale, positiveOffset + i + 1);
            if (upper <= bounds[^1])
            {
                counts[^1] += positive[i];
                continue;
            }

            bounds.Add(upper);
            counts.Add(positive[i]);
        }

        counts.Add(0);
        return ([.. bounds], [.. counts]);
    }

    /// <summary>Finite and strictly increasing, as bucket bounds must be to be written.</summary>
    private static bool Increasing(double[] bounds)
    {
        for (var i = 0; i < bounds.Length; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                return false;
            }
        }

        return true;
    }

    private static double Bound(int scale, long index) => Math.Pow(2, index * Math.Pow(2, -scale));

    private bool UpdateTargetInfo(RepeatedField<KeyValue> resource, string? job, string? instance, ulong timeNanos, long nowTicks)
    {
        _raw.Clear();
        foreach (var attribute in resource)
        {
            if (attribute.Key is "service.name" or "service.namespace" or "service.instance.id")
            {
                continue;
            }

            AddRaw(attribute.Key, attribute.Value, 0);
        }

        if (_raw.Count == 0)
        {
            return false;
        }

        if (job is not null)
        {
            _raw.Add(new RawLabel("job", "job", job, 3));
        }

        if (instance is not null)
        {
            _raw.Add(new RawLabel("instance", "instance", instance, 3));
        }

        var key = Fold(null);
        if (!_families.TryGetValue(_targetInfoName, out var family))
        {
            family = new FamilyState(PrometheusMetricType.Gauge, TargetInfoHelp, string.Empty);
            _families[_targetInfoName] = family;
        }
        else if (family.Type != PrometheusMetricType.Gauge)
        {
            return false;
        }

        if (!family.Series.TryGetValue(key, out var state))
        {
            family.Series[key] = new SeriesState(CurrentLabels()) { Value = 1, TimeNanos = timeNanos, UpdatedTicks = nowTicks };
            return true;
        }

        state.TimeNanos = Math.Max(state.TimeNanos, timeNanos);
        state.UpdatedTicks = nowTicks;
        return true;
    }

    private (string Name, string Unit) FamilyName(string name, string unit, NameKind kind)
    {
        var cacheKey = new NameCacheKey(name, unit, kind);
        if (!_names.TryGetValue(cacheKey, out var result))
        {
            var family = PrometheusNaming.MetricName(name, unit, kind, _config.Namespace, _suffixes, out var unitSuffix);
            result = (family, unitSuffix);
            if (_names.Count > 100_000)
            {
                _names.Clear();
            }

            _names[cacheKey] = result;
        }

        return result;
    }

    private static (string? Job, string? Instance) JobAndInstance(RepeatedField<KeyValue> resource)
    {
        string? name = null;
        string? ns = null;
        string? instance = null;
        foreach (var attribute in resource)
        {
            switch (attribute.Key)
            {
                case "service.name":
                    name = AttributeText(attribute.Value);
                    break;
                case "service.namespace":
                    ns = AttributeText(attribute.Value);
                    break;
                case "service.instance.id":
                    instance = AttributeText(attribute.Value);
                    break;
            }
        }

        string? job = string.IsNullOrEmpty(name) ? null : string.IsNullOrEmpty(ns) ? name : ns + "/" + name;
        return (job, string.IsNullOrEmpty(instance) ? null : instance);
    }

    /// <summary>
    /// The series key of a point (its sorted labels are left in <c>_labels</c>). Precedence (a later source replaces an earlier label of the
    /// same name): resource attributes (with resource_to_telemetry_conversion), point attributes, scope labels,
    /// job/instance, const labels. Attributes that sanitise to the same name are joined with <c>;</c> in key order;
    /// an attribute named like the type's reserved label (<c>le</c>, <c>quantile</c>) becomes <c>exported_…</c>;
    /// empty values are left out (Prometheus treats them as absent).
    /// </summary>
    private string SeriesKey(
        RepeatedField<KeyValue> resource,
        string? job,
        string? instance,
        InstrumentationScope? scope,
        string scopeSchemaUrl,
        RepeatedField<KeyValue> attributes,
        string? reserved)
    {
        _raw.Clear();
        if (_config.ResourceToTelemetryConversion)
        {
            foreach (var attribute in resource)
            {
                AddRaw(attribute.Key, attribute.Value, 0);
            }
        }

        foreach (var attribute in attributes)
        {
            AddRaw(attribute.Key, attribute.Value, 1);
        }

        if (!_config.WithoutScopeInfo && scope is not null)
        {
            AddFixed("otel_scope_name", scope.Name, 2);
            AddFixed("otel_scope_version", scope.Version, 2);
            AddFixed("otel_scope_schema_url", scopeSchemaUrl, 2);
            foreach (var attribute in scope.Attributes)
            {
                var text = AttributeText(attribute.Value);
                if (text.Length > 0)
                {
                    _raw.Add(new RawLabel("otel_scope_" + PrometheusNaming.LabelName(attribute.Key), attribute.Key, text, 2));
                }
            }
        }

        if (job is not null)
        {
            _raw.Add(new RawLabel("job", "job", job, 3));
        }

        if (instance is not null)
        {
            _raw.Add(new RawLabel("instance", "instance", instance, 3));
        }

        return Fold(reserved);
    }

    /// <summary>The labels of the last key built, as a new array (only when a series is created).</summary>
    private PrometheusLabel[] CurrentLabels() => [.. _labels];

    private void AddFixed(string name, string value, int priority)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _raw.Add(new RawLabel(name, name, value, priority));
        }
    }

    private void AddRaw(string key, AnyValue? value, int priority)
    {
        var name = PrometheusNaming.LabelName(key);
        if (name.Length == 0)
        {
            return;
        }

        _raw.Add(new RawLabel(name, key, AttributeText(value), priority));
    }

    private string Fold(string? reserved)
    {
        foreach (var label in _config.ConstLabels)
        {
            _raw.Add(new RawLabel(label.Name, label.Name, label.Value, 4));
        }

        if (reserved is not null)
        {
            for (var i = 0; i < _raw.Count; i++)
            {
                if (_raw[i].Priority < 4 && _raw[i].Name == reserved)
                {
                    _raw[i] = _raw[i] with { Name = "exported_" + reserved };
                }
            }
        }

        _raw.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Name, b.Name);
            if (c != 0)
            {
                return c;
            }

            c = a.Priority.CompareTo(b.Priority);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });

        _labels.Clear();
        for (var i = 0; i < _raw.Count; i++)
        {
            var raw = _raw[i];
            var value = raw.Value;
            var j = i + 1;
            while (j < _raw.Count && _raw[j].Name == raw.Name)
            {
                if (_raw[j].Priority > raw.Priority)
                {
                    raw = _raw[j];
                    value = raw.Value;
                }
                else if (_raw[j].Value.Length > 0)
                {
                    value = value.Length == 0 ? _raw[j].Value : value + ";" + _raw[j].Value;
                }

                j++;
            }

            i = j - 1;
            if (value.Length > 0)
            {
                _labels.Add(new PrometheusLabel(raw.Name, value));
            }
        }

        _key.Clear();
        foreach (var label in _labels)
        {
            _key.Append(label.Name).Append('\u0001').Append(label.Value).Append('\u0002');
        }

        return _key.ToString();
    }

    /// <summary>An attribute value as label text (the collector's AsString: strings as is, others in their JSON-ish form).</summary>
    internal static string AttributeText(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(',', value.ArrayValue.Values.Select(JsonText)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(',', value.KvlistValue.Values.Select(kv => System.Text.Json.JsonSerializer.Serialize(kv.Key) + ":" + JsonText(kv.Value))) + "}",
        _ => string.Empty,
    };

    private static string JsonText(AnyValue value) => value.ValueCase == AnyValue.ValueOneofCase.StringValue
        ? System.Text.Json.JsonSerializer.Serialize(value.StringValue)
        : AttributeText(value);

    private static int PointCount(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };

    private readonly record struct NameCacheKey(string Name, string Unit, NameKind Kind);

    private readonly record struct RawLabel(string Name, string Key, string Value, int Priority);

    private sealed class FamilyState(PrometheusMetricType type, string help, string unit)
    {
        public PrometheusMetricType Type { get; } = type;

        public string Help { get; } = help;

        public string Unit { get; } = unit;

        public Dictionary<string, SeriesState> Series { get; } = new(StringComparer.Ordinal);
    }

    private sealed class SeriesState(PrometheusLabel[] labels)
    {
        public PrometheusLabel[] Labels { get; } = labels;

        public double Value { get; set; }

        public double Sum { get; set; }

        public ulong Count { get; set; }

        public double[] Bounds { get; set; } = [];

        /// <summary>Per-bucket (not cumulative) counts, one more than <see cref="Bounds"/>.</summary>
        public ulong[] Buckets { get; set; } = [];

        public double[] Quantiles { get; set; } = [];

        public double[] QuantileValues { get; set; } = [];

        public ulong StartNanos { get; set; }

        public ulong TimeNanos { get; set; }

        public long UpdatedTicks { get; set; }

        public PrometheusSeries ToSeries(PrometheusMetricType type)
        {
            var ms = (long)(TimeNanos / 1_000_000);
            switch (type)
            {
                case PrometheusMetricType.Histogram:
                    var cumulative = new ulong[Bounds.Length];
                    ulong running = 0;
                    for (var i = 0; i < Bounds.Length; i++)
                    {
                        running += i < Buckets.Length ? Buckets[i] : 0;
                        cumulative[i] = Math.Min(running, Count);
                    }

                    return new PrometheusSeries(Labels, ms, sum: Sum, count: Count, bucketBounds: Bounds, bucketCounts: cumulative);
                case PrometheusMetricType.Summary:
                    return new PrometheusSeries(Labels, ms, sum: Sum, count: Count, quantiles: Quantiles, quantileValues: QuantileValues);
                default:
                    return new PrometheusSeries(Labels, ms, value: Value);
            }
        }
    }
}

/// <summary>Dropped data points by reason, collected during one export.</summary>
internal sealed class DropCounts
{
    private Dictionary<string, int>? _counts;

    public IReadOnlyDictionary<string, int> Counts => _counts ?? (IReadOnlyDictionary<string, int>)new Dictionary<string, int>();

    public int Total => _counts?.Values.Sum() ?? 0;

    public void Add(string reason, int count)
    {
        if (count <= 0)
        {
            return;
        }

        _counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        _counts[reason] = _counts.GetValueOrDefault(reason) + count;
    }
}
