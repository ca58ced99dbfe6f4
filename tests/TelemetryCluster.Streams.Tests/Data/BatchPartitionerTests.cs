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
using Xunit;

namespace TelemetryCluster.Streams.Tests.Data;

public sealed class BatchPartitionerTests
{
    private static Resource Resource(params (string Key, string Value)[] attributes)
    {
        var resource = new Resource();
        foreach (var (key, value) in attributes)
        {
            resource.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });
        }

        return resource;
    }

    private static ResourceMetrics Points(Resource resource, int points)
    {
        var gauge = new Gauge();
        for (var i = 0; i < points; i++)
        {
            gauge.DataPoints.Add(new NumberDataPoint { AsDouble = i });
        }

        return new ResourceMetrics { Resource = resource, ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "m", Gauge = gauge } } } } };
    }

    [Fact]
    public void Resource_identity_ignores_attribute_order()
    {
        var a = Resource(("service.name", "api"), ("host.name", "h1"));
        var b = Resource(("host.name", "h1"), ("service.name", "api"));
        Assert.Equal(BatchPartitioner.PartitionOf(a, 32), BatchPartitioner.PartitionOf(b, 32));
    }

    [Fact]
    public void Distinct_resources_spread_over_partitions()
    {
        var used = Enumerable.Range(0, 200).Select(i => BatchPartitioner.PartitionOf(Resource(("service.name", $"svc-{i}")), 8)).Distinct().Count();
        Assert.Equal(8, used);
    }

    [Fact]
    public void Metrics_split_by_resource_keep_every_point_and_never_split_a_resource()
    {
        var request = new ExportMetricsServiceRequest();
        for (var i = 0; i < 50; i++)
        {
            request.ResourceMetrics.Add(Points(Resource(("service.name", $"svc-{i}")), i + 1));
        }

        var total = OtlpItems.Count(request);
        var expected = request.ResourceMetrics.ToDictionary(rm => rm.Resource.Attributes[0].Value.StringValue, rm => BatchPartitioner.PartitionOf(rm.Resource, 4));

        var parts = BatchPartitioner.Split(request, 4);

        Assert.True(parts.Count > 1);
        Assert.Equal(total, parts.Sum(p => OtlpItems.Count((ExportMetricsServiceRequest)p.Request)));
        foreach (var (partition, part) in parts)
        {
            foreach (var rm in ((ExportMetricsServiceRequest)part).ResourceMetrics)
            {
                Assert.Equal(expected[rm.Resource.Attributes[0].Value.StringValue], partition);
            }
        }
    }

    [Fact]
    public void One_partition_or_one_target_returns_the_request_itself()
    {
        var request = new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Resource(("a", "b")), ScopeLogs = { new ScopeLogs { LogRecords = { new LogRecord() } } } } } };
        Assert.Same(request, Assert.Single(BatchPartitioner.Split(request, 1)).Request);
        var single = Assert.Single(BatchPartitioner.Split(request, 16));
        Assert.Same(request, single.Request);
        Assert.Equal(BatchPartitioner.PartitionOf(request.ResourceLogs[0].Resource, 16), single.Partition);
    }

    [Fact]
    public void Traces_split_by_trace_id_copy_resource_and_scope_per_part()
    {
        var rs = new ResourceSpans { Resource = Resource(("service.name", "api")), ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "lib" } } } };
        for (var i = 0; i < 64; i++)
        {
            var traceId = new byte[16];
            BitConverter.GetBytes(i * 7919).CopyTo(traceId, 0);
            rs.ScopeSpans[0].Spans.Add(new Span { TraceId = ByteString.CopyFrom(traceId), Name = $"s{i}" });
        }

        var request = new ExportTraceServiceRequest { ResourceSpans = { rs } };
        var parts = BatchPartitioner.Split(request, 4);

        Assert.True(parts.Count > 1);
        Assert.Equal(64, parts.Sum(p => OtlpItems.Count((ExportTraceServiceRequest)p.Request)));
        var resources = new HashSet<Resource>(ReferenceEqualityComparer.Instance);
        foreach (var (partition, part) in parts)
        {
            var trace = (ExportTraceServiceRequest)part;
            var resourceSpans = Assert.Single(trace.ResourceSpans);
            Assert.Equal("api", resourceSpans.Resource.Attributes[0].Value.StringValue);
            Assert.Equal("lib", resourceSpans.ScopeSpans[0].Scope.Name);
            Assert.True(resources.Add(resourceSpans.Resource), "each part has its own resource message");
            Assert.All(resourceSpans.ScopeSpans[0].Spans, s => Assert.Equal(partition, BatchPartitioner.PartitionOf(s.TraceId, 4)));
        }
    }
}
