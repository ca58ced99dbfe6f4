using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// Item arithmetic on OTLP requests, at the collector's granularity: metric data points (every point of gauge,
/// sum, histogram, exponential histogram and summary), log records, spans.
/// </summary>
/// <remarks>
/// <see cref="MergeInto"/> and <see cref="TakeFront(IMessage, int)"/> move messages between requests by reference;
/// they never clone items. <see cref="TakeFront(IMessage, int)"/> changes only the top-level list of the request it
/// is given: a resource, scope or metric that has to be split is replaced in that list by a new message holding the
/// rest, so the messages inside the request are never modified (another holder of them sees no change).
/// </remarks>
public static class OtlpItems
{
    public static int Count(ExportMetricsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SumOf<ResourceMetrics, ResourceMetricsLevel>(request.ResourceMetrics);
    }

    public static int Count(ExportLogsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SumOf<ResourceLogs, ResourceLogsLevel>(request.ResourceLogs);
    }

    public static int Count(ExportTraceServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SumOf<ResourceSpans, ResourceSpansLevel>(request.ResourceSpans);
    }

    /// <summary>Item count of any of the three request types.</summary>
    public static int Count(IMessage request) => request switch
    {
        ExportMetricsServiceRequest m => Count(m),
        ExportLogsServiceRequest l => Count(l),
        ExportTraceServiceRequest t => Count(t),
        _ => throw NotARequest(request, nameof(request)),
    };

    /// <summary>Data points of one metric (0 for a metric without data).</summary>
    public static int Count(Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return MetricLevel.Count(metric);
    }

    /// <summary>A deep copy of an <see cref="ExportMetricsServiceRequest"/>, <see cref="ExportLogsServiceRequest"/> or <see cref="ExportTraceServiceRequest"/>.</summary>
    public static IMessage Clone(IMessage request)
    {
        // Clone() copies parsed fields only: encoded entries are parsed first.
        OtlpWire.Expand(request);
        return request switch
        {
            ExportMetricsServiceRequest m => m.Clone(),
            ExportLogsServiceRequest l => l.Clone(),
            ExportTraceServiceRequest t => t.Clone(),
            _ => throw NotARequest(request, nameof(request)),
        };
    }

    /// <summary>
    /// Appends the resources of <paramref name="source"/> to <paramref name="target"/> (same signal). The resources
    /// are moved, not copied: <paramref name="source"/> is left without resources.
    /// </summary>
    public static void MergeInto(IMessage target, IMessage source)
    {
        AppendShared(target, source);
        switch (source)
        {
            case ExportMetricsServiceRequest m: m.ResourceMetrics.Clear(); break;
            case ExportLogsServiceRequest l: l.ResourceLogs.Clear(); break;
            case ExportTraceServiceRequest t: t.ResourceSpans.Clear(); break;
        }
    }

    /// <summary>
    /// Appends the resources of <paramref name="source"/> to <paramref name="target"/> by reference and leaves
    /// <paramref name="source"/> as it is: both then hold the same resource messages, so neither may be changed in
    /// place afterwards (the batch processor reads its inputs this way and never changes them).
    /// </summary>
    internal static void AppendShared(IMessage target, IMessage source)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (ReferenceEquals(target, source))
        {
            throw new ArgumentException("cannot merge a request into itself", nameof(source));
        }

