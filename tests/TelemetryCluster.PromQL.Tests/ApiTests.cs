using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TelemetryCluster.PromQL.Tests;

/// <summary>The HTTP surface against the real Prometheus: promtool output, metadata endpoints, parameters, errors, formatting.</summary>
[Collection(OracleCollection.Name)]
public sealed class ApiTests(PrometheusOracle oracle)
{
    private string T(double offsetSeconds) => ((oracle.T0 / 1000.0) + offsetSeconds).ToString("0.###", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("up")]
    [InlineData("sum(rate(http_requests_total[5m]))")]
    [InlineData("memory_usage_bytes / 1024")]
    [InlineData("http_requests_total{job=\"api\"}")]
    [InlineData("1 + 1")]
    [InlineData("vector(1e-7)")]
    public async Task Promtool_query_instant_prints_the_same(string query)
    {
        var promtool = Tools.Find("promtool");
        var p = await Tools.RunAsync(promtool, ["query", "instant", "--time=" + T(1230), oracle.PrometheusUrl, query], TimeSpan.FromSeconds(30));
        var o = await Tools.RunAsync(promtool, ["query", "instant", "--time=" + T(1230), oracle.OurUrl, query], TimeSpan.FromSeconds(30));
        Assert.Equal(0, p.Code);
        Assert.Equal((p.Code, p.Stdout, p.Stderr), (o.Code, o.Stdout, o.Stderr));
        Assert.NotEmpty(o.Stdout);
    }

