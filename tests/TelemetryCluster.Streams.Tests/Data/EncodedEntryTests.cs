using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Exporters.Debug;
using Xunit;
using static TelemetryCluster.Streams.Tests.Data.OtlpTestData;

namespace TelemetryCluster.Streams.Tests.Data;

/// <summary>
/// Requests parsed with <see cref="OtlpWire.ParseEncoded(Signal, ReadOnlyMemory{byte})"/>: entries keep their scopes in
/// the received bytes, count their items exactly as a full parse would, fail where a full parse fails, and expand to
/// what a full parse gives.
/// </summary>
public sealed class EncodedEntryTests
{
    private static ExportMetricsServiceRequest EveryMetricType()
    {
        var request = Metrics(
            Rm("a", Sm("s", Gauge("g", 5), Sum("c", 3, first: 10), NoData("empty"))),
            Rm("b", Sm("s", Histogram("h", 4)), Sm("t", ExponentialHistogram("e", 2))),
            Rm("c", Sm("s", Summary("q", 2))));
        request.ResourceMetrics[1].SchemaUrl = "https://opentelemetry.io/schemas/1.26.0";
        return request;
    }

    [Fact]
    public void Entries_stay_encoded_with_their_resource_schema_and_item_count()
    {
        var original = EveryMetricType();
        var bytes = original.ToByteArray();

        var parsed = (ExportMetricsServiceRequest)OtlpWire.ParseEncoded(Signal.Metrics, bytes);

        Assert.True(OtlpWire.HasEncoded(parsed));
        Assert.All(parsed.ResourceMetrics, rm => Assert.Empty(rm.ScopeMetrics));
        Assert.Equal([5 + 3, 4 + 2, 2], parsed.ResourceMetrics.Select(rm => rm.UnparsedItemCount));
        Assert.Equal(OtlpItems.Count(original), OtlpItems.Count(parsed));
        Assert.Equal(original.ResourceMetrics.Select(rm => rm.Resource), parsed.ResourceMetrics.Select(rm => rm.Resource));
        Assert.Equal("https://opentelemetry.io/schemas/1.26.0", parsed.ResourceMetrics[1].SchemaUrl);

        // Sent on as received, then parsed on demand into exactly the full parse.
        Assert.Equal(bytes, OtlpWire.ToByteArray(parsed));
        OtlpWire.Expand(parsed);
        Assert.False(OtlpWire.HasEncoded(parsed));
        Assert.Equal(original, parsed);
        Assert.Equal(bytes, OtlpWire.ToByteArray(parsed));
    }

    [Fact]
    public void Log_and_span_entries_count_records_and_spans()
    {
        var logs = Logs(Rl("a", Sl("s", 4), Sl("t", 3)), Rl("b", Sl("s", 1)));
        var traces = Traces(Rs("a", Ss("s", 6)), Rs("b", Ss("s", 2), Ss("t", 0)));

        var parsedLogs = (ExportLogsServiceRequest)OtlpWire.ParseEncoded(Signal.Logs, logs.ToByteArray());
        var parsedTraces = (ExportTraceServiceRequest)OtlpWire.ParseEncoded(Signal.Traces, traces.ToByteArray());

        Assert.Equal([7, 1], parsedLogs.ResourceLogs.Select(r => r.UnparsedItemCount));
        Assert.Equal([6, 2], parsedTraces.ResourceSpans.Select(r => r.UnparsedItemCount));
        OtlpWire.Expand(parsedLogs);
        OtlpWire.Expand(parsedTraces);
        Assert.Equal(logs, parsedLogs);
        Assert.Equal(traces, parsedTraces);
    }

    [Fact]
    public void Counting_follows_the_parser_for_a_repeated_or_replaced_data_case()
    {
        // Concatenated encodings of one message merge: a second gauge appends its points, a sum replaces the gauge.
        var gauge = Gauge("m", 2).ToByteArray();
        var moreGauge = Gauge("m", 3).ToByteArray();
        var sum = Sum("m", 4).ToByteArray();
        foreach (var (metric, expected) in new[] { (gauge.Concat(moreGauge).ToArray(), 5), (gauge.Concat(sum).ToArray(), 4), (sum.Concat(gauge).ToArray(), 2) })
        {
            var scope = new byte[] { 0x12 }.Concat(Varint(metric.Length)).Concat(metric).ToArray();
            var entry = new byte[] { 0x12 }.Concat(Varint(scope.Length)).Concat(scope).ToArray();
            var request = new byte[] { 0x0A }.Concat(Varint(entry.Length)).Concat(entry).ToArray();

            var full = ExportMetricsServiceRequest.Parser.ParseFrom(request);
            var encoded = OtlpWire.ParseEncoded(Signal.Metrics, request);

            Assert.Equal(expected, OtlpItems.Count(full));
            Assert.Equal(expected, OtlpItems.Count(encoded));
        }
    }