        switch (target, source)
        {
            case (ExportMetricsServiceRequest t, ExportMetricsServiceRequest s):
                AppendAll(t.ResourceMetrics, s.ResourceMetrics);
                break;
            case (ExportLogsServiceRequest t, ExportLogsServiceRequest s):
                AppendAll(t.ResourceLogs, s.ResourceLogs);
                break;
            case (ExportTraceServiceRequest t, ExportTraceServiceRequest s):
                AppendAll(t.ResourceSpans, s.ResourceSpans);
                break;
            default:
                throw new ArgumentException(
                    $"cannot merge {source.Descriptor.FullName} into {target.Descriptor.FullName}: both must be export requests of the same signal",
                    nameof(source));
        }
    }

    /// <summary>
    /// Removes up to <paramref name="maxItems"/> items from the front of <paramref name="request"/> and returns them
    /// as a new request of the same type, copying resource and scope (and metric identity) into the new request.
    /// </summary>
    /// <remarks>
    /// Whole resources, scopes and metrics that fit are moved. The first one that does not fit is split (a metric
    /// at data-point granularity, keeping name, description, unit, metadata, temporality and monotonicity); its
    /// front goes into the result with a copy of the resource and scope, its rest takes its place in
    /// <paramref name="request"/>. Elements without items (such as metrics with no data points) travel with the
    /// items before them, so what remains always starts with an item; emptied elements never remain.
    /// </remarks>
    public static IMessage TakeFront(IMessage request, int maxItems) => TakeFront(request, maxItems, out _);

    /// <summary><see cref="TakeFront(IMessage, int)"/> that also reports how many items were taken.</summary>
    public static IMessage TakeFront(IMessage request, int maxItems, out int taken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxItems);
        switch (request)
        {
            case ExportMetricsServiceRequest m:
            {
                var piece = new ExportMetricsServiceRequest();
                taken = MoveFront<ResourceMetrics, ResourceMetricsLevel>(m.ResourceMetrics, piece.ResourceMetrics, maxItems);
                return piece;
            }

            case ExportLogsServiceRequest l:
            {
                var piece = new ExportLogsServiceRequest();
                taken = MoveFront<ResourceLogs, ResourceLogsLevel>(l.ResourceLogs, piece.ResourceLogs, maxItems);
                return piece;
            }

            case ExportTraceServiceRequest t:
            {
                var piece = new ExportTraceServiceRequest();
                taken = MoveFront<ResourceSpans, ResourceSpansLevel>(t.ResourceSpans, piece.ResourceSpans, maxItems);
                return piece;
            }

            default:
                throw NotARequest(request, nameof(request));
        }
    }

    /// <summary>A new empty request of the same type as <paramref name="request"/>.</summary>
    internal static IMessage NewEmptyLike(IMessage request) => request switch
    {
        ExportMetricsServiceRequest => new ExportMetricsServiceRequest(),
        ExportLogsServiceRequest => new ExportLogsServiceRequest(),
        ExportTraceServiceRequest => new ExportTraceServiceRequest(),
        _ => throw NotARequest(request, nameof(request)),
    };

    private static ArgumentException NotARequest(IMessage? request, string parameter) =>
        request is null
            ? new ArgumentNullException(parameter)
            : new ArgumentException($"not an OTLP export request: {request.Descriptor.FullName}", parameter);

    // ---- generic machinery -------------------------------------------------------------------------------------

    /// <summary>One level of the OTLP tree (resource, scope, metric): how to count it and how to split it.</summary>
    private interface ILevel<T>
        where T : class
    {
        static abstract int Count(T element);

        /// <summary>
        /// Splits <paramref name="element"/> (0 &lt; <paramref name="budget"/> &lt; Count) without changing it: the front
        /// piece holds <paramref name="budget"/> items and its own copy of the element's identity (resource, scope,
        /// metric description); the rest holds the remaining items and shares the original identity messages.
        /// </summary>
        static abstract (T Front, T Remainder) Split(T element, int budget);
    }

    private static int SumOf<T, TLevel>(RepeatedField<T> elements)
        where T : class
        where TLevel : ILevel<T>
    {
        var sum = 0;
        for (var i = 0; i < elements.Count; i++)
        {
            sum += TLevel.Count(elements[i]);
        }

        return sum;
    }

    /// <summary>
    /// Moves elements from the front of <paramref name="source"/> to the end of <paramref name="target"/> until
    /// <paramref name="budget"/> items are taken; splits the first element that does not fit. Returns the items taken.
    /// Only the list <paramref name="source"/> changes, never its elements.
    /// </summary>
    private static int MoveFront<T, TLevel>(RepeatedField<T> source, RepeatedField<T> target, int budget)
        where T : class
        where TLevel : ILevel<T>
    {
        var taken = 0;
        var whole = 0;
        while (whole < source.Count)
        {
            var count = TLevel.Count(source[whole]);
            if (count > budget - taken)
            {
                break;
            }

            taken += count;
            whole++;
        }

        if (whole == source.Count)
        {
            AppendAll(target, source);
            source.Clear();
            return taken;
        }

        AppendRange(target, source, 0, whole);
        if (taken < budget)
        {
            var (front, rest) = TLevel.Split(source[whole], budget - taken);
            target.Add(front);
            source[whole] = rest;
            taken = budget;
        }

        RemoveFront(source, whole);
        return taken;
    }

    /// <summary>Splits a list of leaf items (points, records, spans): the first <paramref name="count"/> go to <paramref name="front"/>, the others to <paramref name="rest"/>.</summary>
    private static void SplitItems<T>(RepeatedField<T> items, int count, RepeatedField<T> front, RepeatedField<T> rest)
    {
        AppendRange(front, items, 0, count);
        AppendRange(rest, items, count, items.Count - count);
    }

    private static void AppendAll<T>(RepeatedField<T> target, RepeatedField<T> source) =>
        AppendRange(target, source, 0, source.Count);

    private static void AppendRange<T>(RepeatedField<T> target, RepeatedField<T> source, int start, int length)
    {
        if (length == 0)
        {
            return;
        }

        target.AddRange(UnsafeCollectionOperations.AsSpan(source).Slice(start, length));
    }

    /// <summary>Drops the first <paramref name="count"/> elements of a list in O(length), without allocating.</summary>
    private static void RemoveFront<T>(RepeatedField<T> list, int count)
    {
        if (count == 0)
        {
            return;
        }

        if (count == list.Count)
        {
            list.Clear();
            return;
        }

        var remaining = list.Count - count;
        for (var i = 0; i < remaining; i++)
        {
            list[i] = list[i + count];
        }

        for (var i = 0; i < count; i++)
        {
            list.RemoveAt(list.Count - 1);
        }
    }

    private static void CloneAll<T>(RepeatedField<T> source, RepeatedField<T> target)
        where T : IDeepCloneable<T>
    {
        for (var i = 0; i < source.Count; i++)
        {
            target.Add(source[i].Clone());
        }
    }

    // ---- metrics ------------------------------------------------------------------------------------------------

    private readonly struct ResourceMetricsLevel : ILevel<ResourceMetrics>
    {
        public static int Count(ResourceMetrics element) =>
            element.UnparsedItemCount >= 0 ? element.UnparsedItemCount : SumOf<ScopeMetrics, ScopeMetricsLevel>(element.ScopeMetrics);

        public static (ResourceMetrics Front, ResourceMetrics Remainder) Split(ResourceMetrics element, int budget)
        {
            OtlpWire.Expand(element);
            var front = new ResourceMetrics { Resource = element.Resource?.Clone(), SchemaUrl = element.SchemaUrl };
            var rest = new ResourceMetrics { Resource = element.Resource, SchemaUrl = element.SchemaUrl };
            AppendAll(rest.ScopeMetrics, element.ScopeMetrics);
            MoveFront<ScopeMetrics, ScopeMetricsLevel>(rest.ScopeMetrics, front.ScopeMetrics, budget);
            return (front, rest);
        }
    }

    private readonly struct ScopeMetricsLevel : ILevel<ScopeMetrics>
    {
        public static int Count(ScopeMetrics element) => SumOf<Metric, MetricLevel>(element.Metrics);

        public static (ScopeMetrics Front, ScopeMetrics Remainder) Split(ScopeMetrics element, int budget)
        {
            var front = new ScopeMetrics { Scope = element.Scope?.Clone(), SchemaUrl = element.SchemaUrl };
            var rest = new ScopeMetrics { Scope = element.Scope, SchemaUrl = element.SchemaUrl };
            AppendAll(rest.Metrics, element.Metrics);
            MoveFront<Metric, MetricLevel>(rest.Metrics, front.Metrics, budget);
            return (front, rest);
        }
    }

    private readonly struct MetricLevel : ILevel<Metric>
    {
        public static int Count(Metric element) => element.DataCase switch
        {
            Metric.DataOneofCase.Gauge => element.Gauge.DataPoints.Count,
            Metric.DataOneofCase.Sum => element.Sum.DataPoints.Count,
            Metric.DataOneofCase.Histogram => element.Histogram.DataPoints.Count,
            Metric.DataOneofCase.ExponentialHistogram => element.ExponentialHistogram.DataPoints.Count,
            Metric.DataOneofCase.Summary => element.Summary.DataPoints.Count,
            _ => 0,
        };

        public static (Metric Front, Metric Remainder) Split(Metric element, int budget)
        {
            var front = new Metric { Name = element.Name, Description = element.Description, Unit = element.Unit };
            CloneAll(element.Metadata, front.Metadata);
            var rest = new Metric { Name = element.Name, Description = element.Description, Unit = element.Unit };
            AppendAll(rest.Metadata, element.Metadata);

            switch (element.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    front.Gauge = new Gauge();
                    rest.Gauge = new Gauge();
                    SplitItems(element.Gauge.DataPoints, budget, front.Gauge.DataPoints, rest.Gauge.DataPoints);
                    break;

                case Metric.DataOneofCase.Sum:
                    var sum = element.Sum;
                    front.Sum = new Sum { AggregationTemporality = sum.AggregationTemporality, IsMonotonic = sum.IsMonotonic };
                    rest.Sum = new Sum { AggregationTemporality = sum.AggregationTemporality, IsMonotonic = sum.IsMonotonic };
                    SplitItems(sum.DataPoints, budget, front.Sum.DataPoints, rest.Sum.DataPoints);
                    break;

                case Metric.DataOneofCase.Histogram:
                    var histogram = element.Histogram;
                    front.Histogram = new Histogram { AggregationTemporality = histogram.AggregationTemporality };
                    rest.Histogram = new Histogram { AggregationTemporality = histogram.AggregationTemporality };
                    SplitItems(histogram.DataPoints, budget, front.Histogram.DataPoints, rest.Histogram.DataPoints);
                    break;

                case Metric.DataOneofCase.ExponentialHistogram:
                    var exponential = element.ExponentialHistogram;
                    front.ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = exponential.AggregationTemporality };
                    rest.ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = exponential.AggregationTemporality };
                    SplitItems(exponential.DataPoints, budget, front.ExponentialHistogram.DataPoints, rest.ExponentialHistogram.DataPoints);
                    break;

                case Metric.DataOneofCase.Summary:
                    front.Summary = new Summary();
                    rest.Summary = new Summary();
                    SplitItems(element.Summary.DataPoints, budget, front.Summary.DataPoints, rest.Summary.DataPoints);
                    break;

                default:
                    // Count is 0, so MoveFront never splits a metric without data.
                    throw new InvalidOperationException($"metric {element.Name} has no data points to split");
            }

            return (front, rest);
        }
    }

    // ---- logs ---------------------------------------------------------------------------------------------------

    private readonly struct ResourceLogsLevel : ILevel<ResourceLogs>
    {
        public static int Count(ResourceLogs element) =>
            element.UnparsedItemCount >= 0 ? element.UnparsedItemCount : SumOf<ScopeLogs, ScopeLogsLevel>(element.ScopeLogs);

        public static (ResourceLogs Front, ResourceLogs Remainder) Split(ResourceLogs element, int budget)
        {
            OtlpWire.Expand(element);
            var front = new ResourceLogs { Resource = element.Resource?.Clone(), SchemaUrl = element.SchemaUrl };
            var rest = new ResourceLogs { Resource = element.Resource, SchemaUrl = element.SchemaUrl };
            AppendAll(rest.ScopeLogs, element.ScopeLogs);
            MoveFront<ScopeLogs, ScopeLogsLevel>(rest.ScopeLogs, front.ScopeLogs, budget);
            return (front, rest);
        }
    }

    private readonly struct ScopeLogsLevel : ILevel<ScopeLogs>
    {
        public static int Count(ScopeLogs element) => element.LogRecords.Count;

        public static (ScopeLogs Front, ScopeLogs Remainder) Split(ScopeLogs element, int budget)
        {
            var front = new ScopeLogs { Scope = element.Scope?.Clone(), SchemaUrl = element.SchemaUrl };
            var rest = new ScopeLogs { Scope = element.Scope, SchemaUrl = element.SchemaUrl };
            SplitItems(element.LogRecords, budget, front.LogRecords, rest.LogRecords);
            return (front, rest);
        }
    }

    // ---- traces -------------------------------------------------------------------------------------------------

    private readonly struct ResourceSpansLevel : ILevel<ResourceSpans>
    {
        public static int Count(ResourceSpans element) =>
            element.UnparsedItemCount >= 0 ? element.UnparsedItemCount : SumOf<ScopeSpans, ScopeSpansLevel>(element.ScopeSpans);

        public static (ResourceSpans Front, ResourceSpans Remainder) Split(ResourceSpans element, int budget)
        {
            OtlpWire.Expand(element);
            var front = new ResourceSpans { Resource = element.Resource?.Clone(), SchemaUrl = element.SchemaUrl };
            var rest = new ResourceSpans { Resource = element.Resource, SchemaUrl = element.SchemaUrl };
            AppendAll(rest.ScopeSpans, element.ScopeSpans);
            MoveFront<ScopeSpans, ScopeSpansLevel>(rest.ScopeSpans, front.ScopeSpans, budget);
            return (front, rest);
        }
    }

    private readonly struct ScopeSpansLevel : ILevel<ScopeSpans>
    {
        public static int Count(ScopeSpans element) => element.Spans.Count;

        public static (ScopeSpans Front, ScopeSpans Remainder) Split(ScopeSpans element, int budget)
        {
            var front = new ScopeSpans { Scope = element.Scope?.Clone(), SchemaUrl = element.SchemaUrl };
            var rest = new ScopeSpans { Scope = element.Scope, SchemaUrl = element.SchemaUrl };
            SplitItems(element.Spans, budget, front.Spans, rest.Spans);
            return (front, rest);
        }
    }
}
