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
    }

    private static string Trim(string s) => s.Length > 3000 ? s[..3000] + "…" : s;

    private async Task<(int, string)> GetAsync(string url)
    {
        using var r = await oracle.Http.GetAsync(url);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }
}

/// <summary>Compares two Prometheus API data objects: result type, label sets, timestamps, values to 1e-9 relative.</summary>
internal static class ResultComparer
{
    public static string? Diff(JsonElement expected, JsonElement actual)
    {
        var type = expected.GetProperty("resultType").GetString();
        var atype = actual.GetProperty("resultType").GetString();
        if (type != atype)
        {
            return $"resultType {atype} != {type}";
        }
        var e = expected.GetProperty("result");
        var a = actual.GetProperty("result");
        switch (type)
        {
            case "scalar" or "string":
                return PointDiff(e, a, type == "string");
            case "vector" or "matrix":
                var em = BySeries(e, type == "vector" ? "value" : "values");
                var am = BySeries(a, type == "vector" ? "value" : "values");
                if (em.Count != e.GetArrayLength() || am.Count != a.GetArrayLength())
                {
                    return "duplicate label sets in a result";
                }
                foreach (var k in em.Keys)
                {
                    if (!am.ContainsKey(k))
                    {
                        return $"missing series {k} (ours has: {string.Join(" ", am.Keys)})";
                    }
                }
                foreach (var k in am.Keys)
                {
                    if (!em.ContainsKey(k))
                    {
                        return $"extra series {k}";
                    }
                }
                foreach (var (k, pts) in em)
                {
                    var apts = am[k];
                    if (pts.Count != apts.Count)
                    {
                        return $"series {k}: {apts.Count} points vs {pts.Count}";
                    }
                    for (int i = 0; i < pts.Count; i++)
                    {
                        var d = PointDiff(pts[i], apts[i], false);
                        if (d is not null)
                        {
                            return $"series {k} point {i}: {d}";
                        }
                    }
                }
                return null;
            default:
                return "unknown result type " + type;
        }
    }

    private static Dictionary<string, List<JsonElement>> BySeries(JsonElement result, string valueKey)
    {
        var d = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var s in result.EnumerateArray())
        {
            var labels = string.Join(",", s.GetProperty("metric").EnumerateObject().Select(p => p.Name + "=" + p.Value.GetString()).Order(StringComparer.Ordinal));
            var v = s.GetProperty(valueKey);
            d["{" + labels + "}"] = valueKey == "value" ? [v] : v.EnumerateArray().ToList();
        }
        return d;
    }

    private static string? PointDiff(JsonElement e, JsonElement a, bool isString)
    {
        double et = e[0].GetDouble(), at = a[0].GetDouble();
        if (Math.Abs(et - at) > 0.0005)
        {
            return $"timestamp {at} != {et}";
        }
        var es = e[1].GetString()!;
        var @as = a[1].GetString()!;
        if (isString)
        {
            return es == @as ? null : $"\"{@as}\" != \"{es}\"";
        }
        double ev = Parse(es), av = Parse(@as);
        if (double.IsNaN(ev) && double.IsNaN(av))
        {
            return null;
        }
        if (ev.Equals(av))
        {
            return null;
        }
        if (double.IsInfinity(ev) || double.IsInfinity(av) || double.IsNaN(ev) || double.IsNaN(av))
        {
            return $"{@as} != {es}";
        }
        double tol = Math.Max(1e-12, 1e-9 * Math.Max(Math.Abs(ev), Math.Abs(av)));
        return Math.Abs(ev - av) <= tol ? null : $"{@as} != {es}";
    }

    public static double Parse(string s) => s switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
