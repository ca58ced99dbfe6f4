using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Exporters.Prometheus;
using TelemetryCluster.Streams.Extensions.HealthCheck;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

/// <summary>OTLP requests and exporter configs for the prometheus exporter tests.</summary>
internal static class PromTestData
{
    public const ulong T0 = 1_700_000_000_000_000_000UL;

    public static ulong Sec(int seconds) => T0 + ((ulong)seconds * 1_000_000_000UL);

    public static PrometheusExporterConfig Config(Func<PrometheusExporterConfig, PrometheusExporterConfig>? change = null)
    {
        var config = new PrometheusExporterConfig { Endpoint = new HealthCheckEndpoint("127.0.0.1", 0) };
        return change is null ? config : change(config);
    }

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static ExportMetricsServiceRequest Request(params Metric[] metrics) => Request("svc", "i-1", metrics);

    public static ExportMetricsServiceRequest Request(string service, string instance, params Metric[] metrics) =>
        Request(new Resource { Attributes = { Attr("service.name", service), Attr("service.instance.id", instance), Attr("host.name", "h1") } }, metrics);

    public static ExportMetricsServiceRequest Request(Resource resource, params Metric[] metrics) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = resource,
                ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "test.scope", Version = "1.0" }, Metrics = { metrics } } },
            },
        },
    };

    public static NumberDataPoint Point(double value, ulong time, ulong start = 0, params KeyValue[] attributes)
    {
        var p = new NumberDataPoint { AsDouble = value, TimeUnixNano = time, StartTimeUnixNano = start };
        p.Attributes.Add(attributes);
        return p;
    }

    public static Metric Gauge(string name, string unit, params NumberDataPoint[] points) =>
        new() { Name = name, Unit = unit, Description = $"{name} help", Gauge = new Gauge { DataPoints = { points } } };

    public static Metric Sum(string name, string unit, bool monotonic, AggregationTemporality temporality, params NumberDataPoint[] points) =>
        new() { Name = name, Unit = unit, Description = $"{name} help", Sum = new Sum { IsMonotonic = monotonic, AggregationTemporality = temporality, DataPoints = { points } } };

    public static HistogramDataPoint HistogramPoint(ulong time, ulong start, double sum, double[] bounds, ulong[] counts, params KeyValue[] attributes)
    {
        var p = new HistogramDataPoint { TimeUnixNano = time, StartTimeUnixNano = start, Sum = sum, Count = (ulong)counts.Sum(c => (long)c) };
        p.ExplicitBounds.Add(bounds);
        p.BucketCounts.Add(counts);
        p.Attributes.Add(attributes);
        return p;
    }

    public static Metric Histogram(string name, string unit, AggregationTemporality temporality, params HistogramDataPoint[] points) =>
        new() { Name = name, Unit = unit, Description = $"{name} help", Histogram = new Histogram { AggregationTemporality = temporality, DataPoints = { points } } };

    public static Metric Summary(string name, ulong time, double sum, ulong count, params (double Q, double V)[] quantiles)
    {
        var p = new SummaryDataPoint { TimeUnixNano = time, Sum = sum, Count = count };
        foreach (var (q, v) in quantiles)
        {
            p.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = q, Value = v });
        }

        return new Metric { Name = name, Unit = "s", Description = $"{name} help", Summary = new Summary { DataPoints = { p } } };
    }

    public static Metric ExponentialHistogram(string name, ulong time)
    {
        var p = new ExponentialHistogramDataPoint
        {
            TimeUnixNano = time,
            StartTimeUnixNano = T0,
            Scale = 1,
            Count = 10,
            Sum = 12.5,
            ZeroCount = 1,
            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 0, BucketCounts = { 3, 4 } },
            Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1, BucketCounts = { 2 } },
        };
        return new Metric { Name = name, Unit = "s", Description = $"{name} help", ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { p } } };
    }

    /// <summary>Renders a snapshot as text 0.0.4 (or OpenMetrics).</summary>
    public static string Render(PrometheusSnapshot snapshot, ExpositionFormat format = ExpositionFormat.Text, bool timestamps = false)
    {
        using var buffer = new PooledBufferWriter(16);
        PrometheusTextWriter.Write(buffer, snapshot, format, timestamps);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The sample lines of a rendering (no comments).</summary>
    public static string[] Samples(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();

    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
