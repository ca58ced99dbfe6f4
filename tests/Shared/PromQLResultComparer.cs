using System.Globalization;
using System.Text.Json;

namespace TelemetryCluster.Testing;

// Shared by tests/TelemetryCluster.PromQL.Tests (the differential tests) and tests/TelemetryCluster.Benchmarks (the
// promql workload), each compiling this file in (see their .csproj).

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
