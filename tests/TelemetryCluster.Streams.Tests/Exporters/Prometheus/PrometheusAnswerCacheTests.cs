using System.IO.Compression;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Exporters.Prometheus;
using TelemetryCluster.Streams.Tests.Exporters.Debug;
using Xunit;
using static TelemetryCluster.Streams.Tests.Exporters.Prometheus.PromTestData;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

/// <summary>
/// The exporter's encoded-answer cache, over its real /metrics server on loopback: cached bytes are exactly a fresh
/// encoding in every variant; new content, expiry and a new cluster-view version give new bytes; an unchanged view is
/// never encoded again.
/// </summary>
public sealed class PrometheusAnswerCacheTests() : PrometheusExporterTestBase("prometheus-cache-tests")
{
    private const string OpenMetricsAccept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    public static TheoryData<bool> Timestamps { get; } = [false, true];

    [Theory]
    [MemberData(nameof(Timestamps))]
    public async Task Every_variant_is_encoded_once_and_its_cached_bytes_equal_a_fresh_encoding(bool timestamps)
    {
        var ct = TestContext.Current.CancellationToken;
        var exporter = await StartAsync(c => c with { EnableOpenMetrics = true, SendTimestamps = timestamps });
        await Export(exporter, PrometheusExporterHttpTests.Corpus());
        var view = await exporter.ViewAsync(ct);

        foreach (var (accept, format) in new[] { ((string?)null, ExpositionFormat.Text), (OpenMetricsAccept, ExpositionFormat.OpenMetrics) })
        {
            foreach (var gzip in new[] { false, true })
            {
                using var first = await GetAsync(exporter, accept, gzip);
                using var second = await GetAsync(exporter, accept, gzip);
                var bytes = await first.Content.ReadAsByteArrayAsync(ct);
                var again = await second.Content.ReadAsByteArrayAsync(ct);

                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                Assert.Equal(bytes.Length, first.Content.Headers.ContentLength);
                Assert.Equal(gzip ? ["gzip"] : [], first.Content.Headers.ContentEncoding);
                Assert.Equal(bytes, again);
                Assert.Equal(Fresh(view.Snapshot, format, timestamps), gzip ? Gunzip(bytes) : bytes);
                Assert.Equal(MetricsResponse.Encode(view.Snapshot, format, gzip, timestamps), bytes);
            }
        }

        Assert.Equal(4, exporter.Encodings);
        Assert.True(view.Snapshot.SeriesCount > 10, "the corpus has many series");
    }

