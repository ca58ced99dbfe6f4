using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Data;
using Xunit;
using static TelemetryCluster.Streams.Tests.Data.OtlpTestData;

namespace TelemetryCluster.Streams.Tests.Data;

public sealed class OtlpItemsTests
{
    private static ExportMetricsServiceRequest AllMetricTypes() => Metrics(
        Rm("r1",
            Sm("s1", Gauge("gauge", 3), Sum("sum", 2, 10)),
            Sm("s2", Histogram("histogram", 4, 20), NoData("nodata"))),
        Rm("r2",
            Sm("s3", ExponentialHistogram("exp", 5, 30), Gauge("empty", 0), Summary("summary", 6, 40))));

    // ---- Count ----

    [Fact]
    public void Counts_metric_data_points_of_every_type()
    {
        Assert.Equal(3 + 2 + 4 + 0 + 5 + 0 + 6, OtlpItems.Count(AllMetricTypes()));
        Assert.Equal(3, OtlpItems.Count(Gauge("g", 3)));
        Assert.Equal(2, OtlpItems.Count(Sum("s", 2)));
        Assert.Equal(4, OtlpItems.Count(Histogram("h", 4)));
        Assert.Equal(5, OtlpItems.Count(ExponentialHistogram("e", 5)));
        Assert.Equal(6, OtlpItems.Count(Summary("q", 6)));
        Assert.Equal(0, OtlpItems.Count(NoData("n")));
        Assert.Equal(0, OtlpItems.Count(new ExportMetricsServiceRequest()));
    }

    [Fact]
    public void Counts_log_records_and_spans()
    {
        Assert.Equal(7, OtlpItems.Count(Logs(Rl("a", Sl("x", 3), Sl("y", 0)), Rl("b", Sl("z", 4)))));
        Assert.Equal(9, OtlpItems.Count(Traces(Rs("a", Ss("x", 2)), Rs("b", Ss("y", 7), Ss("z", 0)))));
        Assert.Equal(0, OtlpItems.Count(new ExportLogsServiceRequest()));
        Assert.Equal(0, OtlpItems.Count(new ExportTraceServiceRequest()));
        Assert.Equal(7, OtlpItems.Count((IMessage)Logs(Rl("a", Sl("x", 7)))));
    }

    // ---- Clone ----

    [Fact]
    public void Clone_is_a_deep_copy_of_each_request_type()
    {
        IMessage[] requests = [AllMetricTypes(), Logs(Rl("a", Sl("x", 3))), Traces(Rs("a", Ss("x", 2)))];
        foreach (var request in requests)
        {
            var copy = OtlpItems.Clone(request);
            Assert.Equal(request, copy);
            Assert.NotSame(request, copy);
        }

        var metrics = AllMetricTypes();
        var clone = (ExportMetricsServiceRequest)OtlpItems.Clone(metrics);
        clone.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Gauge.DataPoints[0].AsDouble = 999;
        clone.ResourceMetrics[0].Resource.Attributes.Clear();
        Assert.Equal(0, metrics.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Gauge.DataPoints[0].AsDouble);
        Assert.Single(metrics.ResourceMetrics[0].Resource.Attributes);
    }

    [Fact]
    public void Clone_rejects_other_messages() =>
        Assert.Throws<ArgumentException>(() => OtlpItems.Clone(new Metric()));

    // ---- MergeInto ----

    [Fact]
    public void MergeInto_appends_resources_in_order_and_empties_the_source()
    {
        var target = GaugeRequest(2, 0, "a");
        var source = Metrics(Rm("b", Sm("s", Gauge("g", 3, 2))), Rm("c", Sm("s", Gauge("g", 1, 5))));
        var moved = source.ResourceMetrics.ToList();

        OtlpItems.MergeInto(target, source);

        Assert.Equal(6, OtlpItems.Count(target));
        Assert.Equal(3, target.ResourceMetrics.Count);
        Assert.Same(moved[0], target.ResourceMetrics[1]);
        Assert.Same(moved[1], target.ResourceMetrics[2]);
        Assert.Empty(source.ResourceMetrics);
        Assert.Equal(
            ["a|s|g(Gauge)|0", "a|s|g(Gauge)|1", "b|s|g(Gauge)|2", "b|s|g(Gauge)|3", "b|s|g(Gauge)|4", "c|s|g(Gauge)|5"],
            Flatten(target));
    }

