using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace TelemetryCluster.ClusterTests.Support;

/// <summary>What the sink does with an export request.</summary>
public enum SinkMode
{
    /// <summary>Counts the items and answers OK.</summary>
    Accept,

    /// <summary>Answers UNAVAILABLE without counting anything (a backend that is down).</summary>
    Unavailable,
}

/// <summary>
/// An in-process OTLP/gRPC backend (Metrics, Logs and Trace Export on h2c, 127.0.0.1:0) that one node's <c>otlp</c>
/// exporter sends to, so that per-node export counts are exact. It counts items (data points, log records, spans)
/// and, for every item carrying the <see cref="SequenceAttribute"/> attribute, how often that item arrived (so lost and
/// duplicated items can be told apart). It can be paused (every call is held until <see cref="Resume"/>, then answered
/// UNAVAILABLE and not counted, as a hung backend that recovers; the exporter sends it again) and can answer
/// UNAVAILABLE. Only calls answered OK are counted, so the counts are what the exporter was told was delivered.
/// </summary>
public sealed class SinkServer : IAsyncDisposable
{
    /// <summary>Item attribute (int) with a unique sequence number per item, set by the <see cref="LoadGenerator"/>.</summary>
    public const string SequenceAttribute = "tc.seq";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<long, int> _seen = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _resumed = CompletedGate();
    private long _items;
    private long _requests;
    private long _held;
    private long _cancelledWhileHeld;
    private long _unavailableAnswers;
    private volatile SinkMode _mode = SinkMode.Accept;

