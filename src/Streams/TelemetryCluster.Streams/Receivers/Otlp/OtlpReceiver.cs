using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Shared.Hosting;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>
/// The OTLP receiver: a gRPC server (HTTP/2; h2c or TLS) and/or an HTTP server (HTTP/1.1; HTTP/2 too over TLS), each its own
/// Kestrel application with its own container, started by <see cref="StartAsync"/> and stopped by
/// <see cref="StopAsync"/>. One instance serves every signal its pipelines use; other signals answer gRPC
/// UNIMPLEMENTED / HTTP 404. After start, <see cref="GrpcPort"/> / <see cref="HttpPort"/> give the bound ports
/// (useful with port 0).
/// </summary>
public sealed class OtlpReceiver : IReceiver, IAsyncDisposable
{
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);

    private readonly ComponentContext _context;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _grpc;
    private WebApplication? _http;
    private bool _started;
    private bool _disposed;

    public OtlpReceiver(ComponentContext context, OtlpReceiverConfig config)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Grpc is null && config.Http is null)
        {
            throw new ArgumentException("must specify at least one protocol when using the OTLP receiver", nameof(config));
        }

        _context = context;
        Config = config;
        _logger = context.CreateLogger();
    }

    public OtlpReceiverConfig Config { get; }

    /// <summary>Addresses the gRPC server listens on (e.g. <c>http://127.0.0.1:4317</c>); empty when not running or off.</summary>
    public IReadOnlyList<string> GrpcAddresses { get; private set; } = [];

    /// <summary>Addresses the HTTP server listens on; empty when not running or off.</summary>
    public IReadOnlyList<string> HttpAddresses { get; private set; } = [];

    /// <summary>The gRPC server's bound TCP port; null when not running, when gRPC is off, or on a unix socket.</summary>
    public int? GrpcPort => PortOf(GrpcAddresses);

    /// <summary>The HTTP server's bound TCP port; null when not running or when HTTP is off.</summary>
    public int? HttpPort => PortOf(HttpAddresses);

    public async Task StartAsync(IReceiverConsumer consumer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_started)
            {
                throw new InvalidOperationException($"receiver {_context.Id} is already started");
            }

            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Starting);
            var handler = new OtlpExportHandler(_context, consumer, _logger);
            string protocol = "gRPC", endpoint = Config.Grpc?.Endpoint ?? string.Empty;
            try
            {
                if (Config.Grpc is { } grpc)
                {
                    _grpc = await StartGrpcAsync(grpc, handler, cancellationToken);
                    GrpcAddresses = [.. _grpc.Urls];
                    foreach (var address in GrpcAddresses)
                    {
                        OtlpReceiverLog.GrpcListening(_logger, address);
                    }
                }

                if (Config.Http is { } http)
                {
                    (protocol, endpoint) = ("HTTP", http.Endpoint);
                    _http = await StartHttpAsync(http, handler, cancellationToken);
                    HttpAddresses = [.. _http.Urls];
                    foreach (var address in HttpAddresses)
                    {
                        OtlpReceiverLog.HttpListening(_logger, address);
                    }
                }
            }
            catch (Exception e)
            {
                OtlpReceiverLog.StartFailed(_logger, e, protocol, endpoint);
                _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.PermanentError, $"OTLP {protocol} server could not start on {endpoint}: {e.Message}");
                await StopServersAsync(CancellationToken.None);
                throw;
            }

            _started = true;
            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Ok);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops accepting connections and lets requests in flight finish until <paramref name="cancellationToken"/> fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }

        await _lifecycle.WaitAsync(CancellationToken.None);
        try
        {
            if (_grpc is null && _http is null)
            {
                return;
            }

            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Stopping);
            await StopServersAsync(cancellationToken);
            _context.Status.Report(ComponentKind.Receiver, _context.Id, ComponentStatus.Stopped);
            OtlpReceiverLog.Stopped(_logger);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops (giving requests in flight a few seconds) and releases the receiver; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        using var grace = new CancellationTokenSource(DisposeGrace, _context.Time);
        await StopAsync(grace.Token);
        _disposed = true;
    }

    private async Task StopServersAsync(CancellationToken cancellationToken)
    {
        var grpc = _grpc;
        var http = _http;
        _grpc = null;
        _http = null;
        GrpcAddresses = [];
        HttpAddresses = [];
        _started = false;
        await Task.WhenAll(StopAppAsync(http, cancellationToken), StopAppAsync(grpc, cancellationToken));
    }

    private async Task StopAppAsync(WebApplication? app, CancellationToken cancellationToken)
    {
        if (app is null)
        {
            return;
        }

        try
        {
            await app.StopAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or AggregateException)
        {
            OtlpReceiverLog.StopAborted(_logger, e);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private async Task<WebApplication> StartGrpcAsync(OtlpGrpcConfig config, OtlpExportHandler handler, CancellationToken cancellationToken)
    {
        var endpoint = config.ParsedEndpoint;
        var resolved = await ResolveAsync(endpoint, cancellationToken);
        var https = config.Tls is null ? null : OtlpTls.CreateHttpsOptions(config.Tls, _context.Time);
        var keepalive = config.Keepalive;
        if (keepalive.MaxConnectionAge > TimeSpan.Zero || keepalive.MaxConnectionAgeGrace > TimeSpan.Zero)
        {
            OtlpReceiverLog.SettingIgnored(_logger, "protocols.grpc.keepalive.server_parameters.max_connection_age");
        }

        var builder = CreateBuilder(https is not null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (config.MaxConcurrentStreams > 0)
            {
                kestrel.Limits.Http2.MaxStreamsPerConnection = config.MaxConcurrentStreams;
            }

            if (keepalive.Time > TimeSpan.Zero)
            {
                kestrel.Limits.Http2.KeepAlivePingDelay = keepalive.Time;
            }

            if (keepalive.Timeout > TimeSpan.Zero)
            {
                kestrel.Limits.Http2.KeepAlivePingTimeout = keepalive.Timeout;
            }

            if (keepalive.MaxConnectionIdle > TimeSpan.Zero)
            {
                kestrel.Limits.KeepAliveTimeout = keepalive.MaxConnectionIdle;
            }

            Listen(kestrel, endpoint, resolved, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (https is not null)
                {
                    listen.UseHttps(https);
                }
            });
        });

        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = config.MaxRecvMsgSizeBytes;
            options.MaxSendMessageSize = null;
            options.EnableDetailedErrors = false;
            foreach (var provider in OtlpGrpcCompression.All())
            {
                options.CompressionProviders.Add(provider);
            }
        });
        builder.Services.AddSingleton(handler);
        builder.Services.AddSingleton(new OtlpGrpcServiceOptions(config.IncludeMetadata));

        var app = builder.Build();
        if (handler.Signals.Contains(Signal.Traces))
        {
            app.MapGrpcService<OtlpTraceGrpcService>();
        }

        if (handler.Signals.Contains(Signal.Metrics))
        {
            app.MapGrpcService<OtlpMetricsGrpcService>();
        }

        if (handler.Signals.Contains(Signal.Logs))
        {
            app.MapGrpcService<OtlpLogsGrpcService>();
        }

        return await StartAppAsync(app, cancellationToken);
    }

    private async Task<WebApplication> StartHttpAsync(OtlpHttpConfig config, OtlpExportHandler handler, CancellationToken cancellationToken)
    {
        var endpoint = config.ParsedEndpoint;
        var resolved = await ResolveAsync(endpoint, cancellationToken);
        var https = config.Tls is null ? null : OtlpTls.CreateHttpsOptions(config.Tls, _context.Time);

        var builder = CreateBuilder(https is not null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // enforced by the handler (compressed and decompressed) → 400
            if (config.ReadHeaderTimeout > TimeSpan.Zero)
            {
                kestrel.Limits.RequestHeadersTimeout = config.ReadHeaderTimeout;
            }

            if (config.IdleTimeout > TimeSpan.Zero)
            {
                kestrel.Limits.KeepAliveTimeout = config.IdleTimeout;
            }

            Listen(kestrel, endpoint, resolved, listen =>
            {
                // HTTP/2 needs ALPN; without TLS Kestrel cannot offer both on one port, so plaintext is HTTP/1.1.
                listen.Protocols = https is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (https is not null)
                {
                    listen.UseHttps(https);
                }
            });
        });

        var app = builder.Build();
        var httpHandler = new OtlpHttpHandler(config, handler, _context.Time);
        app.Run(httpHandler.HandleAsync);
        return await StartAppAsync(app, cancellationToken);
    }

    private static async Task<WebApplication> StartAppAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>A bare Kestrel host: no configuration sources, no console lifetime, the node's logger factory.</summary>
    private WebApplicationBuilder CreateBuilder(bool https)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OtlpReceiver).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        if (https)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        // Explicit Listen() calls are the only endpoints: ignore ASPNETCORE_URLS / HTTP_PORTS of the environment.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.Empty);
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, string.Empty);
        builder.Services.AddRouting();
        builder.Services.AddLogging();
        builder.Services.RemoveAll<ILoggerFactory>();
        builder.Services.AddSingleton<ILoggerFactory>(new EmbeddedServerLoggerFactory(_context.LoggerFactory));
        builder.Services.RemoveAll<IHostLifetime>();
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();
        builder.Services.AddSingleton(_context.Time);
        return builder;
    }

    private static async Task<IPAddress?> ResolveAsync(OtlpEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.Kind != OtlpListenKind.HostName)
        {
            return null;
        }

        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host!, cancellationToken);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    private static void Listen(KestrelServerOptions kestrel, OtlpEndpoint endpoint, IPAddress? resolved, Action<ListenOptions> configure)
    {
        switch (endpoint.Kind)
        {
            case OtlpListenKind.Loopback when endpoint.Port == 0:
                // Kestrel cannot bind one dynamic port on both loopback families; take IPv4.
                kestrel.Listen(IPAddress.Loopback, 0, configure);
                break;
            case OtlpListenKind.Loopback:
                kestrel.ListenLocalhost(endpoint.Port, configure);
                break;
            case OtlpListenKind.Any:
                kestrel.ListenAnyIP(endpoint.Port, configure);
                break;
            case OtlpListenKind.Address:
                kestrel.Listen(endpoint.Address!, endpoint.Port, configure);
                break;
            case OtlpListenKind.HostName:
                kestrel.Listen(resolved!, endpoint.Port, configure);
                break;
            case OtlpListenKind.UnixSocket:
                kestrel.ListenUnixSocket(endpoint.SocketPath!, configure);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint.Kind, null);
        }
    }

    private static int? PortOf(IReadOnlyList<string> addresses)
    {
        foreach (var address in addresses)
        {
            if (!address.Contains("unix:", StringComparison.Ordinal) && Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                return uri.Port;
            }
        }

        return null;
    }
}
