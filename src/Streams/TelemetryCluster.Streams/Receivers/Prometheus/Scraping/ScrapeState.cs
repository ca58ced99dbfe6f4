using System.Globalization;
using System.Text;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Receivers.Prometheus.Exposition;
using TelemetryCluster.Streams.Receivers.Prometheus.Relabeling;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

/// <summary>Counts of one scrape (the collector's <c>scrape_*</c> series).</summary>
internal readonly record struct ScrapeCounts(int Scraped, int PostRelabel, int SeriesAdded);

/// <summary>
/// The state of one target across scrapes, and the translation of a scrape body to OTLP with the collector's
/// mapping: counters become cumulative monotonic sums, gauges and untyped metrics gauges, histograms and summaries
/// their OTLP kinds; start times come from <c>_created</c> series or the first observation (and reset when a
/// cumulative value goes down); a series present in the previous scrape and missing now gets a point flagged
/// NoRecordedValue (Prometheus' staleness marker); <c>up</c>, <c>scrape_duration_seconds</c>,
/// <c>scrape_samples_scraped</c>, <c>scrape_samples_post_metric_relabeling</c> and <c>scrape_series_added</c> are
/// added per scrape. Parsed series are cached by their exact text, so an unchanged series costs one dictionary
/// lookup and no label parsing or relabeling. Not thread-safe: one scrape loop owns it.
/// </summary>
internal sealed class ScrapeState
{
    public const string ScopeName = "github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver";

    private static readonly string ScopeVersion = typeof(ScrapeState).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly ScrapeConfig _config;
    private readonly ScrapeTarget _target;
    private readonly Dictionary<string, SeriesEntry> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SeriesEntry>.AlternateLookup<ReadOnlySpan<char>> _seriesBySpan;
    private readonly Dictionary<string, FamilyMeta> _meta = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FamilyMeta>.AlternateLookup<ReadOnlySpan<char>> _metaBySpan;
    private readonly Dictionary<(string Job, string Instance), ResourceAcc> _resources = [];
    private readonly List<string> _removeScratch = [];
    private readonly Dictionary<string, string> _labelScratch = new(StringComparer.Ordinal);
    private long _scrape;
    private bool _reportedTarget;

