using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Tests.Exporters.Debug;

/// <summary>Small OTLP requests with known counts.</summary>
internal static class DebugTestData
{
    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static Resource Resource(string service) => new() { Attributes = { Attr("service.name", service) } };

    /// <summary>2 resources, 3 metrics, 5 data points: gauge(2) + sum(1) in the first, histogram(2) in the second.</summary>
    public static ExportMetricsServiceRequest Metrics()
    {
        var gauge = new Metric
        {
            Name = "queue_depth",
            Unit = "1",
            Gauge = new Gauge
            {
                DataPoints =
                {
                    new NumberDataPoint { AsInt = 42, TimeUnixNano = 1_700_000_000_000_000_001, Attributes = { Attr("queue", "a") } },
                    new NumberDataPoint { AsDouble = 1.5, TimeUnixNano = 1_700_000_000_000_000_001, Attributes = { Attr("queue", "b") } },
                },
            },
        };
        var sum = new Metric
        {
            Name = "requests",
            Sum = new Sum
            {
                IsMonotonic = true,
                AggregationTemporality = AggregationTemporality.Cumulative,
                DataPoints = { new NumberDataPoint { AsInt = 7, Attributes = { Attr("method", "GET") } } },
            },
        };
        var histogram = new Metric
        {
            Name = "latency",
            Unit = "ms",
            Histogram = new Histogram
            {
                AggregationTemporality = AggregationTemporality.Delta,
                DataPoints =
                {
                    new HistogramDataPoint { Count = 3, Sum = 12.5, ExplicitBounds = { 5, 10 }, BucketCounts = { 1, 1, 1 } },
                    new HistogramDataPoint { Count = 0 },
                },
            },
        };

        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource("api"),
                    ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "lib", Version = "1.0" }, Metrics = { gauge, sum } } },
                },
                new ResourceMetrics
                {
                    Resource = Resource("worker"),
                    ScopeMetrics = { new ScopeMetrics { Metrics = { histogram } } },
                },
            },
        };
    }

    /// <summary>1 resource, <paramref name="records"/> log records.</summary>
    public static ExportLogsServiceRequest Logs(int records = 3)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "logger" } };
        for (var i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                SeverityText = "INFO",
                SeverityNumber = SeverityNumber.Info,
                Body = new AnyValue { StringValue = $"line {i}" },
                Attributes = { Attr("file", "QELog.log") },
                TraceId = ByteString.CopyFrom(new byte[16]),
            });
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Resource("api"), ScopeLogs = { scope } } } };
    }

    /// <summary>2 resources, 3 spans.</summary>
    public static ExportTraceServiceRequest Traces()
    {
        static Span Span(string name, byte id) => new()
        {
            Name = name,
            TraceId = ByteString.CopyFrom(Enumerable.Repeat((byte)0xab, 16).ToArray()),
            SpanId = ByteString.CopyFrom(Enumerable.Repeat(id, 8).ToArray()),
            Kind = OpenTelemetry.Proto.Trace.V1.Span.Types.SpanKind.Server,
            Attributes = { Attr("http.route", "/orders") },
        };

        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans { Resource = Resource("api"), ScopeSpans = { new ScopeSpans { Spans = { Span("GET /orders", 1), Span("SELECT", 2) } } } },
                new ResourceSpans { Resource = Resource("db"), ScopeSpans = { new ScopeSpans { Spans = { Span("query", 3) } } } },
            },
        };
    }

    public static TelemetryBatch Batch(IMessage request) => TelemetryBatch.Create(request, AckSet.Empty);
}
