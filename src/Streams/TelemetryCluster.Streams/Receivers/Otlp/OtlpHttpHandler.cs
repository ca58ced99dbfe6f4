using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>
/// OTLP/HTTP on the configured paths, with the collector's order of checks and bodies: unknown path (or a signal
/// without a pipeline) → 404 text; not POST → 405 text; media type neither protobuf nor JSON → 415 text; unknown
/// Content-Encoding, oversized or undecodable body → 400 google.rpc.Status; zero items → 200; pipeline outcome →
/// 200 / 503 + Retry-After / 500; every Status body and success body in the request's encoding.
/// </summary>
internal sealed class OtlpHttpHandler
{
    public const string BodyTooLarge = "http: request body too large";
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private static readonly byte[] NotFoundBody = "404 page not found\n"u8.ToArray();
    private static readonly byte[] MethodNotAllowedBody = "405 method not allowed, supported: [POST]"u8.ToArray();
    private static readonly byte[] UnsupportedMediaTypeBody =
        Encoding.UTF8.GetBytes($"415 unsupported media type, supported: [{JsonContentType}, {ProtobufContentType}]");

    private static readonly JsonFormatter StatusFormatter = new(JsonFormatter.Settings.Default
        .WithTypeRegistry(TypeRegistry.FromMessages(Google.Rpc.RetryInfo.Descriptor, Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.DebugInfo.Descriptor)));

    private readonly OtlpHttpConfig _config;
    private readonly OtlpExportHandler _handler;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Signal> _routes;
    private readonly HashSet<string> _encodings;
    private readonly OtlpCors? _cors;

    public OtlpHttpHandler(OtlpHttpConfig config, OtlpExportHandler handler, TimeProvider time)
    {
        _config = config;
        _handler = handler;
        _time = time;
        _routes = new Dictionary<string, Signal>(StringComparer.Ordinal)
        {
            [OtlpHttpConfig.NormalizePath(config.TracesUrlPath)] = Signal.Traces,
            [OtlpHttpConfig.NormalizePath(config.MetricsUrlPath)] = Signal.Metrics,
            [OtlpHttpConfig.NormalizePath(config.LogsUrlPath)] = Signal.Logs,
        };
        _encodings = config.CompressionAlgorithms.Select(OtlpHttpDecompression.Normalize).ToHashSet(StringComparer.Ordinal);
        _cors = config.Cors is { Enabled: true } cors ? new OtlpCors(cors) : null;
    }

    private enum BodyEncoding
    {
        Protobuf,
        Json,
    }

    public async Task HandleAsync(HttpContext http)
    {
        var response = http.Response;
        foreach (var (name, value) in _config.ResponseHeaders)
        {
            response.Headers[name] = value;
        }

        if (!_config.KeepAlivesEnabled)
        {
            response.Headers.Connection = "close";
        }

        if (_cors is not null && _cors.Apply(http))
        {
            response.StatusCode = StatusCodes.Status204NoContent; // preflight answered (headers only when allowed)
            return;
        }

        var cancellation = http.RequestAborted;
        using var writeDeadline = _config.WriteTimeout > TimeSpan.Zero ? new CancellationTokenSource(_config.WriteTimeout, _time) : null;
        using var linked = writeDeadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellation, writeDeadline.Token);
        cancellation = linked?.Token ?? cancellation;

        try
        {
            await HandleCoreAsync(http, cancellation);
        }
        catch (OperationCanceledException) when (writeDeadline?.IsCancellationRequested == true)
        {
            // write_timeout passed: like Go's http.Server, give up on the connection.
            http.Abort();
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
    }

    private async Task HandleCoreAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var response = http.Response;

        if (!_routes.TryGetValue(request.Path.Value ?? string.Empty, out var signal) || !_handler.Signals.Contains(signal))
        {
            // Go's http.NotFound: the mux has no handler for this path (or this signal has no pipeline).
            response.Headers["X-Content-Type-Options"] = "nosniff";
            await WriteAsync(response, StatusCodes.Status404NotFound, "text/plain; charset=utf-8", NotFoundBody, cancellationToken);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.Headers.Allow = "POST";
            await WriteAsync(response, StatusCodes.Status405MethodNotAllowed, "text/plain", MethodNotAllowedBody, cancellationToken);
            return;
        }

        BodyEncoding encoding;
        switch (MediaType(request.ContentType))
        {
            case ProtobufContentType:
                encoding = BodyEncoding.Protobuf;
                break;
            case JsonContentType:
                encoding = BodyEncoding.Json;
                break;
            default:
                await WriteAsync(response, StatusCodes.Status415UnsupportedMediaType, "text/plain", UnsupportedMediaTypeBody, cancellationToken);
                return;
        }

