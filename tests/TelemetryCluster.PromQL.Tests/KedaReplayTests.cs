using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TelemetryCluster.PromQL.Api;
using TelemetryCluster.PromQL.Storage;

namespace TelemetryCluster.PromQL.Tests;

/// <summary>
/// Replays the requests KEDA's prometheus scaler sends (GET, QueryEscape with '+', RFC3339 second-precision time,
/// bearer or basic auth) and decodes the answers with KEDA's rules.
/// </summary>
public sealed class KedaReplayTests : IAsyncLifetime
{
    private const string Token = "s3cret-token";
    private readonly SeriesStore _store = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private OurServer? _bearer;
    private OurServer? _basic;
    private DateTimeOffset _now;

    public async ValueTask InitializeAsync()
    {
        _now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        long t = _now.ToUnixTimeMilliseconds();
        foreach (var inst in new[] { "10.0.0.1:8888", "10.0.0.2:8888" })
        {
            var l = Labels.From(("__name__", "otelcol_receiver_accepted_metric_points_total"), ("receiver", "otlp"), ("transport", "grpc"), ("instance", inst));
            for (int i = 0; i <= 8; i++)
            {
                Assert.Equal(AppendResult.Ok, _store.Append(l, t - ((8 - i) * 15_000), 1000 + (i * 150)));
            }
        }
        foreach (var (pod, mem) in new[] { ("app-1", 100_000_000.0), ("app-2", 60_000_000.0), ("other-1", 500_000_000.0) })
        {
            _store.Append(Labels.From(("__name__", "container_memory_working_set_bytes"), ("pod", pod)), t - 10_000, mem);
            _store.Append(Labels.From(("__name__", "kube_pod_container_resource_limits"), ("pod", pod), ("resource", "memory")), t - 10_000, 200_000_000);
        }
        _bearer = await OurServer.StartAsync(_store, new PrometheusQueryApiOptions { BearerToken = Token });
        _basic = await OurServer.StartAsync(_store, new PrometheusQueryApiOptions { BasicUsername = "keda", BasicPassword = "pw" });
    }

