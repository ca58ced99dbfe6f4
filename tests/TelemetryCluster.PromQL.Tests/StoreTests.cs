using System.Net.Http.Json;
using System.Text.Json;
using TelemetryCluster.PromQL.Api;
using TelemetryCluster.PromQL.Storage;

namespace TelemetryCluster.PromQL.Tests;

public sealed class StoreTests
{
    private static readonly Labels A = Labels.From(("__name__", "a_total"), ("job", "x"));
    private static readonly PromQLEngine Engine = new();

    private static double? Instant(SeriesStore store, string q, long t)
    {
        var v = (VectorValue)Engine.Instant(store, q, t);
        return v.Samples.Count == 0 ? null : v.Samples[0].V;
    }

    [Fact]
    public void Retention_is_measured_from_the_newest_sample_and_empty_series_go_away()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Retention = TimeSpan.FromMinutes(10) });
        var b = Labels.From(("__name__", "b"), ("job", "x"));
        Assert.Equal(AppendResult.Ok, store.Append(b, 0, 1));
        for (int i = 0; i <= 60; i++)
        {
            store.Append(A, i * 60_000L, i);
        }
        Assert.Equal(AppendResult.TooOld, store.Append(b, 60_000, 2)); // 59 minutes behind the newest sample
        store.Truncate();
        Assert.Equal(1, store.SeriesCount);
        Assert.Equal(11, store.SampleCount); // minutes 50..60
        Assert.Equal(50, ((MatrixValue)Engine.Instant(store, "a_total[1h]", 3_600_000)).Series[0].Points[0].V);
        Assert.Equal(1, store.Dropped(AppendResult.TooOld));
    }

    [Fact]
    public void Equality_selectors_use_the_name_index_and_follow_series_that_come_and_go()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Retention = TimeSpan.FromMinutes(10) });
        static Labels L(int pod, string code) => Labels.From(
            ("__name__", "req_total"), ("pod", "p" + pod.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("code", code));
        for (int pod = 0; pod < 50; pod++)
        {
            store.Append(L(pod, "200"), 0, pod);
            store.Append(L(pod, pod % 5 == 0 ? "500" : "404"), 0, 1000 + pod);
        }
        store.Append(Labels.From(("__name__", "other"), ("code", "500")), 0, 7);
        static int Count(SeriesStore s, string q, long t) => ((VectorValue)Engine.Instant(s, q, t)).Samples.Count;
        Assert.Equal(10, Count(store, "req_total{code=\"500\"}", 0));
        Assert.Equal(1, Count(store, "req_total{code=\"500\",pod=\"p45\"}", 0));
        Assert.Equal(0, Count(store, "req_total{code=\"503\"}", 0));
        Assert.Equal(40, Count(store, "req_total{code!=\"200\",code=~\"4..\"}", 0));
        Assert.Equal(1045, Instant(store, "req_total{pod=\"p45\",code=\"500\"}", 0));

        // The result is in label order, as without the index.
        var pods = ((VectorValue)Engine.Instant(store, "req_total{code=\"500\"}", 0)).Samples.Select(x => x.Metric.Get("pod")).ToList();
        Assert.Equal(pods.Order(StringComparer.Ordinal).ToList(), pods);

        // A new series of the name is seen by the next query (the index is replaced, not stale).
        store.Append(L(99, "500"), 60_000, 1);
        Assert.Equal(11, Count(store, "req_total{code=\"500\"}", 60_000));

        // Series that leave the retention window leave the index.
        store.Append(L(99, "500"), 20 * 60_000, 2);
        store.Truncate();
        Assert.Equal(1, Count(store, "req_total{code=\"500\"}", 20 * 60_000));
        Assert.Equal(0, Count(store, "req_total{code=\"200\"}", 20 * 60_000));
    }

    [Fact]
    public void Out_of_order_and_duplicate_samples_are_refused_and_counted()
    {
        var store = new SeriesStore();
        Assert.Equal(AppendResult.Ok, store.Append(A, 1000, 1));
        Assert.Equal(AppendResult.Duplicate, store.Append(A, 1000, 2));
        Assert.Equal(AppendResult.OutOfOrder, store.Append(A, 999, 3));
        Assert.Equal(AppendResult.InvalidLabels, store.Append(Labels.From(("job", "x")), 2000, 1));
        Assert.Equal(1, store.Dropped(AppendResult.OutOfOrder));
        Assert.Equal(1, store.Dropped(AppendResult.Duplicate));
        Assert.Equal(1, Instant(store, "a_total", 1000));
    }

    [Fact]
    public void Series_and_sample_budgets_bound_memory()
    {
        var store = new SeriesStore(new SeriesStoreOptions { MaxSeries = 3, MaxSamples = 10, MaxSamplesPerSeries = 4 });
        for (int s = 0; s < 5; s++)
        {
            var r = store.Append(Labels.From(("__name__", "m"), ("i", s.ToString(System.Globalization.CultureInfo.InvariantCulture))), 1000, s);
            Assert.Equal(s < 3 ? AppendResult.Ok : AppendResult.SeriesLimit, r);
        }
        var one = Labels.From(("__name__", "m"), ("i", "0"));
        for (int i = 1; i <= 10; i++)
        {
            store.Append(one, 1000 + (i * 1000), i);
        }
        // The ring keeps the newest 4 samples of the series.
        var m = (MatrixValue)Engine.Instant(store, "m{i=\"0\"}[1h]", 20_000);
        Assert.Equal([7.0, 8, 9, 10], m.Series[0].Points.Select(p => p.V));
        Assert.True(store.SampleCount <= 10);
        Assert.Equal(2, store.Dropped(AppendResult.SeriesLimit));
    }

    [Fact]
    public void A_stale_marker_ends_the_series_for_instant_queries_but_not_for_ranges()
    {
        var store = new SeriesStore();
        for (int i = 0; i < 5; i++)
        {
            store.Append(A, i * 15_000L, i * 10);
        }
        store.MarkStale(A, 75_000);
        Assert.Equal(40, Instant(store, "a_total", 74_000));
        Assert.Null(Instant(store, "a_total", 75_000));
        Assert.Null(Instant(store, "a_total", 100_000)); // well inside the 5m lookback
        Assert.Equal(40, Instant(store, "last_over_time(a_total[1m])", 100_000));
        Assert.Equal(0, Instant(store, "sum(a_total) or vector(0)", 100_000));
        // The series comes back with its next sample.
        store.Append(A, 90_000, 100);
        Assert.Equal(100, Instant(store, "a_total", 100_000));
    }

    [Fact]
    public async Task One_writer_and_concurrent_readers()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Retention = TimeSpan.FromMinutes(5), MaxSamplesPerSeries = 64 });
        long written = 0;
        bool done = false;
        var writer = Task.Run(() =>
        {
            for (long t = 1000; t <= 2_000_000; t += 1000)
            {
                for (int s = 0; s < 20; s++)
                {
                    store.Append(Labels.From(("__name__", "c_total"), ("s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("g", (t / 60_000 % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))), t, t);
                }
                Interlocked.Exchange(ref written, t);
            }
            Volatile.Write(ref done, true);
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            int queries = 0;
            while (!Volatile.Read(ref done) || queries < 5)
            {
                long t = Interlocked.Read(ref written);
                var v = (VectorValue)Engine.Instant(store, "sum by (s) (rate(c_total[1m]))", t);
                foreach (var s in v.Samples)
                {
                    // Values are the timestamps in ms: about 1000 per second (series of one s sum up across g).
                    Assert.True(s.V > 0 && s.V < 3000, s.ToString());
                }
                queries++;
            }
            return queries;
        })).ToArray();
        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        var counts = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(counts, c => Assert.True(c >= 5));
        Assert.True(store.SampleCount <= 20L * 3 * 64);
    }

    [Fact]
    public async Task Runaway_queries_fail_with_422_or_503_and_the_server_keeps_answering()
    {
        var store = new SeriesStore();
        for (int i = 0; i < 100; i++)
        {
            store.Append(A, 1_700_000_000_000 + (i * 1000L), i);
        }
        await using var server = await OurServer.StartAsync(store, new PrometheusQueryApiOptions
        {
            Engine = new PromQLEngineOptions { MaxSamples = 1_000_000, Timeout = TimeSpan.FromSeconds(2) },
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        string Url(string q) => server.Url + "/api/v1/query?time=1700000100&query=" + Uri.EscapeDataString(q);

        // The subquery that made Prometheus 2.42 run out of memory.
        using (var r = await http.GetAsync(Url("count_over_time(a_total[30d:1ms])")))
        {
            Assert.Equal(422, (int)r.StatusCode);
            var body = await r.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("execution", body.GetProperty("errorType").GetString());
            Assert.Contains("too many samples", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        // Within the sample budget but past the timeout: nested subqueries that keep evaluating.
        using (var r = await http.GetAsync(Url("max_over_time(max_over_time(a_total[1h:10ms])[1h:10s])") + "&timeout=0.3"))
        {
            Assert.Contains((int)r.StatusCode, new[] { 422, 503 });
            var body = await r.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(body.GetProperty("errorType").GetString(), new[] { "execution", "timeout" });
        }
        using (var r = await http.GetAsync(Url("sum(a_total)")))
        {
            Assert.Equal(200, (int)r.StatusCode);
            Assert.Contains("\"99\"", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_range_query_over_a_subquery_evaluates_each_inner_step_once()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Retention = TimeSpan.FromHours(2) });
        for (int i = 0; i < 200; i++)
        {
            var l = Labels.From(("__name__", "x_total"), ("instance", "i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            for (int s = 0; s <= 240; s++)
            {
                store.Append(l, s * 15_000L, s * (i + 1));
            }
        }
        // 281 distinct inner steps × 200 series × 5 samples ≈ 281k samples; re-evaluating the subquery's 41 steps at
        // each of the 241 outer steps would touch ≈ 10M and hit the budget.
        var engine = new PromQLEngine(new PromQLEngineOptions { MaxSamples = 600_000 });
        var m = engine.Range(store, "max_over_time(sum(rate(x_total[1m]))[10m:15s])", 0, 3_600_000, 15_000);
        var series = Assert.Single(m.Series);
        Assert.Equal(240, series.Points.Count); // no rate at t=0 (one sample)
        Assert.Equal(200 * 201 / 2 / 15.0, series.Points[^1].V, 9);
    }

    [Fact]
    public async Task Metadata_endpoint_serves_type_help_and_unit()
    {
        var store = new SeriesStore();
        store.SetMetadata("http_requests", "counter", "Total HTTP requests.", "");
        store.SetMetadata("mem", "gauge", "Memory.", "bytes");
        await using var server = await OurServer.StartAsync(store);
        using var http = new HttpClient();
        var all = await http.GetStringAsync(server.Url + "/api/v1/metadata");
        Assert.Equal("{\"status\":\"success\",\"data\":{\"http_requests\":[{\"type\":\"counter\",\"help\":\"Total HTTP requests.\",\"unit\":\"\"}],\"mem\":[{\"type\":\"gauge\",\"help\":\"Memory.\",\"unit\":\"bytes\"}]}}", all);
        var one = await http.GetStringAsync(server.Url + "/api/v1/metadata?metric=mem");
        Assert.DoesNotContain("http_requests", one, StringComparison.Ordinal);
        var limited = await http.GetStringAsync(server.Url + "/api/v1/metadata?limit=1");
        Assert.DoesNotContain("mem", limited, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1.5e-6, "0.0000015")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456789012345678d, "123456789012345680")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(-2.5e-5, "-0.000025")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0d, "0")]
    [InlineData(-1.25e-300, "-1.25e-300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void Go_float_formatting(double v, string expected) => Assert.Equal(expected, GoFloat.FormatSample(v));

    [Theory]
    [InlineData(1700000000000L, "1700000000")]
    [InlineData(1700000000500L, "1700000000.500")]
    [InlineData(1700000000050L, "1700000000.050")]
    public void Timestamps_have_three_millisecond_digits(long ms, string expected) => Assert.Equal(expected, GoFloat.FormatTimestamp(ms));
}