        var contentEncoding = OtlpHttpDecompression.Normalize(request.Headers.ContentEncoding.ToString());
        if (!_encodings.Contains(contentEncoding))
        {
            await WriteErrorAsync(response, encoding, new OtlpExportResult(StatusCode.InvalidArgument, $"unsupported Content-Encoding: {request.Headers.ContentEncoding}"), cancellationToken);
            return;
        }

        ReadOnlyMemory<byte> body;
        try
        {
            body = await ReadBodyAsync(http, contentEncoding, cancellationToken);
        }
        catch (OtlpBodyException e)
        {
            await WriteErrorAsync(response, encoding, new OtlpExportResult(StatusCode.InvalidArgument, e.Message), cancellationToken);
            return;
        }

        IMessage otlpRequest;
        try
        {
            otlpRequest = Decode(signal, encoding, body);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or OtlpJsonException)
        {
            await WriteErrorAsync(response, encoding, new OtlpExportResult(StatusCode.InvalidArgument, e.Message), cancellationToken);
            return;
        }

        var metadata = _config.IncludeMetadata ? FromHeaders(request.Headers) : ClientMetadata.Empty;
        var result = await _handler.ExportAsync(otlpRequest, metadata, cancellationToken);
        if (!result.IsOk)
        {
            await WriteErrorAsync(response, encoding, result, cancellationToken);
            return;
        }

