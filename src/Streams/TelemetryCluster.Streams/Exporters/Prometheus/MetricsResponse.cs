using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// Writes a snapshot as the answer to <c>GET/HEAD /metrics</c>: text 0.0.4 unless the client asks for OpenMetrics
/// (and it is allowed), gzip when accepted, with an explicit Content-Type. Shared by the prometheus exporter and the
/// node's own telemetry endpoint.
/// </summary>
internal static class MetricsResponse
{
    /// <summary>Writes the answer; a snapshot that cannot be written is a 500 (after <paramref name="writeFailed"/>).</summary>
    public static async Task WriteAsync(HttpContext http, PrometheusSnapshot snapshot, bool allowOpenMetrics, bool timestamps, Action<Exception>? writeFailed = null)
    {
        var request = http.Request;
        var format = allowOpenMetrics && Negotiation.WantsOpenMetrics(request.Headers.Accept) ? ExpositionFormat.OpenMetrics : ExpositionFormat.Text;
        var gzip = Negotiation.AcceptsGzip(request.Headers.AcceptEncoding);
        using var buffer = new PooledBufferWriter();
        try
        {
            PrometheusTextWriter.Write(buffer, snapshot, format, timestamps);
        }
        catch (Exception ex)
        {
            writeFailed?.Invoke(ex);
            await PlainAsync(http, StatusCodes.Status500InternalServerError, "internal error\n").ConfigureAwait(false);
            return;
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = format == ExpositionFormat.OpenMetrics ? PrometheusTextWriter.OpenMetricsContentType : PrometheusTextWriter.TextContentType;
        response.Headers.Vary = "Accept, Accept-Encoding";
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
            await using var zip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await zip.WriteAsync(buffer.WrittenMemory, http.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            response.ContentLength = buffer.WrittenCount;
            await response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>A plain-text answer (errors).</summary>
    public static Task PlainAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(text, http.RequestAborted);
    }
}