    public ScrapeState(ScrapeConfig config, ScrapeTarget target)
    {
        _config = config;
        _target = target;
        _seriesBySpan = _series.GetAlternateLookup<ReadOnlySpan<char>>();
        _metaBySpan = _meta.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Series cached from the last scrape (for tests and memory bounds).</summary>
    public int CachedSeries => _series.Count;

    /// <summary>
    /// Translates one successful scrape. Throws <see cref="ExpositionFormatException"/> for a bad body, or
    /// <see cref="SampleLimitExceededException"/>; the state is then as after a failed scrape (call
    /// <see cref="Failed"/>).
    /// </summary>
    public ExportMetricsServiceRequest Scraped(ReadOnlySpan<char> body, bool openMetrics, DateTimeOffset scrapeTime, TimeSpan duration, out ScrapeCounts counts)
    {
        var scrape = ++_scrape;
        var defaultTs = scrapeTime.ToUnixTimeMilliseconds();
        var reader = new ExpositionReader(body, openMetrics);
        int scraped = 0, post = 0, added = 0;
        while (reader.Next())
        {
            switch (reader.Entry)
            {
                case ExpositionEntry.Type:
                    Meta(reader.Name, scrape).Type = reader.Type;
                    break;
                case ExpositionEntry.Help:
                    {
                        var meta = Meta(reader.Name, scrape);
                        if (meta.Help is null || !reader.Text.SequenceEqual(meta.RawHelp))
                        {
                            meta.RawHelp = reader.Text.ToString();
                            meta.Help = ExpositionReader.UnescapeHelp(reader.Text);
                        }

                        break;
                    }

                case ExpositionEntry.Unit:
                    {
                        var meta = Meta(reader.Name, scrape);
                        if (meta.Unit is null || !reader.Text.SequenceEqual(meta.Unit))
                        {
                            meta.Unit = reader.Text.ToString();
                        }

                        break;
                    }

                case ExpositionEntry.Sample:
                    {
                        scraped++;
                        if (!_seriesBySpan.TryGetValue(reader.Series, out var entry) || !IsCurrent(entry))
                        {
                            if (entry is not null)
                            {
                                _series.Remove(entry.Text);
                            }

                            entry = Resolve(reader.Series, reader.Name, reader.Labels, scrape);
                            _series[entry.Text] = entry;
                            added++;
                        }
                        else if (entry.LastScrape == scrape)
                        {
                            break; // a duplicate series in one body: Prometheus keeps the first
                        }

                        entry.LastScrape = scrape;
                        if (entry.Point is null)
                        {
                            break; // dropped by metric_relabel_configs
                        }

                        post++;
                        if (_config.SampleLimit > 0 && post > _config.SampleLimit)
                        {
                            throw new SampleLimitExceededException(_config.SampleLimit);
                        }

                        var ts = _config.HonorTimestamps && reader.TimestampMs is { } t ? t : defaultTs;
                        entry.Point.Add(entry.Role, entry.Bound, reader.Value, ts, scrape);
                        break;
                    }
            }
        }

        counts = new ScrapeCounts(scraped, post, added);
        var request = new ExportMetricsServiceRequest();
        Emit(request, scrape, ToNanos(defaultTs), allStale: false);
        AddTargetMetrics(request, up: true, ToNanos(defaultTs), duration, counts, stale: false);
        Sweep(scrape);
        return request;
    }

    /// <summary>A failed scrape: <c>up</c> 0 and staleness markers for everything the last scrape had.</summary>
    public ExportMetricsServiceRequest Failed(DateTimeOffset scrapeTime, TimeSpan duration)
    {
        var scrape = ++_scrape;
        var nanos = ToNanos(scrapeTime.ToUnixTimeMilliseconds());
        var request = new ExportMetricsServiceRequest();
        Emit(request, scrape, nanos, allStale: true);
        AddTargetMetrics(request, up: false, nanos, duration, default, stale: false);
        Sweep(scrape);
        _series.Clear();
        return request;
    }

    /// <summary>The target went away (discovery or ownership): staleness markers for every series, <c>up</c> included.</summary>
    public ExportMetricsServiceRequest Gone(DateTimeOffset time)
    {
        var scrape = ++_scrape;
        var nanos = ToNanos(time.ToUnixTimeMilliseconds());
        var request = new ExportMetricsServiceRequest();
        Emit(request, scrape, nanos, allStale: true);
        if (_reportedTarget)
        {
            AddTargetMetrics(request, up: false, nanos, TimeSpan.Zero, default, stale: true);
        }

        Sweep(scrape);
        _series.Clear();
        return request;
    }

    private FamilyMeta Meta(ReadOnlySpan<char> name, long scrape)
    {
        if (!_metaBySpan.TryGetValue(name, out var meta))
        {
            meta = new FamilyMeta(name.ToString());
            _meta[meta.Name] = meta;
        }

        if (meta.Scrape != scrape)
        {
            meta.Scrape = scrape;
            meta.Type = MetricType.Unknown;
        }

        return meta;
    }

    /// <summary>A new series: parse its labels, attach target labels, relabel, find its family and point.</summary>
    private SeriesEntry Resolve(ReadOnlySpan<char> series, ReadOnlySpan<char> name, ReadOnlySpan<char> labelText, long scrape)
    {
        var labels = _labelScratch;
        labels.Clear();
        var lr = new LabelReader(labelText);
        while (lr.Next())
        {
            var value = lr.Value();
            if (value.Length > 0)
            {
                labels[lr.Name.ToString()] = value;
            }
        }

        labels["__name__"] = name.ToString();
        foreach (var (tName, tValue) in _target.Labels)
        {
            if (_config.HonorLabels)
            {
                labels.TryAdd(tName, tValue);
                continue;
            }

            if (labels.TryGetValue(tName, out var scrapedValue))
            {
                var exported = "exported_" + tName;
                while (labels.ContainsKey(exported))
                {
                    exported = "exported_" + exported;
                }

                labels[exported] = scrapedValue;
            }

            labels[tName] = tValue;
        }

        var entry = new SeriesEntry(series.ToString());
        if (!RelabelRule.Apply(_config.MetricRelabelConfigs, labels) || !labels.TryGetValue("__name__", out var finalName) || finalName.Length == 0)
        {
            return entry;
        }

        var (familyName, role, type, metaName) = FamilyOf(finalName);
        entry.MetaName = metaName;
        entry.MetaType = MetaTypeOf(metaName);
        entry.FamilyName = familyName;
        entry.FamilyType = type;
        entry.Role = role;
        var boundLabel = role switch
        {
            SampleRole.Bucket => "le",
            SampleRole.Quantile => "quantile",
            _ => null,
        };
        var attributes = new List<KeyValuePair<string, string>>(labels.Count);
        foreach (var (lName, lValue) in labels)
        {
            if (lName is "__name__" or "job" or "instance" || lValue.Length == 0 || lName == boundLabel)
            {
                continue;
            }

            attributes.Add(new(lName, lValue));
        }

        attributes.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (boundLabel is not null)
        {
            var boundText = labels.TryGetValue(boundLabel, out var b) ? b : string.Empty;
            if (!ExpositionReader.TryParseFloat(boundText, out var bound))
            {
                // A bucket without a valid "le" / quantile without a valid "quantile": keep it as its own gauge.
                entry.FamilyName = finalName;
                entry.MetaName = finalName;
                entry.MetaType = MetaTypeOf(finalName);
                entry.FamilyType = MetricType.Unknown;
                entry.Role = SampleRole.Value;
                attributes.Add(new(boundLabel, boundText));
                attributes.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            }
            else
            {
                entry.Bound = bound;
            }
        }

        var job = labels.TryGetValue("job", out var j) ? j : string.Empty;
        var instance = labels.TryGetValue("instance", out var i) ? i : string.Empty;
        if (!_resources.TryGetValue((job, instance), out var resource))
        {
            resource = new ResourceAcc(job, instance);
            _resources[(job, instance)] = resource;
        }

        var family = resource.Family(entry.FamilyName!, entry.FamilyType, entry.MetaName!);
        var key = GroupKey(attributes);
        if (!family.Points.TryGetValue(key, out var point))
        {
            point = new PointAcc([.. attributes]);
            family.Points[key] = point;
        }

        entry.Point = point;
        entry.Family = family;
        _ = scrape;
        return entry;
    }

    /// <summary>The family of a sample name from this scrape's metadata, with the sample's role in it.</summary>
    private (string Family, SampleRole Role, MetricType Type, string MetaName) FamilyOf(string name)
    {
        if (_meta.TryGetValue(name, out var exact) && exact.Scrape == _scrape)
        {
            return exact.Type switch
            {
                MetricType.Summary => (name, SampleRole.Quantile, MetricType.Summary, name),
                MetricType.Histogram or MetricType.GaugeHistogram => (name, SampleRole.Value, MetricType.Unknown, name),
                _ => (name, SampleRole.Value, exact.Type, name),
            };
        }

        ReadOnlySpan<(string Suffix, SampleRole Role)> suffixes =
        [
            ("_bucket", SampleRole.Bucket), ("_count", SampleRole.Count), ("_sum", SampleRole.Sum), ("_created", SampleRole.Created),
            ("_total", SampleRole.Value), ("_info", SampleRole.Value), ("_gcount", SampleRole.Count), ("_gsum", SampleRole.Sum),
        ];
        foreach (var (suffix, role) in suffixes)
        {
            if (!name.EndsWith(suffix, StringComparison.Ordinal) || name.Length == suffix.Length)
            {
                continue;
            }

            var family = name[..^suffix.Length];
            if (!_meta.TryGetValue(family, out var meta) || meta.Scrape != _scrape)
            {
                continue;
            }

            var fits = (meta.Type, suffix) switch
            {
                (MetricType.Histogram, "_bucket" or "_count" or "_sum" or "_created") => true,
                (MetricType.Summary, "_count" or "_sum" or "_created") => true,
                (MetricType.Counter, "_total" or "_created") => true,
                (MetricType.Info, "_info") => true,
                _ => false,
            };
            if (fits)
            {
                return meta.Type == MetricType.Info ? (name, SampleRole.Value, MetricType.Info, family) : (family, role, meta.Type, family);
            }
        }

        return (name, SampleRole.Value, MetricType.Unknown, name);
    }

    /// <summary>
    /// A cached series stays valid while its family's metadata gives the same type (dropped series always stay valid:
    /// relabeling depends on labels only).
    /// </summary>
    private bool IsCurrent(SeriesEntry entry)
    {
        if (entry.Point is null)
        {
            return true;
        }

        return MetaTypeOf(entry.MetaName!) == entry.MetaType && !entry.Family!.Orphaned;
    }

    private MetricType? MetaTypeOf(string name) =>
        _meta.TryGetValue(name, out var meta) && meta.Scrape == _scrape ? meta.Type : null;

    private static string GroupKey(List<KeyValuePair<string, string>> attributes)
    {
        if (attributes.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var (k, v) in attributes)
        {
            sb.Append(k).Append('\u00ff').Append(v).Append('\u00fe');
        }

        return sb.ToString();
    }

    /// <summary>Writes every point seen in <paramref name="scrape"/>, and staleness markers for points seen only in the one before.</summary>
    private void Emit(ExportMetricsServiceRequest request, long scrape, ulong staleNanos, bool allStale)
    {
        foreach (var resource in _resources.Values)
        {
            ScopeMetrics? scope = null;
            foreach (var family in resource.Families.Values)
            {
                Metric? metric = null;
                foreach (var point in family.Points.Values)
                {
                    if (!allStale && point.Seen == scrape)
                    {
                        metric ??= NewMetric(family, ref scope, request, resource);
                        AddPoint(metric, family, point);
                        point.Emitted = true;
                    }
                    else if (point.Emitted)
                    {
                        metric ??= NewMetric(family, ref scope, request, resource);
                        AddStale(metric, family, point, staleNanos);
                        point.Emitted = false;
                    }
                }
            }
        }
    }

    private Metric NewMetric(FamilyAcc family, ref ScopeMetrics? scope, ExportMetricsServiceRequest request, ResourceAcc resource)
    {
        if (scope is null)
        {
            scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = ScopeName, Version = ScopeVersion } };
            var rm = new ResourceMetrics { Resource = ResourceOf(resource.Job, resource.Instance) };
            rm.ScopeMetrics.Add(scope);
            request.ResourceMetrics.Add(rm);
        }

