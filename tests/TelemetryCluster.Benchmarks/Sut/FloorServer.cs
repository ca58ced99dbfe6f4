using System.Globalization;
using System.Net;
using System.Buffers;
using Google.Protobuf;
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
/// (<c>LogsService.Export</c>, counting log records from the request bytes: <see cref="LogRecordCount"/>), so that it can be the sink of a logs pipeline (filelog). Runs in its own process via the
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

/// <summary>
/// The logs side of the sink counts log records from the request's bytes (<see cref="LogRecordCount"/>) instead of
/// building every record as objects: a full parse made this sink use about a core at 300k lines/s, taken from the
/// two cores the node under test runs on (filelog (b)). Bound through <see cref="CountedLogsBinding"/>, so the
/// request type is the count.
/// </summary>
internal sealed class FloorLogsService(FloorCounters counters) : CountedLogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(LogRecordCount request, ServerCallContext context)
    {
        counters.AddLogs(request.Records);
        return Task.FromResult(new ExportLogsServiceResponse());
    }
}

/// <summary>The number of log records in an OTLP logs export request, counted while unmarshalling it.</summary>
internal sealed record LogRecordCount(int Records)
{
    /// <summary>
    /// Walks <c>resource_logs</c> (1) → <c>scope_logs</c> (2) → <c>log_records</c> (2) and counts the records;
    /// other fields are skipped by their wire type. Throws <see cref="InvalidDataException"/> on a malformed request.
    /// </summary>
    public static LogRecordCount Read(ReadOnlySpan<byte> request)
    {
        var records = 0;
        foreach (var resource in Fields(request, 1))
        {
            foreach (var scope in Fields(request.Slice(resource.Start, resource.Length), 2))
            {
                records += Fields(request.Slice(resource.Start, resource.Length).Slice(scope.Start, scope.Length), 2).Count;
            }
        }

        return new LogRecordCount(records);
    }

    /// <summary>The (start, length) of each length-delimited field <paramref name="number"/> of a message.</summary>
    private static List<(int Start, int Length)> Fields(ReadOnlySpan<byte> message, int number)
    {
        var found = new List<(int, int)>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            switch (tag & 7)
            {
                case 0:
                    Varint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if (length < 0 || length > message.Length - position)
                    {
                        throw new InvalidDataException("a length runs past the end of the message");
                    }

                    if ((int)(tag >> 3) == number)
                    {
                        found.Add((position, length));
                    }

                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"wire type {tag & 7} is not used by OTLP");
            }
        }

        return position == message.Length ? found : throw new InvalidDataException("a field runs past the end of the message");
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new InvalidDataException("a varint runs past the end of the message");
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint is longer than 10 bytes");
    }
}

/// <summary>The service type gRPC binds (its binder accepts a method only as an override of the attributed type's).</summary>
[BindServiceMethod(typeof(CountedLogsBinding), nameof(CountedLogsBinding.Bind))]
internal abstract class CountedLogsServiceBase
{
    public abstract Task<ExportLogsServiceResponse> Export(LogRecordCount request, ServerCallContext context);
}

/// <summary>Binds <see cref="FloorLogsService"/> to the OTLP logs Export method with a marshaller that only counts.</summary>
internal static class CountedLogsBinding
{
    private static readonly Method<LogRecordCount, ExportLogsServiceResponse> Export = new(
        MethodType.Unary,
        "opentelemetry.proto.collector.logs.v1.LogsService",
        "Export",
        Marshallers.Create<LogRecordCount>(
            static (LogRecordCount _, SerializationContext _) => throw new NotSupportedException("the sink only receives"),
            static (DeserializationContext context) =>
            {
                var payload = context.PayloadAsReadOnlySequence();
                return LogRecordCount.Read(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());
            }),
        Marshallers.Create<ExportLogsServiceResponse>(
            static (response, context) =>
            {
                context.SetPayloadLength(response.CalculateSize());
                response.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            static context => ExportLogsServiceResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    public static void Bind(ServiceBinderBase binder, CountedLogsServiceBase? service) =>
        binder.AddMethod(Export, service is null ? null : service.Export);
}
