using System.IO.Compression;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Grpc.Net.Compression;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Receivers.Otlp;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>
/// Sends batches as OTLP/gRPC export requests, like the collector's <c>otlp</c> exporter: one <see cref="GrpcChannel"/>
/// per exporter instance (created by <see cref="StartAsync"/>, disposed by <see cref="ShutdownAsync"/>), the batch's
/// payload sent as is to the signal's service with the configured headers, compression and a gRPC deadline of
/// <c>timeout</c>. Failures follow the collector's rules (<see cref="OtlpExportErrors"/>); the engine's exporter kit
/// retries, times out and releases the acks. Thread-safe: the pipelines sharing this exporter call it concurrently.
/// </summary>
internal sealed class OtlpExporter : IExporter, IAsyncDisposable
{
    /// <summary>Sends the payload through <see cref="OtlpWire"/>'s marshaller: encoded entries go out as received.</summary>
    public bool HandlesEncodedEntries => true;

    /// <summary>Grpc.Net's per-call compression choice (an internal header, not sent).</summary>
    private const string CompressionRequestHeader = "grpc-internal-encoding-request";

    /// <summary>gRPC's default cap on the delay between reconnection attempts.</summary>
    private static readonly TimeSpan MaxReconnectBackoff = TimeSpan.FromSeconds(120);

    private readonly ComponentContext _context;
    private readonly ILogger _logger;
    private readonly OtlpTarget _target;
    private readonly Metadata _headers;
    private readonly Lock _gate = new();
    private Connection? _connection;