    [Theory]
    [InlineData("sum by (job) (http_requests_total)")]
    [InlineData("rate(http_requests_total{instance=\"i1\"}[2m])")]
    [InlineData("histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))")]
    public async Task Promtool_query_range_prints_the_same(string query)
    {
        var promtool = Tools.Find("promtool");
        string[] args(string url) => ["query", "range", "--start=" + T(0), "--end=" + T(1800), "--step=1m", url, query];
        var p = await Tools.RunAsync(promtool, args(oracle.PrometheusUrl), TimeSpan.FromSeconds(30));
        var o = await Tools.RunAsync(promtool, args(oracle.OurUrl), TimeSpan.FromSeconds(30));
        Assert.Equal(0, p.Code);
        Assert.Equal((p.Code, p.Stdout, p.Stderr), (o.Code, o.Stdout, o.Stderr));
        Assert.Contains("@[", o.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_reports_a_syntax_error_the_same_way()
    {
        var promtool = Tools.Find("promtool");
        var p = await Tools.RunAsync(promtool, ["query", "instant", oracle.PrometheusUrl, "sum("], TimeSpan.FromSeconds(30));
        var o = await Tools.RunAsync(promtool, ["query", "instant", oracle.OurUrl, "sum("], TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, p.Code);
        Assert.Equal(p.Code, o.Code);
        Assert.StartsWith("query error: bad_data: invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis", p.Stderr, StringComparison.Ordinal);
        Assert.Equal(p.Stderr, o.Stderr);
    }

    [Theory]
    [InlineData("/api/v1/labels")]
    [InlineData("/api/v1/label/job/values")]
    [InlineData("/api/v1/label/__name__/values")]
    [InlineData("/api/v1/label/le/values")]
    [InlineData("/api/v1/label/nonexistent/values")]
    [InlineData("/api/v1/series?match[]=up")]
    [InlineData("/api/v1/series?match[]=up&match[]={job=\"web\"}")]
    [InlineData("/api/v1/series?match[]=http_requests_total{instance=~\"i.*\"}")]
    [InlineData("/api/v1/labels?match[]=up")]
    [InlineData("/api/v1/label/instance/values?match[]=memory_usage_bytes")]
    [InlineData("/api/v1/series")]
    [InlineData("/api/v1/series?match[]={job=~\".*\"}")]
    [InlineData("/api/v1/series?match[]=sum(up)")]
    [InlineData("/api/v1/label/a-b/values")]
    public async Task Metadata_endpoints_answer_like_prometheus(string pathAndQuery)
    {
        var (pc, pb) = await Get(oracle.PrometheusUrl + pathAndQuery);
        var (oc, ob) = await Get(oracle.OurUrl + pathAndQuery);
        Assert.True(pc == oc, $"{pathAndQuery}: {oc} vs {pc}: {ob} / {pb}");
        using var pj = JsonDocument.Parse(pb);
        using var oj = JsonDocument.Parse(ob);
        if (pc == 200)
        {
            Assert.Equal(pj.RootElement.GetProperty("data").GetRawText(), oj.RootElement.GetProperty("data").GetRawText());
        }
        else
        {
            Assert.Equal(pj.RootElement.GetProperty("errorType").GetString(), oj.RootElement.GetProperty("errorType").GetString());
        }
    }

    [Theory]
    [InlineData("/api/v1/query?query=up&time=abc")]
    [InlineData("/api/v1/query?query=up&timeout=abc")]
    [InlineData("/api/v1/query?query=sum(")]
    [InlineData("/api/v1/query")]
    [InlineData("/api/v1/query?query=foo{__name__=~\"x\"}")]
    [InlineData("/api/v1/query_range?query=up&start=1&end=100")]
    [InlineData("/api/v1/query_range?query=up&start=100&end=1&step=1")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=20000&step=1")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100&step=0")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100&step=-1")]
    [InlineData("/api/v1/query_range?query=up&start=x&end=100&step=1")]
    [InlineData("/api/v1/query_range?query=\"s\"&start=0&end=100&step=1")]
    [InlineData("/api/v1/query?query=up&time=2026-11-26T02:36:00.5Z")]
    [InlineData("/api/v1/query?query=time()&time=1700000000.123456")]
    [InlineData("/api/v1/query?query=up&timeout=0.000001")]
    [InlineData("/api/v1/query?query=up&timeout=1h30m")]
    public async Task Parameters_and_errors_match_prometheus(string pathAndQuery)
    {
        var (pc, pb) = await Get(oracle.PrometheusUrl + pathAndQuery);
        var (oc, ob) = await Get(oracle.OurUrl + pathAndQuery);
        Assert.True(pc == oc, $"{pathAndQuery}: {oc} vs {pc}: {ob} / {pb}");
        using var pj = JsonDocument.Parse(pb);
        using var oj = JsonDocument.Parse(ob);
        if (pc == 200)
        {
            Assert.Null(ResultComparer.Diff(pj.RootElement.GetProperty("data"), oj.RootElement.GetProperty("data")));
        }
        else
        {
            Assert.Equal(pj.RootElement.GetProperty("errorType").GetString(), oj.RootElement.GetProperty("errorType").GetString());
            var pe = pj.RootElement.GetProperty("error").GetString()!;
            var oe = oj.RootElement.GetProperty("error").GetString()!;
            // Same parameter named first in the message (a timeout's stage wording varies in Prometheus).
            if (pc != 503)
            {
                Assert.Equal(pe.Split(':')[0], oe.Split(':')[0]);
            }
        }
    }

    [Theory]
    [InlineData("vector(1e-7)", "1e-07")]
    [InlineData("vector(0.000001)", "0.000001")]
    [InlineData("vector(1.5e-6)", "0.0000015")]
    [InlineData("vector(1e20)", "100000000000000000000")]
    [InlineData("vector(1e21)", "1e+21")]
    [InlineData("vector(123456789012345678)", "123456789012345680")]
    [InlineData("vector(1/3)", "0.3333333333333333")]
    [InlineData("vector(1.5e300)", "1.5e+300")]
    [InlineData("vector(-2.5e-5)", "-0.000025")]
    [InlineData("vector(+Inf)", "+Inf")]
    [InlineData("vector(-Inf)", "-Inf")]
    [InlineData("vector(NaN)", "NaN")]
    [InlineData("vector(-0 * 1)", "-0")]
    [InlineData("1e-7", "0.0000001")]
    [InlineData("1e21", "1000000000000000000000")]
    public async Task Values_are_spelled_exactly_like_prometheus(string query, string expected)
    {
        foreach (var url in new[] { oracle.PrometheusUrl, oracle.OurUrl })
        {
            var (code, body) = await Get(url + "/api/v1/query?query=" + Uri.EscapeDataString(query) + "&time=1700000000.5");
            Assert.Equal(200, code);
            using var j = JsonDocument.Parse(body);
            var result = j.RootElement.GetProperty("data").GetProperty("result");
            var pair = result.ValueKind == JsonValueKind.Array && result.GetArrayLength() > 0 && result[0].ValueKind == JsonValueKind.Object ? result[0].GetProperty("value") : result;
            Assert.Equal(expected, pair[1].GetString());
            // Vector timestamps carry exactly three ms digits; scalar timestamps are a plain float.
            Assert.Equal(query.StartsWith("vector", StringComparison.Ordinal) ? "1700000000.500" : "1700000000.5", pair[0].GetRawText());
        }
    }

    [Fact]
    public async Task Post_form_plus_decoding_and_body_precedence_match_prometheus()
    {
        foreach (var url in new[] { oracle.PrometheusUrl, oracle.OurUrl })
        {
            // '+' is a space; the POST body wins over the URL's query string (Go FormValue).
            using var content = new StringContent("query=sum+by+(job)+(up)&time=" + T(1230), System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");
            using var r = await oracle.Http.PostAsync(url + "/api/v1/query?query=nonexistent", content);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
            using var j = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            var jobs = j.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(e => e.GetProperty("metric").GetProperty("job").GetString()).Order().ToList();
            Assert.Equal(["api", "web"], jobs);
        }
        var (code, _) = await Send(HttpMethod.Put, oracle.OurUrl + "/api/v1/query?query=up");
        Assert.Equal(405, code);
    }

    [Fact]
    public async Task Buildinfo_has_the_prometheus_shape()
    {
        var (code, body) = await Get(oracle.OurUrl + "/api/v1/status/buildinfo");
        Assert.Equal(200, code);
        using var j = JsonDocument.Parse(body);
        var data = j.RootElement.GetProperty("data");
        foreach (var k in new[] { "version", "revision", "branch", "buildUser", "buildDate", "goVersion" })
        {
            Assert.Equal(JsonValueKind.String, data.GetProperty(k).ValueKind);
        }
        Assert.StartsWith("2.", data.GetProperty("version").GetString(), StringComparison.Ordinal);
    }

    private async Task<(int, string)> Get(string url) => await Send(HttpMethod.Get, url);

    private async Task<(int, string)> Send(HttpMethod method, string url)
    {
        using var req = new HttpRequestMessage(method, url);
        using var r = await oracle.Http.SendAsync(req);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }
}
