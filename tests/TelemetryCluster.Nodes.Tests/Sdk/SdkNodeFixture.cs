using System.Diagnostics;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>
/// One <c>telemetry-cluster</c> process per test class, started with the repository's default
/// <c>hocon/application.conf</c> and <c>--set</c> overrides: OTLP gRPC/HTTP and health_check on free loopback ports,
/// Akka remoting on port 0, and the debug exporter writing every batch to standard output.
/// </summary>
/// <remarks>
/// <para>Counting: each exported batch is one summary line (<see cref="DebugExporterOutput"/>). A test takes
/// <see cref="Exported"/> before it sends, lets the client under test finish (every export answered), then calls
/// <see cref="DeliveredSinceAsync"/>, which sends a barrier and returns what was exported in between.</para>
/// <para>Why that count is final, with no fixed sleep: the node runs with <c>cluster.delivery = exported</c>, so it
/// answers an export only after the debug exporter has written the batch to its standard output. Every item the
/// client had acknowledged is therefore already in the pipe when the barrier (one item with a unique name, sent over
/// gRPC afterwards) is written, and the pipe keeps order. The debug exporter runs at <c>verbosity = normal</c> only
/// so that the barrier's own item line, which carries the name, can be seen; counting uses the summary lines alone.
/// A client that sent too much is caught as surely as one that sent too little. This does not depend on how the
/// node spreads batches over pipelines or partitions (under <c>accepted</c> a barrier on a different partition
/// could overtake data still waiting in another partition's batch processor).</para>
/// <para>Tests of one class run one after another, so the deltas belong to the running test.</para>
/// </remarks>
public sealed class SdkNodeFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private const int StartAttempts = 3;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private NodeProcess? _node;
    private GrpcChannel? _channel;

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    public int HealthPort { get; private set; }

    /// <summary>How long the node took from process start to health_check 200 (last attempt).</summary>
    public TimeSpan StartupTime { get; private set; }

    public NodeProcess Node => _node ?? throw new InvalidOperationException("the node is not running");

    /// <summary><c>http://127.0.0.1:PORT</c> of the OTLP/gRPC receiver.</summary>
    public Uri GrpcEndpoint => new($"http://127.0.0.1:{GrpcPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Full URL of an OTLP/HTTP path, e.g. <c>/v1/metrics</c>.</summary>
    public Uri HttpEndpoint(string path) => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}{path}");

    public async ValueTask InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts.Take(3);
            (GrpcPort, HttpPort, HealthPort) = (ports[0], ports[1], ports[2]);
            var node = NodeProcess.StartNode(Arguments());
            var started = Stopwatch.StartNew();
            try
            {
                if (await WaitForHealthAsync(node))
                {
                    StartupTime = started.Elapsed;
                    _node = node;
                    _channel = GrpcChannel.ForAddress(GrpcEndpoint);
                    return;
                }
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }

            // Exited before it was healthy. FreePorts releases its ports before the node binds them, so another
            // process may have taken one in between: try again with new ports; anything else is a real failure.
            await node.WaitForExitAsync(StopTimeout);
            var description = node.Describe();
            await node.DisposeAsync();
            var portTaken = description.Contains("The node failed to start:", StringComparison.Ordinal)
                && ports.Any(p => description.Contains(p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            if (!portTaken || attempt == StartAttempts)
            {
                throw new InvalidOperationException($"the node exited before health_check answered 200 (attempt {attempt}).\n{description}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        _http.Dispose();
        if (_node is not { } node)
        {
            return;
        }

        try
        {
            node.Terminate();
            await node.WaitForExitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            // did not stop within StopTimeout: Dispose kills it
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>Items counted on the debug exporter's summary lines so far.</summary>
    public SignalCounts Exported() => DebugExporterOutput.Sum(Node.Lines);

    /// <summary>
    /// Sends a one-item barrier for <paramref name="signal"/>, waits until the debug exporter wrote it, and returns
    /// the items exported since <paramref name="before"/> without the barrier. Call it only after the client under
    /// test got the answers to all of its exports.
    /// </summary>
    public async Task<SignalCounts> DeliveredSinceAsync(SignalCounts before, Signal signal, CancellationToken cancellationToken = default)
    {
        var token = "telemetrycluster.test.barrier." + Guid.NewGuid().ToString("N");
        var channel = _channel ?? throw new InvalidOperationException("the node is not running");
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        switch (signal)
        {
            case Signal.Metrics:
                await new MetricsService.MetricsServiceClient(channel).ExportAsync(BarrierMetrics(token), deadline: deadline, cancellationToken: cancellationToken);
                break;
            case Signal.Logs:
                await new LogsService.LogsServiceClient(channel).ExportAsync(BarrierLogs(token), deadline: deadline, cancellationToken: cancellationToken);
                break;
            case Signal.Traces:
                await new TraceService.TraceServiceClient(channel).ExportAsync(BarrierTraces(token), deadline: deadline, cancellationToken: cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(signal), signal, null);
        }

        try
        {
            // Everything acknowledged before the barrier was sent was written before it; its item line (verbosity =
            // normal) follows its own summary line. Once it is captured, so is every summary line that counts.
            await Node.WaitForLineAsync(l => l.Contains(token, StringComparison.Ordinal), DeliveryTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the {signal.ToConfigName()} barrier {token} was not exported within {DeliveryTimeout}; "
                + $"exported since the test started: {Exported() - before}.\n{Node.Describe()}");
        }

        return Exported() - before - SignalCounts.Of(signal, 1);
    }

    private IEnumerable<string> Arguments() =>
    [
        "--config", SdkRepo.ApplicationConf,
        "--set", $"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:{GrpcPort.ToString(CultureInfo.InvariantCulture)}",
        "--set", $"receivers::otlp::protocols::http::endpoint=127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}",
        "--set", $"extensions::health_check::endpoint=127.0.0.1:{HealthPort.ToString(CultureInfo.InvariantCulture)}",
        "--set", "cluster::port=0",
        // Answers only after export, which makes the barrier in DeliveredSinceAsync exact (see the remarks above).
        "--set", "cluster::delivery=exported",
        // Plain summary lines on stdout, independent of the node's log level and console formatter; every batch
        // written (sampling only decides what is written, never what is exported).
        "--set", "exporters::debug::use_internal_logger=false",
        "--set", "exporters::debug::sampling_initial=1000000",
        "--set", "exporters::debug::sampling_thereafter=1",
        // Adds one line per item after each summary line: used to see the barrier, not for counting.
        "--set", "exporters::debug::verbosity=normal",
    ];

    /// <summary>True once health_check answers 200; false when the process exited first.</summary>
    private async Task<bool> WaitForHealthAsync(NodeProcess node)
    {
        var health = new Uri($"http://127.0.0.1:{HealthPort.ToString(CultureInfo.InvariantCulture)}/");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (node.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await _http.GetAsync(health);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // request timeout; try again
            }

            // Polling interval of the readiness probe, not a wait for a result.
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException($"health_check did not answer 200 within {StartTimeout}.\n{node.Describe()}");
    }

    private static Resource BarrierResource() =>
        new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "telemetrycluster-test-barrier" } } } };

    private static InstrumentationScope BarrierScope() => new() { Name = "telemetrycluster.test.barrier" };

    private static ulong Now() => (ulong)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);

    private static ExportMetricsServiceRequest BarrierMetrics(string token) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = BarrierResource(),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = BarrierScope(),
                        Metrics = { new Metric { Name = token, Gauge = new Gauge { DataPoints = { new NumberDataPoint { TimeUnixNano = Now(), AsInt = 1 } } } } },
                    },
                },
            },
        },
    };

    private static ExportLogsServiceRequest BarrierLogs(string token) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = BarrierResource(),
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        Scope = BarrierScope(),
                        LogRecords = { new LogRecord { TimeUnixNano = Now(), SeverityNumber = SeverityNumber.Info, Body = new AnyValue { StringValue = token } } },
                    },
                },
            },
        },
    };

    private static ExportTraceServiceRequest BarrierTraces(string token)
    {
        var ids = Guid.NewGuid().ToByteArray();
        var now = Now();
        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = BarrierResource(),
                    ScopeSpans =
                    {
                        new ScopeSpans
                        {
                            Scope = BarrierScope(),
                            Spans =
                            {
                                new Span
                                {
                                    TraceId = ByteString.CopyFrom(ids),
                                    SpanId = ByteString.CopyFrom(ids, 0, 8),
                                    Name = token,
                                    Kind = Span.Types.SpanKind.Internal,
                                    StartTimeUnixNano = now,
                                    EndTimeUnixNano = now + 1,
                                },
                            },
                        },
                    },
                },
            },
        };
    }
}
