using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using Xunit;
using static TelemetryCluster.Streams.Tests.Data.OtlpTestData;

namespace TelemetryCluster.Streams.Tests.Data;

public sealed class OtlpWireTests
{
    private static ExportMetricsServiceRequest ThreeResources() => Metrics(
        Rm("a", Sm("s", Gauge("g", 5), Sum("c", 3, first: 10))),
        Rm("b", Sm("s", Histogram("h", 4))),
        Rm("c", Sm("s", Summary("q", 2), ExponentialHistogram("e", 2))));

    [Fact]
    public void Parsed_request_writes_back_the_same_bytes_from_the_kept_slices()
    {
        var original = ThreeResources().ToByteArray();
        var parsed = OtlpWire.Parse(ExportMetricsServiceRequest.Parser, original);

        Assert.All(parsed.ResourceMetrics, rm => Assert.False(rm.WireBytes.IsEmpty));
        Assert.Equal(original, OtlpWire.ToByteArray(parsed));
        Assert.Equal(original.Length, OtlpWire.ComputeSize(parsed));
    }

    [Fact]
    public void Merged_and_split_requests_write_what_protobuf_would_encode()
    {
        var first = OtlpWire.Parse(ExportMetricsServiceRequest.Parser, ThreeResources().ToByteArray());
        var second = OtlpWire.Parse(ExportMetricsServiceRequest.Parser, Metrics(Rm("d", Sm("s", Gauge("g", 7)))).ToByteArray());
        OtlpItems.MergeInto(first, second);

        // 5 + 3 + 4 + 2 + 2 = 16 points in the first three resources; taking 10 splits resource "b".
        var front = (ExportMetricsServiceRequest)OtlpItems.TakeFront(first, 10);

        foreach (var request in new[] { front, first })
        {
            var written = OtlpWire.ToByteArray(request);
            Assert.Equal(request.ToByteArray(), written);
            Assert.Equal(request, ExportMetricsServiceRequest.Parser.ParseFrom(written));
            Assert.Equal(written.Length, OtlpWire.ComputeSize(request));
        }

        // The split pieces of "b" are new messages (encoded again); whole resources kept their slices.
        Assert.True(front.ResourceMetrics[1].WireBytes.IsEmpty);
        Assert.False(front.ResourceMetrics[0].WireBytes.IsEmpty);
        Assert.False(first.ResourceMetrics[^1].WireBytes.IsEmpty);
    }

    [Fact]
    public void Forget_makes_in_place_changes_visible_on_the_wire()
    {
        var parsed = OtlpWire.Parse(ExportMetricsServiceRequest.Parser, ThreeResources().ToByteArray());
        OtlpWire.Forget(parsed);
        parsed.ResourceMetrics[0].Resource.Attributes.Add(new OpenTelemetry.Proto.Common.V1.KeyValue { Key = "added" });

        var written = ExportMetricsServiceRequest.Parser.ParseFrom(OtlpWire.ToByteArray(parsed));

        Assert.Contains(written.ResourceMetrics[0].Resource.Attributes, a => a.Key == "added");
        Assert.Equal(parsed, written);
    }

    [Fact]
    public void Unexpected_top_level_fields_keep_no_slices()
    {
        // Field 1 entry followed by an unknown field 2 (varint): the request parses (unknown field kept) but the
        // slices cannot describe it, so nothing is kept and writing falls back to protobuf encoding.
        var bytes = ThreeResources().ToByteArray().Concat(new byte[] { 0x10, 0x05 }).ToArray();
        var parsed = OtlpWire.Parse(ExportMetricsServiceRequest.Parser, bytes);

        Assert.All(parsed.ResourceMetrics, rm => Assert.True(rm.WireBytes.IsEmpty));
        Assert.Equal(parsed.ToByteArray(), OtlpWire.ToByteArray(parsed));
    }

    [Fact]
    public void Logs_and_traces_keep_their_slices_too()
    {
        var logs = Logs(Rl("a", Sl("s", 3)), Rl("b", Sl("s", 2))).ToByteArray();
        var traces = Traces(Rs("a", Ss("s", 3)), Rs("b", Ss("s", 1))).ToByteArray();

        var parsedLogs = (ExportLogsServiceRequest)OtlpWire.Parse(Signal.Logs, logs);
        var parsedTraces = (ExportTraceServiceRequest)OtlpWire.Parse(Signal.Traces, traces);

        Assert.All(parsedLogs.ResourceLogs, r => Assert.False(r.WireBytes.IsEmpty));
        Assert.All(parsedTraces.ResourceSpans, r => Assert.False(r.WireBytes.IsEmpty));
        Assert.Equal(logs, OtlpWire.ToByteArray(parsedLogs));
        Assert.Equal(traces, OtlpWire.ToByteArray(parsedTraces));
    }
}
