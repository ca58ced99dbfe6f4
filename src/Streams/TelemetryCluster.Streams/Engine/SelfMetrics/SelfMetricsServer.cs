using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Exporters.Prometheus;
using TelemetryCluster.Streams.Shared.Hosting;

namespace TelemetryCluster.Streams.Engine.SelfMetrics;

/// <summary>
/// Serves <see cref="SelfMetricsCollector"/> on <c>service.telemetry.metrics.address</c> (the collector's :8888),
/// <c>GET /metrics</c> only, in Prometheus text (OpenMetrics when asked), gzip when accepted.
/// </summary>
public sealed partial class SelfMetricsServer : IAsyncDisposable
{
    private readonly SelfMetricsCollector _collector;
    private readonly ILogger _logger;
    private WebApplication? _app;

    public SelfMetricsServer(SelfMetricsCollector collector, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _collector = collector;
        _logger = loggerFactory.CreateLogger<SelfMetricsServer>();
    }

    /// <summary>The bound port (useful with port 0).</summary>
    public int Port { get; private set; }

    /// <summary>Listens on <paramref name="address"/> (<c>host:port</c>, collector host rules).</summary>
    /// <exception cref="InvalidOperationException">The address is malformed or cannot be bound.</exception>
    public async Task StartAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new InvalidOperationException($"service.telemetry.metrics.address \"{address}\" is not host:port");
        }

        var host = address[..colon].Trim('[', ']');
        var listen = await KestrelListen.ResolveAsync(host, port, KestrelListen.IsAnyInterface(host),
            () => $"service.telemetry.metrics.address \"{address}\": host has no address", cancellationToken).ConfigureAwait(false);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(SelfMetricsServer).Assembly.GetName().Name });
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.ConfigureEndpointDefaults(o => o.Protocols = HttpProtocols.Http1);
            listen(options);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"service.telemetry.metrics.address {address} cannot be bound: {ex.Message}", ex);
        }

        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        Port = addresses.Count > 0 ? new Uri(addresses[0]).Port : port;
        LogListening(_logger, string.Join(", ", addresses));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!string.Equals(http.Request.Path.Value, "/metrics", StringComparison.Ordinal))
        {
            await MetricsResponse.PlainAsync(http, StatusCodes.Status404NotFound, "404 page not found\n").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, HEAD";
            await MetricsResponse.PlainAsync(http, StatusCodes.Status405MethodNotAllowed, "method not allowed\n").ConfigureAwait(false);
            return;
        }

        await MetricsResponse.WriteAsync(http, _collector.Snapshot(), allowOpenMetrics: true, timestamps: false).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Own telemetry (service.telemetry.metrics) served on {Addresses}/metrics")]
    private static partial void LogListening(ILogger logger, string addresses);
}
