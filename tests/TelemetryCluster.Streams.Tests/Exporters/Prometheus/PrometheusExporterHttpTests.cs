using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Exporters.Prometheus;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;
using static TelemetryCluster.Streams.Tests.Exporters.Prometheus.PromTestData;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

/// <summary>The exporter's real /metrics server on loopback, checked by the real promtool.</summary>
public sealed class PrometheusExporterHttpTests() : PrometheusExporterTestBase("prometheus-exporter-tests")
{

    /// <summary>Every OTLP metric type, units, odd attribute names, empty and unicode values, a namespace and const labels.</summary>
    internal static ExportMetricsServiceRequest Corpus()
    {
        var resource = new Resource
        {
            Attributes =
            {
                Attr("service.name", "checkout"),
                Attr("service.namespace", "shop"),
                Attr("service.instance.id", "pod-7"),
                Attr("k8s.pod.name", "checkout-7"),
                Attr("cloud.region", "eu-west-1"),
                Attr("weird key/with:chars", "ok"),
            },
        };
        var odd = new[]
        {
            Attr("http.request.method", "GET"),
            Attr("0leading.digit", "d"),
            Attr("dash-and.dot", "x"),
            Attr("empty.value", string.Empty),
            Attr("unicode", "héllo wörld ☃ \"quoted\" back\\slash new\nline"),
            Attr("名前", "日本"),
            Attr("count", 42),
        };
        var exponential = ExponentialHistogram("payload.size", Sec(5));
        exponential.Unit = "By";
        var resetDelta = Sum("retries", "{retries}", true, AggregationTemporality.Delta, Point(2, Sec(5), Sec(4), odd));
        var request = Request(
            resource,
            Gauge("queue.depth", "{items}", Point(12, Sec(5), 0, odd), Point(3, Sec(5), 0, Attr("http.request.method", "POST"))),
            Gauge("memory.utilization", "1", Point(0.25, Sec(5))),
            Gauge("temperature", "Cel", Point(-3.5, Sec(5))),
            Gauge("special.values", "s", Point(double.PositiveInfinity, Sec(5), 0, Attr("kind", "inf")), Point(double.NaN, Sec(5), 0, Attr("kind", "nan")), Point(1e-12, Sec(5), 0, Attr("kind", "tiny")), Point(1e300, Sec(5), 0, Attr("kind", "huge"))),
            Sum("http.server.requests", "{requests}", true, AggregationTemporality.Cumulative, Point(1027, Sec(5), Sec(0), odd)),
            Sum("network.io", "By", true, AggregationTemporality.Cumulative, Point(4096, Sec(5), Sec(0), Attr("direction", "rx"))),
            Sum("db.connections", "{connections}", false, AggregationTemporality.Cumulative, Point(7, Sec(5), Sec(0))),
            resetDelta,
            Histogram("http.server.duration", "s", AggregationTemporality.Cumulative, HistogramPoint(Sec(5), Sec(0), 5.3, [0.05, 0.1, 0.5], [24, 9, 100, 11], odd)),
            Histogram("batch.size", "By", AggregationTemporality.Delta, HistogramPoint(Sec(5), Sec(4), 1024, [128, 1024], [1, 2, 0])),
            exponential,
            Summary("gc.pause", Sec(5), 3.5, 7, (0.5, 0.2), (0.99, 0.9)));
        return request;
    }

