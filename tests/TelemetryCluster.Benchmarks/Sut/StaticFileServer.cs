using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// The "static file" baseline of prometheus-scrape: Kestrel (HTTP/1.1, default settings, logging at Warning) inside the
/// benchmark process on 127.0.0.1:&lt;free port&gt;, answering <c>GET /metrics.txt</c> with one file from disk
/// (<c>Results.File</c>: the file is streamed as it is, never compressed, with the text format's Content-Type
/// <c>text/plain; version=0.0.4; charset=utf-8</c>), and <c>GET /metrics-gzip.txt</c> with the same text compressed
/// once at start (gzip, fastest level, as the node compresses), sent with <c>Content-Encoding: gzip</c> and
/// <c>Content-Length</c> when the request accepts gzip (Prometheus always does), plain otherwise — a static server with
/// precompressed files (nginx <c>gzip_static</c>), so the scraper pays the same decompression as on the node. Everything
/// else is 404.
/// </summary>
internal sealed class StaticFileServer : IAsyncDisposable
{
    public const string FilePath = "/metrics.txt";
    public const string GzipFilePath = "/metrics-gzip.txt";
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly WebApplication _app;

    private StaticFileServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:port/metrics.txt</c>.</summary>
    public Uri Url => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{FilePath}"));

    public static async Task<StaticFileServer> StartAsync(string file, CancellationToken cancellationToken)
    {
        var port = Processes.FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Path.GetDirectoryName(file) });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.MapGet(FilePath, () => Results.File(file, ContentType));
        var plain = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        var gzip = Compress(plain);
        app.MapGet(GzipFilePath, (HttpContext http) =>
        {
            var accepts = http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
            var body = accepts ? gzip : plain;
            http.Response.ContentType = ContentType;
            http.Response.ContentLength = body.Length;
            if (accepts)
            {
                http.Response.Headers.ContentEncoding = "gzip";
            }

            return http.Response.Body.WriteAsync(body.AsMemory(), http.RequestAborted).AsTask();
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new StaticFileServer(app, port);
    }

    private static byte[] Compress(byte[] plain)
    {
        using var compressed = new MemoryStream();
        using (var zip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(plain);
        }

        return compressed.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