    [Fact]
    public void MergeInto_works_for_logs_and_traces()
    {
        var logs = Logs(Rl("a", Sl("x", 1)));
        OtlpItems.MergeInto(logs, Logs(Rl("b", Sl("y", 2, 1))));
        Assert.Equal(["a|x|0", "b|y|1", "b|y|2"], Flatten(logs));

        var traces = Traces(Rs("a", Ss("x", 1)));
        OtlpItems.MergeInto(traces, Traces(Rs("b", Ss("y", 1, 1))));
        Assert.Equal(["a|x|0", "b|y|1"], Flatten(traces));
    }

    [Fact]
    public void MergeInto_rejects_mixed_signals_and_self()
    {
        var metrics = GaugeRequest(1);
        Assert.Throws<ArgumentException>(() => OtlpItems.MergeInto(metrics, Logs(Rl("a", Sl("x", 1)))));
        Assert.Throws<ArgumentException>(() => OtlpItems.MergeInto(Traces(), metrics));
        Assert.Throws<ArgumentException>(() => OtlpItems.MergeInto(metrics, metrics));
        Assert.Equal(1, OtlpItems.Count(metrics));
    }

    // ---- TakeFront: metrics ----

    [Fact]
    public void TakeFront_with_more_room_than_items_moves_everything()
    {
        var request = AllMetricTypes();
        var expected = Flatten(request);
        var resources = request.ResourceMetrics.ToList();

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 1000, out var taken);

