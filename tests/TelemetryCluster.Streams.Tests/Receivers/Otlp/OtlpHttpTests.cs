using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>OTLP/HTTP against a started receiver, one row of the collector's table per test.</summary>
public sealed class OtlpHttpTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    private const string TracesJson = """
        {
          "resourceSpans": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "checkout" } }] },
            "scopeSpans": [{
              "scope": { "name": "manual" },
              "spans": [
                { "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "parentSpanId": "eee19b7ec3c1b173",
                  "name": "GET /cart", "kind": 2, "startTimeUnixNano": "1544712660000000000", "endTimeUnixNano": 1544712661000000000,
                  "attributes": [{ "key": "http.method", "value": { "stringValue": "GET" } }], "status": { "code": 1 } },
                { "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b175", "name": "SELECT", "kind": 3 }
              ]
            }]
          }]
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Protobuf_request_is_accepted_with_an_empty_protobuf_response()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var response = await h.Http().PostAsync("/v1/metrics", Body(OtlpRequests.Metrics(5).ToByteArray(), Protobuf), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Protobuf, response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(5, h.Consumer.Items(Signal.Metrics));
        Assert.Equal(5, h.Accepted(Signal.Metrics));
    }

    [Fact]
    public async Task Json_request_is_accepted_with_an_empty_json_response_and_hex_ids_decoded()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var response = await h.Http().PostAsync("/v1/traces", Body(Encoding.UTF8.GetBytes(TracesJson), Json), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync(Ct));
        var span = Assert.Single(h.Consumer.Batches).Traces.ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.Equal(OtlpRequests.TraceId, span.TraceId.ToByteArray());
        Assert.Equal(OtlpRequests.SpanId, span.SpanId.ToByteArray());
        Assert.Equal(OtlpRequests.ParentSpanId, span.ParentSpanId.ToByteArray());
        Assert.Equal(1544712661000000000UL, span.EndTimeUnixNano);
        Assert.Equal(2, h.Accepted(Signal.Traces));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    public async Task Media_type_parameters_and_case_are_ignored(string contentType)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(TracesJson));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await h.Http().PostAsync("/v1/traces", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_is_405_text_listing_post()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var response = await h.Http().GetAsync("/v1/traces", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("405 method not allowed, supported: [POST]", await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("POST", response.Content.Headers.Allow);
        Assert.Equal(0, h.Consumer.Calls);
    }

    [Fact]
    public async Task Other_media_type_is_415_text()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var response = await h.Http().PostAsync("/v1/logs", Body("hello"u8.ToArray(), "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("415 unsupported media type, supported: [application/json, application/x-protobuf]", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Unknown_content_encoding_is_400_with_a_status_in_the_request_encoding()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        var pb = Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf);
        pb.Headers.ContentEncoding.Add("br");
        using var pbResponse = await h.Http().PostAsync("/v1/logs", pb, Ct);
        var js = Body("{}"u8.ToArray(), Json);
        js.Headers.ContentEncoding.Add("br");
        using var jsResponse = await h.Http().PostAsync("/v1/logs", js, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, pbResponse.StatusCode);
        Assert.Equal(Protobuf, pbResponse.Content.Headers.ContentType?.MediaType);
        var status = Status.Parser.ParseFrom(await pbResponse.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(3, status.Code);
        Assert.Equal("unsupported Content-Encoding: br", status.Message);

        Assert.Equal(HttpStatusCode.BadRequest, jsResponse.StatusCode);
        Assert.Equal(Json, jsResponse.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await jsResponse.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, doc.RootElement.GetProperty("code").GetInt32());
        Assert.Equal(0, h.Consumer.Calls);
    }

    [Fact]
    public async Task Bad_protobuf_body_is_400_invalid_argument()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var response = await h.Http().PostAsync("/v1/metrics", Body([0x0a, 0xff, 0xff, 0xff, 0x01, 0x02], Protobuf), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Protobuf, response.Content.Headers.ContentType?.MediaType);
        var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(3, status.Code);
        Assert.NotEmpty(status.Message);
        Assert.Equal(0, h.Consumer.Calls);
    }

    [Theory]
    [InlineData("{\"resourceSpans\": [")]
    [InlineData("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"traceId\": \"not-hex-not-hex-not-hex-not-hex!\"}]}]}]}")]
    [InlineData("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"spanId\": \"abc\"}]}]}]}")]
    [InlineData("{\"resourceSpans\": \"nope\"}")]
    public async Task Bad_json_body_is_400_with_a_json_status(string body)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var response = await h.Http().PostAsync("/v1/traces", Body(Encoding.UTF8.GetBytes(body), Json), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, doc.RootElement.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("message").GetString()));
        Assert.Equal(0, h.Consumer.Calls);
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("POST", "/v1/unknown")]
    [InlineData("POST", "/v1/traces/")]
    public async Task Unknown_path_is_404_text(string method, string path)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Body([], Protobuf) : null };
        using var response = await h.Http().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("404 page not found\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Signal_without_a_pipeline_is_404()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: new FakeConsumer(Signal.Metrics));

        using var logs = await h.Http().PostAsync("/v1/logs", Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf), Ct);
        using var metrics = await h.Http().PostAsync("/v1/metrics", Body(OtlpRequests.Metrics(1).ToByteArray(), Protobuf), Ct);

        Assert.Equal(HttpStatusCode.NotFound, logs.StatusCode);
        Assert.Equal("404 page not found\n", await logs.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("zlib")]
    [InlineData("deflate")]
    [InlineData("deflate-raw")]
    [InlineData("snappy")]
    [InlineData("snappy-framed")]
    [InlineData("x-snappy-framed")]
    [InlineData("lz4")]
    [InlineData("identity")]
    public async Task Compressed_bodies_are_decoded(string encoding)
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var raw = OtlpRequests.Logs(7).ToByteArray();
        var (header, compressed) = Compress(encoding, raw);
        var content = Body(compressed, Protobuf);
        content.Headers.ContentEncoding.Add(header);

        using var response = await h.Http().PostAsync("/v1/logs", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(7, h.Consumer.Items(Signal.Logs));
    }

    [Fact]
    public async Task Json_body_may_be_gzip_compressed()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        var content = Body(Compress("gzip", Encoding.UTF8.GetBytes(TracesJson)).Body, Json);
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await h.Http().PostAsync("/v1/traces", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, h.Consumer.Items(Signal.Traces));
    }

    [Fact]
    public async Task Refused_is_503_with_retry_after_and_retry_info()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Refuse("queue full", TimeSpan.FromMilliseconds(2500)) };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);

        using var pb = await h.Http().PostAsync("/v1/metrics", Body(OtlpRequests.Metrics(4).ToByteArray(), Protobuf), Ct);
        using var js = await h.Http().PostAsync("/v1/traces", Body(Encoding.UTF8.GetBytes(TracesJson), Json), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, pb.StatusCode);
        Assert.Equal("3", Assert.Single(pb.Headers.GetValues("Retry-After")));
        Assert.Equal(Protobuf, pb.Content.Headers.ContentType?.MediaType);
        var status = Status.Parser.ParseFrom(await pb.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(14, status.Code);
        Assert.Equal("queue full", status.Message);
        var retry = Assert.Single(status.Details).Unpack<RetryInfo>();
        Assert.Equal(TimeSpan.FromMilliseconds(2500), retry.RetryDelay.ToTimeSpan());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, js.StatusCode);
        Assert.Equal("3", Assert.Single(js.Headers.GetValues("Retry-After")));
        using var doc = JsonDocument.Parse(await js.Content.ReadAsStringAsync(Ct));
        Assert.Equal(14, doc.RootElement.GetProperty("code").GetInt32());
        var detail = Assert.Single(doc.RootElement.GetProperty("details").EnumerateArray().ToList());
        Assert.Equal("type.googleapis.com/google.rpc.RetryInfo", detail.GetProperty("@type").GetString());
        Assert.Equal("2.500s", detail.GetProperty("retryDelay").GetString());

        Assert.Equal(0, h.Accepted(Signal.Metrics));
        Assert.Equal(4, h.Refused(Signal.Metrics));
        Assert.Equal(2, h.Refused(Signal.Traces));
    }

    [Fact]
    public async Task Failed_is_500_internal_without_retry_after()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Fail("exporter rejected the data") };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);

        using var response = await h.Http().PostAsync("/v1/logs", Body(OtlpRequests.Logs(2).ToByteArray(), Protobuf), Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains("Retry-After"));
        var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(13, status.Code);
        Assert.Equal("exporter rejected the data", status.Message);
        Assert.Empty(status.Details);
        Assert.Equal(2, h.Refused(Signal.Logs));
    }

    [Fact]
    public async Task Engine_failure_is_retryable_503()
    {
        var consumer = new FakeConsumer { Throw = new InvalidOperationException("engine stopping") };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);

        using var response = await h.Http().PostAsync("/v1/logs", Body(OtlpRequests.Logs(2).ToByteArray(), Protobuf), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Equal(14, Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(Ct)).Code);
    }

    [Fact]
    public async Task Zero_items_is_200_without_calling_the_pipeline()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Refuse("full", TimeSpan.FromSeconds(1)) };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, consumer: consumer);
        var empty = new ExportTraceServiceRequest { ResourceSpans = { new OpenTelemetry.Proto.Trace.V1.ResourceSpans { Resource = OtlpRequests.Resource() } } };

        using var pb = await h.Http().PostAsync("/v1/traces", Body(empty.ToByteArray(), Protobuf), Ct);
        using var js = await h.Http().PostAsync("/v1/metrics", Body("{}"u8.ToArray(), Json), Ct);

        Assert.Equal(HttpStatusCode.OK, pb.StatusCode);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal("{}", await js.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, h.Consumer.Calls);
    }

    [Fact]
    public async Task Body_over_max_request_body_size_is_400_before_and_after_decompression()
    {
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { MaxRequestBodySize = 4096 } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        var small = OtlpRequests.Metrics(3).ToByteArray();
        var big = OtlpRequests.Metrics(1, attributeBytes: 8000).ToByteArray();
        var bomb = Body(Compress("gzip", big).Body, Protobuf);
        bomb.Headers.ContentEncoding.Add("gzip");

        using var ok = await h.Http().PostAsync("/v1/metrics", Body(small, Protobuf), Ct);
        using var tooBig = await h.Http().PostAsync("/v1/metrics", Body(big, Protobuf), Ct);
        using var tooBigDecompressed = await h.Http().PostAsync("/v1/metrics", bomb, Ct);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        foreach (var response in new[] { tooBig, tooBigDecompressed })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(Ct));
            Assert.Equal(3, status.Code);
            Assert.Equal("http: request body too large", status.Message);
        }

        Assert.Equal(1, h.Consumer.Calls);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_400()
    {
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { MaxRequestBodySize = 4096 } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        var content = new StreamContent(new MemoryStream(OtlpRequests.Metrics(1, attributeBytes: 8000).ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/metrics") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await h.Http().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Response_headers_are_added_to_every_response()
    {
        var headers = new Dictionary<string, string> { ["X-Served-By"] = "telemetry-cluster" };
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { ResponseHeaders = headers } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);

        using var ok = await h.Http().PostAsync("/v1/logs", Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf), Ct);
        using var notFound = await h.Http().GetAsync("/nope", Ct);
        using var notAllowed = await h.Http().GetAsync("/v1/logs", Ct);

        foreach (var response in new[] { ok, notFound, notAllowed })
        {
            Assert.Equal("telemetry-cluster", Assert.Single(response.Headers.GetValues("X-Served-By")));
        }
    }

    [Fact]
    public async Task Custom_url_paths_get_a_leading_slash()
    {
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { LogsUrlPath = "custom/logs" } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);

        using var custom = await h.Http().PostAsync("/custom/logs", Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf), Ct);
        using var standard = await h.Http().PostAsync("/v1/logs", Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf), Ct);

        Assert.Equal(HttpStatusCode.OK, custom.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, standard.StatusCode);
    }

    [Fact]
    public async Task Include_metadata_copies_headers_into_the_batch()
    {
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { IncludeMetadata = true } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf) };
        request.Headers.Add("X-Tenant", "team-a");

        using var response = await h.Http().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["team-a"], Assert.Single(h.Consumer.Batches).Metadata.Get("x-tenant"));
    }

    [Fact]
    public async Task Without_include_metadata_the_batch_has_none()
    {
        await using var h = await OtlpReceiverHarness.StartAsync(akka);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf) };
        request.Headers.Add("X-Tenant", "team-a");

        using var response = await h.Http().SendAsync(request, Ct);

        Assert.Same(ClientMetadata.Empty, Assert.Single(h.Consumer.Batches).Metadata);
    }

    [Fact]
    public async Task Cors_preflight_and_actual_request()
    {
        var cors = new OtlpCorsConfig { AllowedOrigins = ["https://*.example.com"], MaxAge = 600 };
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { Cors = cors } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/traces");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var preflightResponse = await h.Http().SendAsync(preflight, Ct);

        using var foreign = new HttpRequestMessage(HttpMethod.Options, "/v1/traces");
        foreign.Headers.Add("Origin", "https://evil.test");
        foreign.Headers.Add("Access-Control-Request-Method", "POST");
        using var foreignResponse = await h.Http().SendAsync(foreign, Ct);

        using var actual = new HttpRequestMessage(HttpMethod.Post, "/v1/traces") { Content = Body(Encoding.UTF8.GetBytes(TracesJson), Json) };
        actual.Headers.Add("Origin", "https://app.example.com");
        using var actualResponse = await h.Http().SendAsync(actual, Ct);

        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal("https://app.example.com", Assert.Single(preflightResponse.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("POST", Assert.Single(preflightResponse.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Equal("600", Assert.Single(preflightResponse.Headers.GetValues("Access-Control-Max-Age")));
        Assert.Equal(HttpStatusCode.NoContent, foreignResponse.StatusCode);
        Assert.False(foreignResponse.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, actualResponse.StatusCode);
        Assert.Equal("https://app.example.com", Assert.Single(actualResponse.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Keep_alives_disabled_closes_the_connection()
    {
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { KeepAlivesEnabled = false } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);

        using var response = await h.Http().PostAsync("/v1/logs", Body(OtlpRequests.Logs(1).ToByteArray(), Protobuf), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.ConnectionClose);
    }

    [Fact]
    public async Task Stop_closes_the_port_and_reports_status()
    {
        var h = await OtlpReceiverHarness.StartAsync(akka);
        var port = h.Receiver.HttpPort;
        Assert.NotNull(port);
        Assert.Contains(h.Status.Snapshot(), e => e.Component == h.Id && e.Status == ComponentStatus.Ok);

        await h.DisposeAsync();

        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"http://127.0.0.1:{port}/v1/logs", Body([], Protobuf), Ct));
        Assert.Contains(h.Status.Snapshot(), e => e.Component == h.Id && e.Status == ComponentStatus.Stopped);
    }

    internal static ByteArrayContent Body(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>Compresses with the named scheme; returns the Content-Encoding to send and the body.</summary>
    internal static (string Header, byte[] Body) Compress(string encoding, byte[] raw)
    {
        var output = new MemoryStream();
        switch (encoding)
        {
            case "gzip":
                using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(raw);
                }

                return ("gzip", output.ToArray());
            case "zlib":
            case "deflate":
                using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    zlib.Write(raw);
                }

                return (encoding, output.ToArray());
            case "deflate-raw":
                using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    deflate.Write(raw);
                }

                return ("deflate", output.ToArray());
            case "zstd":
                using (var compressor = new ZstdSharp.Compressor())
                {
                    return ("zstd", compressor.Wrap(raw).ToArray());
                }

            case "snappy":
                return ("snappy", Snappier.Snappy.CompressToArray(raw));
            case "snappy-framed":
            case "x-snappy-framed":
                using (var snappy = new Snappier.SnappyStream(output, CompressionMode.Compress, leaveOpen: true))
                {
                    snappy.Write(raw);
                }

                return (encoding == "snappy-framed" ? "snappy" : "x-snappy-framed", output.ToArray());
            case "lz4":
                return ("lz4", Lz4Frame(raw));
            case "identity":
                return ("identity", raw);
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null);
        }
    }

    /// <summary>An LZ4 frame holding the data as one uncompressed block (what an encoder emits for incompressible data).</summary>
    private static byte[] Lz4Frame(byte[] raw)
    {
        var output = new MemoryStream();
        output.Write([0x04, 0x22, 0x4d, 0x18]); // magic
        output.Write([0x60, 0x70, 0x73]); // FLG: version 1, independent blocks; BD: 4 MiB; header checksum (not checked)
        output.Write(BitConverter.GetBytes((uint)raw.Length | 0x80000000u));
        output.Write(raw);
        output.Write([0, 0, 0, 0]); // end mark
        return output.ToArray();
    }
}
