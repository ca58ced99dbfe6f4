using System.Globalization;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace TelemetryCluster.Benchmarks.Load;

/// <summary>
/// An <see cref="ExportMetricsServiceRequest"/> serialized once; the load generator sends these bytes as they
/// are, so the benchmark process spends no CPU building or encoding requests while it measures. Treat
/// <see cref="Bytes"/> as read-only: it is shared by every call.
/// </summary>
internal sealed record MetricsPayload(byte[] Bytes, int DataPoints, int Metrics)
{
    /// <summary>Serialized size per data point (the testbed shape is ≈79 B).</summary>
    public double BytesPerDataPoint => DataPoints > 0 ? Bytes.Length / (double)DataPoints : double.NaN;

    public static MetricsPayload From(ExportMetricsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new MetricsPayload(request.ToByteArray(), DataPointCounter.Count(request), MetricCount(request));
    }

    /// <summary>
    /// The OpenTelemetry Collector testbed's metrics shape (PerfTestDataProvider): one resource, <paramref name="metrics"/>
    /// int gauges named <c>load_generator_i</c> with <paramref name="pointsPerMetric"/> data points each, and two
    /// string attributes per point (<c>item_index=item_j</c>, <c>batch_index=batch_n</c>). Defaults: 100 × 7 = 700 dp.
    /// </summary>
    public static MetricsPayload Testbed(TimeProvider timeProvider, int metrics = 100, int pointsPerMetric = 7)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var nowNanos = (ulong)timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000UL;
        var scope = new ScopeMetrics();
        long value = 0;
        for (var i = 0; i < metrics; i++)
        {
            scope.Metrics.Add(TestbedGauge(i, pointsPerMetric, nowNanos, ref value));
        }

        var resource = new Resource();
        resource.Attributes.Add(Str("service.name", "telemetry-cluster-loadgen"));
        var rm = new ResourceMetrics { Resource = resource };
        rm.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(rm);
        return From(request);
    }

    /// <summary>
    /// The testbed's int gauge <c>load_generator_{index}</c> with <paramref name="pointsPerMetric"/> points at
    /// <paramref name="nowNanos"/> (<c>item_index=item_j</c>, <c>batch_index=batch_{index}</c>); each point's value is
    /// the next of <paramref name="value"/>.
    /// </summary>
    internal static Metric TestbedGauge(int index, int pointsPerMetric, ulong nowNanos, ref long value)
    {
        var c = CultureInfo.InvariantCulture;
        var gauge = new Gauge();
        var batch = "batch_" + index.ToString(c);
        for (var j = 0; j < pointsPerMetric; j++)
        {
            // One timestamp per point, as in the testbed (which sets only the start time; a gauge needs the time).
            var dp = new NumberDataPoint { TimeUnixNano = nowNanos, AsInt = ++value };
            dp.Attributes.Add(Str("item_index", "item_" + j.ToString(c)));
            dp.Attributes.Add(Str("batch_index", batch));
            gauge.DataPoints.Add(dp);
        }

        return new Metric
        {
            Name = "load_generator_" + index.ToString(c),
            Description = "Load Generator Counter #" + index.ToString(c),
            Unit = "1",
            Gauge = gauge,
        };
    }

    internal static KeyValue Str(string key, string value) =>
        new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static int MetricCount(ExportMetricsServiceRequest request) =>
        request.ResourceMetrics.Sum(r => r.ScopeMetrics.Sum(s => s.Metrics.Count));
}

/// <summary>Counts data points the way the collector does (gauge, sum, histogram, exponential histogram, summary).</summary>
internal static class DataPointCounter
{
    public static int Count(ExportMetricsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var n = 0;
        foreach (var rm in request.ResourceMetrics)
        {
            foreach (var sm in rm.ScopeMetrics)
            {
                foreach (var m in sm.Metrics)
                {
                    n += m.DataCase switch
                    {
                        Metric.DataOneofCase.Gauge => m.Gauge.DataPoints.Count,
                        Metric.DataOneofCase.Sum => m.Sum.DataPoints.Count,
                        Metric.DataOneofCase.Histogram => m.Histogram.DataPoints.Count,
                        Metric.DataOneofCase.ExponentialHistogram => m.ExponentialHistogram.DataPoints.Count,
                        Metric.DataOneofCase.Summary => m.Summary.DataPoints.Count,
                        _ => 0,
                    };
                }
            }
        }

        return n;
    }
}
