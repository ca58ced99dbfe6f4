using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Receivers.Prometheus;
using TelemetryCluster.Streams.Receivers.Prometheus.Exposition;
using TelemetryCluster.Streams.Receivers.Prometheus.Scraping;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

public sealed class ScrapeStateTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_000);

    private static (ScrapeConfig Config, ScrapeState State) NewState(string extra = "", string address = "10.1.2.3:9100")
    {
        var config = PromConfig.BindOk($$"""
            config.scrape_configs = [ { job_name = node, scrape_interval = 15s, static_configs = [ { targets = ["{{address}}"], labels { env = prod } } ] {{extra}} } ]
            """).ScrapeConfigs[0];
        var target = ScrapeTarget.Create(config, config.StaticConfigs[0].Labels, new Dictionary<string, string> { ["__address__"] = address }, out _)!;
        return (config, new ScrapeState(config, target));
    }

    [Fact]
    public void Text_scrape_maps_families_to_otlp_like_the_collector()
    {
        var (_, state) = NewState();

        var request = state.Scraped(ExpositionFixtures.NodeExporterText, false, T0, TimeSpan.FromMilliseconds(12), out var counts);

        Assert.Equal(new ScrapeCounts(19, 19, 19), counts);
        var rm = Assert.Single(request.ResourceMetrics);
        var resource = PromData.Attributes(rm.Resource.Attributes);
        Assert.Equal("node", resource["service.name"]);
        Assert.Equal("10.1.2.3:9100", resource["service.instance.id"]);
        Assert.Equal(("10.1.2.3", "9100", "http"), (resource["server.address"], resource["server.port"], resource["url.scheme"]));
        Assert.Equal(ScrapeState.ScopeName, rm.ScopeMetrics[0].Scope.Name);
        var metrics = rm.ScopeMetrics.SelectMany(s => s.Metrics).ToDictionary(m => m.Name);

        var cpu = metrics["node_cpu_seconds_total"];
        Assert.Equal("Seconds the CPUs spent in each mode.", cpu.Description);
        Assert.True(cpu.Sum.IsMonotonic);
        Assert.Equal(AggregationTemporality.Cumulative, cpu.Sum.AggregationTemporality);
        Assert.Equal(2, cpu.Sum.DataPoints.Count);
        var idle = cpu.Sum.DataPoints.Single(p => PromData.Attributes(p.Attributes)["mode"] == "idle");
        Assert.Equal(12345.67, idle.AsDouble);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "0", ["mode"] = "idle", ["env"] = "prod" }, PromData.Attributes(idle.Attributes));
        Assert.Equal(PromData.Nanos(T0), idle.TimeUnixNano);
        Assert.Equal(idle.TimeUnixNano, idle.StartTimeUnixNano); // first observation

        Assert.Equal("/mnt/a \"quoted\" dir\\x\nline", PromData.Attributes(metrics["node_filesystem_avail_bytes"].Gauge.DataPoints[0].Attributes)["mountpoint"]);

        var histogram = metrics["http_request_duration_seconds"].Histogram;
        Assert.Equal(AggregationTemporality.Cumulative, histogram.AggregationTemporality);
        var hp = Assert.Single(histogram.DataPoints);
        Assert.Equal([0.05, 0.1], hp.ExplicitBounds);
        Assert.Equal([24UL, 9UL, 111UL], hp.BucketCounts);
        Assert.Equal((144UL, 53.5), (hp.Count, hp.Sum));
        Assert.Equal("/api", PromData.Attributes(hp.Attributes)["handler"]);
        Assert.False(PromData.Attributes(hp.Attributes).ContainsKey("le"));
        Assert.Equal("Request latency.\nSecond line with a \\ backslash.", metrics["http_request_duration_seconds"].Description);

        var sp = Assert.Single(metrics["go_gc_duration_seconds"].Summary.DataPoints);
        Assert.Equal((1200UL, 0.25), (sp.Count, sp.Sum));
        Assert.Equal(new[] { (0d, 2.1e-05), (0.5, 4.2e-05), (1d, 0.0011) }, sp.QuantileValues.Select(q => (q.Quantile, q.Value)));

        var untyped = metrics["legacy_thing"];
        Assert.NotNull(untyped.Gauge);
        Assert.Contains(untyped.Metadata, kv => kv.Key == "prometheus.type" && kv.Value.StringValue == "unknown");
        Assert.Equal(PromData.Nanos(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123)), metrics["no_metadata_at_all"].Gauge.DataPoints[0].TimeUnixNano);
        Assert.Equal(3, metrics["special_values"].Gauge.DataPoints.Count);

        var up = metrics["up"].Gauge.DataPoints.Single();
        Assert.Equal(1, up.AsDouble);
        Assert.Equal(0.012, metrics["scrape_duration_seconds"].Gauge.DataPoints[0].AsDouble, 6);
        Assert.Equal(19, metrics["scrape_samples_scraped"].Gauge.DataPoints[0].AsDouble);
        Assert.Equal(19, metrics["scrape_samples_post_metric_relabeling"].Gauge.DataPoints[0].AsDouble);
        Assert.Equal(19, metrics["scrape_series_added"].Gauge.DataPoints[0].AsDouble);
    }

    [Fact]
    public void OpenMetrics_scrape_uses_created_unit_and_family_names()
    {
        var (_, state) = NewState();

        var request = state.Scraped(ExpositionFixtures.OpenMetrics, true, T0, TimeSpan.FromMilliseconds(5), out var counts);

        Assert.Equal(12, counts.Scraped);
        var metrics = request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).ToDictionary(m => m.Name);
        var requests = metrics["requests"];
        Assert.Equal((string.Empty, "Requests served."), (requests.Unit, requests.Description));
        var a = requests.Sum.DataPoints.Single(p => PromData.Attributes(p.Attributes)["path"] == "/a");
        Assert.Equal(10, a.AsDouble);
        Assert.Equal(1_699_999_000UL * 1_000_000_000UL, a.StartTimeUnixNano);
        Assert.Equal(1_700_000_000_500UL * 1_000_000UL, a.TimeUnixNano);
        var b = requests.Sum.DataPoints.Single(p => PromData.Attributes(p.Attributes)["path"] == "/b");
        Assert.Equal(PromData.Nanos(T0), b.StartTimeUnixNano);

        var latency = metrics["latency_seconds"];
        Assert.Equal("seconds", latency.Unit);
        var hp = Assert.Single(latency.Histogram.DataPoints);
        Assert.Equal([0.5, 1.0], hp.ExplicitBounds);
        Assert.Equal([3UL, 2UL, 1UL], hp.BucketCounts);
        Assert.Equal(1_699_999_500UL * 1_000_000_000UL, hp.StartTimeUnixNano);

        Assert.Contains(metrics["build_info"].Metadata, kv => kv.Value.StringValue == "info");
        Assert.Equal("celsius", metrics["temperature_celsius"].Unit);
        Assert.Equal(42, metrics["mystery"].Gauge.DataPoints[0].AsDouble);
    }

    [Fact]
    public void Counters_keep_their_start_time_and_reset_it_when_the_value_drops()
    {
        var (_, state) = NewState();
        var t1 = T0.AddSeconds(15);
        var t2 = T0.AddSeconds(30);

        state.Scraped("# TYPE c_total counter\nc_total 10\n", false, T0, TimeSpan.Zero, out _);
        var second = PromData.Point(state.Scraped("# TYPE c_total counter\nc_total 15\n", false, t1, TimeSpan.Zero, out _), "c_total");
        var reset = PromData.Point(state.Scraped("# TYPE c_total counter\nc_total 2\n", false, t2, TimeSpan.Zero, out _), "c_total");

        Assert.Equal((15d, PromData.Nanos(T0)), (second.AsDouble, second.StartTimeUnixNano));
        Assert.Equal((2d, PromData.Nanos(t2)), (reset.AsDouble, reset.StartTimeUnixNano));
    }

    [Fact]
    public void A_series_that_disappears_gets_a_staleness_marker_once()
    {
        var (_, state) = NewState();
        var both = "# TYPE g gauge\ng{k=\"a\"} 1\ng{k=\"b\"} 2\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n";
        var onlyA = "# TYPE g gauge\ng{k=\"a\"} 1\n";

        state.Scraped(both, false, T0, TimeSpan.Zero, out _);
        var second = state.Scraped(onlyA, false, T0.AddSeconds(15), TimeSpan.Zero, out _);
        var third = state.Scraped(onlyA, false, T0.AddSeconds(30), TimeSpan.Zero, out _);

        var g = PromData.Metric(second, "g").Gauge.DataPoints;
        Assert.Equal(2, g.Count);
        var stale = g.Single(p => PromData.Attributes(p.Attributes)["k"] == "b");
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, stale.Flags);
        Assert.Equal(PromData.Nanos(T0.AddSeconds(15)), stale.TimeUnixNano);
        Assert.Equal(0u, g.Single(p => PromData.Attributes(p.Attributes)["k"] == "a").Flags);
        var staleHistogram = Assert.Single(PromData.Metric(second, "h").Histogram.DataPoints);
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, staleHistogram.Flags);

        Assert.Single(PromData.Metric(third, "g").Gauge.DataPoints);
        Assert.Null(PromData.MetricOrNull(third, "h"));
        Assert.Equal(1, state.CachedSeries);
    }

    [Fact]
    public void A_failed_scrape_reports_up_zero_and_marks_every_series_stale()
    {
        var (_, state) = NewState();
        state.Scraped("# TYPE c_total counter\nc_total 10\nx 1\n", false, T0, TimeSpan.Zero, out _);

        var failed = state.Failed(T0.AddSeconds(15), TimeSpan.FromSeconds(10));

        Assert.Equal(0, PromData.Point(failed, "up").AsDouble);
        Assert.Equal(10, PromData.Point(failed, "scrape_duration_seconds").AsDouble);
        Assert.Equal(0, PromData.Point(failed, "scrape_samples_scraped").AsDouble);
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(failed, "c_total").Flags);
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(failed, "x").Flags);
        Assert.Equal(0, state.CachedSeries);

        var gone = state.Gone(T0.AddSeconds(20));
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(gone, "up").Flags);
        Assert.Null(PromData.MetricOrNull(gone, "c_total"));
    }

    [Fact]
    public void A_bad_body_fails_the_scrape_and_the_next_good_one_recovers()
    {
        var (_, state) = NewState();
        state.Scraped("a 1\n", false, T0, TimeSpan.Zero, out _);

        Assert.Throws<ExpositionFormatException>(() => state.Scraped("a 1\nb{ 2\n", false, T0.AddSeconds(15), TimeSpan.Zero, out _));
        var failed = state.Failed(T0.AddSeconds(15), TimeSpan.Zero);
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(failed, "a").Flags);

        var good = state.Scraped("a 2\n", false, T0.AddSeconds(30), TimeSpan.Zero, out _);
        Assert.Equal((2d, 0u), (PromData.Point(good, "a").AsDouble, PromData.Point(good, "a").Flags));
    }

    [Fact]
    public void Honor_labels_false_renames_conflicts_to_exported_and_true_keeps_them()
    {
        var (_, plain) = NewState();
        var (_, honoring) = NewState(", honor_labels = true");
        var body = "m{job=\"other\",env=\"dev\",instance=\"x:1\"} 1\n";

        var renamed = plain.Scraped(body, false, T0, TimeSpan.Zero, out _);
        var honored = honoring.Scraped(body, false, T0, TimeSpan.Zero, out _);

        var attrs = PromData.Attributes(PromData.Point(renamed, "m").Attributes);
        Assert.Equal(("other", "dev", "x:1", "prod"), (attrs["exported_job"], attrs["exported_env"], attrs["exported_instance"], attrs["env"]));
        var rm = honored.ResourceMetrics.Single(r => r.ScopeMetrics.SelectMany(s => s.Metrics).Any(m => m.Name == "m"));
        Assert.Equal(("other", "x:1"), (PromData.Attributes(rm.Resource.Attributes)["service.name"], PromData.Attributes(rm.Resource.Attributes)["service.instance.id"]));
        Assert.Equal("dev", PromData.Attributes(PromData.Point(honored, "m").Attributes)["env"]);
    }

    [Fact]
    public void Metric_relabel_configs_drop_and_rewrite_series()
    {
        var (_, state) = NewState("""
            , metric_relabel_configs = [
              { source_labels = [__name__], regex = "go_.*", action = drop }
              { source_labels = [__name__, mode], regex = "node_cpu_seconds_total;user", action = drop }
              { regex = "cpu", action = labeldrop }
              { source_labels = [device], regex = "/dev/(.*)", target_label = disk, replacement = "$1" }
            ]
            """);

        var request = state.Scraped(ExpositionFixtures.NodeExporterText, false, T0, TimeSpan.Zero, out var counts);

        Assert.Equal(19, counts.Scraped);
        Assert.Equal(13, counts.PostRelabel);
        Assert.Null(PromData.MetricOrNull(request, "go_gc_duration_seconds"));
        var cpu = Assert.Single(PromData.Metric(request, "node_cpu_seconds_total").Sum.DataPoints);
        Assert.False(PromData.Attributes(cpu.Attributes).ContainsKey("cpu"));
        Assert.Equal("sda1", PromData.Attributes(PromData.Point(request, "node_filesystem_avail_bytes").Attributes)["disk"]);
        Assert.Equal(13, PromData.Point(request, "scrape_samples_post_metric_relabeling").AsDouble);
    }

    [Fact]
    public void Sample_limit_fails_the_scrape()
    {
        var (_, state) = NewState(", sample_limit = 2");

        Assert.Throws<SampleLimitExceededException>(() => state.Scraped("a 1\nb 2\nc 3\n", false, T0, TimeSpan.Zero, out _));
    }

    [Fact]
    public void Honor_timestamps_false_uses_the_scrape_time()
    {
        var (_, state) = NewState(", honor_timestamps = false");

        var request = state.Scraped("a 1 1600000000000\n", false, T0, TimeSpan.Zero, out _);

        Assert.Equal(PromData.Nanos(T0), PromData.Point(request, "a").TimeUnixNano);
    }

    [Fact]
    public void Unchanged_series_are_served_from_the_cache_with_bounded_state()
    {
        var (_, state) = NewState();
        for (var i = 0; i < 5; i++)
        {
            state.Scraped(ExpositionFixtures.NodeExporterText, false, T0.AddSeconds(15 * i), TimeSpan.Zero, out var counts);
            Assert.Equal(i == 0 ? 19 : 0, counts.SeriesAdded);
        }

        Assert.Equal(19, state.CachedSeries);
    }

    [Fact]
    public void A_repeated_scrape_skips_label_parsing_and_relabeling_for_known_series()
    {
        var (_, state) = NewState("""
            , metric_relabel_configs = [ { source_labels = [zone], regex = "(.*)-(.*)", target_label = region, replacement = "$1" } ]
            """);
        var sb = new System.Text.StringBuilder("# TYPE requests_total counter\n");
        for (var i = 0; i < 20_000; i++)
        {
            sb.Append("requests_total{pod=\"pod-").Append(i).Append("\",zone=\"eu-west1a\",path=\"/api/v1/items\"} ").Append(i).Append('\n');
        }

        var body = sb.ToString();
        var before = GC.GetAllocatedBytesForCurrentThread();
        state.Scraped(body, false, T0, TimeSpan.Zero, out var first);
        var firstBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var request = state.Scraped(body, false, T0.AddSeconds(15), TimeSpan.Zero, out var second);
        var secondBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((20_000, 20_000, 0), (second.Scraped, second.PostRelabel, second.SeriesAdded));
        Assert.Equal(20_000, first.SeriesAdded);
        Assert.Equal(20_000, PromData.Metric(request, "requests_total").Sum.DataPoints.Count);
        Assert.True(secondBytes < firstBytes * 0.6, $"first scrape {firstBytes} B, second {secondBytes} B");
    }
}