        var meta = _meta.TryGetValue(family.MetaName, out var m) ? m : null;
        var metric = new Metric { Name = family.Name, Description = meta?.Help ?? string.Empty, Unit = meta?.Unit ?? string.Empty };
        switch (family.Type)
        {
            case MetricType.Counter:
                metric.Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
                break;
            case MetricType.Histogram:
                metric.Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
                break;
            case MetricType.Summary:
                metric.Summary = new Summary();
                break;
            default:
                metric.Gauge = new Gauge();
                if (family.Type is MetricType.Unknown or MetricType.Info or MetricType.StateSet)
                {
                    metric.Metadata.Add(Attr("prometheus.type", family.Type switch
                    {
                        MetricType.Info => "info",
                        MetricType.StateSet => "stateset",
                        _ => "unknown",
                    }));
                }

                break;
        }

        scope.Metrics.Add(metric);
        return metric;
    }

    private static void AddPoint(Metric metric, FamilyAcc family, PointAcc point)
    {
        var time = ToNanos(point.TimestampMs);
        switch (family.Type)
        {
            case MetricType.Counter:
                {
                    var start = point.StartFor(point.Value, time);
                    var dp = new NumberDataPoint { TimeUnixNano = time, StartTimeUnixNano = start, AsDouble = point.Value };
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Sum.DataPoints.Add(dp);
                    break;
                }

            case MetricType.Histogram:
                {
                    var dp = new HistogramDataPoint { TimeUnixNano = time, Count = ToCount(point.Count) };
                    if (point.HasSum)
                    {
                        dp.Sum = point.Sum;
                    }

                    point.Bounds.Sort(static (a, b) => a.Bound.CompareTo(b.Bound));
                    double previous = 0;
                    foreach (var (bound, cumulative) in point.Bounds)
                    {
                        if (!double.IsPositiveInfinity(bound))
                        {
                            dp.ExplicitBounds.Add(bound);
                        }

                        dp.BucketCounts.Add(ToCount(cumulative - previous));
                        previous = cumulative;
                    }

                    if (point.Bounds.Count > 0 && !double.IsPositiveInfinity(point.Bounds[^1].Bound))
                    {
                        dp.BucketCounts.Add(ToCount(point.Count - previous)); // a missing +Inf bucket: the rest of the count
                    }

                    if (!point.HasCount && point.Bounds.Count > 0)
                    {
                        dp.Count = ToCount(point.Bounds[^1].Value);
                    }

                    dp.StartTimeUnixNano = point.StartFor(point.HasCount ? point.Count : dp.Count, time);
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Histogram.DataPoints.Add(dp);
                    break;
                }

            case MetricType.Summary:
                {
                    var dp = new SummaryDataPoint { TimeUnixNano = time, Count = ToCount(point.Count), Sum = point.HasSum ? point.Sum : 0 };
                    point.Bounds.Sort(static (a, b) => a.Bound.CompareTo(b.Bound));
                    foreach (var (quantile, value) in point.Bounds)
                    {
                        dp.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = quantile, Value = value });
                    }

                    dp.StartTimeUnixNano = point.StartFor(point.Count, time);
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Summary.DataPoints.Add(dp);
                    break;
                }

            default:
                {
                    var dp = new NumberDataPoint { TimeUnixNano = time, AsDouble = point.Value };
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Gauge.DataPoints.Add(dp);
                    break;
                }
        }
    }

    private static void AddStale(Metric metric, FamilyAcc family, PointAcc point, ulong time)
    {
        const uint noRecordedValue = (uint)DataPointFlags.NoRecordedValueMask;
        switch (family.Type)
        {
            case MetricType.Counter:
                {
                    var dp = new NumberDataPoint { TimeUnixNano = time, StartTimeUnixNano = point.StartNanos, Flags = noRecordedValue };
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Sum.DataPoints.Add(dp);
                    break;
                }

            case MetricType.Histogram:
                {
                    var dp = new HistogramDataPoint { TimeUnixNano = time, StartTimeUnixNano = point.StartNanos, Flags = noRecordedValue };
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Histogram.DataPoints.Add(dp);
                    break;
                }

            case MetricType.Summary:
                {
                    var dp = new SummaryDataPoint { TimeUnixNano = time, StartTimeUnixNano = point.StartNanos, Flags = noRecordedValue };
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Summary.DataPoints.Add(dp);
                    break;
                }

            default:
                {
                    var dp = new NumberDataPoint { TimeUnixNano = time, Flags = noRecordedValue };
                    AddAttributes(dp.Attributes, point.Attributes);
                    metric.Gauge.DataPoints.Add(dp);
                    break;
                }
        }
    }

    /// <summary>Drops state not seen in <paramref name="scrape"/> (its staleness marker was just written).</summary>
    private void Sweep(long scrape)
    {
        foreach (var (key, resource) in _resources)
        {
            foreach (var family in resource.Families.Values)
            {
                _removeScratch.Clear();
                foreach (var (groupKey, point) in family.Points)
                {
                    if (point.Seen != scrape)
                    {
                        _removeScratch.Add(groupKey);
                    }
                }

                foreach (var groupKey in _removeScratch)
                {
                    family.Points.Remove(groupKey);
                }
            }

            _removeScratch.Clear();
            foreach (var (name, family) in resource.Families)
            {
                if (family.Points.Count == 0)
                {
                    _removeScratch.Add(name);
                }
            }

            foreach (var name in _removeScratch)
            {
                resource.Families.Remove(name);
            }

            if (resource.Families.Count == 0)
            {
                resource.Empty = true;
            }

            _ = key;
        }

        List<(string, string)>? emptyResources = null;
        foreach (var (key, resource) in _resources)
        {
            if (resource.Empty)
            {
                (emptyResources ??= []).Add(key);
            }
        }

        if (emptyResources is not null)
        {
            foreach (var key in emptyResources)
            {
                _resources.Remove(key);
            }
        }

        _removeScratch.Clear();
        foreach (var (text, entry) in _series)
        {
            if (entry.LastScrape != scrape)
            {
                _removeScratch.Add(text);
            }
        }

        foreach (var text in _removeScratch)
        {
            _series.Remove(text);
        }

        _removeScratch.Clear();
        foreach (var (name, meta) in _meta)
        {
            if (meta.Scrape != scrape)
            {
                _removeScratch.Add(name);
            }
        }

        foreach (var name in _removeScratch)
        {
            _meta.Remove(name);
        }

        _removeScratch.Clear();
    }

    private void AddTargetMetrics(ExportMetricsServiceRequest request, bool up, ulong nanos, TimeSpan duration, ScrapeCounts counts, bool stale)
    {
        _reportedTarget = !stale;
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = ScopeName, Version = ScopeVersion } };
        scope.Metrics.Add(TargetGauge("up", "The scraping was successful", up ? 1 : 0, nanos, stale));
        scope.Metrics.Add(TargetGauge("scrape_duration_seconds", "Duration of the scrape", duration.TotalSeconds, nanos, stale, "s"));
        scope.Metrics.Add(TargetGauge("scrape_samples_scraped", "The number of samples the target exposed", counts.Scraped, nanos, stale));
        scope.Metrics.Add(TargetGauge("scrape_samples_post_metric_relabeling", "The number of samples remaining after metric relabeling was applied", counts.PostRelabel, nanos, stale));
        scope.Metrics.Add(TargetGauge("scrape_series_added", "The approximate number of new series in this scrape", counts.SeriesAdded, nanos, stale));

        // The target's series share the resource of its job/instance; add to it when the scrape produced one.
        var resource = ResourceOf(_target.Job, _target.Instance);
        foreach (var rm in request.ResourceMetrics)
        {
            if (rm.Resource.Equals(resource))
            {
                rm.ScopeMetrics[0].Metrics.Add(scope.Metrics);
                return;
            }
        }

        var created = new ResourceMetrics { Resource = resource };
        created.ScopeMetrics.Add(scope);
        request.ResourceMetrics.Add(created);
    }

    private static Metric TargetGauge(string name, string description, double value, ulong nanos, bool stale, string unit = "")
    {
        var dp = new NumberDataPoint { TimeUnixNano = nanos };
        if (stale)
        {
            dp.Flags = (uint)DataPointFlags.NoRecordedValueMask;
        }
        else
        {
            dp.AsDouble = value;
        }

        var metric = new Metric { Name = name, Description = description, Unit = unit, Gauge = new Gauge() };
        metric.Gauge.DataPoints.Add(dp);
        return metric;
    }

    /// <summary>The collector's resource of a target: service.name = job, service.instance.id = instance, server.*, url.scheme.</summary>
    private Resource ResourceOf(string job, string instance)
    {
        var resource = new Resource();
        resource.Attributes.Add(Attr("service.name", job));
        resource.Attributes.Add(Attr("service.instance.id", instance));
        var (host, port) = ScrapeTarget.SplitHostPort(instance);
        resource.Attributes.Add(Attr("server.address", host));
        if (port is not null)
        {
            resource.Attributes.Add(Attr("server.port", port));
        }

        resource.Attributes.Add(Attr("url.scheme", _target.Scheme));
        return resource;
    }

    private static void AddAttributes(Google.Protobuf.Collections.RepeatedField<KeyValue> target, KeyValuePair<string, string>[] attributes)
    {
        foreach (var (k, v) in attributes)
        {
            target.Add(Attr(k, v));
        }
    }

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    internal static ulong ToNanos(long ms) => ms <= 0 ? 0UL : (ulong)ms * 1_000_000UL;

    private static ulong ToCount(double value) => value <= 0 || double.IsNaN(value) ? 0UL : value >= ulong.MaxValue ? ulong.MaxValue : (ulong)value;

    private sealed class FamilyMeta(string name)
    {
        public string Name { get; } = name;

        public long Scrape { get; set; }

        public MetricType Type { get; set; }

        public string? RawHelp { get; set; }

        public string? Help { get; set; }

        public string? Unit { get; set; }
    }

    private sealed class SeriesEntry(string text)
    {
        public string Text { get; } = text;

        public long LastScrape { get; set; }

        public string? FamilyName { get; set; }

        /// <summary>The name whose TYPE/HELP/UNIT describe the family (differs from the family name for info metrics).</summary>
        public string? MetaName { get; set; }

        /// <summary>The TYPE of <see cref="MetaName"/> when the series was resolved (null: none).</summary>
        public MetricType? MetaType { get; set; }

        public MetricType FamilyType { get; set; }

        public SampleRole Role { get; set; }

        public double Bound { get; set; }

        /// <summary>Null when the series is dropped by metric relabeling.</summary>
        public PointAcc? Point { get; set; }

        public FamilyAcc? Family { get; set; }
    }

    private sealed class ResourceAcc(string job, string instance)
    {
        public string Job { get; } = job;

        public string Instance { get; } = instance;

        public Dictionary<string, FamilyAcc> Families { get; } = new(StringComparer.Ordinal);

        public bool Empty { get; set; }

        public FamilyAcc Family(string name, MetricType type, string metaName)
        {
            Empty = false;
            if (!Families.TryGetValue(name, out var family) || family.Type != type)
            {
                if (family is not null)
                {
                    family.Orphaned = true;
                }

                family = new FamilyAcc(name, type, metaName);
                Families[name] = family;
            }

            return family;
        }
    }

    private sealed class FamilyAcc(string name, MetricType type, string metaName)
    {
        public string Name { get; } = name;

        public string MetaName { get; } = metaName;

        /// <summary>Replaced by a family of the same name with another type; its series are resolved again.</summary>
        public bool Orphaned { get; set; }

        public MetricType Type { get; } = type;

        public Dictionary<string, PointAcc> Points { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>What a sample contributes to its family's point.</summary>
internal enum SampleRole
{
    Value,
    Bucket,
    Quantile,
    Sum,
    Count,
    Created,
}

/// <summary>The point of one series group (labels without <c>le</c>/<c>quantile</c>) of a family, kept across scrapes for start times.</summary>
internal sealed class PointAcc(KeyValuePair<string, string>[] attributes)
{
    public KeyValuePair<string, string>[] Attributes { get; } = attributes;

    public long Seen { get; private set; }

    /// <summary>Written in the last translation (so a staleness marker is due when it goes missing).</summary>
    public bool Emitted { get; set; }

    public long TimestampMs { get; private set; }

    public double Value { get; private set; }

    public double Sum { get; private set; }

    public bool HasSum { get; private set; }

    public double Count { get; private set; }

    public bool HasCount { get; private set; }

    /// <summary>The <c>_created</c> value (seconds since the epoch), NaN when the target does not expose one.</summary>
    public double Created { get; private set; } = double.NaN;

    public List<(double Bound, double Value)> Bounds { get; } = [];

    public ulong StartNanos { get; private set; }

    private double _previous = double.NaN;

    public void Add(SampleRole role, double bound, double value, long timestampMs, long scrape)
    {
        if (Seen != scrape)
        {
            Seen = scrape;
            TimestampMs = timestampMs;
            HasSum = false;
            HasCount = false;
            Created = double.NaN;
            Bounds.Clear();
        }

        switch (role)
        {
            case SampleRole.Value:
                Value = value;
                break;
            case SampleRole.Bucket:
            case SampleRole.Quantile:
                Bounds.Add((bound, value));
                break;
            case SampleRole.Sum:
                Sum = value;
                HasSum = true;
                break;
            case SampleRole.Count:
                Count = value;
                HasCount = true;
                break;
            case SampleRole.Created:
                Created = value;
                break;
        }
    }

    /// <summary>
    /// The start time of a cumulative point: the target's <c>_created</c> when given; else the time the series was first
    /// seen, moved to the point's time when the cumulative value went down (a reset).
    /// </summary>
    public ulong StartFor(double cumulative, ulong time)
    {
        if (!double.IsNaN(Created) && Created > 0)
        {
            StartNanos = (ulong)(Created * 1e9);
        }
        else if (StartNanos == 0 || (!double.IsNaN(_previous) && cumulative < _previous))
        {
            StartNanos = time;
        }

        _previous = cumulative;
        return StartNanos;
    }
}

/// <summary>More samples than <c>sample_limit</c>: the scrape fails, as in Prometheus.</summary>
internal sealed class SampleLimitExceededException(int limit) : Exception($"sample limit of {limit} exceeded");