    [Fact]
    public void Mutated_requests_fail_exactly_where_the_full_parser_fails_and_otherwise_parse_the_same()
    {
        var valid = EveryMetricType().ToByteArray();
        var random = new Random(20261126);
        var failures = 0;
        for (var round = 0; round < 3000; round++)
        {
            var bytes = (byte[])valid.Clone();
            var edits = 1 + random.Next(3);
            for (var e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(bytes[random.Next(bytes.Length)] ^ (1 << random.Next(8)));
            }

            if (random.Next(5) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            ExportMetricsServiceRequest? full = null;
            try
            {
                full = ExportMetricsServiceRequest.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
            }

            if (full is null)
            {
                failures++;
                Assert.Throws<InvalidProtocolBufferException>(() => OtlpWire.ParseEncoded(Signal.Metrics, bytes));
                continue;
            }

            var encoded = OtlpWire.ParseEncoded(Signal.Metrics, bytes);
            Assert.Equal(OtlpItems.Count(full), OtlpItems.Count(encoded));
            OtlpWire.Expand(encoded);
            Assert.Equal(full, encoded);
        }

        // The mutations must exercise both sides.
        Assert.InRange(failures, 100, 2900);
    }

    [Fact]
    public void Invalid_utf8_in_a_nested_string_is_refused_as_the_full_parser_refuses_it()
    {
        var bytes = Metrics(Rm("a", Sm("s", Gauge("name-x", 1)))).ToByteArray();
        bytes[IndexOf(bytes, "name-x"u8.ToArray()) + 5] = 0xC3; // a lead byte with no continuation

        Assert.Throws<InvalidProtocolBufferException>(() => ExportMetricsServiceRequest.Parser.ParseFrom(bytes));
        Assert.Throws<InvalidProtocolBufferException>(() => OtlpWire.ParseEncoded(Signal.Metrics, bytes));
    }

    [Fact]
    public void Splitting_cloning_and_forgetting_expand_encoded_entries_first()
    {
        var original = EveryMetricType();
        var split = OtlpWire.ParseEncoded(Signal.Metrics, original.ToByteArray());
        var front = OtlpItems.TakeFront(split, 6);
        Assert.Equal(6, OtlpItems.Count(front));
        Assert.Equal(16 - 6, OtlpItems.Count(split));
        Assert.True(OtlpWire.HasEncoded(split)); // the entries after the cut were moved, not parsed
        OtlpWire.Expand(split);
        Assert.Equal(Items(original), Items(front).Concat(Items(split)));

        var cloned = OtlpItems.Clone(OtlpWire.ParseEncoded(Signal.Metrics, original.ToByteArray()));
        Assert.Equal(original, cloned);

        var forgotten = OtlpWire.ParseEncoded(Signal.Metrics, original.ToByteArray());
        OtlpWire.Forget(forgotten);
        Assert.Equal(original, forgotten);
        Assert.All(((ExportMetricsServiceRequest)forgotten).ResourceMetrics, rm => Assert.True(rm.WireBytes.IsEmpty));
    }

    [Fact]
    public void The_debug_summary_counts_encoded_entries_as_parsed_ones()
    {
        var metrics = EveryMetricType();
        var logs = Logs(Rl("a", Sl("s", 4), Sl("t", 3)), Rl("b", Sl("s", 1)));
        var traces = Traces(Rs("a", Ss("s", 6)), Rs("b", Ss("s", 2)));

        Assert.Equal(DebugTextFormatter.Count(metrics), DebugTextFormatter.Count((ExportMetricsServiceRequest)OtlpWire.ParseEncoded(Signal.Metrics, metrics.ToByteArray())));
        Assert.Equal(DebugTextFormatter.Count(logs), DebugTextFormatter.Count((ExportLogsServiceRequest)OtlpWire.ParseEncoded(Signal.Logs, logs.ToByteArray())));
        Assert.Equal(DebugTextFormatter.Count(traces), DebugTextFormatter.Count((ExportTraceServiceRequest)OtlpWire.ParseEncoded(Signal.Traces, traces.ToByteArray())));
        Assert.Equal(new DebugBatchCounts(3, 6, 16), DebugTextFormatter.Count(metrics));
    }

    [Fact]
    public void Concurrent_expansions_of_a_shared_request_parse_each_entry_once()
    {
        var original = Metrics(Enumerable.Range(0, 50).Select(i => Rm("r" + i, Sm("s", Gauge("g", 20)))).ToArray());
        var shared = (ExportMetricsServiceRequest)OtlpWire.ParseEncoded(Signal.Metrics, original.ToByteArray());

        Parallel.For(0, 8, _ => OtlpWire.Expand(shared));

        Assert.Equal(original, shared);
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
