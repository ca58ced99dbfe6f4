using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Shared.Hosting;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>
/// The <c>health_check</c> extension: its own small Kestrel server answering the collector's v1 path, <c>/livez</c>,
/// <c>/readyz</c> and <c>/status</c> from the node's <see cref="Engine.ComponentStatusRegistry"/>. Keep-alives are
/// off (every answer closes the connection), as in the collector. No static state; one server per instance.
/// </summary>
internal sealed class HealthCheckExtension : IExtension, IAsyncDisposable
{
    private readonly ComponentContext _context;
    private readonly ILogger _logger;
    private readonly HealthCheckResponder _responder;
    private WebApplication? _app;

    public HealthCheckExtension(ComponentContext context, HealthCheckConfig config)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        _context = context;
        Config = config;
        _logger = context.CreateLogger();
        StartTime = context.Time.GetUtcNow();
        _responder = new HealthCheckResponder(config, context.Status, context.Time, StartTime);
    }

    public HealthCheckConfig Config { get; }

    /// <summary>The <c>start_time</c> of /status: when this extension was created (extensions start first).</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>The bound port once started (the real one when the endpoint asked for port 0); 0 before.</summary>
    public int Port { get; private set; }

    /// <summary>The addresses the server listens on once started, e.g. <c>http://127.0.0.1:13133</c>.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            return;
        }

        var endpoint = Config.Endpoint;
        var listen = await KestrelListen.ResolveAsync(
            endpoint.Host,
            endpoint.Port,
            KestrelListen.IsAnyInterface(endpoint.Host),
            () => $"health_check endpoint {endpoint}: host \"{endpoint.Host}\" has no address",
            cancellationToken).ConfigureAwait(false);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(HealthCheckExtension).Assembly.GetName().Name,
        });
        builder.Services.AddSingleton(_context.LoggerFactory);
        // The node owns signals and shutdown order: no console lifetime that would stop us on SIGTERM mid-drain.
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = 0;
            listen(options);
        });

        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _app = app;
        Addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        Port = Addresses.Count > 0 ? new Uri(Addresses[0]).Port : Config.Endpoint.Port;
        HealthCheckTelemetry.Started(_logger, string.Join(", ", Addresses), Config.Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
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

        HealthCheckTelemetry.Stopped(_logger);
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value is { Length: > 0 } value ? value : "/";
        HealthResponse response;
        try
        {
            var cluster = path == "/status" && http.Request.Query.ContainsKey("cluster") ? await ClusterStatusAsync(http.RequestAborted).ConfigureAwait(false) : null;
            response = _responder.Respond(path, http.Request.Query, cluster);
        }
        catch (Exception ex)
        {
            HealthCheckTelemetry.RequestFailed(_logger, path, ex);
            response = new HealthResponse(StatusCodes.Status500InternalServerError, HealthCheckResponder.TextContentType, "internal error\n"u8.ToArray());
        }

        http.Response.StatusCode = response.StatusCode;
        http.Response.Headers.Connection = "close";
        http.Response.Headers.CacheControl = "no-store";
        if (response.ContentType is { } contentType)
        {
            http.Response.ContentType = contentType;
        }

        http.Response.ContentLength = response.Body.Length;
        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The cluster view for <c>/status?cluster</c> from the node's <see cref="IClusterStatusSource"/> (an Akka extension on
    /// the ActorSystem); null without one; <c>{"error": ...}</c> when it fails.
    /// </summary>
    private async Task<object?> ClusterStatusAsync(CancellationToken cancellationToken)
    {
        if (!_context.System.TryGetExtension<IClusterStatusSource>(out var source) || source is null)
        {
            return null;
        }

        try
        {
            return await source.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            HealthCheckTelemetry.ClusterStatusFailed(_logger, ex);
            return new Dictionary<string, string> { ["error"] = ex.Message };
        }
    }
}
