using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace TelemetryCluster.Testing;

/// <summary>Small OTLP export requests with exact item counts.</summary>
public static class Otlp
{
    /// <summary>One gauge with <paramref name="points"/> data points.</summary>
    public static ExportMetricsServiceRequest Metrics(int points, string service = "test-service", long startNanos = 1_700_000_000_000_000_000)
    {
        var gauge = new Gauge();
        for (var i = 0; i < points; i++)
        {
            gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = (ulong)(startNanos + i), AsDouble = i });
        }

        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource(service),
                    ScopeMetrics = { new ScopeMetrics { Scope = Scope(), Metrics = { new Metric { Name = "test.gauge", Unit = "1", Gauge = gauge } } } },
                },
            },
        };
    }

    public static ExportLogsServiceRequest Logs(int records, string service = "test-service")
    {
        var scope = new ScopeLogs { Scope = Scope() };
        for (var i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i,
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "INFO",
                Body = new AnyValue { StringValue = $"line {i}" },
            });
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Resource(service), ScopeLogs = { scope } } } };
    }

    public static ExportTraceServiceRequest Traces(int spans, string service = "test-service")
    {
        var scope = new ScopeSpans { Scope = Scope() };
        var traceId = new byte[16];
        Random.Shared.NextBytes(traceId);
        for (var i = 0; i < spans; i++)
        {
            var spanId = new byte[8];
            Random.Shared.NextBytes(spanId);
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(traceId),
                SpanId = ByteString.CopyFrom(spanId),
                Name = $"span {i}",
                Kind = Span.Types.SpanKind.Internal,
                StartTimeUnixNano = 1_700_000_000_000_000_000UL,
                EndTimeUnixNano = 1_700_000_000_100_000_000UL,
            });
        }

        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = Resource(service), ScopeSpans = { scope } } } };
    }

    private static Resource Resource(string service) =>
        new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } };

    private static InstrumentationScope Scope() => new() { Name = "telemetry-cluster-tests", Version = "1.0" };
}
