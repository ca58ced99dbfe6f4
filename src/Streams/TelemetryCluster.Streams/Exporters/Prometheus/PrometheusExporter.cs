using System.Globalization;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Otlp;
using TelemetryCluster.Streams.Shared.Hosting;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// The <c>prometheus</c> exporter instance of a node (one per exporter id, shared by every pipeline and partition on
/// the node): accumulates the metrics it is given (<see cref="PrometheusAccumulator"/>) and serves <c>GET /metrics</c>
/// on its own Kestrel server. With an <see cref="IPrometheusViewHub"/> on the ActorSystem (the cluster) it publishes
/// its snapshot every second when it changed (and every <see cref="RefreshInterval"/> regardless) and answers
/// scrapes with the merged view of every node; without one it answers with its own state. Text 0.0.4 by default,
/// OpenMetrics 1.0 when the Accept header asks for it and <c>enable_open_metrics</c> is on, gzip when accepted.
/// Logs and traces are accepted and ignored (the collector's exporter is metrics-only).
/// </summary>
internal sealed class PrometheusExporter : IExporter, IAsyncDisposable
{
    /// <summary>How often the state is checked for changes (and published) and expired in the background.</summary>
    public static readonly TimeSpan PublishInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest time between two publications of an unchanged state.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>The largest request body accepted when an <see cref="IPrometheusEndpointRoutes"/> maps extra routes.</summary>
    public const long ExtraRoutesMaxRequestBodySize = 1 << 20;

    private readonly ComponentContext _context;
    private readonly ILogger _logger;
    private readonly string _id;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _epoch = PrometheusContentVersion.NewEpoch();
    private readonly EncodedAnswerCache _answers;
    private readonly Lock _localGate = new();
    private PrometheusMergedView? _local;
    private WebApplication? _app;
    private Task _loop = Task.CompletedTask;
    private long _publishedVersion = -1;
    private long _publishedAt;

