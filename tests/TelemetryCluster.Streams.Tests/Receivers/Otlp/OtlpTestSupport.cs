using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>One actor system per test class (the receiver does not use it, but its context requires one).</summary>
public sealed class OtlpAkkaFixture : IAsyncDisposable
{
    public OtlpAkkaFixture()
    {
        System = ActorSystem.Create("otlp-receiver-tests", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        Materializer = System.Materializer();
    }

    public ActorSystem System { get; }

    public IMaterializer Materializer { get; }

    public async ValueTask DisposeAsync() => await System.Terminate();
}

/// <summary>The engine's side of a receiver: records batches, counts items, answers with a switchable outcome.</summary>
internal sealed class FakeConsumer(params Signal[] signals) : IReceiverConsumer
{
    private readonly ConcurrentQueue<TelemetryBatch> _batches = new();
    private int _calls;

    public IReadOnlySet<Signal> Signals { get; } = new HashSet<Signal>(signals.Length == 0 ? [Signal.Traces, Signal.Metrics, Signal.Logs] : signals);

    /// <summary>What the calls answer (after the <see cref="FirstOutcomes"/>).</summary>
    public AckOutcome Outcome { get; set; } = AckOutcome.Accepted;

    /// <summary>Answers of the first calls, in order; later calls answer <see cref="Outcome"/>.</summary>
    public IReadOnlyList<AckOutcome> FirstOutcomes { get; init; } = [];

    /// <summary>When set, thrown by <see cref="ConsumeAsync"/> (an engine failure).</summary>
    public Exception? Throw { get; set; }

    /// <summary>When set, awaited before answering (a slow pipeline).</summary>
    public Func<TelemetryBatch, CancellationToken, Task>? Delay { get; set; }

    /// <summary>The batches received, with their payloads parsed in full (receivers hand protobuf entries on still encoded).</summary>
    public IReadOnlyCollection<TelemetryBatch> Batches
    {
        get
        {
            foreach (var batch in _batches)
            {
                OtlpWire.Expand(batch.Payload);
            }

            return _batches;
        }
    }

    /// <summary>The batches as the receiver handed them on (entries may still be encoded).</summary>
    public IReadOnlyCollection<TelemetryBatch> ReceivedBatches => _batches;

    public int Calls => _batches.Count;

    public long Items(Signal signal) => _batches.Where(b => b.Signal == signal).Sum(b => (long)b.ItemCount);

    public async Task<AckOutcome> ConsumeAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls) - 1;
        _batches.Enqueue(batch);
        if (Delay is { } delay)
        {
            await delay(batch, cancellationToken);
        }

        if (Throw is { } e)
        {
            throw e;
        }

        var outcome = call < FirstOutcomes.Count ? FirstOutcomes[call] : Outcome;
        batch.Acks.ReleaseAll(outcome);
        return outcome;
    }
}

/// <summary>A started <see cref="OtlpReceiver"/> on 127.0.0.1 dynamic ports with a fake consumer and clients.</summary>
internal sealed class OtlpReceiverHarness : IAsyncDisposable
{
    private readonly List<IDisposable> _disposables = [];

    private OtlpReceiverHarness(OtlpReceiver receiver, FakeConsumer consumer, EngineTelemetry telemetry, ComponentStatusRegistry status, ComponentId id)
    {
        Receiver = receiver;
        Consumer = consumer;
        Telemetry = telemetry;
        Status = status;
        Id = id;
    }

    public static OtlpGrpcConfig LocalGrpc { get; } = new() { Endpoint = "127.0.0.1:0" };

    public static OtlpHttpConfig LocalHttp { get; } = new() { Endpoint = "127.0.0.1:0" };

    public OtlpReceiver Receiver { get; }

    public FakeConsumer Consumer { get; }

    public EngineTelemetry Telemetry { get; }

    public ComponentStatusRegistry Status { get; }

    public ComponentId Id { get; }

    public Uri HttpBase => new($"http://127.0.0.1:{Receiver.HttpPort}");

    public Uri GrpcBase => new($"http://127.0.0.1:{Receiver.GrpcPort}");