    private async Task<HttpResponseMessage> GetAsync(PrometheusExporter exporter, string path = "/metrics", string? accept = null, string? encoding = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri($"http://127.0.0.1:{exporter.Port}{path}"));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (encoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        }

        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Promtool_check_metrics_passes_on_the_whole_corpus()
    {
        var exporter = await StartAsync(c => c with { Namespace = "acme", ConstLabels = [new PrometheusLabel("cluster", "eu-1"), new PrometheusLabel("team", "payments")] });
        await Export(exporter, Corpus());

        using var response = await GetAsync(exporter);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var text = Encoding.UTF8.GetString(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var (rc, stdout, stderr) = await Promtool.RunAsync(["check", "metrics"], body, TestContext.Current.CancellationToken);
        Assert.True(rc == 0, $"promtool check metrics exited {rc}\n{stdout}\n{stderr}\n---\n{text}");
        TestContext.Current.TestOutputHelper?.WriteLine(text);

        // Every type made it, with namespace and const labels on every sample.
        foreach (var family in new[] { "acme_queue_depth", "acme_memory_utilization_ratio", "acme_temperature_celsius", "acme_http_server_requests_total", "acme_network_io_bytes_total", "acme_db_connections", "acme_retries_total", "acme_http_server_duration_seconds", "acme_batch_size_bytes", "acme_payload_size_bytes", "acme_gc_pause_seconds", "acme_target_info" })
        {
            Assert.Contains($"# TYPE {family} ", text, StringComparison.Ordinal);
        }

        Assert.All(Samples(text), s => Assert.Contains("cluster=\"eu-1\"", s, StringComparison.Ordinal));
        Assert.All(Samples(text), s => Assert.Contains("team=\"payments\"", s, StringComparison.Ordinal));
        Assert.Contains("acme_target_info{cloud_region=\"eu-west-1\",cluster=\"eu-1\",instance=\"pod-7\",job=\"shop/checkout\",k8s_pod_name=\"checkout-7\",team=\"payments\",weird_key_with_chars=\"ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("unicode=\"héllo wörld ☃ \\\"quoted\\\" back\\\\slash new\\nline\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("empty_value", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenMetrics_with_timestamps_loads_into_a_tsdb_with_promtool()
    {
        var exporter = await StartAsync(c => c with { EnableOpenMetrics = true, SendTimestamps = true, Namespace = "acme", ConstLabels = [new PrometheusLabel("cluster", "eu-1")] });
        await Export(exporter, Corpus());

        using var response = await GetAsync(exporter, accept: "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var text = Encoding.UTF8.GetString(body);

        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE acme_http_server_requests counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# UNIT acme_http_server_duration_seconds seconds\n", text, StringComparison.Ordinal);
        Assert.Contains("le=\"128.0\"", text, StringComparison.Ordinal);
        Assert.Contains(" 1700000005.000\n", text, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("prom-om-");
        try
        {
            var file = Path.Combine(dir.FullName, "metrics.om");
            await File.WriteAllBytesAsync(file, body, TestContext.Current.CancellationToken);
            var (rc, stdout, stderr) = await Promtool.RunAsync(["tsdb", "create-blocks-from", "openmetrics", file, Path.Combine(dir.FullName, "data")], null, TestContext.Current.CancellationToken);
            Assert.True(rc == 0, $"promtool tsdb create-blocks-from openmetrics exited {rc}\n{stdout}\n{stderr}\n---\n{text}");
            Assert.NotEmpty(Directory.GetDirectories(Path.Combine(dir.FullName, "data")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Text_is_the_default_and_openmetrics_needs_the_setting()
    {
        var off = await StartAsync();
        var on = await StartAsync(c => c with { EnableOpenMetrics = true });
        await Export(off, Corpus());
        await Export(on, Corpus());
        const string PrometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

        using var plain = await GetAsync(on);
        using var offAsked = await GetAsync(off, accept: PrometheusAccept);
        using var textPreferred = await GetAsync(on, accept: "text/plain;version=0.0.4,application/openmetrics-text;q=0.5");
        using var onAsked = await GetAsync(on, accept: PrometheusAccept);

        Assert.Equal("text/plain", plain.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/plain", offAsked.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/plain", textPreferred.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/openmetrics-text", onAsked.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("# EOF", await plain.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_when_accepted_with_the_same_bytes()
    {
        var exporter = await StartAsync();
        await Export(exporter, Corpus());

        using var identity = await GetAsync(exporter);
        using var zipped = await GetAsync(exporter, encoding: "gzip");
        var plainBytes = await identity.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var zippedBytes = await zipped.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], zipped.Content.Headers.ContentEncoding);
        using var unzip = new GZipStream(new MemoryStream(zippedBytes), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await unzip.CopyToAsync(unzipped, TestContext.Current.CancellationToken);
        Assert.Equal(plainBytes, unzipped.ToArray());
        Assert.True(zippedBytes.Length < plainBytes.Length);
    }

    [Fact]
    public async Task Only_metrics_is_served_and_only_get_and_head()
    {
        var exporter = await StartAsync();

        using var other = await GetAsync(exporter, "/other");
        using var post = await GetAsync(exporter, method: HttpMethod.Post);
        using var head = await GetAsync(exporter, method: HttpMethod.Head);
        using var empty = await GetAsync(exporter);

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(string.Empty, await empty.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Drops_are_counted_with_their_reason()
    {
        var exporter = await StartAsync();
        await Export(exporter, Request(Sum("updown", string.Empty, false, AggregationTemporality.Delta, Point(1, Sec(1), Sec(0)), Point(1, Sec(1), Sec(0)))));

        Assert.Equal(2, Telemetry.Get(ComponentKind.Exporter, ComponentId.Parse("prometheus"), Signal.Metrics, Outcomes.Dropped, DropReasons.DeltaNonMonotonic));
    }

    [Fact]
    public async Task With_a_hub_the_exporter_publishes_and_serves_the_merged_view()
    {
        var hub = new RecordingHub();
        System.RegisterExtension(new HubId(hub));
        var exporter = await StartAsync();
        await Export(exporter, Request(Gauge("local.only", string.Empty, Point(1, Sec(1)))));
        hub.Merged = new PrometheusSnapshot([new PrometheusFamily("from_the_cluster", PrometheusMetricType.Gauge, "h", string.Empty, [new PrometheusSeries([], 1, 42)])]);

        using var response = await GetAsync(exporter);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal("# HELP from_the_cluster h\n# TYPE from_the_cluster gauge\nfrom_the_cluster 42\n", text);
        var published = Assert.Single(hub.Published);
        Assert.Equal("prometheus", published.Exporter);
        Assert.True(published.Version.IsKnown);
        Assert.Contains(published.Snapshot.Families, f => f.Name == "local_only");

        hub.Fail = true;
        using var failed = await GetAsync(exporter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("1", failed.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task A_tls_block_serves_metrics_over_https()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=prometheus exporter test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var tls = new OtlpTlsConfig { CertPem = certificate.ExportCertificatePem(), KeyPem = key.ExportPkcs8PrivateKeyPem() };
        var exporter = await StartAsync(c => c with { Tls = tls });
        await Export(exporter, Request(Gauge("secure.value", string.Empty, Point(3, Sec(1)))));

        using var handler = new HttpClientHandler
        {
            // Trust exactly this certificate.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.Thumbprint == certificate.Thumbprint,
        };
        using var https = new HttpClient(handler);
        var text = await https.GetStringAsync(new Uri($"https://127.0.0.1:{exporter.Port}/metrics"), TestContext.Current.CancellationToken);

        Assert.Contains("secure_value{", text, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetStringAsync(new Uri($"http://127.0.0.1:{exporter.Port}/metrics"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task With_endpoint_routes_the_exporter_serves_them_next_to_metrics_and_404_otherwise()
    {
        var routes = new EchoRoutes();
        System.RegisterExtension(new RoutesId(routes));
        var exporter = await StartAsync();
        await Export(exporter, Request(Gauge("local.only", string.Empty, Point(1, Sec(1)))));
        var ct = TestContext.Current.CancellationToken;

        using var api = await GetAsync(exporter, "/api/v1/echo");
        using var metrics = await GetAsync(exporter);
        using var other = await GetAsync(exporter, "/other");
        using var post = await GetAsync(exporter, method: HttpMethod.Post);

        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("prometheus", await api.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("# TYPE local_only gauge\n", await metrics.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("404 page not found\n", await other.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["prometheus"], routes.Mapped);
    }

    private sealed class EchoRoutes : IPrometheusEndpointRoutes
    {
        public List<string> Mapped { get; } = [];

        public void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints, string exporterId)
        {
            Mapped.Add(exporterId);
            Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(
                endpoints, "/api/v1/echo", (Microsoft.AspNetCore.Http.RequestDelegate)(http => Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(http.Response, exporterId)));
        }
    }

    private sealed class RoutesId(IPrometheusEndpointRoutes routes) : ExtensionIdProvider<IPrometheusEndpointRoutes>
    {
        public override IPrometheusEndpointRoutes CreateExtension(ExtendedActorSystem system) => routes;
    }

    /// <summary>A hub whose merged view is set by the test; every set is a new content version.</summary>
    private sealed class RecordingHub : IPrometheusViewHub
    {
        private PrometheusMergedView _merged = new(PrometheusSnapshot.Empty, new PrometheusContentVersion(7, 0));

        public List<(string Exporter, PrometheusSnapshot Snapshot, PrometheusContentVersion Version)> Published { get; } = [];

        public PrometheusSnapshot Merged
        {
            get => _merged.Snapshot;
            set => _merged = new PrometheusMergedView(value, _merged.Version with { Sequence = _merged.Version.Sequence + 1 });
        }

        public bool Fail { get; set; }

        public void Publish(string exporterId, PrometheusSnapshot snapshot, PrometheusContentVersion version)
        {
            lock (Published)
            {
                Published.Add((exporterId, snapshot, version));
            }
        }

        public Task<PrometheusMergedView> GetMergedAsync(string exporterId, CancellationToken cancellationToken) =>
            Fail ? Task.FromException<PrometheusMergedView>(new TimeoutException("no singleton")) : Task.FromResult(_merged);
    }

    private sealed class HubId(IPrometheusViewHub hub) : ExtensionIdProvider<IPrometheusViewHub>
    {
        public override IPrometheusViewHub CreateExtension(ExtendedActorSystem system) => hub;
    }
}