    public PrometheusExporter(ComponentContext context, PrometheusExporterConfig config)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        _context = context;
        Config = config;
        _logger = context.CreateLogger();
        _id = context.Id.ToString();
        Accumulator = new PrometheusAccumulator(config, context.Time);
        _answers = new EncodedAnswerCache(config.SendTimestamps);
    }

    public PrometheusExporterConfig Config { get; }

    public PrometheusAccumulator Accumulator { get; }

    /// <summary>The bound port once started (the real one when the endpoint asked for port 0).</summary>
    public int Port { get; private set; }

    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>Answers encoded so far (one per content version, format and encoding asked for); the other scrapes were served from the cache.</summary>
    public long Encodings => _answers.Encodings;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException($"exporter {_id} is already started");
        }

        var endpoint = Config.Endpoint;
        var listen = await KestrelListen.ResolveAsync(
            endpoint.Host,
            endpoint.Port,
            KestrelListen.IsAnyInterface(endpoint.Host),
            () => $"prometheus exporter {_id} endpoint {endpoint}: host \"{endpoint.Host}\" has no address",
            cancellationToken).ConfigureAwait(false);

        var https = Config.Tls is { } tls ? OtlpTls.CreateHttpsOptions(tls, _context.Time) : null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(PrometheusExporter).Assembly.GetName().Name,
        });
        builder.Services.AddSingleton(_context.LoggerFactory);
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();
        var routes = Routes;
        if (routes is not null)
        {
            builder.Services.AddRouting();
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            // /metrics takes no body; the extension's routes (the query API's POST forms) may take up to 1 MiB.
            options.Limits.MaxRequestBodySize = routes is null ? 0 : ExtraRoutesMaxRequestBodySize;
            options.ConfigureEndpointDefaults(listenOptions =>
            {
                listenOptions.Protocols = HttpProtocols.Http1;
                if (https is not null)
                {
                    listenOptions.UseHttps(https);
                }
            });
            listen(options);
        });
        if (https is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        var app = builder.Build();
        if (routes is not null)
        {
            // The extension's endpoints first; a request none of them matches falls through to /metrics or 404.
            app.UseRouting();
            routes.Map(app, _id);
            app.UseEndpoints(static _ => { });
        }

        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"prometheus exporter {_id} cannot listen on {endpoint}: {ex.Message}", ex);
        }

        _app = app;
        Addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        Port = Addresses.Count > 0 ? new Uri(Addresses[0]).Port : endpoint.Port;
        if (Config.Strategy is TranslationStrategy.NoUTF8EscapingWithSuffixes or TranslationStrategy.NoTranslation)
        {
            PrometheusExporterTelemetry.Utf8NamesEscaped(_logger, Config.Strategy.Value.ToString());
        }

        _loop = RunBackgroundAsync(_stop.Token);
        PrometheusExporterTelemetry.Started(_logger, string.Join(", ", Addresses), https is null ? "http" : "https", Hub is null ? "this node" : "cluster");
    }

    public Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Signal != Signal.Metrics)
        {
            return Task.CompletedTask;
        }

        var drops = new DropCounts();
        Accumulator.Accumulate(batch.Metrics, drops);
        if (drops.Total > 0)
        {
            foreach (var (reason, count) in drops.Counts)
            {
                _context.Telemetry.Add(ComponentKind.Exporter, _context.Id, Signal.Metrics, Outcomes.Dropped, count, reason);
            }
        }

        return Task.CompletedTask;
    }

    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        var app = _app;
        if (app is null)
        {
            return;
        }

        _app = null;
        try
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        PrometheusExporterTelemetry.Stopped(_logger);
    }

    public ValueTask DisposeAsync() => new(ShutdownAsync(CancellationToken.None));

    /// <summary>
    /// The view a scrape serves: the cluster's merged view with a hub, else this node's. Series past
    /// <c>metric_expiration</c> are expired first (so neither view, nor an answer cached for it, still holds them).
    /// </summary>
    public async Task<PrometheusMergedView> ViewAsync(CancellationToken cancellationToken)
    {
        Accumulator.Expire();
        if (Hub is { } hub)
        {
            Publish(hub, force: false);
            return await hub.GetMergedAsync(_id, cancellationToken).ConfigureAwait(false);
        }

        return LocalView();
    }

    /// <summary>This node's state with its version; the same instance while the accumulator's version has not moved.</summary>
    private PrometheusMergedView LocalView()
    {
        var current = Volatile.Read(ref _local);
        if (current is not null && current.Version.Sequence == Accumulator.Version)
        {
            return current;
        }

        lock (_localGate)
        {
            current = _local;
            if (current is not null && current.Version.Sequence == Accumulator.Version)
            {
                return current;
            }

            var snapshot = Accumulator.Snapshot(out var version);
            current = new PrometheusMergedView(snapshot, new PrometheusContentVersion(_epoch, version));
            Volatile.Write(ref _local, current);
            return current;
        }
    }

    private IPrometheusEndpointRoutes? Routes =>
        _context.System.TryGetExtension<IPrometheusEndpointRoutes>(out var routes) ? routes : null;

    private IPrometheusViewHub? Hub =>
        _context.System.TryGetExtension<IPrometheusViewHub>(out var hub) ? hub : null;

    private async Task RunBackgroundAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PublishInterval, _context.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                Accumulator.Expire();
                if (Hub is { } hub)
                {
                    Publish(hub, force: false);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                PrometheusExporterTelemetry.PublishFailed(_logger, ex);
            }
        }
    }

    private void Publish(IPrometheusViewHub hub, bool force)
    {
        var version = Accumulator.Version;
        var now = _context.Time.GetTimestamp();
        var last = Interlocked.Read(ref _publishedAt);
        if (!force && version == Interlocked.Read(ref _publishedVersion) && _context.Time.GetElapsedTime(last, now) < RefreshInterval)
        {
            return;
        }

        var snapshot = Accumulator.Snapshot(out var snapshotVersion);
        Interlocked.Exchange(ref _publishedVersion, snapshotVersion);
        Interlocked.Exchange(ref _publishedAt, now);
        hub.Publish(_id, snapshot, new PrometheusContentVersion(_epoch, snapshotVersion));
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        http.Response.Headers.CacheControl = "no-store";
        if (!string.Equals(request.Path.Value, "/metrics", StringComparison.Ordinal))
        {
            await Plain(http, StatusCodes.Status404NotFound, "404 page not found\n").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            http.Response.Headers.Allow = "GET, HEAD";
            await Plain(http, StatusCodes.Status405MethodNotAllowed, "method not allowed\n").ConfigureAwait(false);
            return;
        }

        PrometheusMergedView view;
        try
        {
            view = await ViewAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            PrometheusExporterTelemetry.ClusterViewFailed(_logger, ex);
            http.Response.Headers.RetryAfter = "1";
            await Plain(http, StatusCodes.Status503ServiceUnavailable, "cluster metrics view unavailable: " + ex.Message + "\n").ConfigureAwait(false);
            return;
        }

        await MetricsResponse.WriteAsync(http, view, _answers, Config.EnableOpenMetrics, ex => PrometheusExporterTelemetry.ScrapeFailed(_logger, ex)).ConfigureAwait(false);
    }

    private static Task Plain(HttpContext http, int status, string text) => MetricsResponse.PlainAsync(http, status, text);
}

/// <summary>Accept / Accept-Encoding rules of /metrics.</summary>
internal static class Negotiation
{
    /// <summary>
    /// True when the Accept header lists <c>application/openmetrics-text</c> with a q above 0 that is not lower than
    /// the best q of <c>text/plain</c>, <c>text/*</c> or <c>*/*</c>.
    /// </summary>
    public static bool WantsOpenMetrics(StringValues accept)
    {
        double openMetrics = 0;
        double text = 0;
        foreach (var header in accept)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var part in header.Split(','))
            {
                var (type, q) = MediaRange(part);
                if (type.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
                {
                    openMetrics = Math.Max(openMetrics, q);
                }
                else if (type.Equals("text/plain", StringComparison.OrdinalIgnoreCase) || type == "text/*" || type == "*/*")
                {
                    text = Math.Max(text, q);
                }
            }
        }

        return openMetrics > 0 && openMetrics >= text;
    }

    /// <summary>True when Accept-Encoding allows gzip (<c>gzip</c> or <c>*</c> with q above 0).</summary>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var header in acceptEncoding)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var part in header.Split(','))
            {
                var (coding, q) = MediaRange(part);
                if ((coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding == "*") && q > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static (string Value, double Q) MediaRange(string part)
    {
        var pieces = part.Split(';');
        var value = pieces[0].Trim();
        double q = 1;
        for (var i = 1; i < pieces.Length; i++)
        {
            var parameter = pieces[i].Trim();
            if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                && double.TryParse(parameter.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                q = Math.Clamp(parsed, 0, 1);
            }
        }

        return (value, q);
    }
}
