using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace TelemetryCluster.Streams.Tests.Data;

/// <summary>
/// Small OTLP builders for item-arithmetic tests. Every item carries a number (a point's value, a record's body, a
/// span's name) so tests can check exactly which items went where, via <see cref="Flatten(IMessage)"/>.
/// </summary>
internal static class OtlpTestData
{
    public static Resource Resource(string name) => new()
    {
        Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = name } } },
    };

    public static InstrumentationScope Scope(string name) => new() { Name = name, Version = "1.0" };

    // ---- metrics ----

    public static ExportMetricsServiceRequest Metrics(params ResourceMetrics[] resources)
    {
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(resources);
        return request;
    }

    public static ResourceMetrics Rm(string resource, params ScopeMetrics[] scopes)
    {
        var rm = new ResourceMetrics { Resource = Resource(resource), SchemaUrl = "https://schema/" + resource };
        rm.ScopeMetrics.Add(scopes);
        return rm;
    }

    public static ScopeMetrics Sm(string scope, params Metric[] metrics)
    {
        var sm = new ScopeMetrics { Scope = Scope(scope), SchemaUrl = "https://scope/" + scope };
        sm.Metrics.Add(metrics);
        return sm;
    }

    /// <summary>A gauge whose points have the values first, first+1, ...</summary>
    public static Metric Gauge(string name, int points, int first = 0)
    {
        var metric = Identity(name);
        metric.Gauge = new Gauge();
        metric.Gauge.DataPoints.Add(Enumerable.Range(first, points).Select(NumberPoint));
        return metric;
    }

    public static Metric Sum(string name, int points, int first = 0)
    {
        var metric = Identity(name);
        metric.Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
        metric.Sum.DataPoints.Add(Enumerable.Range(first, points).Select(NumberPoint));
        return metric;
    }

    public static Metric Histogram(string name, int points, int first = 0)
    {
        var metric = Identity(name);
        metric.Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Delta };
        metric.Histogram.DataPoints.Add(Enumerable.Range(first, points).Select(v => new HistogramDataPoint
        {
            Count = (ulong)v,
            Sum = v,
            BucketCounts = { (ulong)v },
            TimeUnixNano = 1,
        }));
        return metric;
    }

    public static Metric ExponentialHistogram(string name, int points, int first = 0)
    {
        var metric = Identity(name);
        metric.ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative };
        metric.ExponentialHistogram.DataPoints.Add(Enumerable.Range(first, points).Select(v => new ExponentialHistogramDataPoint
        {
            Count = (ulong)v,
            Sum = v,
            Scale = 2,
            TimeUnixNano = 1,
        }));
        return metric;
    }

    public static Metric Summary(string name, int points, int first = 0)
    {
        var metric = Identity(name);
        metric.Summary = new Summary();
        metric.Summary.DataPoints.Add(Enumerable.Range(first, points).Select(v => new SummaryDataPoint
        {
            Count = (ulong)v,
            Sum = v,
            QuantileValues = { new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = v } },
        }));
        return metric;
    }

    /// <summary>A metric with a name but no data at all (DataCase None).</summary>
    public static Metric NoData(string name) => Identity(name);

    /// <summary>Simple metrics request: one resource, one scope, one gauge with <paramref name="points"/> points.</summary>
    public static ExportMetricsServiceRequest GaugeRequest(int points, int first = 0, string resource = "r", string name = "g") =>
        Metrics(Rm(resource, Sm("s", Gauge(name, points, first))));

    // ---- logs ----

    public static ExportLogsServiceRequest Logs(params ResourceLogs[] resources)
    {
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(resources);
        return request;
    }

    public static ResourceLogs Rl(string resource, params ScopeLogs[] scopes)
    {
        var rl = new ResourceLogs { Resource = Resource(resource), SchemaUrl = "https://schema/" + resource };
        rl.ScopeLogs.Add(scopes);
        return rl;
    }

    public static ScopeLogs Sl(string scope, int records, int first = 0)
    {
        var sl = new ScopeLogs { Scope = Scope(scope), SchemaUrl = "https://scope/" + scope };
        sl.LogRecords.Add(Enumerable.Range(first, records).Select(v => new LogRecord
        {
            Body = new AnyValue { StringValue = v.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            SeverityNumber = SeverityNumber.Info,
        }));
        return sl;
    }

    // ---- traces ----

    public static ExportTraceServiceRequest Traces(params ResourceSpans[] resources)
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resources);
        return request;
    }

    public static ResourceSpans Rs(string resource, params ScopeSpans[] scopes)
    {
        var rs = new ResourceSpans { Resource = Resource(resource), SchemaUrl = "https://schema/" + resource };
        rs.ScopeSpans.Add(scopes);
        return rs;
    }

    public static ScopeSpans Ss(string scope, int spans, int first = 0)
    {
        var ss = new ScopeSpans { Scope = Scope(scope), SchemaUrl = "https://scope/" + scope };
        ss.Spans.Add(Enumerable.Range(first, spans).Select(v => new Span
        {
            Name = v.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TraceId = ByteString.CopyFrom(new byte[16]),
            SpanId = ByteString.CopyFrom(new byte[8]),
        }));
        return ss;
    }

    // ---- inspection ----

    /// <summary>
    /// One line per item, in order: <c>resource|scope|metric(type)|value</c> for metrics (a metric without points
    /// gives one line ending in <c>|-</c>), <c>resource|scope|body</c> for logs, <c>resource|scope|name</c> for spans.
    /// </summary>
    public static List<string> Flatten(IMessage request)
    {
        var lines = new List<string>();
        switch (request)
        {
            case ExportMetricsServiceRequest m:
                foreach (var rm in m.ResourceMetrics)
                {
                    foreach (var sm in rm.ScopeMetrics)
                    {
                        foreach (var metric in sm.Metrics)
                        {
                            var prefix = $"{Name(rm.Resource)}|{sm.Scope?.Name}|{metric.Name}({metric.DataCase})";
                            var values = PointValues(metric);
                            if (values.Count == 0)
                            {
                                lines.Add(prefix + "|-");
                            }

                            lines.AddRange(values.Select(v => $"{prefix}|{v}"));
                        }
                    }
                }

                break;

            case ExportLogsServiceRequest l:
                foreach (var rl in l.ResourceLogs)
                {
                    foreach (var sl in rl.ScopeLogs)
                    {
                        lines.AddRange(sl.LogRecords.Select(r => $"{Name(rl.Resource)}|{sl.Scope?.Name}|{r.Body.StringValue}"));
                    }
                }

                break;

            case ExportTraceServiceRequest t:
                foreach (var rs in t.ResourceSpans)
                {
                    foreach (var ss in rs.ScopeSpans)
                    {
                        lines.AddRange(ss.Spans.Select(s => $"{Name(rs.Resource)}|{ss.Scope?.Name}|{s.Name}"));
                    }
                }

                break;
        }

        return lines;
    }

    /// <summary>Only the item lines (drops the marker lines of metrics without points).</summary>
    public static List<string> Items(IMessage request) => Flatten(request).Where(l => !l.EndsWith("|-", StringComparison.Ordinal)).ToList();

    private static string Name(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "?";

    private static List<string> PointValues(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => Format(p.AsDouble)).ToList(),
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => Format(p.AsDouble)).ToList(),
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => Format(p.Sum)).ToList(),
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Select(p => Format(p.Sum)).ToList(),
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Select(p => Format(p.Sum)).ToList(),
        _ => [],
    };

    private static string Format(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Metric Identity(string name)
    {
        var metric = new Metric { Name = name, Description = name + " description", Unit = "By" };
        metric.Metadata.Add(new KeyValue { Key = "meta", Value = new AnyValue { StringValue = name } });
        return metric;
    }

    private static NumberDataPoint NumberPoint(int value) => new() { AsDouble = value, TimeUnixNano = 1 };
}