        IMessage empty = signal switch
        {
            Signal.Traces => new ExportTraceServiceResponse(),
            Signal.Metrics => new ExportMetricsServiceResponse(),
            _ => new ExportLogsServiceResponse(),
        };
        await WriteAsync(response, StatusCodes.Status200OK, ContentType(encoding), Encode(encoding, empty), cancellationToken);
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http, string contentEncoding, CancellationToken cancellationToken)
    {
        // The limit is ours (compressed and decompressed): Kestrel's own limit is lifted so the answer is the collector's 400.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        using var readDeadline = _config.ReadTimeout > TimeSpan.Zero ? new CancellationTokenSource(_config.ReadTimeout, _time) : null;
        using var linked = readDeadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, readDeadline.Token);
        ReadOnlyMemory<byte> raw;
        try
        {
            raw = await OtlpHttpDecompression.ReadLimitedAsync(http.Request.Body, _config.MaxRequestBodySize, http.Request.ContentLength, linked?.Token ?? cancellationToken);
        }
        catch (OperationCanceledException) when (readDeadline?.IsCancellationRequested == true)
        {
            throw new OtlpBodyException("i/o timeout reading the request body");
        }
        catch (IOException e)
        {
            throw new OtlpBodyException(e.Message, e);
        }

        return OtlpHttpDecompression.Decode(contentEncoding, raw, _config.MaxRequestBodySize);
    }

    private static IMessage Decode(Signal signal, BodyEncoding encoding, ReadOnlyMemory<byte> body) => (signal, encoding) switch
    {
        (_, BodyEncoding.Protobuf) => OtlpWire.ParseEncoded(signal, body),
        (Signal.Traces, _) => OtlpJson.Parse<ExportTraceServiceRequest>(body.Span),
        (Signal.Metrics, _) => OtlpJson.Parse<ExportMetricsServiceRequest>(body.Span),
        _ => OtlpJson.Parse<ExportLogsServiceRequest>(body.Span),
    };

    private static byte[] Encode(BodyEncoding encoding, IMessage message) =>
        encoding == BodyEncoding.Protobuf ? message.ToByteArray() : OtlpJson.FormatUtf8(message);

    private static string ContentType(BodyEncoding encoding) =>
        encoding == BodyEncoding.Protobuf ? ProtobufContentType : JsonContentType;

    /// <summary>A google.rpc.Status body in the request's encoding; Retry-After with 429/503 when a delay is known.</summary>
    private Task WriteErrorAsync(HttpResponse response, BodyEncoding encoding, OtlpExportResult result, CancellationToken cancellationToken)
    {
        var status = result.HttpStatus;
        OtlpReceiverLog.HttpRejected(_handler.Logger, status, result.Message);
        if (result.RetryAfter is { } delay && status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = RetryAfterSeconds(delay).ToString(CultureInfo.InvariantCulture);
        }

        var rpcStatus = result.ToRpcStatus();
        var body = encoding == BodyEncoding.Protobuf ? rpcStatus.ToByteArray() : Encoding.UTF8.GetBytes(StatusFormatter.Format(rpcStatus));
        return WriteAsync(response, status, ContentType(encoding), body, cancellationToken);
    }

    /// <summary>Whole seconds, rounded up, at least 1 (a zero delay would invite an immediate retry storm).</summary>
    internal static long RetryAfterSeconds(TimeSpan delay) => Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds));

    private static async Task WriteAsync(HttpResponse response, int status, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
    }

    /// <summary>The media type without parameters, lower-case (Go's mime.ParseMediaType).</summary>
    private static string MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return string.Empty;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    private static ClientMetadata FromHeaders(IHeaderDictionary headers)
    {
        var pairs = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (value is not null)
                {
                    pairs.Add(new(name.ToLowerInvariant(), value));
                }
            }
        }

        return ClientMetadata.From(pairs);
    }

    /// <summary>CORS as the collector's confighttp (rs/cors with credentials allowed).</summary>
    private sealed class OtlpCors
    {
        private static readonly string[] DefaultAllowedHeaders =
            ["accept", "accept-language", "content-language", "content-type", "x-requested-with", "origin"];

        private readonly OtlpCorsConfig _config;
        private readonly bool _anyOrigin;
        private readonly bool _anyHeader;
        private readonly HashSet<string> _headers;

        public OtlpCors(OtlpCorsConfig config)
        {
            _config = config;
            _anyOrigin = config.AllowedOrigins.Any(o => o.Trim() == "*");
            _anyHeader = config.AllowedHeaders.Any(h => h.Trim() == "*");
            _headers = DefaultAllowedHeaders.Concat(config.AllowedHeaders.Select(h => h.Trim().ToLowerInvariant())).ToHashSet(StringComparer.Ordinal);
        }

        /// <summary>Adds CORS headers; returns true when the request was a preflight (answered with 204).</summary>
        public bool Apply(HttpContext http)
        {
            var request = http.Request;
            var response = http.Response;
            var origin = request.Headers.Origin.ToString();
            if (HttpMethods.IsOptions(request.Method) && !StringValues.IsNullOrEmpty(request.Headers.AccessControlRequestMethod))
            {
                response.Headers.Append("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
                var method = request.Headers.AccessControlRequestMethod.ToString().ToUpperInvariant();
                var requestedHeaders = request.Headers.AccessControlRequestHeaders.ToString();
                if (origin.Length > 0 && IsOriginAllowed(origin) && method is "GET" or "POST" or "HEAD" && AreHeadersAllowed(requestedHeaders))
                {
                    response.Headers.AccessControlAllowOrigin = origin;
                    response.Headers.AccessControlAllowMethods = method;
                    if (requestedHeaders.Length > 0)
                    {
                        response.Headers.AccessControlAllowHeaders = requestedHeaders;
                    }

                    response.Headers.AccessControlAllowCredentials = "true";
                    if (_config.MaxAge > 0)
                    {
                        response.Headers.AccessControlMaxAge = _config.MaxAge.ToString(CultureInfo.InvariantCulture);
                    }
                }

                return true;
            }

            response.Headers.Append("Vary", "Origin");
            if (origin.Length > 0 && IsOriginAllowed(origin))
            {
                response.Headers.AccessControlAllowOrigin = origin;
                response.Headers.AccessControlAllowCredentials = "true";
                if (_config.ExposedHeaders.Count > 0)
                {
                    response.Headers.AccessControlExposeHeaders = string.Join(", ", _config.ExposedHeaders);
                }
            }

            return false;
        }

        private bool IsOriginAllowed(string origin)
        {
            if (_anyOrigin)
            {
                return true;
            }

            origin = origin.ToLowerInvariant();
            foreach (var allowed in _config.AllowedOrigins)
            {
                var pattern = allowed.Trim().ToLowerInvariant();
                var star = pattern.IndexOf('*', StringComparison.Ordinal);
                if (star < 0)
                {
                    if (pattern == origin)
                    {
                        return true;
                    }

                    continue;
                }

                var prefix = pattern[..star];
                var suffix = pattern[(star + 1)..];
                if (origin.Length >= prefix.Length + suffix.Length
                    && origin.StartsWith(prefix, StringComparison.Ordinal) && origin.EndsWith(suffix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AreHeadersAllowed(string requested)
        {
            if (_anyHeader || requested.Length == 0)
            {
                return true;
            }

            foreach (var header in requested.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!_headers.Contains(header.ToLowerInvariant()))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
