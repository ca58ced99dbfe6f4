using TelemetryCluster.Nodes.Query;
using TelemetryCluster.PromQL;
using TelemetryCluster.PromQL.Storage;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.Tests.Query;

/// <summary>Merged snapshots in, the replica store's series out (read back through the real PromQL engine).</summary>
public sealed class SnapshotFollowerTests
{
    private const long T0 = 1_700_000_000_000;

    private readonly SeriesStore _store = new();
    private readonly PromQLEngine _engine = new();
    private readonly ManualTime _time = new();

    [Fact]
    public void Gauges_and_counters_are_stored_under_their_family_name_with_the_data_point_timestamp()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.Zero);
        follower.Apply(Snapshot(
            Family("queue_depth", PrometheusMetricType.Gauge, Series(T0, 12, ("job", "api")), Series(T0 + 5, 3, ("job", "db"))),
            Family("requests_total", PrometheusMetricType.Counter, Series(T0, 100, ("job", "api")))));

        Assert.Equal([("queue_depth{job=\"api\"}", 12.0), ("queue_depth{job=\"db\"}", 3.0)], Vector("queue_depth", T0 + 10));
        Assert.Empty(Vector("queue_depth{job=\"db\"}", T0 + 4)); // the db point is at T0 + 5
        Assert.Equal([("requests_total{job=\"api\"}", 100.0)], Vector("requests_total", T0 + 10));
        Assert.Equal("counter", _store.Metadata["requests_total"].Type);
        Assert.Equal("gauge", _store.Metadata["queue_depth"].Type);
        Assert.Equal(3, _store.SampleCount);
    }

    [Fact]
    public void Histograms_become_cumulative_buckets_with_inf_sum_and_count()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.Zero);
        var histogram = new PrometheusSeries([new("job", "api")], T0, sum: 7.5, count: 10, bucketBounds: [0.1, 1, 2.5], bucketCounts: [2, 6, 9]);
        follower.Apply(Snapshot(new PrometheusFamily("latency_seconds", PrometheusMetricType.Histogram, "h", "seconds", [histogram])));

        Assert.Equal(
            [
                ("latency_seconds_bucket{job=\"api\", le=\"+Inf\"}", 10.0),
                ("latency_seconds_bucket{job=\"api\", le=\"0.1\"}", 2.0),
                ("latency_seconds_bucket{job=\"api\", le=\"1\"}", 6.0),
                ("latency_seconds_bucket{job=\"api\", le=\"2.5\"}", 9.0),
            ],
            Vector("latency_seconds_bucket", T0 + 1));
        Assert.Equal([("latency_seconds_sum{job=\"api\"}", 7.5)], Vector("latency_seconds_sum", T0 + 1));
        Assert.Equal([("latency_seconds_count{job=\"api\"}", 10.0)], Vector("latency_seconds_count", T0 + 1));
        // Rank 5 of 10 lies in (0.1, 1] holding ranks 3..6: 0.1 + 0.9 * (5 - 2) / (6 - 2).
        var median = Assert.Single(Vector("histogram_quantile(0.5, latency_seconds_bucket)", T0 + 1));
        Assert.Equal("{job=\"api\"}", median.Series);
        Assert.Equal(0.775, median.Value, 1e-12);
        Assert.Equal("histogram", _store.Metadata["latency_seconds"].Type);
        Assert.Equal("seconds", _store.Metadata["latency_seconds"].Unit);
    }

    [Fact]
    public void Summaries_become_quantile_series_with_sum_and_count()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.Zero);
        var summary = new PrometheusSeries([], T0, sum: 42, count: 4, quantiles: [0, 0.5, 1], quantileValues: [1, 10, 20]);
        follower.Apply(Snapshot(new PrometheusFamily("rpc_duration", PrometheusMetricType.Summary, string.Empty, string.Empty, [summary])));

        Assert.Equal(
            [("rpc_duration{quantile=\"0\"}", 1.0), ("rpc_duration{quantile=\"0.5\"}", 10.0), ("rpc_duration{quantile=\"1\"}", 20.0)],
            Vector("rpc_duration", T0));
        Assert.Equal([("rpc_duration_sum", 42.0)], Vector("rpc_duration_sum", T0));
        Assert.Equal([("rpc_duration_count", 4.0)], Vector("rpc_duration_count", T0));
    }

    [Fact]
    public void An_unchanged_view_appends_nothing_and_a_newer_point_appends_once()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.Zero);
        var first = Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1)));
        follower.Apply(first);
        follower.Apply(first);
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1)))); // same point, new objects
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0 - 1000, 5)))); // older: skipped
        Assert.Equal(1, _store.SampleCount);
        Assert.Equal(3, follower.Unchanged);

        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0 + 1000, 2))));
        Assert.Equal(2, _store.SampleCount);
        Assert.Equal([1.0, 2.0], Points("g[1m]", T0 + 1000));
        foreach (var reason in Enum.GetValues<AppendResult>())
        {
            Assert.Equal(0, _store.Dropped(reason));
        }
    }

    [Fact]
    public void A_series_that_leaves_the_view_is_marked_stale_once_and_comes_back_with_a_newer_point()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.Zero);
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")), Series(T0, 2, ("job", "b")))));
        var histogram = new PrometheusSeries([], T0, sum: 1, count: 1, bucketBounds: [1], bucketCounts: [1]);
        follower.Apply(Snapshot(
            Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")), Series(T0, 2, ("job", "b"))),
            new PrometheusFamily("h", PrometheusMetricType.Histogram, string.Empty, string.Empty, [histogram])));
        Assert.Equal(2 + 4, _store.SampleCount);

        // job=b and the histogram are gone: one marker each (every sample series of the histogram), at last + 1 ms.
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        Assert.Equal(2 + 4 + 1 + 4, _store.SampleCount);
        Assert.Equal([("g{job=\"a\"}", 1.0)], Vector("g", T0 + 60_000));
        Assert.Equal([("g{job=\"a\"}", 1.0), ("g{job=\"b\"}", 2.0)], Vector("g", T0)); // before the marker
        Assert.Empty(Vector("h_count", T0 + 60_000));
        Assert.Empty(Vector("h_bucket", T0 + 1));

        // A late point not newer than the marker is skipped; a newer one revives the series.
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")), Series(T0 + 1, 9, ("job", "b")))));
        Assert.Empty(Vector("g{job=\"b\"}", T0 + 60_000));
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")), Series(T0 + 2000, 7, ("job", "b")))));
        Assert.Equal([("g{job=\"b\"}", 7.0)], Vector("g{job=\"b\"}", T0 + 60_000));
        foreach (var reason in Enum.GetValues<AppendResult>())
        {
            Assert.Equal(0, _store.Dropped(reason));
        }
    }

    [Fact]
    public void A_series_missing_for_less_than_stale_after_is_not_ended_and_continues()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.FromSeconds(10));
        var full = Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")), Series(T0, 2, ("job", "b"))));
        follower.Apply(full);

        // A hand-over: the view is empty, then partial, for 9 seconds; then whole again with the same points.
        follower.Apply(PrometheusSnapshot.Empty);
        _time.Advance(TimeSpan.FromSeconds(5));
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        _time.Advance(TimeSpan.FromSeconds(4));
        follower.Apply(full);
        Assert.Equal(2, _store.SampleCount);
        Assert.Equal([("g{job=\"a\"}", 1.0), ("g{job=\"b\"}", 2.0)], Vector("g", T0 + 60_000));

        // Really gone: marked once stale-after (10s) after it was first missed.
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        _time.Advance(TimeSpan.FromSeconds(9));
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        Assert.Equal(2, _store.SampleCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        follower.Apply(Snapshot(Family("g", PrometheusMetricType.Gauge, Series(T0, 1, ("job", "a")))));
        Assert.Equal(3, _store.SampleCount);
        Assert.Equal([("g{job=\"a\"}", 1.0)], Vector("g", T0 + 60_000));
    }

    [Fact]
    public void Changed_buckets_end_the_old_bucket_series()
    {
        var follower = new SnapshotFollower(_store, _time, TimeSpan.Zero);
        follower.Apply(Snapshot(new PrometheusFamily("h", PrometheusMetricType.Histogram, string.Empty, string.Empty,
            [new PrometheusSeries([], T0, sum: 1, count: 1, bucketBounds: [1, 2], bucketCounts: [1, 1])])));
        follower.Apply(Snapshot(new PrometheusFamily("h", PrometheusMetricType.Histogram, string.Empty, string.Empty,
            [new PrometheusSeries([], T0 + 1000, sum: 2, count: 2, bucketBounds: [1, 5], bucketCounts: [1, 2])])));

        Assert.Equal(
            [("h_bucket{le=\"+Inf\"}", 2.0), ("h_bucket{le=\"1\"}", 1.0), ("h_bucket{le=\"5\"}", 2.0)],
            Vector("h_bucket", T0 + 1000));
    }

    private List<(string Series, double Value)> Vector(string query, long atMs)
    {
        var value = Assert.IsType<VectorValue>(_engine.Instant(_store, query, atMs));
        return value.Samples.Select(s => (Text(s.Metric), s.V)).OrderBy(s => s.Item1, StringComparer.Ordinal).ToList();
    }

    private static string Text(Labels labels)
    {
        var rest = labels.List.Where(l => l.Name != Labels.MetricName).Select(l => $"{l.Name}=\"{l.Value}\"").ToList();
        return labels.Get(Labels.MetricName) + (rest.Count == 0 ? string.Empty : "{" + string.Join(", ", rest) + "}");
    }

    private List<double> Points(string query, long atMs)
    {
        var value = Assert.IsType<MatrixValue>(_engine.Instant(_store, query, atMs));
        return Assert.Single(value.Series).Points.Select(p => p.V).ToList();
    }

    private static PrometheusSnapshot Snapshot(params PrometheusFamily[] families) => new(families);

    private static PrometheusFamily Family(string name, PrometheusMetricType type, params PrometheusSeries[] series) =>
        new(name, type, string.Empty, string.Empty, series);

    private static PrometheusSeries Series(long ts, double value, params (string Name, string Value)[] labels) =>
        new(labels.Select(l => new PrometheusLabel(l.Name, l.Value)).ToArray(), ts, value);

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(T0).AddTicks(_ticks);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
