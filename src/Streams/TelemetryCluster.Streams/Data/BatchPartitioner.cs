using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// Splits an OTLP request into per-partition requests by routing key, so every point of a series (and every span
/// of a trace) always meets the same partition: metrics and logs by resource identity (the resource's attributes,
/// in any order), traces by trace id. Parts reference the input's messages; a resource or scope that is split
/// across partitions is copied, so no two parts share a mutable message. The input must not be used afterwards.
/// </summary>
public static class BatchPartitioner
{
    public static IReadOnlyList<(int Partition, IMessage Request)> Split(IMessage request, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return request switch
        {
            ExportMetricsServiceRequest m => ByResource(m, m.ResourceMetrics, rm => rm.Resource, partitions, () => new ExportMetricsServiceRequest(), (r, x) => r.ResourceMetrics.Add(x)),
            ExportLogsServiceRequest l => ByResource(l, l.ResourceLogs, rl => rl.Resource, partitions, () => new ExportLogsServiceRequest(), (r, x) => r.ResourceLogs.Add(x)),
            ExportTraceServiceRequest t => ByTraceId(t, partitions),
            _ => throw new ArgumentException($"not an OTLP export request: {request.Descriptor.FullName}", nameof(request)),
        };
    }

    /// <summary>The partition of a resource: an order-independent 64-bit hash of its attributes, modulo the count.</summary>
    public static int PartitionOf(Resource? resource, int partitions) => (int)(ResourceHash(resource) % (ulong)partitions);

    /// <summary>The partition of a trace id (16 bytes; any length works).</summary>
    public static int PartitionOf(ByteString traceId, int partitions) => (int)(Fnv(traceId.Span, Offset) % (ulong)partitions);

    private static IReadOnlyList<(int, IMessage)> ByResource<TRequest, TResource>(
        TRequest request,
        RepeatedField<TResource> resources,
        Func<TResource, Resource?> resourceOf,
        int partitions,
        Func<TRequest> create,
        Action<TRequest, TResource> add)
        where TRequest : IMessage
    {
        if (partitions == 1 || resources.Count == 0)
        {
            return [(0, request)];
        }

        var first = PartitionOf(resourceOf(resources[0]), partitions);
        var same = true;
        for (var i = 1; i < resources.Count && same; i++)
        {
            same = PartitionOf(resourceOf(resources[i]), partitions) == first;
        }

        if (same)
        {
            return [(first, request)];
        }

        var parts = new Dictionary<int, TRequest>();
        foreach (var resource in resources)
        {
            var partition = PartitionOf(resourceOf(resource), partitions);
            if (!parts.TryGetValue(partition, out var part))
            {
                parts[partition] = part = create();
            }

            add(part, resource);
        }

        return parts.Select(kv => (kv.Key, (IMessage)kv.Value)).ToList();
    }

    private static IReadOnlyList<(int, IMessage)> ByTraceId(ExportTraceServiceRequest request, int partitions)
    {
        if (partitions == 1)
        {
            return [(0, request)];
        }

        // Routing looks at every span's trace id.
        OtlpWire.Expand(request);
        int? only = null;
        var mixed = false;
        foreach (var rs in request.ResourceSpans)
        {
            foreach (var ss in rs.ScopeSpans)
            {
                foreach (var span in ss.Spans)
                {
                    var p = PartitionOf(span.TraceId, partitions);
                    only ??= p;
                    mixed |= p != only;
                }
            }
        }

        if (!mixed)
        {
            return [(only ?? 0, request)];
        }

        var parts = new Dictionary<int, ExportTraceServiceRequest>();
        foreach (var rs in request.ResourceSpans)
        {
            var byPartition = new Dictionary<int, ResourceSpans>();
            foreach (var ss in rs.ScopeSpans)
            {
                var scopes = new Dictionary<int, ScopeSpans>();
                foreach (var span in ss.Spans)
                {
                    var p = PartitionOf(span.TraceId, partitions);
                    if (!scopes.TryGetValue(p, out var scope))
                    {
                        scopes[p] = scope = new ScopeSpans { Scope = ss.Scope?.Clone(), SchemaUrl = ss.SchemaUrl };
                        if (!byPartition.TryGetValue(p, out var target))
                        {
                            byPartition[p] = target = new ResourceSpans { Resource = rs.Resource?.Clone(), SchemaUrl = rs.SchemaUrl };
                        }

                        target.ScopeSpans.Add(scope);
                    }

                    scope.Spans.Add(span);
                }
            }

            foreach (var (p, target) in byPartition)
            {
                if (!parts.TryGetValue(p, out var part))
                {
                    parts[p] = part = new ExportTraceServiceRequest();
                }

                part.ResourceSpans.Add(target);
            }
        }

        return parts.Select(kv => (kv.Key, (IMessage)kv.Value)).ToList();
    }

    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    private static ulong ResourceHash(Resource? resource)
    {
        if (resource is null || resource.Attributes.Count == 0)
        {
            return 0;
        }

        ulong sum = 0;
        foreach (var attribute in resource.Attributes)
        {
            sum += Mix(AttributeHash(attribute));
        }

        return sum;
    }

    private static ulong AttributeHash(KeyValue attribute)
    {
        var h = FnvString(attribute.Key, Offset);
        h = (h ^ 0xff) * Prime;
        var value = attribute.Value;
        if (value is null)
        {
            return h;
        }

        return value.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => FnvString(value.StringValue, h),
            AnyValue.ValueOneofCase.IntValue => Fnv(BitConverter.GetBytes(value.IntValue), h),
            AnyValue.ValueOneofCase.BoolValue => (h ^ (value.BoolValue ? 1UL : 2UL)) * Prime,
            AnyValue.ValueOneofCase.DoubleValue => Fnv(BitConverter.GetBytes(value.DoubleValue), h),
            _ => Fnv(value.ToByteArray(), h),
        };
    }

    private static ulong FnvString(string text, ulong h)
    {
        foreach (var c in text)
        {
            h = (h ^ (byte)c) * Prime;
            h = (h ^ (byte)(c >> 8)) * Prime;
        }

        return h;
    }

    private static ulong Fnv(ReadOnlySpan<byte> bytes, ulong h)
    {
        foreach (var b in bytes)
        {
            h = (h ^ b) * Prime;
        }

        return h;
    }

    /// <summary>A finalizer (splitmix64) so that summing attribute hashes stays well distributed.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
