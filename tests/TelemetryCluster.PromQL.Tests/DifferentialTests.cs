using System.Globalization;
using System.Text.Json;

namespace TelemetryCluster.PromQL.Tests;

/// <summary>
/// Every query of <see cref="Queries"/> against a real Prometheus 2.42 and our API, instant at several times
/// (sample-aligned, between samples, at and past the lookback edge, before and after the data) and as two range queries.
/// </summary>
[Collection(OracleCollection.Name)]
public sealed class DifferentialTests(PrometheusOracle oracle)
{
    public static TheoryData<string> AllQueries() => new(Queries.All);

    // Seconds after T0: aligned, between samples (with ms), sample-aligned window edges, lookback edges of the
    // web series (last sample at +2100) and of the whole data set (last sample at +3600), and before the data.
    private static readonly double[] InstantOffsets = [600, 607.5, 1230, 2400, 2400.001, 2401, 3600, 3900, 3901, -60];

    [Fact]
    public void The_query_list_has_at_least_150_distinct_queries() => Assert.True(Queries.All.Distinct().Count() >= 150, Queries.All.Length.ToString());

    [Theory]
    [MemberData(nameof(AllQueries))]
    public async Task Instant_and_range_results_equal_prometheus(string query)
    {
        // "AT<seconds after T0>" in a query is an @ timestamp relative to the data set.
        query = System.Text.RegularExpressions.Regex.Replace(query, @"AT([0-9.]+)", m =>
            ((oracle.T0 / 1000.0) + double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToString("0.###", CultureInfo.InvariantCulture));
        foreach (var off in InstantOffsets)
        {
            var time = ((oracle.T0 / 1000.0) + off).ToString("0.###", CultureInfo.InvariantCulture);
            var qs = "query=" + Uri.EscapeDataString(query) + "&time=" + time;
            await CompareAsync("/api/v1/query?" + qs, $"{query} @ T0{off:+0.###;-0.###}");
        }
        foreach (var (start, end, step) in new[] { (-120.0, 3960.0, "60"), (5.5, 3000.0, "37s") })
        {
            var qs = "query=" + Uri.EscapeDataString(query)
                + "&start=" + ((oracle.T0 / 1000.0) + start).ToString("0.###", CultureInfo.InvariantCulture)
                + "&end=" + ((oracle.T0 / 1000.0) + end).ToString("0.###", CultureInfo.InvariantCulture)
                + "&step=" + step;
            await CompareAsync("/api/v1/query_range?" + qs, $"{query} range T0{start:+0.###;-0.###}..T0+{end} step {step}");
        }
    }

    private async Task CompareAsync(string pathAndQuery, string what)
    {
        var (promCode, promBody) = await GetAsync(oracle.PrometheusUrl + pathAndQuery);
        var (ourCode, ourBody) = await GetAsync(oracle.OurUrl + pathAndQuery);
        Assert.True(promCode == ourCode, $"{what}: HTTP {ourCode} (ours) vs {promCode} (prometheus)\nours: {Trim(ourBody)}\nprom: {Trim(promBody)}");
        using var prom = JsonDocument.Parse(promBody);
        using var ours = JsonDocument.Parse(ourBody);
        var status = prom.RootElement.GetProperty("status").GetString();
        Assert.Equal(status, ours.RootElement.GetProperty("status").GetString());
        if (status != "success")
        {
            Assert.Equal(prom.RootElement.GetProperty("errorType").GetString(), ours.RootElement.GetProperty("errorType").GetString());
            Assert.False(string.IsNullOrEmpty(ours.RootElement.GetProperty("error").GetString()));
            return;
        }
        var diff = ResultComparer.Diff(prom.RootElement.GetProperty("data"), ours.RootElement.GetProperty("data"));
        Assert.True(diff is null, $"{what}: {diff}\nours: {Trim(ourBody)}\nprom: {Trim(promBody)}");
        if (what.StartsWith("sort", StringComparison.Ordinal) && pathAndQuery.Contains("/query?", StringComparison.Ordinal))
        {
            // sort/sort_desc: the order is the answer.
            static string Order(JsonElement data) => string.Join(" | ", data.GetProperty("result").EnumerateArray().Select(e => e.GetProperty("metric").GetRawText()));
            Assert.Equal(Order(prom.RootElement.GetProperty("data")), Order(ours.RootElement.GetProperty("data")));
        }
    }

    private static string Trim(string s) => s.Length > 3000 ? s[..3000] + "…" : s;

    private async Task<(int, string)> GetAsync(string url)
    {
        using var r = await oracle.Http.GetAsync(url);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }
}