        Assert.Equal(20, taken);
        Assert.Equal(expected, Flatten(piece));
        Assert.Equal(resources, piece.ResourceMetrics);
        Assert.Same(resources[0], piece.ResourceMetrics[0]);
        Assert.Empty(request.ResourceMetrics);
        Assert.Equal(0, OtlpItems.Count(request));
    }

    [Fact]
    public void TakeFront_at_an_exact_resource_boundary_moves_whole_resources()
    {
        var request = AllMetricTypes();
        var first = request.ResourceMetrics[0];
        var second = request.ResourceMetrics[1];

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 9);

        Assert.Equal(9, OtlpItems.Count(piece));
        Assert.Same(first, Assert.Single(piece.ResourceMetrics));
        Assert.Same(second, Assert.Single(request.ResourceMetrics));
        Assert.Equal(11, OtlpItems.Count(request));
    }

    [Fact]
    public void TakeFront_at_an_exact_metric_boundary_moves_whole_metrics()
    {
        var request = AllMetricTypes();
        var gauge = request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0];
        var sum = request.ResourceMetrics[0].ScopeMetrics[0].Metrics[1];

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 3);

        Assert.Equal(["r1|s1|gauge(Gauge)|0", "r1|s1|gauge(Gauge)|1", "r1|s1|gauge(Gauge)|2"], Flatten(piece));
        Assert.Same(gauge, piece.ResourceMetrics[0].ScopeMetrics[0].Metrics[0]);

        // The rest starts with the sum; the resource and scope were split (copies in the piece).
        Assert.Equal(17, OtlpItems.Count(request));
        Assert.Same(sum, request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0]);
        Assert.Equal(2, request.ResourceMetrics.Count);
        Assert.Equal(2, request.ResourceMetrics[0].ScopeMetrics.Count);
    }

    [Fact]
    public void TakeFront_splits_a_gauge_between_data_points()
    {
        var request = Metrics(Rm("r", Sm("s", Gauge("g", 5))));
        var originalPoints = request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Gauge.DataPoints.ToList();

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 2);

        Assert.Equal(["r|s|g(Gauge)|0", "r|s|g(Gauge)|1"], Flatten(piece));
        Assert.Equal(["r|s|g(Gauge)|2", "r|s|g(Gauge)|3", "r|s|g(Gauge)|4"], Flatten(request));

        // Points are moved, not copied.
        Assert.Same(originalPoints[0], piece.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Gauge.DataPoints[0]);
        Assert.Same(originalPoints[2], request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Gauge.DataPoints[0]);
        AssertSameIdentity(piece, request);
    }

    [Theory]
    [InlineData(Metric.DataOneofCase.Gauge)]
    [InlineData(Metric.DataOneofCase.Sum)]
    [InlineData(Metric.DataOneofCase.Histogram)]
    [InlineData(Metric.DataOneofCase.ExponentialHistogram)]
    [InlineData(Metric.DataOneofCase.Summary)]
    public void TakeFront_splits_every_metric_type_keeping_its_identity(Metric.DataOneofCase type)
    {
        var metric = MetricOf(type, "m", 7, 100);
        var request = Metrics(Rm("r", Sm("s", metric)));
        var before = Flatten(request);

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 3, out var taken);

        Assert.Equal(3, taken);
        Assert.Equal(before.Take(3), Flatten(piece));
        Assert.Equal(before.Skip(3), Flatten(request));
        var front = piece.ResourceMetrics[0].ScopeMetrics[0].Metrics[0];
        var rest = request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0];
        foreach (var part in new[] { front, rest })
        {
            Assert.Equal(type, part.DataCase);
            Assert.Equal("m", part.Name);
            Assert.Equal("m description", part.Description);
            Assert.Equal("By", part.Unit);
            Assert.Equal(metric.Metadata, part.Metadata);
        }

        Assert.NotSame(metric.Metadata[0], front.Metadata[0]);
        switch (type)
        {
            case Metric.DataOneofCase.Sum:
                Assert.Equal(AggregationTemporality.Cumulative, front.Sum.AggregationTemporality);
                Assert.True(front.Sum.IsMonotonic);
                Assert.Equal(AggregationTemporality.Cumulative, rest.Sum.AggregationTemporality);
                Assert.True(rest.Sum.IsMonotonic);
                break;
            case Metric.DataOneofCase.Histogram:
                Assert.Equal(AggregationTemporality.Delta, front.Histogram.AggregationTemporality);
                Assert.Equal(AggregationTemporality.Delta, rest.Histogram.AggregationTemporality);
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                Assert.Equal(AggregationTemporality.Cumulative, front.ExponentialHistogram.AggregationTemporality);
                Assert.Equal(AggregationTemporality.Cumulative, rest.ExponentialHistogram.AggregationTemporality);
                break;
        }

        AssertSameIdentity(piece, request);
    }

    [Fact]
    public void TakeFront_across_resources_scopes_and_metric_types_keeps_order_and_counts()
    {
        var request = AllMetricTypes();
        var expected = Flatten(request);
        var pieces = new List<ExportMetricsServiceRequest>();
        while (request.ResourceMetrics.Count > 0)
        {
            pieces.Add((ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 4));
        }

        // 20 points in pieces of 4; the metrics without points travel with the points before them.
        Assert.Equal([4, 4, 4, 4, 4], pieces.Select(OtlpItems.Count));
        Assert.Equal(expected, pieces.SelectMany(p => Flatten(p)));
        Assert.Equal(
            ["r1|s1|gauge(Gauge)|0", "r1|s1|gauge(Gauge)|1", "r1|s1|gauge(Gauge)|2", "r1|s1|sum(Sum)|10"],
            Flatten(pieces[0]));
        Assert.Equal(
            ["r1|s1|sum(Sum)|11", "r1|s2|histogram(Histogram)|20", "r1|s2|histogram(Histogram)|21", "r1|s2|histogram(Histogram)|22"],
            Flatten(pieces[1]));
        Assert.Equal(
            ["r1|s2|histogram(Histogram)|23", "r1|s2|nodata(None)|-", "r2|s3|exp(ExponentialHistogram)|30", "r2|s3|exp(ExponentialHistogram)|31", "r2|s3|exp(ExponentialHistogram)|32"],
            Flatten(pieces[2]));
        Assert.Equal(
            ["r2|s3|exp(ExponentialHistogram)|33", "r2|s3|exp(ExponentialHistogram)|34", "r2|s3|empty(Gauge)|-", "r2|s3|summary(Summary)|40", "r2|s3|summary(Summary)|41"],
            Flatten(pieces[3]));
        Assert.Equal(
            ["r2|s3|summary(Summary)|42", "r2|s3|summary(Summary)|43", "r2|s3|summary(Summary)|44", "r2|s3|summary(Summary)|45"],
            Flatten(pieces[4]));

        // Every piece has each resource and scope once, with the schema URLs.
        foreach (var piece in pieces)
        {
            foreach (var rm in piece.ResourceMetrics)
            {
                Assert.StartsWith("https://schema/", rm.SchemaUrl, StringComparison.Ordinal);
                Assert.All(rm.ScopeMetrics, sm => Assert.StartsWith("https://scope/", sm.SchemaUrl, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void TakeFront_moves_metrics_without_points_with_the_items_before_them()
    {
        var request = Metrics(Rm("r", Sm("s", Gauge("a", 2), Gauge("e", 0), NoData("n"), Gauge("b", 2, 2))));

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 2, out var taken);

        Assert.Equal(2, taken);
        Assert.Equal(["r|s|a(Gauge)|0", "r|s|a(Gauge)|1", "r|s|e(Gauge)|-", "r|s|n(None)|-"], Flatten(piece));
        Assert.Equal(["r|s|b(Gauge)|2", "r|s|b(Gauge)|3"], Flatten(request));
    }

    [Fact]
    public void TakeFront_of_a_request_with_only_empty_metrics_takes_them_all()
    {
        var request = Metrics(Rm("r", Sm("s", Gauge("e", 0), NoData("n"))), Rm("q"));

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 0, out var taken);

        Assert.Equal(0, taken);
        Assert.Equal(2, piece.ResourceMetrics.Count);
        Assert.Equal(["r|s|e(Gauge)|-", "r|s|n(None)|-"], Flatten(piece));
        Assert.Empty(request.ResourceMetrics);
    }

    [Fact]
    public void TakeFront_of_zero_items_leaves_a_request_that_starts_with_an_item_unchanged()
    {
        var request = GaugeRequest(3);
        var before = request.Clone();

        var piece = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 0, out var taken);

        Assert.Equal(0, taken);
        Assert.Empty(piece.ResourceMetrics);
        Assert.Equal(before, request);
    }

    [Fact]
    public void TakeFront_never_changes_the_messages_inside_the_request()
    {
        // Another holder (e.g. a second pipeline) keeps the same resource messages; the split must not touch them.
        var shared = AllMetricTypes();
        var snapshot = shared.Clone();
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(shared.ResourceMetrics);

        var pieces = new List<IMessage>();
        while (request.ResourceMetrics.Count > 0)
        {
            pieces.Add(OtlpItems.TakeFront(request, 3));
        }

        Assert.Equal(snapshot, shared);
        Assert.Equal(Flatten(snapshot), pieces.SelectMany(Flatten));
    }

    [Fact]
    public void TakeFront_pieces_do_not_share_resource_scope_or_metadata_messages()
    {
        var request = Metrics(Rm("r", Sm("s", Gauge("g", 4))));

        var a = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 2);
        var b = (ExportMetricsServiceRequest)OtlpItems.TakeFront(request, 2);

        Assert.Empty(request.ResourceMetrics);
        Assert.NotSame(a.ResourceMetrics[0].Resource, b.ResourceMetrics[0].Resource);
        Assert.NotSame(a.ResourceMetrics[0].ScopeMetrics[0].Scope, b.ResourceMetrics[0].ScopeMetrics[0].Scope);
        Assert.NotSame(a.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Metadata[0], b.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Metadata[0]);
        Assert.Equal(a.ResourceMetrics[0].Resource, b.ResourceMetrics[0].Resource);
    }

    [Fact]
    public void TakeFront_rejects_negative_counts_and_other_messages()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OtlpItems.TakeFront(GaugeRequest(1), -1));
        Assert.Throws<ArgumentException>(() => OtlpItems.TakeFront(new Metric(), 1));
    }

    // ---- TakeFront: logs and traces ----

    [Fact]
    public void TakeFront_splits_logs_at_record_granularity()
    {
        var request = Logs(Rl("a", Sl("x", 3), Sl("y", 4, 3)), Rl("b", Sl("z", 2, 7)));
        var firstScopeRecords = request.ResourceLogs[0].ScopeLogs[1].LogRecords.ToList();

        var p1 = (ExportLogsServiceRequest)OtlpItems.TakeFront(request, 5);
        var p2 = (ExportLogsServiceRequest)OtlpItems.TakeFront(request, 5);
        var p3 = (ExportLogsServiceRequest)OtlpItems.TakeFront(request, 5);

        Assert.Equal(["a|x|0", "a|x|1", "a|x|2", "a|y|3", "a|y|4"], Flatten(p1));
        Assert.Equal(["a|y|5", "a|y|6", "b|z|7", "b|z|8"], Flatten(p2));
        Assert.Empty(p3.ResourceLogs);
        Assert.Empty(request.ResourceLogs);
        Assert.Same(firstScopeRecords[2], p2.ResourceLogs[0].ScopeLogs[0].LogRecords[0]);
        Assert.Equal("https://scope/y", p2.ResourceLogs[0].ScopeLogs[0].SchemaUrl);
        Assert.Equal("https://schema/a", p2.ResourceLogs[0].SchemaUrl);
        Assert.Equal(p1.ResourceLogs[0].Resource, p2.ResourceLogs[0].Resource);
        Assert.NotSame(p1.ResourceLogs[0].Resource, p2.ResourceLogs[0].Resource);
        Assert.Equal("y", p2.ResourceLogs[0].ScopeLogs[0].Scope.Name);
        Assert.Equal("1.0", p2.ResourceLogs[0].ScopeLogs[0].Scope.Version);
    }

    [Fact]
    public void TakeFront_splits_traces_at_span_granularity()
    {
        var request = Traces(Rs("a", Ss("x", 2)), Rs("b", Ss("y", 0), Ss("z", 5, 2)));

        var p1 = (ExportTraceServiceRequest)OtlpItems.TakeFront(request, 2, out var t1);
        var p2 = (ExportTraceServiceRequest)OtlpItems.TakeFront(request, 3, out var t2);

        Assert.Equal((2, 3), (t1, t2));
        Assert.Equal(["a|x|0", "a|x|1"], Flatten(p1));
        Assert.Single(p1.ResourceSpans);
        Assert.Equal(["b|z|2", "b|z|3", "b|z|4"], Flatten(p2));
        Assert.Equal(2, p2.ResourceSpans[0].ScopeSpans.Count); // the empty scope y travels with the first items of b
        Assert.Equal(["b|z|5", "b|z|6"], Flatten(request));
        Assert.Equal(2, OtlpItems.Count(request));
    }

    [Fact]
    public void TakeFront_exact_boundary_and_oversized_for_logs_and_traces()
    {
        var logs = Logs(Rl("a", Sl("x", 3)), Rl("b", Sl("y", 1, 3)));
        var exact = (ExportLogsServiceRequest)OtlpItems.TakeFront(logs, 3);
        Assert.Equal(["a|x|0", "a|x|1", "a|x|2"], Flatten(exact));
        Assert.Equal(["b|y|3"], Flatten(logs));
        var all = (ExportLogsServiceRequest)OtlpItems.TakeFront(logs, 100);
        Assert.Equal(["b|y|3"], Flatten(all));
        Assert.Empty(logs.ResourceLogs);

        var traces = Traces(Rs("a", Ss("x", 2)));
        var whole = (ExportTraceServiceRequest)OtlpItems.TakeFront(traces, 2);
        Assert.Equal(["a|x|0", "a|x|1"], Flatten(whole));
        Assert.Empty(traces.ResourceSpans);
    }

    private static Metric MetricOf(Metric.DataOneofCase type, string name, int points, int first) => type switch
    {
        Metric.DataOneofCase.Gauge => Gauge(name, points, first),
        Metric.DataOneofCase.Sum => Sum(name, points, first),
        Metric.DataOneofCase.Histogram => Histogram(name, points, first),
        Metric.DataOneofCase.ExponentialHistogram => ExponentialHistogram(name, points, first),
        Metric.DataOneofCase.Summary => Summary(name, points, first),
        _ => NoData(name),
    };

    /// <summary>The piece carries equal (but its own) resource and scope; schema URLs are kept.</summary>
    private static void AssertSameIdentity(ExportMetricsServiceRequest piece, ExportMetricsServiceRequest rest)
    {
        var a = piece.ResourceMetrics[0];
        var b = rest.ResourceMetrics[0];
        Assert.Equal(b.Resource, a.Resource);
        Assert.NotSame(b.Resource, a.Resource);
        Assert.Equal(b.SchemaUrl, a.SchemaUrl);
        Assert.Equal(b.ScopeMetrics[0].Scope, a.ScopeMetrics[0].Scope);
        Assert.NotSame(b.ScopeMetrics[0].Scope, a.ScopeMetrics[0].Scope);
        Assert.Equal(b.ScopeMetrics[0].SchemaUrl, a.ScopeMetrics[0].SchemaUrl);
    }
}
