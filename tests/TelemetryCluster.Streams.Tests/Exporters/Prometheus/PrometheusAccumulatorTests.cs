using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Tests.Exporters.Debug;
using TelemetryCluster.Streams.Exporters.Prometheus;
using Xunit;
using static TelemetryCluster.Streams.Tests.Exporters.Prometheus.PromTestData;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

public sealed class PrometheusAccumulatorTests
{
    private const string Scope = "instance=\"i-1\",job=\"svc\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\"";

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private PrometheusAccumulator Create(Func<PrometheusExporterConfig, PrometheusExporterConfig>? change = null) => new(PromTestData.Config(change), _time);

    private static DropCounts Take(PrometheusAccumulator accumulator, params Metric[] metrics)
    {
        var drops = new DropCounts();
        accumulator.Accumulate(Request(metrics), drops);
        return drops;
    }

    [Fact]
    public void Gauge_keeps_the_last_value_by_timestamp_and_drops_older_points()
    {
        var acc = Create();
        Take(acc, Gauge("queue.depth", "{items}", Point(5, Sec(2))));
        var drops = Take(acc, Gauge("queue.depth", "{items}", Point(3, Sec(1))));
        Take(acc, Gauge("queue.depth", "{items}", Point(7, Sec(3))));

        Assert.Equal(1, drops.Counts[DropReasons.OutOfOrder]);
        Assert.Contains($"queue_depth{{{Scope}}} 7", Samples(Render(acc.Snapshot())));
    }