    private SinkServer(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    /// <summary>Called with every logs request the sink accepted (after counting it), on the request's thread.</summary>
    public Action<ExportLogsServiceRequest>? LogsObserver { get; set; }

    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:PORT</c>, as the exporter's <c>endpoint</c>.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Items counted (every arrival, duplicates included).</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>Export calls answered OK.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Calls waiting at the paused gate right now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Calls the client gave up on (timeout) while they were held.</summary>
    public long CancelledWhileHeld => Interlocked.Read(ref _cancelledWhileHeld);

    /// <summary>Calls answered UNAVAILABLE (in <see cref="SinkMode.Unavailable"/>, or held by a pause).</summary>
    public long UnavailableAnswers => Interlocked.Read(ref _unavailableAnswers);

    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return !_resumed.Task.IsCompleted;
            }
        }
    }

    public SinkMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    /// <summary>Distinct sequence numbers received so far.</summary>
    public IReadOnlyCollection<long> DistinctSequences => [.. _seen.Keys];

    /// <summary>Sequence number → how often it arrived (a snapshot).</summary>
    public IReadOnlyDictionary<long, int> Arrivals => new Dictionary<long, int>(_seen);

    public static async Task<SinkServer> StartAsync(string name, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 64 * 1024 * 1024;
            grpc.EnableDetailedErrors = true;
        });

        SinkServer? sink = null;
        builder.Services.AddSingleton(_ => sink!);
        var app = builder.Build();
        sink = new SinkServer(name, app);
        app.MapGrpcService<MetricsSink>();
        app.MapGrpcService<LogsSink>();
        app.MapGrpcService<TraceSink>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        sink.Port = new Uri(address).Port;
        return sink;
    }

    /// <summary>Holds every call (uncounted) until <see cref="Resume"/>, which fails them.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            if (_resumed.Task.IsCompleted)
            {
                _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Ends the pause: the held calls are answered UNAVAILABLE (retried by the exporter), new calls per <see cref="Mode"/>.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _resumed.TrySetResult();
        }
    }

    /// <summary>How many times <paramref name="sequence"/> arrived here (0 when never).</summary>
    public int ArrivalsOf(long sequence) => _seen.TryGetValue(sequence, out var n) ? n : 0;

    public async ValueTask DisposeAsync()
    {
        Resume();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // held connections are cut
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() =>
        $"sink {Name} (:{Port}): {Items} items in {Requests} requests, {_seen.Count} distinct, held {Held}, mode {Mode}{(IsPaused ? ", paused" : string.Empty)}";

    private async Task AcceptAsync(Action<Action<long?>> visitItems, ServerCallContext context)
    {
        Task resumed;
        lock (_gate)
        {
            resumed = _resumed.Task;
        }

        if (!resumed.IsCompleted)
        {
            Interlocked.Increment(ref _held);
            try
            {
                await resumed.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelledWhileHeld);
                throw new RpcException(new Status(StatusCode.Cancelled, "the client gave up while the sink was paused"));
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }

            // A hung backend that recovers does not complete the calls it held: they fail and the exporter sends
            // them again. Answering them OK instead would race with the exporter's own timeout (a call it already
            // gave up on would be counted and then sent again), making duplicates that say nothing about the cluster.
            Interlocked.Increment(ref _unavailableAnswers);
            throw new RpcException(new Status(StatusCode.Unavailable, "the sink was paused"));
        }

        if (_mode == SinkMode.Unavailable)
        {
            Interlocked.Increment(ref _unavailableAnswers);
            throw new RpcException(new Status(StatusCode.Unavailable, "sink is unavailable"));
        }

        if (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "the client gave up"));
        }

        long items = 0;
        visitItems(sequence =>
        {
            items++;
            if (sequence is { } seq)
            {
                _seen.AddOrUpdate(seq, 1, (_, n) => n + 1);
            }
        });
        Interlocked.Add(ref _items, items);
        Interlocked.Increment(ref _requests);
    }

    private static long? Sequence(Google.Protobuf.Collections.RepeatedField<KeyValue> attributes)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Key == SequenceAttribute && attribute.Value?.ValueCase == AnyValue.ValueOneofCase.IntValue)
            {
                return attribute.Value.IntValue;
            }
        }

        return null;
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private static void VisitMetrics(ExportMetricsServiceRequest request, Action<long?> item)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            foreach (var scope in resource.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    switch (metric.DataCase)
                    {
                        case Metric.DataOneofCase.Gauge:
                            foreach (var p in metric.Gauge.DataPoints)
                            {
                                item(Sequence(p.Attributes));
                            }

                            break;
                        case Metric.DataOneofCase.Sum:
                            foreach (var p in metric.Sum.DataPoints)
                            {
                                item(Sequence(p.Attributes));
                            }

                            break;
                        case Metric.DataOneofCase.Histogram:
                            foreach (var p in metric.Histogram.DataPoints)
                            {
                                item(Sequence(p.Attributes));
                            }

                            break;
                        case Metric.DataOneofCase.ExponentialHistogram:
                            foreach (var p in metric.ExponentialHistogram.DataPoints)
                            {
                                item(Sequence(p.Attributes));
                            }

                            break;
                        case Metric.DataOneofCase.Summary:
                            foreach (var p in metric.Summary.DataPoints)
                            {
                                item(Sequence(p.Attributes));
                            }

                            break;
                    }
                }
            }
        }
    }

    private sealed class MetricsSink(SinkServer sink) : MetricsService.MetricsServiceBase
    {
        public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
        {
            await sink.AcceptAsync(item => VisitMetrics(request, item), context).ConfigureAwait(false);
            return new ExportMetricsServiceResponse();
        }
    }

    private sealed class LogsSink(SinkServer sink) : LogsService.LogsServiceBase
    {
        public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
        {
            await sink.AcceptAsync(
                item =>
                {
                    foreach (var record in request.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
                    {
                        item(Sequence(record.Attributes));
                    }
                },
                context).ConfigureAwait(false);
            sink.LogsObserver?.Invoke(request);
            return new ExportLogsServiceResponse();
        }
    }

    private sealed class TraceSink(SinkServer sink) : TraceService.TraceServiceBase
    {
        public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            await sink.AcceptAsync(
                item =>
                {
                    foreach (var span in request.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans))
                    {
                        item(Sequence(span.Attributes));
                    }
                },
                context).ConfigureAwait(false);
            return new ExportTraceServiceResponse();
        }
    }
}
