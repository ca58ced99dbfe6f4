using Akka;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Discovery;
using TelemetryCluster.Streams.Shared.Hosting;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// The management endpoint (<c>cluster.management</c>, port 8558): its own small Kestrel server, started by this
/// hosted service once the ActorSystem is up (it is registered right after Akka.Hosting's), and stopped in
/// CoordinatedShutdown's <c>before-actor-system-terminate</c> phase, so it keeps answering while the node drains and
/// leaves. With cluster bootstrap, the node then sets its self contact point and starts bootstrap — a bind failure
/// is then fatal; otherwise it is logged and the node runs without the endpoint. No static state.
/// </summary>
internal sealed class ManagementEndpoint(IServiceProvider services, NodeSettings settings, TimeProvider time, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("TelemetryCluster.Management");
    private WebApplication? _app;

    /// <summary>The addresses the endpoint listens on once started, e.g. <c>http://127.0.0.1:8558</c>; empty before.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>The bound port once started (the real one when the endpoint asked for port 0); 0 before.</summary>
    public int Port { get; private set; }

    /// <summary>The URI other nodes' bootstrap probes reach this endpoint on (set when bootstrap runs).</summary>
    public Uri? SelfContactPoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var management = settings.Management;
        if (!management.Enabled)
        {
            return;
        }

        var system = services.GetRequiredService<ActorSystem>();
        if (settings.Bootstrap.Enabled && !settings.UsesBootstrap)
        {
            ManagementTelemetry.BootstrapIgnored(_logger);
        }

        try
        {
            await StartServerAsync(system, management, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!settings.UsesBootstrap && ex is not OperationCanceledException)
        {
            ManagementTelemetry.StartFailed(_logger, management.Endpoint, ex);
            return;
        }

        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stop-management-endpoint", async () =>
        {
            await StopServerAsync().ConfigureAwait(false);
            return Done.Instance;
        });

        if (settings.UsesBootstrap)
        {
            var contactPoint = ContactPointFor(settings, Port);
            SelfContactPoint = contactPoint;
            ManagementTelemetry.BootstrapStarting(_logger, settings.Bootstrap.Discovery.ToString().ToLowerInvariant(), settings.Bootstrap.EffectiveServiceName, contactPoint, settings.Bootstrap.RequiredContactPoints);
            await ClusterBootstrapper.StartAsync(system, contactPoint).ConfigureAwait(false);
        }
    }

    /// <summary>Nothing here: the endpoint stays up through the drain and stops in CoordinatedShutdown.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync() => await StopServerAsync().ConfigureAwait(false);

    /// <summary>
    /// The self contact point: <c>http://host:port/</c> with the endpoint's host, or — when it listens on every
    /// interface — the address other nodes use for this one (<c>cluster.public-hostname</c>, else <c>cluster.hostname</c>).
    /// It must be what discovery returns for this node.
    /// </summary>
    internal static Uri ContactPointFor(NodeSettings settings, int port)
    {
        var host = settings.Management.Host;
        if (NodeConfigValues.IsWildcard(host))
        {
            host = settings.PublicHostname ?? settings.Hostname;
        }

        if (NodeConfigValues.IsWildcard(host))
        {
            throw new InvalidOperationException(
                "cluster bootstrap needs this node's reachable address: the management endpoint and cluster.hostname listen on every interface, so set cluster.public-hostname (in Kubernetes: the pod IP)");
        }

        return new Uri($"http://{NodeConfigValues.HostPort(host, port)}/");
    }

    private async Task StartServerAsync(ActorSystem system, ManagementSettings management, CancellationToken cancellationToken)
    {
        var host = management.Host;
        var port = management.Port;
        var listen = await KestrelListen.ResolveAsync(
            host,
            port,
            NodeConfigValues.IsWildcard(host),
            () => $"management endpoint {NodeConfigValues.HostPort(host, port)}: host \"{host}\" has no address",
            cancellationToken).ConfigureAwait(false);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ManagementEndpoint).Assembly.GetName().Name,
        });
        builder.Services.AddSingleton(loggerFactory);
        // The node owns signals and shutdown order: no console lifetime that would stop us on SIGTERM.
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = 64 * 1024;
            listen(options);
        });

        var app = builder.Build();
        var routes = new ManagementRoutes(system, services, management, _logger);
        app.Run(async http =>
        {
            try
            {
                await routes.HandleAsync(http).ConfigureAwait(false);
            }
            catch (Exception ex) when (!http.Response.HasStarted)
            {
                ManagementTelemetry.RequestFailed(_logger, http.Request.Method, http.Request.Path.Value ?? "/", ex);
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        });
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
        Port = Addresses.Count > 0 ? new Uri(Addresses[0]).Port : management.Port;
        ManagementTelemetry.Started(_logger, string.Join(", ", Addresses), management.Token is null ? "open: no token configured" : "need the bearer token");
    }

    private async Task StopServerAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        ManagementTelemetry.Stopped(_logger);
    }
}