    [Fact]
    public async Task New_content_gives_new_bytes_and_an_unchanged_state_keeps_the_cached_array()
    {
        var ct = TestContext.Current.CancellationToken;
        var exporter = await StartAsync();
        await Export(exporter, Request(Gauge("cached.value", string.Empty, Point(1, Sec(1)))));

        var first = await BodyAsync(exporter, gzip: true, ct);
        var view = await exporter.ViewAsync(ct);
        Assert.Same(view, await exporter.ViewAsync(ct));
        var again = await BodyAsync(exporter, gzip: true, ct);
        Assert.Equal(1, exporter.Encodings);
        Assert.Equal(first, again);

        await Export(exporter, Request(Gauge("cached.value", string.Empty, Point(2, Sec(2)))));
        var changed = await BodyAsync(exporter, gzip: true, ct);

        Assert.Equal(2, exporter.Encodings);
        Assert.NotSame(view, await exporter.ViewAsync(ct));
        Assert.EndsWith("} 1", Line(first, "cached_value{"), StringComparison.Ordinal);
        Assert.EndsWith("} 2", Line(changed, "cached_value{"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_series_is_never_served_from_the_cache()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var exporter = await StartAsync(c => c with { MetricExpiration = TimeSpan.FromMinutes(5) }, time);
        await Export(exporter, Request(Gauge("old", string.Empty, Point(1, Sec(1)))));
        time.Advance(TimeSpan.FromMinutes(3));
        await Export(exporter, Request(Gauge("young", string.Empty, Point(1, Sec(2)))));
        var both = Encoding.UTF8.GetString(await BodyAsync(exporter, gzip: false, ct));
        Assert.Equal(both, Encoding.UTF8.GetString(await BodyAsync(exporter, gzip: false, ct)));
        Assert.Equal(1, exporter.Encodings);

        // Nothing else happens: only the clock moves past old's expiry, and the very next scrape no longer has it.
        time.Advance(TimeSpan.FromMinutes(2));
        var after = Encoding.UTF8.GetString(await BodyAsync(exporter, gzip: false, ct));

        Assert.Contains("old{", both, StringComparison.Ordinal);
        Assert.DoesNotContain("old", after, StringComparison.Ordinal);
        Assert.Contains("young{", after, StringComparison.Ordinal);
        Assert.Equal(2, exporter.Encodings);
    }

    [Fact]
    public async Task With_a_hub_the_answer_follows_the_views_version()
    {
        var ct = TestContext.Current.CancellationToken;
        var hub = new VersionedHub();
        System.RegisterExtension(new HubId(hub));
        var exporter = await StartAsync();
        static PrometheusSnapshot View(double value) =>
            new([new PrometheusFamily("cached_value", PrometheusMetricType.Gauge, "h", string.Empty, [new PrometheusSeries([new PrometheusLabel("a", "b")], 1, value)])]);
        hub.Set(View(1), 1);

        var plain = await BodyAsync(exporter, gzip: false, ct);
        var zipped = await BodyAsync(exporter, gzip: true, ct);

        // The same version handed out with another (equal) snapshot instance: still the cached bytes.
        hub.Set(View(1), 1);
        Assert.Equal(zipped, await BodyAsync(exporter, gzip: true, ct));
        Assert.Equal(2, exporter.Encodings);

        hub.Set(View(2), 2);
        var changed = await BodyAsync(exporter, gzip: true, ct);

        var text = "# HELP cached_value h\n# TYPE cached_value gauge\ncached_value{a=\"b\"} 1\n";
        Assert.Equal(text, Encoding.UTF8.GetString(plain));
        Assert.Equal(text, Encoding.UTF8.GetString(Gunzip(zipped)));
        Assert.Equal(text.Replace("} 1\n", "} 2\n", StringComparison.Ordinal), Encoding.UTF8.GetString(Gunzip(changed)));
        Assert.Equal(3, exporter.Encodings);
    }

    [Fact]
    public void The_cache_keeps_one_array_per_version_and_variant_and_never_caches_an_unknown_version()
    {
        var cache = new EncodedAnswerCache(timestamps: false);
        var snapshot = new PrometheusSnapshot([new PrometheusFamily("x", PrometheusMetricType.Gauge, string.Empty, string.Empty, [new PrometheusSeries([], 1, 3)])]);
        var v1 = new PrometheusMergedView(snapshot, new PrometheusContentVersion(5, 1));

        var text = cache.Get(v1, ExpositionFormat.Text, gzip: false);
        Assert.Same(text, cache.Get(v1 with { }, ExpositionFormat.Text, gzip: false));
        Assert.NotSame(text, cache.Get(v1, ExpositionFormat.Text, gzip: true));
        Assert.Same(cache.Get(v1, ExpositionFormat.OpenMetrics, gzip: true), cache.Get(v1, ExpositionFormat.OpenMetrics, gzip: true));
        Assert.Equal(3, cache.Encodings);

        Assert.NotSame(text, cache.Get(v1 with { Version = new PrometheusContentVersion(5, 2) }, ExpositionFormat.Text, gzip: false));
        var unknown = v1 with { Version = PrometheusContentVersion.None };
        Assert.NotSame(cache.Get(unknown, ExpositionFormat.Text, gzip: false), cache.Get(unknown, ExpositionFormat.Text, gzip: false));
        Assert.Equal(6, cache.Encodings);
        Assert.Equal("# TYPE x gauge\nx 3\n", Encoding.UTF8.GetString(text));
    }

    private static string Line(byte[] gzipped, string prefix) =>
        Encoding.UTF8.GetString(Gunzip(gzipped)).Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));

    private static byte[] Fresh(PrometheusSnapshot snapshot, ExpositionFormat format, bool timestamps)
    {
        using var buffer = new PooledBufferWriter();
        PrometheusTextWriter.Write(buffer, snapshot, format, timestamps);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private async Task<HttpResponseMessage> GetAsync(PrometheusExporter exporter, string? accept, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{exporter.Port}/metrics"));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (gzip)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        }

        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<byte[]> BodyAsync(PrometheusExporter exporter, bool gzip, CancellationToken ct)
    {
        using var response = await GetAsync(exporter, null, gzip);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    private sealed class VersionedHub : IPrometheusViewHub
    {
        private volatile PrometheusMergedView _view = new(PrometheusSnapshot.Empty, new PrometheusContentVersion(9, 0));

        public void Set(PrometheusSnapshot snapshot, long sequence) => _view = new PrometheusMergedView(snapshot, new PrometheusContentVersion(9, sequence));

        public void Publish(string exporterId, PrometheusSnapshot snapshot, PrometheusContentVersion version)
        {
        }

        public Task<PrometheusMergedView> GetMergedAsync(string exporterId, CancellationToken cancellationToken) => Task.FromResult(_view);
    }

    private sealed class HubId(IPrometheusViewHub hub) : ExtensionIdProvider<IPrometheusViewHub>
    {
        public override IPrometheusViewHub CreateExtension(ExtendedActorSystem system) => hub;
    }
}
