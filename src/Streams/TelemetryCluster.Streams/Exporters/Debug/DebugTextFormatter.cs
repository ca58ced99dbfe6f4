using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>Counts for the summary line of one batch (the collector's basic output).</summary>
internal readonly record struct DebugBatchCounts(int Resources, int Metrics, int Items);

/// <summary>
/// Text forms of OTLP requests for the debug exporter: the counts of the summary line, one compact line per item
/// (<c>normal</c>) and the full dump (<c>detailed</c>). Our own format, in the spirit of the collector's output.
/// </summary>
internal static class DebugTextFormatter
{
    private const string Indent = "     -> ";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The summary counts; entries still encoded are counted from their bytes (see <see cref="OtlpWire"/>).</summary>
    public static DebugBatchCounts Count(ExportMetricsServiceRequest request)
    {
        int metrics = 0, points = 0;
        foreach (var rm in request.ResourceMetrics)
        {
            if (rm.UnparsedItemCount >= 0)
            {
                metrics += EncodedEntryScanner.CountScopeChildren(rm.WireBytes.Span);
                points += rm.UnparsedItemCount;
                continue;
            }

            foreach (var sm in rm.ScopeMetrics)
            {
                metrics += sm.Metrics.Count;
                foreach (var metric in sm.Metrics)
                {
                    points += PointCount(metric);
                }
            }
        }

        return new DebugBatchCounts(request.ResourceMetrics.Count, metrics, points);
    }

    public static DebugBatchCounts Count(ExportLogsServiceRequest request)
    {
        var records = 0;
        foreach (var rl in request.ResourceLogs)
        {
            records += Math.Max(0, rl.UnparsedItemCount);
            foreach (var sl in rl.ScopeLogs)
            {
                records += sl.LogRecords.Count;
            }
        }

        return new DebugBatchCounts(request.ResourceLogs.Count, 0, records);
    }

    public static DebugBatchCounts Count(ExportTraceServiceRequest request)
    {
        var spans = 0;
        foreach (var rs in request.ResourceSpans)
        {
            spans += Math.Max(0, rs.UnparsedItemCount);
            foreach (var ss in rs.ScopeSpans)
            {
                spans += ss.Spans.Count;
            }
        }

        return new DebugBatchCounts(request.ResourceSpans.Count, 0, spans);
    }

    public static int PointCount(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };

    // ---- normal: one line per item ----------------------------------------------------------------------------

    /// <summary><c>name{k=v,...} value</c> per data point (histograms: count, sum, min, max and buckets).</summary>
    public static IEnumerable<string> NormalLines(ExportMetricsServiceRequest request)
    {
        foreach (var rm in request.ResourceMetrics)
        {
            foreach (var sm in rm.ScopeMetrics)
            {
                foreach (var metric in sm.Metrics)
                {
                    foreach (var line in NormalLines(metric))
                    {
                        yield return line;
                    }
                }
            }
        }
    }

    /// <summary><c>body k=v ...</c> per log record (with severity text when set).</summary>
    public static IEnumerable<string> NormalLines(ExportLogsServiceRequest request)
    {
        foreach (var rl in request.ResourceLogs)
        {
            foreach (var sl in rl.ScopeLogs)
            {
                foreach (var record in sl.LogRecords)
                {
                    var sb = new StringBuilder();
                    if (record.SeverityText.Length > 0)
                    {
                        sb.Append(record.SeverityText).Append(' ');
                    }

                    sb.Append(record.Body is null ? string.Empty : AsString(record.Body));
                    AppendAttributes(sb, record.Attributes, " ", " ");
                    yield return sb.ToString();
                }
            }
        }
    }

    /// <summary><c>name trace_id span_id k=v ...</c> per span.</summary>
    public static IEnumerable<string> NormalLines(ExportTraceServiceRequest request)
    {
        foreach (var rs in request.ResourceSpans)
        {
            foreach (var ss in rs.ScopeSpans)
            {
                foreach (var span in ss.Spans)
                {
                    var sb = new StringBuilder()
                        .Append(span.Name).Append(' ')
                        .Append(Hex(span.TraceId)).Append(' ')
                        .Append(Hex(span.SpanId));
                    AppendAttributes(sb, span.Attributes, " ", " ");
                    yield return sb.ToString();
                }
            }
        }
    }

    private static IEnumerable<string> NormalLines(Metric metric)
    {
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                foreach (var p in metric.Gauge.DataPoints)
                {
                    yield return $"{metric.Name}{{{Labels(p.Attributes)}}} {NumberValue(p)}";
                }

                break;
            case Metric.DataOneofCase.Sum:
                foreach (var p in metric.Sum.DataPoints)
                {
                    yield return $"{metric.Name}{{{Labels(p.Attributes)}}} {NumberValue(p)}";
                }

                break;
            case Metric.DataOneofCase.Histogram:
                foreach (var p in metric.Histogram.DataPoints)
                {
                    var sb = new StringBuilder().Append(Invariant, $"count={p.Count}");
                    AppendOptional(sb, "sum", p.HasSum, p.Sum);
                    AppendOptional(sb, "min", p.HasMin, p.Min);
                    AppendOptional(sb, "max", p.HasMax, p.Max);
                    for (var i = 0; i < p.BucketCounts.Count; i++)
                    {
                        sb.Append(' ');
                        if (i < p.ExplicitBounds.Count)
                        {
                            sb.Append("le").Append(Number(p.ExplicitBounds[i])).Append('=');
                        }

                        sb.Append(Invariant, $"{p.BucketCounts[i]}");
                    }

                    yield return $"{metric.Name}{{{Labels(p.Attributes)}}} {sb}";
                }

                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                foreach (var p in metric.ExponentialHistogram.DataPoints)
                {
                    var sb = new StringBuilder().Append(Invariant, $"count={p.Count}");
                    AppendOptional(sb, "sum", p.HasSum, p.Sum);
                    AppendOptional(sb, "min", p.HasMin, p.Min);
                    AppendOptional(sb, "max", p.HasMax, p.Max);
                    sb.Append(Invariant, $" scale={p.Scale} zero_count={p.ZeroCount}");
                    yield return $"{metric.Name}{{{Labels(p.Attributes)}}} {sb}";
                }

                break;
            case Metric.DataOneofCase.Summary:
                foreach (var p in metric.Summary.DataPoints)
                {
                    var sb = new StringBuilder().Append(Invariant, $"count={p.Count} sum={Number(p.Sum)}");
                    foreach (var q in p.QuantileValues)
                    {
                        sb.Append(" q").Append(Number(q.Quantile)).Append('=').Append(Number(q.Value));
                    }

                    yield return $"{metric.Name}{{{Labels(p.Attributes)}}} {sb}";
                }

                break;
            default:
                yield return $"{metric.Name} (no data)";
                break;
        }
    }

    // ---- detailed: full dump ----------------------------------------------------------------------------------

    public static string Detailed(ExportMetricsServiceRequest request)
    {
        var sb = new StringBuilder();
        for (var r = 0; r < request.ResourceMetrics.Count; r++)
        {
            var rm = request.ResourceMetrics[r];
            sb.Append(Invariant, $"ResourceMetrics #{r}").AppendLine();
            AppendResource(sb, rm.Resource, rm.SchemaUrl);
            for (var s = 0; s < rm.ScopeMetrics.Count; s++)
            {
                var sm = rm.ScopeMetrics[s];
                sb.Append(Invariant, $"ScopeMetrics #{s}").AppendLine();
                AppendScope(sb, "ScopeMetrics", sm.Scope, sm.SchemaUrl);
                for (var m = 0; m < sm.Metrics.Count; m++)
                {
                    AppendMetric(sb, sm.Metrics[m], m);
                }
            }
        }

        return sb.ToString().TrimEnd();
    }

    public static string Detailed(ExportLogsServiceRequest request)
    {
        var sb = new StringBuilder();
        for (var r = 0; r < request.ResourceLogs.Count; r++)
        {
            var rl = request.ResourceLogs[r];
            sb.Append(Invariant, $"ResourceLog #{r}").AppendLine();
            AppendResource(sb, rl.Resource, rl.SchemaUrl);
            for (var s = 0; s < rl.ScopeLogs.Count; s++)
            {
                var sl = rl.ScopeLogs[s];
                sb.Append(Invariant, $"ScopeLogs #{s}").AppendLine();
                AppendScope(sb, "ScopeLogs", sl.Scope, sl.SchemaUrl);
                for (var i = 0; i < sl.LogRecords.Count; i++)
                {
                    var record = sl.LogRecords[i];
                    sb.Append(Invariant, $"LogRecord #{i}").AppendLine();
                    sb.Append("ObservedTimestamp: ").AppendLine(Timestamp(record.ObservedTimeUnixNano));
                    sb.Append("Timestamp: ").AppendLine(Timestamp(record.TimeUnixNano));
                    sb.Append("SeverityText: ").AppendLine(record.SeverityText);
                    sb.Append(Invariant, $"SeverityNumber: {record.SeverityNumber}({(int)record.SeverityNumber})").AppendLine();
                    if (record.EventName.Length > 0)
                    {
                        sb.Append("EventName: ").AppendLine(record.EventName);
                    }

                    sb.Append("Body: ").AppendLine(record.Body is null ? "Empty()" : Typed(record.Body));
                    AppendAttributeBlock(sb, "Attributes:", record.Attributes);
                    sb.Append("Trace ID: ").AppendLine(Hex(record.TraceId));
                    sb.Append("Span ID: ").AppendLine(Hex(record.SpanId));
                    sb.Append(Invariant, $"Flags: {record.Flags}").AppendLine();
                }
            }
        }

        return sb.ToString().TrimEnd();
    }

    public static string Detailed(ExportTraceServiceRequest request)
    {
        var sb = new StringBuilder();
        for (var r = 0; r < request.ResourceSpans.Count; r++)
        {
            var rs = request.ResourceSpans[r];
            sb.Append(Invariant, $"ResourceSpans #{r}").AppendLine();
            AppendResource(sb, rs.Resource, rs.SchemaUrl);
            for (var s = 0; s < rs.ScopeSpans.Count; s++)
            {
                var ss = rs.ScopeSpans[s];
                sb.Append(Invariant, $"ScopeSpans #{s}").AppendLine();
                AppendScope(sb, "ScopeSpans", ss.Scope, ss.SchemaUrl);
                for (var i = 0; i < ss.Spans.Count; i++)
                {
                    var span = ss.Spans[i];
                    sb.Append(Invariant, $"Span #{i}").AppendLine();
                    sb.Append("    Trace ID       : ").AppendLine(Hex(span.TraceId));
                    sb.Append("    Parent ID      : ").AppendLine(Hex(span.ParentSpanId));
                    sb.Append("    ID             : ").AppendLine(Hex(span.SpanId));
                    sb.Append("    Name           : ").AppendLine(span.Name);
                    sb.Append("    Kind           : ").AppendLine(span.Kind.ToString());
                    sb.Append("    Start time     : ").AppendLine(Timestamp(span.StartTimeUnixNano));
                    sb.Append("    End time       : ").AppendLine(Timestamp(span.EndTimeUnixNano));
                    sb.Append("    Status code    : ").AppendLine(span.Status?.Code.ToString() ?? "Unset");
                    sb.Append("    Status message : ").AppendLine(span.Status?.Message ?? string.Empty);
                    AppendAttributeBlock(sb, "Attributes:", span.Attributes);
                    if (span.Events.Count > 0)
                    {
                        sb.AppendLine("Events:");
                        for (var e = 0; e < span.Events.Count; e++)
                        {
                            var ev = span.Events[e];
                            sb.Append(Invariant, $"SpanEvent #{e}").AppendLine();
                            sb.Append(Indent).Append("Name: ").AppendLine(ev.Name);
                            sb.Append(Indent).Append("Timestamp: ").AppendLine(Timestamp(ev.TimeUnixNano));
                            sb.Append(Indent).Append(Invariant, $"DroppedAttributesCount: {ev.DroppedAttributesCount}").AppendLine();
                            AppendAttributeBlock(sb, Indent + "Attributes::", ev.Attributes);
                        }
                    }

                    if (span.Links.Count > 0)
                    {
                        sb.AppendLine("Links:");
                        for (var l = 0; l < span.Links.Count; l++)
                        {
                            var link = span.Links[l];
                            sb.Append(Invariant, $"SpanLink #{l}").AppendLine();
                            sb.Append(Indent).Append("Trace ID: ").AppendLine(Hex(link.TraceId));
                            sb.Append(Indent).Append("ID: ").AppendLine(Hex(link.SpanId));
                            sb.Append(Indent).Append("TraceState: ").AppendLine(link.TraceState);
                            sb.Append(Indent).Append(Invariant, $"DroppedAttributesCount: {link.DroppedAttributesCount}").AppendLine();
                            AppendAttributeBlock(sb, Indent + "Attributes::", link.Attributes);
                        }
                    }
                }
            }
        }

        return sb.ToString().TrimEnd();
    }

    private static void AppendMetric(StringBuilder sb, Metric metric, int index)
    {
        sb.Append(Invariant, $"Metric #{index}").AppendLine();
        sb.AppendLine("Descriptor:");
        sb.Append(Indent).Append("Name: ").AppendLine(metric.Name);
        sb.Append(Indent).Append("Description: ").AppendLine(metric.Description);
        sb.Append(Indent).Append("Unit: ").AppendLine(metric.Unit);
        sb.Append(Indent).Append("DataType: ").AppendLine(metric.DataCase.ToString());
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                AppendNumberPoints(sb, metric.Gauge.DataPoints);
                break;
            case Metric.DataOneofCase.Sum:
                sb.Append(Indent).Append(Invariant, $"IsMonotonic: {(metric.Sum.IsMonotonic ? "true" : "false")}").AppendLine();
                sb.Append(Indent).Append("AggregationTemporality: ").AppendLine(metric.Sum.AggregationTemporality.ToString());
                AppendNumberPoints(sb, metric.Sum.DataPoints);
                break;
            case Metric.DataOneofCase.Histogram:
                sb.Append(Indent).Append("AggregationTemporality: ").AppendLine(metric.Histogram.AggregationTemporality.ToString());
                for (var i = 0; i < metric.Histogram.DataPoints.Count; i++)
                {
                    var p = metric.Histogram.DataPoints[i];
                    sb.Append(Invariant, $"HistogramDataPoints #{i}").AppendLine();
                    AppendPointHeader(sb, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano);
                    sb.Append(Invariant, $"Count: {p.Count}").AppendLine();
                    AppendOptionalLine(sb, "Sum", p.HasSum, p.Sum);
                    AppendOptionalLine(sb, "Min", p.HasMin, p.Min);
                    AppendOptionalLine(sb, "Max", p.HasMax, p.Max);
                    for (var b = 0; b < p.ExplicitBounds.Count; b++)
                    {
                        sb.Append(Invariant, $"ExplicitBounds #{b}: ").AppendLine(Number(p.ExplicitBounds[b]));
                    }

                    for (var b = 0; b < p.BucketCounts.Count; b++)
                    {
                        sb.Append(Invariant, $"Buckets #{b}, Count: {p.BucketCounts[b]}").AppendLine();
                    }

                    AppendExemplars(sb, p.Exemplars);
                }

                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                sb.Append(Indent).Append("AggregationTemporality: ").AppendLine(metric.ExponentialHistogram.AggregationTemporality.ToString());
                for (var i = 0; i < metric.ExponentialHistogram.DataPoints.Count; i++)
                {
                    var p = metric.ExponentialHistogram.DataPoints[i];
                    sb.Append(Invariant, $"ExponentialHistogramDataPoints #{i}").AppendLine();
                    AppendPointHeader(sb, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano);
                    sb.Append(Invariant, $"Count: {p.Count}").AppendLine();
                    AppendOptionalLine(sb, "Sum", p.HasSum, p.Sum);
                    AppendOptionalLine(sb, "Min", p.HasMin, p.Min);
                    AppendOptionalLine(sb, "Max", p.HasMax, p.Max);
                    sb.Append(Invariant, $"Scale: {p.Scale}").AppendLine();
                    sb.Append(Invariant, $"ZeroCount: {p.ZeroCount}").AppendLine();
                    sb.Append("ZeroThreshold: ").AppendLine(Number(p.ZeroThreshold));
                    AppendBuckets(sb, "Positive", p.Positive);
                    AppendBuckets(sb, "Negative", p.Negative);
                    AppendExemplars(sb, p.Exemplars);
                }

                break;
            case Metric.DataOneofCase.Summary:
                for (var i = 0; i < metric.Summary.DataPoints.Count; i++)
                {
                    var p = metric.Summary.DataPoints[i];
                    sb.Append(Invariant, $"SummaryDataPoints #{i}").AppendLine();
                    AppendPointHeader(sb, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano);
                    sb.Append(Invariant, $"Count: {p.Count}").AppendLine();
                    sb.Append("Sum: ").AppendLine(Number(p.Sum));
                    for (var q = 0; q < p.QuantileValues.Count; q++)
                    {
                        var value = p.QuantileValues[q];
                        sb.Append(Invariant, $"QuantileValue #{q}: Quantile {Number(value.Quantile)}, Value {Number(value.Value)}").AppendLine();
                    }
                }

                break;
        }
    }

    private static void AppendNumberPoints(StringBuilder sb, RepeatedField<NumberDataPoint> points)
    {
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            sb.Append(Invariant, $"NumberDataPoints #{i}").AppendLine();
            AppendPointHeader(sb, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano);
            sb.Append("Value: ").AppendLine(NumberValue(p));
            AppendExemplars(sb, p.Exemplars);
        }
    }

    private static void AppendPointHeader(StringBuilder sb, RepeatedField<KeyValue> attributes, ulong start, ulong time)
    {
        AppendAttributeBlock(sb, "Data point attributes:", attributes);
        sb.Append("StartTimestamp: ").AppendLine(Timestamp(start));
        sb.Append("Timestamp: ").AppendLine(Timestamp(time));
    }

    private static void AppendBuckets(StringBuilder sb, string name, ExponentialHistogramDataPoint.Types.Buckets? buckets)
    {
        if (buckets is null || buckets.BucketCounts.Count == 0)
        {
            return;
        }

        sb.Append(Invariant, $"{name} offset: {buckets.Offset}, counts: [{string.Join(", ", buckets.BucketCounts)}]").AppendLine();
    }

    private static void AppendExemplars(StringBuilder sb, RepeatedField<Exemplar> exemplars)
    {
        if (exemplars.Count == 0)
        {
            return;
        }

        sb.AppendLine("Exemplars:");
        for (var i = 0; i < exemplars.Count; i++)
        {
            var e = exemplars[i];
            var value = e.ValueCase == Exemplar.ValueOneofCase.AsInt ? e.AsInt.ToString(Invariant) : Number(e.AsDouble);
            sb.Append(Invariant, $"Exemplar #{i}").AppendLine();
            sb.Append(Indent).Append("Trace ID: ").AppendLine(Hex(e.TraceId));
            sb.Append(Indent).Append("Span ID: ").AppendLine(Hex(e.SpanId));
            sb.Append(Indent).Append("Timestamp: ").AppendLine(Timestamp(e.TimeUnixNano));
            sb.Append(Indent).Append("Value: ").AppendLine(value);
            AppendAttributeBlock(sb, Indent + "FilteredAttributes:", e.FilteredAttributes);
        }
    }

    private static void AppendResource(StringBuilder sb, Resource? resource, string schemaUrl)
    {
        sb.Append("Resource SchemaURL: ").AppendLine(schemaUrl);
        AppendAttributeBlock(sb, "Resource attributes:", resource?.Attributes);
    }

    private static void AppendScope(StringBuilder sb, string label, InstrumentationScope? scope, string schemaUrl)
    {
        sb.Append(label).Append(" SchemaURL: ").AppendLine(schemaUrl);
        sb.Append("InstrumentationScope ").Append(scope?.Name ?? string.Empty);
        if (!string.IsNullOrEmpty(scope?.Version))
        {
            sb.Append(' ').Append(scope.Version);
        }

        sb.AppendLine();
        AppendAttributeBlock(sb, "InstrumentationScope attributes:", scope?.Attributes);
    }

    private static void AppendAttributeBlock(StringBuilder sb, string header, RepeatedField<KeyValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return;
        }

        sb.AppendLine(header);
        foreach (var kv in attributes)
        {
            sb.Append(Indent).Append(kv.Key).Append(": ").AppendLine(kv.Value is null ? "Empty()" : Typed(kv.Value));
        }
    }

    // ---- values -----------------------------------------------------------------------------------------------

    private static string Labels(RepeatedField<KeyValue> attributes)
    {
        var sb = new StringBuilder();
        AppendAttributes(sb, attributes, string.Empty, ",");
        return sb.ToString();
    }

    private static void AppendAttributes(StringBuilder sb, RepeatedField<KeyValue> attributes, string lead, string separator)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            sb.Append(i == 0 ? lead : separator).Append(attributes[i].Key).Append('=');
            sb.Append(attributes[i].Value is null ? string.Empty : AsString(attributes[i].Value));
        }
    }

    private static string NumberValue(NumberDataPoint point) => point.ValueCase switch
    {
        NumberDataPoint.ValueOneofCase.AsInt => point.AsInt.ToString(Invariant),
        NumberDataPoint.ValueOneofCase.AsDouble => Number(point.AsDouble),
        _ => string.Empty,
    };

    private static void AppendOptional(StringBuilder sb, string name, bool has, double value)
    {
        if (has)
        {
            sb.Append(' ').Append(name).Append('=').Append(Number(value));
        }
    }

    private static void AppendOptionalLine(StringBuilder sb, string name, bool has, double value)
    {
        if (has)
        {
            sb.Append(name).Append(": ").AppendLine(Number(value));
        }
    }

    private static string Number(double value) => value.ToString("R", Invariant);

    /// <summary>Go-like <c>2024-01-02 03:04:05.000000006 +0000 UTC</c>.</summary>
    private static string Timestamp(ulong unixNanos)
    {
        var time = DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));
        return string.Create(Invariant, $"{time:yyyy-MM-dd HH:mm:ss}.{unixNanos % 1_000_000_000:D9} +0000 UTC");
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    /// <summary>The value as plain text (strings raw, composites as JSON-like text).</summary>
    private static string AsString(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(Invariant),
        AnyValue.ValueOneofCase.DoubleValue => Number(value.DoubleValue),
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToBase64(),
        AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue => Json(value),
        _ => string.Empty,
    };

    /// <summary>The value with its type, e.g. <c>Str(GET)</c>, <c>Int(3)</c>, <c>Map({"a":1})</c>.</summary>
    private static string Typed(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => $"Str({value.StringValue})",
        AnyValue.ValueOneofCase.BoolValue => $"Bool({(value.BoolValue ? "true" : "false")})",
        AnyValue.ValueOneofCase.IntValue => string.Create(Invariant, $"Int({value.IntValue})"),
        AnyValue.ValueOneofCase.DoubleValue => $"Double({Number(value.DoubleValue)})",
        AnyValue.ValueOneofCase.BytesValue => $"Bytes({value.BytesValue.ToBase64()})",
        AnyValue.ValueOneofCase.ArrayValue => $"Slice({Json(value)})",
        AnyValue.ValueOneofCase.KvlistValue => $"Map({Json(value)})",
        _ => "Empty()",
    };

    private static string Json(AnyValue value)
    {
        var sb = new StringBuilder();
        AppendJson(sb, value);
        return sb.ToString();
    }

    private static void AppendJson(StringBuilder sb, AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                AppendJsonString(sb, value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                sb.Append(value.BoolValue ? "true" : "false");
                break;
            case AnyValue.ValueOneofCase.IntValue:
                sb.Append(value.IntValue.ToString(Invariant));
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                sb.Append(Number(value.DoubleValue));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                AppendJsonString(sb, value.BytesValue.ToBase64());
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                sb.Append('[');
                for (var i = 0; i < value.ArrayValue.Values.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendJson(sb, value.ArrayValue.Values[i]);
                }

                sb.Append(']');
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                sb.Append('{');
                for (var i = 0; i < value.KvlistValue.Values.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendJsonString(sb, value.KvlistValue.Values[i].Key);
                    sb.Append(':');
                    AppendJson(sb, value.KvlistValue.Values[i].Value);
                }

                sb.Append('}');
                break;
            default:
                sb.Append("null");
                break;
        }
    }

    private static void AppendJsonString(StringBuilder sb, string text) =>
        sb.Append('"').Append(System.Text.Json.JsonEncodedText.Encode(text).ToString()).Append('"');
}