    public static ComponentContext Context(OtlpAkkaFixture akka, ComponentId id, EngineTelemetry telemetry, ComponentStatusRegistry status) =>
        new(id, ComponentKind.Receiver, NullLoggerFactory.Instance, TimeProvider.System, status, telemetry, akka.System, akka.Materializer);

    public static async Task<OtlpReceiverHarness> StartAsync(
        OtlpAkkaFixture akka, OtlpReceiverConfig? config = null, FakeConsumer? consumer = null, string id = "otlp", ILoggerFactory? loggerFactory = null)
    {
        config ??= new OtlpReceiverConfig { Grpc = LocalGrpc, Http = LocalHttp };
        consumer ??= new FakeConsumer();
        var telemetry = new EngineTelemetry();
        var status = new ComponentStatusRegistry(TimeProvider.System);
        var componentId = ComponentId.Parse(id);
        var context = Context(akka, componentId, telemetry, status) with { LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance };
        var receiver = (OtlpReceiver)new OtlpReceiverFactory().CreateReceiver(context, config);
        await receiver.StartAsync(consumer, TestContext.Current.CancellationToken);
        return new OtlpReceiverHarness(receiver, consumer, telemetry, status, componentId);
    }

    public HttpClient Http()
    {
        var client = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(30) };
        _disposables.Add(client);
        return client;
    }

    public GrpcChannel Channel(GrpcChannelOptions? options = null)
    {
        var channel = GrpcChannel.ForAddress(GrpcBase, options ?? new GrpcChannelOptions());
        _disposables.Add(channel);
        return channel;
    }

    public long Accepted(Signal signal) => Telemetry.Total(ComponentKind.Receiver, Id, signal, Outcomes.Accepted);

    public long Refused(Signal signal) => Telemetry.Total(ComponentKind.Receiver, Id, signal, Outcomes.Refused);

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await Receiver.StopAsync(CancellationToken.None);
        await Receiver.DisposeAsync();
        Telemetry.Dispose();
    }
}

/// <summary>Small, realistic OTLP requests.</summary>
internal static class OtlpRequests
{
    public static readonly byte[] TraceId = Convert.FromHexString("5b8efff798038103d269b633813fc60c");
    public static readonly byte[] SpanId = Convert.FromHexString("eee19b7ec3c1b174");
    public static readonly byte[] ParentSpanId = Convert.FromHexString("eee19b7ec3c1b173");

    public static Resource Resource(string service = "checkout") => new()
    {
        Attributes = { Attr("service.name", service), Attr("k8s.pod.name", "checkout-7d9f") },
    };

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    /// <summary>A gauge with <paramref name="points"/> data points.</summary>
    public static ExportMetricsServiceRequest Metrics(int points, int attributeBytes = 0)
    {
        var gauge = new Gauge();
        for (var i = 0; i < points; i++)
        {
            var point = new NumberDataPoint { TimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i, AsDouble = i };
            point.Attributes.Add(Attr("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (attributeBytes > 0)
            {
                point.Attributes.Add(Attr("padding", new string('x', attributeBytes)));
            }

            gauge.DataPoints.Add(point);
        }

        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource(),
                    ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "test" }, Metrics = { new Metric { Name = "queue.depth", Gauge = gauge } } } },
                },
            },
        };
    }

    public static ExportLogsServiceRequest Logs(int records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "test" } };
        for (var i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = 1_700_000_000_000_000_000UL,
                SeverityNumber = SeverityNumber.Info,
                Body = new AnyValue { StringValue = $"record {i}" },
                TraceId = ByteString.CopyFrom(TraceId),
                SpanId = ByteString.CopyFrom(SpanId),
            });
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Resource(), ScopeLogs = { scope } } } };
    }

    public static ExportTraceServiceRequest Traces(int spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "test" } };
        for (var i = 0; i < spans; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(TraceId),
                SpanId = ByteString.CopyFrom(SpanId),
                ParentSpanId = ByteString.CopyFrom(ParentSpanId),
                Name = $"span {i}",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = 1_700_000_000_000_000_000UL,
                EndTimeUnixNano = 1_700_000_000_500_000_000UL,
            });
        }

        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = Resource(), ScopeSpans = { scope } } } };
    }
}

/// <summary>Collects log entries of every logger it creates.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyCollection<(string Category, LogLevel Level, string Message)> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
