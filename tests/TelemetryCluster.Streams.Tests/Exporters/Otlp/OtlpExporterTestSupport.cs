using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Exporters.Otlp;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;

namespace TelemetryCluster.Streams.Tests.Exporters.Otlp;

/// <summary>Builds and starts exporters for tests, and wraps requests into batches.</summary>
internal static class OtlpExporterTesting
{
    public static ComponentContext Context(OtlpAkkaFixture akka, ILoggerFactory? loggerFactory = null, string id = "otlp") =>
        new(ComponentId.Parse(id), ComponentKind.Exporter, loggerFactory ?? NullLoggerFactory.Instance, TimeProvider.System,
            new ComponentStatusRegistry(TimeProvider.System), new EngineTelemetry(), akka.System, akka.Materializer);

    /// <summary>A plaintext exporter to a local port with the collector's defaults otherwise.</summary>
    public static OtlpExporterConfig Plaintext(int port) => new() { Endpoint = $"127.0.0.1:{port}", Tls = new OtlpClientTlsConfig { Insecure = true } };

    public static async Task<OtlpExporter> StartAsync(OtlpAkkaFixture akka, OtlpExporterConfig config, ILoggerFactory? loggerFactory = null)
    {
        var exporter = (OtlpExporter)new OtlpExporterFactory().CreateExporter(Context(akka, loggerFactory), config);
        await exporter.StartAsync(CancellationToken.None);
        return exporter;
    }

    public static TelemetryBatch Batch(IMessage request) => TelemetryBatch.Create(request, AckSet.Of(new Ack()));

    /// <summary>A local port nobody listens on (bound, then released).</summary>
    public static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// A minimal OTLP/gRPC server whose answers the test scripts (any status, RetryInfo, partial success) and which
/// records the HTTP/2 request headers the exporter sent (<c>grpc-encoding</c>, <c>grpc-timeout</c>, metadata).
/// </summary>
internal sealed class ScriptedOtlpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedOtlpServer(WebApplication app, ScriptedBehavior behavior)
    {
        _app = app;
        Behavior = behavior;
    }

    public ScriptedBehavior Behavior { get; }

    public int Port => new Uri(_app.Urls.Single()).Port;

    public static async Task<ScriptedOtlpServer> StartAsync()
    {
        var behavior = new ScriptedBehavior();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            foreach (var provider in OtlpExporter.CompressionProviders())
            {
                options.CompressionProviders.Add(provider);
            }
        });
        builder.Services.AddSingleton(behavior);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            headers[":path"] = context.Request.Path.Value ?? string.Empty;
            behavior.Headers.Enqueue(headers);
            await next(context);
        });
        app.MapGrpcService<ScriptedMetricsService>();
        app.MapGrpcService<ScriptedLogsService>();
        app.MapGrpcService<ScriptedTraceService>();
        await app.StartAsync();
        return new ScriptedOtlpServer(app, behavior);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the scripted server answers and what it saw.</summary>
internal sealed class ScriptedBehavior
{
    /// <summary>Thrown instead of answering, when set.</summary>
    public RpcException? Fail { get; set; }

    /// <summary>Partial success to put in the response: rejected count and message.</summary>
    public (long Rejected, string Message)? Partial { get; set; }

    /// <summary>Awaited before answering (a slow server).</summary>
    public TimeSpan Delay { get; set; }

    public ConcurrentQueue<IMessage> Requests { get; } = new();

    public ConcurrentQueue<Dictionary<string, string>> Headers { get; } = new();

    public async Task AnswerAsync(IMessage request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.CancellationToken);
        }

        if (Fail is { } e)
        {
            throw e;
        }
    }
}

internal sealed class ScriptedMetricsService(ScriptedBehavior behavior) : MetricsService.MetricsServiceBase
{
    public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        await behavior.AnswerAsync(request, context);
        return behavior.Partial is { } p
            ? new ExportMetricsServiceResponse { PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = p.Rejected, ErrorMessage = p.Message } }
            : new ExportMetricsServiceResponse();
    }
}

internal sealed class ScriptedLogsService(ScriptedBehavior behavior) : LogsService.LogsServiceBase
{
    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        await behavior.AnswerAsync(request, context);
        return behavior.Partial is { } p
            ? new ExportLogsServiceResponse { PartialSuccess = new ExportLogsPartialSuccess { RejectedLogRecords = p.Rejected, ErrorMessage = p.Message } }
            : new ExportLogsServiceResponse();
    }
}

internal sealed class ScriptedTraceService(ScriptedBehavior behavior) : TraceService.TraceServiceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        await behavior.AnswerAsync(request, context);
        return behavior.Partial is { } p
            ? new ExportTraceServiceResponse { PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = p.Rejected, ErrorMessage = p.Message } }
            : new ExportTraceServiceResponse();
    }
}

/// <summary>A throwaway CA and certificates issued by it, written as PEM files into a temporary folder.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("otlp-exporter-tls-").FullName;

    public TestPki() => Ca = CreateCa();

    public X509Certificate2 Ca { get; }

    public string CaFile => WritePem("ca.crt", Ca.ExportCertificatePem());

    /// <summary>A server certificate for the given DNS names (and 127.0.0.1 when <paramref name="withLoopbackIp"/>).</summary>
    public X509Certificate2 Server(bool withLoopbackIp, params string[] dnsNames) => Issue(Ca, "server", serverAuth: true, withLoopbackIp, dnsNames);

    public X509Certificate2 Client() => Issue(Ca, "client", serverAuth: false, false, []);

    public string WritePem(string name, string pem)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    public void Dispose()
    {
        Ca.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    public static X509Certificate2 CreateCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=otlp exporter test ca " + Guid.NewGuid().ToString("N")[..8], key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name, bool serverAuth, bool withLoopbackIp, string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames)
            {
                san.AddDnsName(dns);
            }

            if (withLoopbackIp)
            {
                san.AddIpAddress(IPAddress.Loopback);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }
}