    [Fact]
    public void Cumulative_monotonic_sum_is_a_counter_and_non_monotonic_a_gauge()
    {
        var acc = Create();
        Take(acc,
            Sum("http.requests", "{requests}", true, AggregationTemporality.Cumulative, Point(10, Sec(1), Sec(0))),
            Sum("pool.size", "By", false, AggregationTemporality.Cumulative, Point(-4, Sec(1), Sec(0))));

        var text = Render(acc.Snapshot());
        Assert.Contains("# TYPE http_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains($"http_requests_total{{{Scope}}} 10\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE pool_size_bytes gauge\n", text, StringComparison.Ordinal);
        Assert.Contains($"pool_size_bytes{{{Scope}}} -4\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Contiguous_deltas_add_up_and_a_gap_starts_over()
    {
        var acc = Create();
        Take(acc, Sum("jobs.done", string.Empty, true, AggregationTemporality.Delta, Point(3, Sec(1), Sec(0))));
        Take(acc, Sum("jobs.done", string.Empty, true, AggregationTemporality.Delta, Point(4, Sec(2), Sec(1))));
        Take(acc, Sum("jobs.done", string.Empty, true, AggregationTemporality.Delta, Point(5, Sec(3), Sec(2))));
        Assert.Contains($"jobs_done_total{{{Scope}}} 12", Samples(Render(acc.Snapshot())));

        // Start 5 s is not the stored time (3 s): not contiguous, the delta replaces the value.
        Take(acc, Sum("jobs.done", string.Empty, true, AggregationTemporality.Delta, Point(2, Sec(6), Sec(5))));
        Assert.Contains($"jobs_done_total{{{Scope}}} 2", Samples(Render(acc.Snapshot())));
    }

    [Fact]
    public void Delta_non_monotonic_sums_and_unspecified_temporality_are_dropped_and_counted()
    {
        var acc = Create();
        var drops = Take(acc,
            Sum("updown", string.Empty, false, AggregationTemporality.Delta, Point(1, Sec(1), Sec(0)), Point(2, Sec(1), Sec(0))),
            Sum("unknown", string.Empty, true, AggregationTemporality.Unspecified, Point(1, Sec(1))));

        Assert.Equal(2, drops.Counts[DropReasons.DeltaNonMonotonic]);
        Assert.Equal(1, drops.Counts[DropReasons.UnspecifiedTemporality]);
        Assert.DoesNotContain("updown", Render(acc.Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public void Delta_histograms_accumulate_when_contiguous_and_inf_equals_count()
    {
        var acc = Create();
        Take(acc, Histogram("rpc.duration", "s", AggregationTemporality.Delta, HistogramPoint(Sec(1), Sec(0), 1.5, [0.1, 1], [1, 2, 3])));
        Take(acc, Histogram("rpc.duration", "s", AggregationTemporality.Delta, HistogramPoint(Sec(2), Sec(1), 2.5, [0.1, 1], [2, 0, 1])));

        var samples = Samples(Render(acc.Snapshot()));
        Assert.Contains($"rpc_duration_seconds_bucket{{{Scope},le=\"0.1\"}} 3", samples);
        Assert.Contains($"rpc_duration_seconds_bucket{{{Scope},le=\"1\"}} 5", samples);
        Assert.Contains($"rpc_duration_seconds_bucket{{{Scope},le=\"+Inf\"}} 9", samples);
        Assert.Contains($"rpc_duration_seconds_sum{{{Scope}}} 4", samples);
        Assert.Contains($"rpc_duration_seconds_count{{{Scope}}} 9", samples);

        // A delta that starts before the stored point is misaligned: dropped and counted.
        var drops = Take(acc, Histogram("rpc.duration", "s", AggregationTemporality.Delta, HistogramPoint(Sec(3), Sec(1), 1, [0.1, 1], [1, 0, 0])));
        Assert.Equal(1, drops.Counts[DropReasons.MisalignedDelta]);

        // A later start is a reset.
        Take(acc, Histogram("rpc.duration", "s", AggregationTemporality.Delta, HistogramPoint(Sec(9), Sec(8), 1, [0.1, 1], [1, 0, 0])));
        Assert.Contains($"rpc_duration_seconds_count{{{Scope}}} 1", Samples(Render(acc.Snapshot())));
    }

    [Fact]
    public void Every_histogram_ends_with_an_inf_bucket_equal_to_its_count()
    {
        var acc = Create();
        Take(acc,
            Histogram("a", "s", AggregationTemporality.Cumulative, HistogramPoint(Sec(1), Sec(0), 10, [1, 2, 5], [4, 0, 7, 9])),
            Histogram("b", "By", AggregationTemporality.Cumulative, HistogramPoint(Sec(1), Sec(0), 0, [], [6])),
            ExponentialHistogram("c", Sec(1)));

        var snapshot = acc.Snapshot();
        var samples = Samples(Render(snapshot));
        foreach (var family in snapshot.Families.Where(f => f.Type == PrometheusMetricType.Histogram))
        {
            var inf = samples.Single(s => s.StartsWith(family.Name + "_bucket", StringComparison.Ordinal) && s.Contains("le=\"+Inf\"", StringComparison.Ordinal)).Split(' ')[1];
            var count = samples.Single(s => s.StartsWith(family.Name + "_count", StringComparison.Ordinal)).Split(' ')[1];
            Assert.Equal(count, inf);
            var buckets = samples.Where(s => s.StartsWith(family.Name + "_bucket", StringComparison.Ordinal)).Select(s => double.Parse(s.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(buckets.Order().ToList(), buckets);
        }

        Assert.Contains($"a_seconds_count{{{Scope}}} 20", samples);
        Assert.Contains($"b_bytes_bucket{{{Scope},le=\"+Inf\"}} 6", samples);
        // Exponential, scale 1 (base √2): negative bucket index 1 → le=-√2, zero bucket le=0, positive buckets le=√2 and 2.
        Assert.Contains($"c_seconds_bucket{{{Scope},le=\"-1.4142135623730951\"}} 2", samples);
        Assert.Contains($"c_seconds_bucket{{{Scope},le=\"0\"}} 3", samples);
        Assert.Contains($"c_seconds_bucket{{{Scope},le=\"1.4142135623730951\"}} 6", samples);
        Assert.Contains($"c_seconds_bucket{{{Scope},le=\"2\"}} 10", samples);
        Assert.Contains($"c_seconds_count{{{Scope}}} 10", samples);
    }

    [Fact]
    public void Summary_is_written_with_quantiles_sum_and_count()
    {
        var acc = Create();
        Take(acc, Summary("gc.pause", Sec(1), 3.5, 7, (0.99, 0.9), (0.5, 0.2)));

        var samples = Samples(Render(acc.Snapshot()));
        Assert.Equal(
            [
                $"gc_pause_seconds{{{Scope},quantile=\"0.5\"}} 0.2",
                $"gc_pause_seconds{{{Scope},quantile=\"0.99\"}} 0.9",
                $"gc_pause_seconds_sum{{{Scope}}} 3.5",
                $"gc_pause_seconds_count{{{Scope}}} 7",
            ],
            samples.Where(s => s.StartsWith("gc_", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public void The_no_recorded_value_flag_removes_the_series()
    {
        var acc = Create();
        Take(acc, Gauge("temp", "Cel", Point(20, Sec(1), 0, Attr("room", "a")), Point(21, Sec(1), 0, Attr("room", "b"))));
        var gone = Point(0, Sec(2), 0, Attr("room", "a"));
        gone.Flags = 1;
        Take(acc, Gauge("temp", "Cel", gone));

        var samples = Samples(Render(acc.Snapshot())).Where(s => s.StartsWith("temp", StringComparison.Ordinal)).ToArray();
        Assert.Single(samples);
        Assert.Contains("room=\"b\"", samples[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Series_expire_after_metric_expiration_by_the_time_provider()
    {
        var acc = Create(c => c with { MetricExpiration = TimeSpan.FromMinutes(5) });
        Take(acc, Gauge("old", string.Empty, Point(1, Sec(1))));
        _time.Advance(TimeSpan.FromMinutes(3));
        Take(acc, Gauge("young", string.Empty, Point(1, Sec(2))));
        _time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1));

        var text = Render(acc.Snapshot());
        Assert.Contains("old{", text, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromTicks(1));
        text = Render(acc.Snapshot());
        Assert.DoesNotContain("old{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("# TYPE old", text, StringComparison.Ordinal);
        Assert.Contains("young{", text, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(2, acc.Expire());
        Assert.Equal(0, acc.SeriesCount);
        Assert.Empty(acc.Snapshot().Families);
    }

    [Fact]
    public void Labels_are_sanitised_scope_job_instance_and_const_labels_added()
    {
        var acc = Create(c => c with { ConstLabels = [new PrometheusLabel("cluster", "eu-1")] });
        Take(acc, Gauge("g", string.Empty, Point(1, Sec(1), 0, Attr("http.method", "GET"), Attr("0day", "x"), Attr("empty", string.Empty), Attr("job", "overridden"), Attr("uni", "ünï \"q\" \\ \n"))));

        var line = Samples(Render(acc.Snapshot())).Single(s => s.StartsWith("g{", StringComparison.Ordinal));
        Assert.Equal("g{cluster=\"eu-1\",http_method=\"GET\",instance=\"i-1\",job=\"svc\",key_0day=\"x\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\",uni=\"ünï \\\"q\\\" \\\\ \\n\"} 1", line);
    }

    [Fact]
    public void Attributes_that_sanitise_to_one_name_are_joined_never_duplicated()
    {
        var acc = Create(c => c with { WithoutScopeInfo = true });
        Take(acc, Gauge("g", string.Empty, Point(1, Sec(1), 0, Attr("a.b", "1"), Attr("a-b", "2"))));
        // A second source mapping to the same series: one series, the newer point wins.
        Take(acc, Gauge("g", string.Empty, Point(9, Sec(2), 0, Attr("a-b", "2"), Attr("a.b", "1"))));

        var samples = Samples(Render(acc.Snapshot())).Where(s => s.StartsWith("g{", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["g{a_b=\"2;1\",instance=\"i-1\",job=\"svc\"} 9"], samples);
    }

    [Fact]
    public void Job_uses_the_service_namespace_and_target_info_carries_the_other_resource_attributes()
    {
        var acc = Create(c => c with { Namespace = "shop", WithoutScopeInfo = true });
        var resource = new OpenTelemetry.Proto.Resource.V1.Resource { Attributes = { Attr("service.name", "cart"), Attr("service.namespace", "prod"), Attr("service.instance.id", "pod-1"), Attr("k8s.pod.name", "pod-1") } };
        var drops = new DropCounts();
        acc.Accumulate(Request(resource, Gauge("g", string.Empty, Point(1, Sec(1)))), drops);

        var text = Render(acc.Snapshot());
        Assert.Contains("shop_g{instance=\"pod-1\",job=\"prod/cart\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP shop_target_info Target metadata\n# TYPE shop_target_info gauge\nshop_target_info{instance=\"pod-1\",job=\"prod/cart\",k8s_pod_name=\"pod-1\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Resource_to_telemetry_conversion_turns_resource_attributes_into_labels()
    {
        var acc = Create(c => c with { ResourceToTelemetryConversion = true, WithoutScopeInfo = true });
        Take(acc, Gauge("g", string.Empty, Point(1, Sec(1), 0, Attr("host.name", "from-point"))));

        var line = Samples(Render(acc.Snapshot())).Single(s => s.StartsWith("g{", StringComparison.Ordinal));
        Assert.Equal("g{host_name=\"from-point\",instance=\"i-1\",job=\"svc\",service_instance_id=\"i-1\",service_name=\"svc\"} 1", line);
    }

    [Fact]
    public void A_type_conflict_drops_the_later_metric()
    {
        var acc = Create();
        Take(acc, Gauge("x", string.Empty, Point(1, Sec(1))));
        var drops = Take(acc, Histogram("x", string.Empty, AggregationTemporality.Cumulative, HistogramPoint(Sec(1), 0, 1, [], [1])));

        Assert.Equal(1, drops.Counts[DropReasons.TypeConflict]);
        Assert.Contains("# TYPE x gauge", Render(acc.Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reserved_label_on_a_histogram_is_renamed()
    {
        var acc = Create(c => c with { WithoutScopeInfo = true });
        Take(acc, Histogram("h", string.Empty, AggregationTemporality.Cumulative, HistogramPoint(Sec(1), 0, 1, [1], [1, 0], Attr("le", "x"))));

        Assert.Contains("h_bucket{exported_le=\"x\",instance=\"i-1\",job=\"svc\",le=\"1\"} 1", Samples(Render(acc.Snapshot())));
    }

    [Fact]
    public void Merge_is_deterministic_and_prefers_the_newer_point_then_the_smaller_node()
    {
        PrometheusSnapshot Node(double value, long ts, params string[] extra) => new(
        [
            new PrometheusFamily("m", PrometheusMetricType.Gauge, "help", string.Empty,
            [
                new PrometheusSeries([new PrometheusLabel("k", "shared")], ts, value),
                .. extra.Select(e => new PrometheusSeries([new PrometheusLabel("k", e)], ts, value)),
            ]),
        ]);

        var a = new KeyValuePair<string, PrometheusSnapshot>("akka.tcp://c@10.0.0.1:4053", Node(1, 100, "a-only"));
        var b = new KeyValuePair<string, PrometheusSnapshot>("akka.tcp://c@10.0.0.2:4053", Node(2, 200, "b-only"));
        var c = new KeyValuePair<string, PrometheusSnapshot>("akka.tcp://c@10.0.0.3:4053", Node(3, 200));

        var one = Render(PrometheusSnapshot.Merge([a, b, c]));
        var two = Render(PrometheusSnapshot.Merge([c, a, b]));
        Assert.Equal(one, two);
        Assert.Equal("# HELP m help\n# TYPE m gauge\nm{k=\"a-only\"} 1\nm{k=\"b-only\"} 2\nm{k=\"shared\"} 2\n", one);
    }
}
