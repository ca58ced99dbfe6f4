using System.Globalization;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Processes;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// The floor baseline: a no-op Grpc.AspNetCore <c>MetricsService.Export</c> that decodes each request (the
/// framework's protobuf deserializer) and counts its data points; nothing else. It also takes OTLP logs
/// (<c>LogsService.Export</c>, counting log records), so that it can be the sink of a logs pipeline (filelog). Runs in its own process via the
/// hidden subcommand <c>floor-server --port N --control-port M</c> (0 = any free port), so it has its own
/// /proc figures. Kestrel with default settings and the Web SDK's defaults (server GC), logging at Warning.
/// <list type="bullet">
/// <item>gRPC (HTTP/2 cleartext) on 127.0.0.1:port.</item>
/// <item>Control (HTTP/1.1) on 127.0.0.1:control-port: <c>GET /count</c> →
/// <c>"&lt;data points&gt; &lt;requests&gt; &lt;log records&gt; &lt;log requests&gt;"</c>.</item>
/// <item>Prints <c>floor-server ready grpc=P control=C</c> when listening; when its stdin closes it prints
/// <c>floor-server count data_points=D requests=R</c> and exits.</item>
/// </list>
/// </summary>
internal static class FloorServer
{
    public const string ReadyPrefix = "floor-server ready ";
    public const string CountPrefix = "floor-server count ";

    public static async Task<int> RunAsync(int port, int controlPort, CancellationToken cancellationToken)
    {
        // 0 = any free port, chosen here so the ready line can name which port is which.
        port = port == 0 ? FreePort.Next() : port;
        controlPort = controlPort == 0 ? FreePort.Next() : controlPort;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, controlPort, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<FloorCounters>();

        var app = builder.Build();
        app.MapGrpcService<FloorMetricsService>();
        app.MapGrpcService<FloorLogsService>();
        app.MapGet("/count", (FloorCounters c) => c.Describe());

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ReadyPrefix}grpc={port} control={controlPort}"));

        using (var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping))
        {
            await WaitForStdinEofAsync(stopping.Token).ConfigureAwait(false);
        }

        var counters = app.Services.GetRequiredService<FloorCounters>();
        Console.WriteLine(CountPrefix + counters.Describe("data_points={0} requests={1} log_records={2} log_requests={3}"));
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    private static async Task WaitForStdinEofAsync(CancellationToken cancellationToken)
    {
        await using var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        try
        {
            while (await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
                // ignore input; EOF means the parent is done (or gone)
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM/Ctrl-C
        }
    }
}

internal sealed class FloorCounters
{
    private long _dataPoints;
    private long _requests;
    private long _logRecords;
    private long _logRequests;

    public void Add(int dataPoints)
    {
        Interlocked.Add(ref _dataPoints, dataPoints);
        Interlocked.Increment(ref _requests);
    }

    public void AddLogs(int logRecords)
    {
        Interlocked.Add(ref _logRecords, logRecords);
        Interlocked.Increment(ref _logRequests);
    }

    public string Describe(string format = "{0} {1} {2} {3}") =>
        string.Format(
            CultureInfo.InvariantCulture,
            format,
            Interlocked.Read(ref _dataPoints),
            Interlocked.Read(ref _requests),
            Interlocked.Read(ref _logRecords),
            Interlocked.Read(ref _logRequests));
}

internal sealed class FloorMetricsService(FloorCounters counters) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        counters.Add(DataPointCounter.Count(request));
        return Task.FromResult(new ExportMetricsServiceResponse());
    }
}

internal sealed class FloorLogsService(FloorCounters counters) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        var records = 0;
        foreach (var resource in request.ResourceLogs)
        {
            foreach (var scope in resource.ScopeLogs)
            {
                records += scope.LogRecords.Count;
            }
        }

        counters.AddLogs(records);
        return Task.FromResult(new ExportLogsServiceResponse());
    }
}
