using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// Writes a snapshot as the answer to <c>GET/HEAD /metrics</c>: text 0.0.4 unless the client asks for OpenMetrics
/// (and it is allowed), gzip when accepted, with an explicit Content-Type and Content-Length. Shared by the prometheus
/// exporter (through an <see cref="EncodedAnswerCache"/>) and the node's own telemetry endpoint.
/// </summary>
internal static class MetricsResponse
{
    /// <summary>Writes the answer; a snapshot that cannot be written is a 500 (after <paramref name="writeFailed"/>).</summary>
    public static async Task WriteAsync(HttpContext http, PrometheusSnapshot snapshot, bool allowOpenMetrics, bool timestamps, Action<Exception>? writeFailed = null)
    {
        var (format, gzip) = Negotiate(http.Request, allowOpenMetrics);
        byte[] encoded;
        try
        {
            encoded = Encode(snapshot, format, gzip, timestamps);
        }
        catch (Exception ex)
        {
            writeFailed?.Invoke(ex);
            await PlainAsync(http, StatusCodes.Status500InternalServerError, "internal error\n").ConfigureAwait(false);
            return;
        }

        await SendAsync(http, format, gzip, encoded).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the answer for <paramref name="view"/> from <paramref name="cache"/>: the encoded bytes of the same
    /// content version, format and encoding are sent as they are; a variant not encoded yet for this version is
    /// encoded once (the first request that needs it) and kept.
    /// </summary>
    public static async Task WriteAsync(HttpContext http, PrometheusMergedView view, EncodedAnswerCache cache, bool allowOpenMetrics, Action<Exception>? writeFailed = null)
    {
        var (format, gzip) = Negotiate(http.Request, allowOpenMetrics);
        byte[] encoded;
        try
        {
            encoded = cache.Get(view, format, gzip);
        }
        catch (Exception ex)
        {
            writeFailed?.Invoke(ex);
            await PlainAsync(http, StatusCodes.Status500InternalServerError, "internal error\n").ConfigureAwait(false);
            return;
        }

        await SendAsync(http, format, gzip, encoded).ConfigureAwait(false);
    }

    /// <summary>The snapshot in <paramref name="format"/>, gzip-compressed when <paramref name="gzip"/>, as one array.</summary>
    public static byte[] Encode(PrometheusSnapshot snapshot, ExpositionFormat format, bool gzip, bool timestamps)
    {
        using var buffer = new PooledBufferWriter();
        PrometheusTextWriter.Write(buffer, snapshot, format, timestamps);
        if (!gzip)
        {
            return buffer.WrittenSpan.ToArray();
        }

        using var compressed = new MemoryStream((buffer.WrittenCount / 6) + 256);
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(buffer.WrittenSpan);
        }

        return compressed.ToArray();
    }

    /// <summary>A plain-text answer (errors).</summary>
    public static Task PlainAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(text, http.RequestAborted);
    }

    private static (ExpositionFormat Format, bool Gzip) Negotiate(HttpRequest request, bool allowOpenMetrics) =>
        (allowOpenMetrics && Negotiation.WantsOpenMetrics(request.Headers.Accept) ? ExpositionFormat.OpenMetrics : ExpositionFormat.Text,
         Negotiation.AcceptsGzip(request.Headers.AcceptEncoding));

    /// <summary>Headers, Content-Length, then the bytes in one write (nothing for HEAD).</summary>
    private static Task SendAsync(HttpContext http, ExpositionFormat format, bool gzip, byte[] encoded)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = format == ExpositionFormat.OpenMetrics ? PrometheusTextWriter.OpenMetricsContentType : PrometheusTextWriter.TextContentType;
        response.Headers.Vary = "Accept, Accept-Encoding";
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = encoded.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : WriteBodyAsync(http, encoded);
    }

    /// <summary>
    /// The bytes as they are, in slices of <see cref="WriteSlice"/> each flushed to the connection: the socket sends
    /// one slice while the next is copied, and the server never holds a second copy of a large answer.
    /// </summary>
    private static async Task WriteBodyAsync(HttpContext http, byte[] encoded)
    {
        var writer = http.Response.BodyWriter;
        for (var offset = 0; offset < encoded.Length; offset += WriteSlice)
        {
            var result = await writer.WriteAsync(encoded.AsMemory(offset, Math.Min(WriteSlice, encoded.Length - offset)), http.RequestAborted).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
            {
                return;
            }
        }
    }

    private const int WriteSlice = 256 * 1024;
}

/// <summary>
/// The encoded <c>/metrics</c> answers of one endpoint for the content version it served last: one slot per format
/// (text 0.0.4, OpenMetrics) and encoding (identity, gzip), each filled on the first request that needs it and reused
/// while the view keeps its <see cref="PrometheusContentVersion"/> (a new version replaces every slot as it is asked
/// for). The same version always holds the same content, so a cached answer is exactly what a fresh encoding would
/// give. Thread-safe; concurrent first requests of one slot encode it once.
/// </summary>
internal sealed class EncodedAnswerCache(bool timestamps)
{
    private readonly Slot[] _slots = [new(), new(), new(), new()];

    /// <summary>Encodings done so far (a miss: first request of a variant for a version).</summary>
    public long Encodings => Interlocked.Read(ref _encodings);

    private long _encodings;

    /// <summary>The encoded answer of <paramref name="view"/> in this variant, encoding it when the slot holds another version.</summary>
    public byte[] Get(PrometheusMergedView view, ExpositionFormat format, bool gzip)
    {
        var slot = _slots[((format == ExpositionFormat.OpenMetrics ? 1 : 0) << 1) | (gzip ? 1 : 0)];
        var entry = Volatile.Read(ref slot.Entry);
        if (entry is not null && entry.Version == view.Version && view.Version.IsKnown)
        {
            return entry.Bytes;
        }

        lock (slot)
        {
            entry = slot.Entry;
            if (entry is not null && entry.Version == view.Version && view.Version.IsKnown)
            {
                return entry.Bytes;
            }

            var bytes = MetricsResponse.Encode(view.Snapshot, format, gzip, timestamps);
            Interlocked.Increment(ref _encodings);
            Volatile.Write(ref slot.Entry, new Entry(view.Version, bytes));
            return bytes;
        }
    }

    private sealed class Slot
    {
        public Entry? Entry;
    }

    private sealed record Entry(PrometheusContentVersion Version, byte[] Bytes);
}