    public async ValueTask DisposeAsync()
    {
        await _bearer!.DisposeAsync();
        await _basic!.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>Go's url.QueryEscape.</summary>
    private static string QueryEscape(string s) => Uri.EscapeDataString(s).Replace("%20", "+", StringComparison.Ordinal);

    private async Task<(int Status, string Body)> KedaGet(string server, string query, AuthenticationHeaderValue? auth)
    {
        var url = server + "/api/v1/query?query=" + QueryEscape(query) + "&time=" + _now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        req.Headers.UserAgent.ParseAdd("Go-http-client/1.1");
        req.Headers.AcceptEncoding.ParseAdd("gzip");
        req.Headers.Authorization = auth;
        using var r = await _http.SendAsync(req);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>KEDA's decision table (prometheus_scaler.go ExecutePromQuery).</summary>
    private static double KedaDecode(int status, string body, string query, bool ignoreNullValues = true)
    {
        if (status is < 200 or > 299)
        {
            throw new InvalidOperationException($"prometheus query api returned error. status: {status}");
        }
        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("result", out var result) || result.ValueKind == JsonValueKind.Null)
        {
            return ignoreNullValues ? 0 : throw new InvalidOperationException("prometheus metrics 'prometheus' target may be lost, the result is empty");
        }
        if (result.ValueKind != JsonValueKind.Array || result.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
        {
            throw new InvalidOperationException("json: cannot unmarshal result");
        }
        int n = result.GetArrayLength();
        if (n == 0)
        {
            return ignoreNullValues ? 0 : throw new InvalidOperationException("prometheus metrics 'prometheus' target may be lost, the result is empty");
        }
        if (n > 1)
        {
            throw new InvalidOperationException($"prometheus query {query} returned multiple elements");
        }
        var value = result[0].TryGetProperty("value", out var v) ? v : default;
        int len = value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0;
        if (len == 0)
        {
            return ignoreNullValues ? 0 : throw new InvalidOperationException("prometheus metrics 'prometheus' target may be lost, the value list is empty");
        }
        if (len < 2)
        {
            throw new InvalidOperationException($"prometheus query {query} didn't return enough values");
        }
        var s = value[1].GetString()!; // a JSON number here would panic KEDA: we always send strings
        var f = ResultComparer.Parse(s);
        if (double.IsNaN(f) || double.IsInfinity(f))
        {
            return ignoreNullValues ? 0 : throw new InvalidOperationException("promtheus query returns " + s);
        }
        return f;
    }

    private Task<(int Status, string Body)> WithBearer(string query) => KedaGet(_bearer!.Url, query, new AuthenticationHeaderValue("Bearer", Token));

    [Fact]
    public async Task Sum_of_rate_is_one_element_with_the_cluster_rate()
    {
        const string q = "sum(rate(otelcol_receiver_accepted_metric_points_total[1m]))";
        var (status, body) = await WithBearer(q);
        Assert.Equal(200, status);
        // 150 points every 15 s on each of two members, samples exactly on both window edges: 2 × 10/s.
        Assert.Equal(20, KedaDecode(status, body, q));
        Assert.Contains("\"value\":[", body, StringComparison.Ordinal);
        Assert.Contains(",\"20\"]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Memory_ratio_query_from_the_example_scaled_object()
    {
        const string q = "sum(container_memory_working_set_bytes{pod=~\"app-.*\"}) / sum(kube_pod_container_resource_limits{resource=\"memory\",pod=~\"app-.*\"})";
        var (status, body) = await WithBearer(q);
        Assert.Equal(0.4, KedaDecode(status, body, q), 12);
    }

    [Fact]
    public async Task Empty_results_read_as_zero_and_or_vector_zero_gives_one_element()
    {
        const string empty = "sum(rate(nonexistent_total[2m]))";
        var (s1, b1) = await WithBearer(empty);
        Assert.Equal(200, s1);
        Assert.Contains("\"result\":[]", b1, StringComparison.Ordinal);
        Assert.Equal(0, KedaDecode(s1, b1, empty));
        Assert.Throws<InvalidOperationException>(() => KedaDecode(s1, b1, empty, ignoreNullValues: false));

        const string withFallback = "sum(rate(nonexistent_total[2m])) or vector(0)";
        var (s2, b2) = await WithBearer(withFallback);
        Assert.Equal(0, KedaDecode(s2, b2, withFallback, ignoreNullValues: false));
    }

    [Fact]
    public async Task Several_elements_scalars_and_errors_are_errors_for_keda()
    {
        const string many = "rate(otelcol_receiver_accepted_metric_points_total[1m])";
        var (s1, b1) = await WithBearer(many);
        Assert.Equal(200, s1);
        Assert.Contains("multiple elements", Assert.Throws<InvalidOperationException>(() => KedaDecode(s1, b1, many)).Message, StringComparison.Ordinal);

        var (s2, b2) = await WithBearer("1 + 1");
        Assert.Contains("\"resultType\":\"scalar\"", b2, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => KedaDecode(s2, b2, "1 + 1"));

        var (s3, b3) = await WithBearer("sum(rate(x[1m])");
        Assert.Equal(400, s3);
        Assert.Contains("\"errorType\":\"bad_data\"", b3, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => KedaDecode(s3, b3, "sum(rate(x[1m])"));

        var (s4, _) = await WithBearer("otelcol_receiver_accepted_metric_points_total - ignoring(instance) otelcol_receiver_accepted_metric_points_total");
        Assert.Equal(422, s4);
    }

    [Fact]
    public async Task Authentication_is_enforced()
    {
        const string q = "sum(rate(otelcol_receiver_accepted_metric_points_total[1m]))";
        Assert.Equal(401, (await KedaGet(_bearer!.Url, q, null)).Status);
        Assert.Equal(401, (await KedaGet(_bearer.Url, q, new AuthenticationHeaderValue("Bearer", "wrong"))).Status);
        Assert.Equal(401, (await KedaGet(_basic!.Url, q, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("keda:nope"))))).Status);
        var (status, body) = await KedaGet(_basic.Url, q, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("keda:pw"))));
        Assert.Equal(20, KedaDecode(status, body, q));
        Assert.Throws<InvalidOperationException>(() => KedaDecode(401, "", q));
    }
}