/// <summary>Reads OTLP metric requests in tests.</summary>
internal static class PromData
{
    public static ulong Nanos(DateTimeOffset t) => (ulong)t.ToUnixTimeMilliseconds() * 1_000_000UL;

    public static Dictionary<string, string> Attributes(IEnumerable<OpenTelemetry.Proto.Common.V1.KeyValue> attributes) =>
        attributes.ToDictionary(a => a.Key, a => a.Value.StringValue);

    public static IEnumerable<Metric> Metrics(ExportMetricsServiceRequest request) =>
        request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics);

    public static Metric? MetricOrNull(ExportMetricsServiceRequest request, string name) => Metrics(request).SingleOrDefault(m => m.Name == name);

    public static Metric Metric(ExportMetricsServiceRequest request, string name) =>
        MetricOrNull(request, name) ?? throw new Xunit.Sdk.XunitException($"no metric {name} in {string.Join(", ", Metrics(request).Select(m => m.Name))}");

    /// <summary>The single number point of a gauge or sum.</summary>
    public static NumberDataPoint Point(ExportMetricsServiceRequest request, string name)
    {
        var metric = Metric(request, name);
        return metric.DataCase == OpenTelemetry.Proto.Metrics.V1.Metric.DataOneofCase.Sum ? metric.Sum.DataPoints.Single() : metric.Gauge.DataPoints.Single();
    }
}