    public OtlpExporter(ComponentContext context, OtlpExporterConfig config)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        _context = context;
        _logger = context.CreateLogger();
        Config = config;
        _target = config.Target;
        _headers = CreateHeaders(config);
    }

    public OtlpExporterConfig Config { get; }

    /// <summary>Whether requests use TLS (the endpoint's scheme and <c>tls.insecure</c>).</summary>
    public bool UsesTls => _target.UsesTls(Config.Tls);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_connection is not null)
            {
                throw new InvalidOperationException($"exporter {_context.Id} is already started");
            }

            _connection = Connect();
        }

        OtlpExporterLog.Started(_logger, _target.Text, UsesTls ? "TLS" : "plaintext", Config.Compression.ToString().ToLowerInvariant(),
            Config.BalancerName.Length == 0 ? "pick_first" : Config.BalancerName);
        if (UsesTls && Config.Tls.InsecureSkipVerify)
        {
            OtlpExporterLog.VerificationOff(_logger, _target.Text);
        }

        if (Config.SendingQueue.Batch)
        {
            OtlpExporterLog.SettingNotApplied(_logger, "sending_queue.batch", "batching in the exporter is not supported; put a batch processor in the pipeline");
        }

        return Task.CompletedTask;
    }

    public async Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var connection = Volatile.Read(ref _connection) ?? throw new InvalidOperationException($"exporter {_context.Id} is not started");
        var options = CallOptionsFor(cancellationToken);
        try
        {
            switch (batch.Signal)
            {
                case Signal.Metrics:
                    {
                        var response = await connection.Invoker.AsyncUnaryCall(OtlpGrpcMethods.Metrics, null, options, batch.Metrics).ConfigureAwait(false);
                        CheckPartialSuccess(batch, response.PartialSuccess?.RejectedDataPoints ?? 0, response.PartialSuccess?.ErrorMessage, "data points");
                        break;
                    }

                case Signal.Logs:
                    {
                        var response = await connection.Invoker.AsyncUnaryCall(OtlpGrpcMethods.Logs, null, options, batch.Logs).ConfigureAwait(false);
                        CheckPartialSuccess(batch, response.PartialSuccess?.RejectedLogRecords ?? 0, response.PartialSuccess?.ErrorMessage, "log records");
                        break;
                    }

                case Signal.Traces:
                    {
                        var response = await connection.Invoker.AsyncUnaryCall(OtlpGrpcMethods.Traces, null, options, batch.Traces).ConfigureAwait(false);
                        CheckPartialSuccess(batch, response.PartialSuccess?.RejectedSpans ?? 0, response.PartialSuccess?.ErrorMessage, "spans");
                        break;
                    }

                default:
                    throw new ExportException($"signal {batch.Signal} is not supported by the OTLP exporter", permanent: true);
            }
        }
        catch (RpcException e) when (cancellationToken.IsCancellationRequested)
        {
            // The kit's timeout or shutdown: let it tell the two apart.
            throw new OperationCanceledException("the export was cancelled", e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw OtlpExportErrors.Map(e, _target.Text);
        }
    }

    public Task ShutdownAsync(CancellationToken cancellationToken)
    {
        Connection? connection;
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
        }

        if (connection is not null)
        {
            connection.Dispose();
            OtlpExporterLog.Stopped(_logger, _target.Text);
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>The compression providers offered on the channel: gzip (default level, as grpc-go's), zstd, snappy.</summary>
    internal static List<ICompressionProvider> CompressionProviders() =>
    [
        new GzipCompressionProvider(CompressionLevel.Optimal),
        new ZstdCompressionProvider(),
        new SnappyCompressionProvider(),
    ];

    private static Metadata CreateHeaders(OtlpExporterConfig config)
    {
        var headers = new Metadata();
        foreach (var (key, value) in config.Headers)
        {
            headers.Add(OtlpExporterConfig.ToMetadataEntry(key, value));
        }

        var encoding = config.Compression switch
        {
            OtlpCompression.Gzip => "gzip",
            OtlpCompression.Zstd => "zstd",
            OtlpCompression.Snappy => "snappy",
            _ => null,
        };
        if (encoding is not null)
        {
            headers.Add(CompressionRequestHeader, encoding);
        }

        return headers;
    }

    private CallOptions CallOptionsFor(CancellationToken cancellationToken)
    {
        // The kit cancels the token after `timeout`; the deadline also tells the server (grpc-timeout), as the collector does.
        var timeout = Config.Exporter.Timeout;
        DateTime? deadline = timeout > TimeSpan.Zero ? _context.Time.GetUtcNow().UtcDateTime + timeout : null;
        return new CallOptions(headers: _headers, deadline: deadline, cancellationToken: cancellationToken).WithWaitForReady(Config.WaitForReady);
    }

    private void CheckPartialSuccess(TelemetryBatch batch, long rejected, string? message, string itemKind)
    {
        if (rejected > 0 || !string.IsNullOrEmpty(message))
        {
            // The request succeeded: the rejected items are not retried (OTLP spec), only reported.
            OtlpExporterLog.PartialSuccess(_logger, _target.Text, rejected, batch.ItemCount, itemKind, message ?? string.Empty);
        }
    }

    private Connection Connect()
    {
        var config = Config;
        var useTls = UsesTls;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
        };

        if (config.Keepalive is { Time: var time } keepalive && time > TimeSpan.Zero)
        {
            handler.KeepAlivePingDelay = time;
            handler.KeepAlivePingTimeout = keepalive.Timeout > TimeSpan.Zero ? keepalive.Timeout : TimeSpan.FromSeconds(20);
            handler.KeepAlivePingPolicy = keepalive.PermitWithoutStream ? HttpKeepAlivePingPolicy.Always : HttpKeepAlivePingPolicy.WithActiveRequests;
        }

        try
        {
            if (useTls)
            {
                handler.SslOptions = OtlpClientTls.CreateOptions(config.Tls, _context.Time);
            }

            if (_target.SocketPath is { } path)
            {
                handler.ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                };
            }

            // The HTTP/2 Host (:authority) also names the TLS server (SNI and certificate check) in .NET.
            var authority = (useTls ? config.Tls.ServerNameOverride : null) ?? config.Authority;
            HttpMessageHandler outer = authority is null ? handler : new AuthorityHandler(authority) { InnerHandler = handler };
            var roundRobin = string.Equals(config.BalancerName, "round_robin", StringComparison.Ordinal);
            var options = new GrpcChannelOptions
            {
                HttpHandler = outer,
                DisposeHttpClient = true,
                CompressionProviders = CompressionProviders(),
                MaxSendMessageSize = null,
            };

            // A connection that failed is retried with backoff (grpc-go's cap is 120 s); never wait longer than the
            // kit waits between retries, so that the data flows again soon after the server is back.
            var retry = config.Exporter.Retry;
            if (retry.Enabled && retry.MaxInterval > TimeSpan.Zero && retry.MaxInterval < MaxReconnectBackoff)
            {
                options.MaxReconnectBackoff = retry.MaxInterval < options.InitialReconnectBackoff ? options.InitialReconnectBackoff : retry.MaxInterval;
            }

            string address;
            if (roundRobin)
            {
                address = $"dns:///{_target.Authority}";
                options.Credentials = useTls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
                options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
            }
            else
            {
                address = $"{(useTls ? "https" : "http")}://{_target.Authority}";
            }

            var channel = GrpcChannel.ForAddress(address, options);
            return new Connection(
                channel,
                outer,
                channel.CreateCallInvoker());
        }
        catch
        {
            handler.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The channel, its handler and its call invoker. Calls go through <see cref="OtlpGrpcMethods"/>, whose marshallers
    /// copy the received encoding of resource entries instead of encoding them again (<see cref="OtlpWire"/>).
    /// </summary>
    private sealed record Connection(
        GrpcChannel Channel,
        HttpMessageHandler Handler,
        CallInvoker Invoker) : IDisposable
    {
        public void Dispose()
        {
            Channel.Dispose();
            Handler.Dispose();
        }
    }

    /// <summary>Sets the Host (HTTP/2 :authority) of every request: <c>authority</c> or <c>tls.server_name_override</c>.</summary>
    private sealed class AuthorityHandler(string authority) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = authority;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
