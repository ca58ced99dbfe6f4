using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;

namespace TelemetryCluster.Benchmarks.Load;

/// <summary>
/// An OTLP/gRPC metrics load generator. It sends one pre-serialized <see cref="MetricsPayload"/> over and over
/// to <c>MetricsService/Export</c> (identity marshaller: no per-call encoding), reads every call's gRPC status
/// and partial-success answer, and counts in <see cref="Counters"/>. Two modes:
/// <list type="bullet">
/// <item><see cref="RunFixedRateAsync"/>: open loop at N requests/s, paced by a <see cref="PeriodicTimer"/> on the
/// <see cref="TimeProvider"/>; on each tick it sends every request due by the elapsed time since start (so late
/// ticks catch up and no drift accumulates).</item>
/// <item><see cref="RunMaxRateAsync"/>: closed loop with N concurrent callers, each sending its next request as soon
/// as the previous one is answered.</item>
/// </list>
/// Reusable by tests: construct, run a mode until the token is cancelled, read <see cref="Counters"/>.
/// </summary>
internal sealed class OtlpMetricsLoadGenerator : IAsyncDisposable
{
    private static readonly Method<byte[], ExportMetricsServiceResponse> ExportMethod = new(
        MethodType.Unary,
        MetricsService.Descriptor.FullName,
        "Export",
        Marshallers.Create(static bytes => bytes, static bytes => bytes),
        Marshallers.Create(
            static (ExportMetricsServiceResponse r) => Google.Protobuf.MessageExtensions.ToByteArray(r),
            ExportMetricsServiceResponse.Parser.ParseFrom));

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly MetricsPayload _payload;
    private readonly MetricsPayload[] _rotation;
    private readonly TimeProvider _time;
    private readonly LoadGeneratorOptions _options;
    private readonly CancellationTokenSource _abort = new();
    private long _next = -1;

    public OtlpMetricsLoadGenerator(Uri endpoint, MetricsPayload payload, TimeProvider timeProvider, LoadGeneratorOptions? options = null)
        : this(endpoint, [payload], timeProvider, options)
    {
    }

    /// <summary>
    /// Sends the <paramref name="payloads"/> in turn (call n sends payload n mod count), e.g. requests that differ
    /// only in their resources so that a cluster routes them to different partitions. Each is still pre-serialized.
    /// </summary>
    public OtlpMetricsLoadGenerator(Uri endpoint, IReadOnlyList<MetricsPayload> payloads, TimeProvider timeProvider, LoadGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(payloads);
        ArgumentOutOfRangeException.ThrowIfZero(payloads.Count);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _rotation = [.. payloads];
        _payload = _rotation[0];
        _time = timeProvider;
        _options = options ?? new LoadGeneratorOptions();
        _channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            DisposeHttpClient = true,
        });
        _invoker = _channel.CreateCallInvoker();
    }

    public LoadCounters Counters { get; } = new();

    public MetricsPayload Payload => _payload;

    /// <summary>Sends one request and waits for its answer (counted like any other).</summary>
    public Task SendOneAsync() => SendAsync();

    /// <summary>Open loop at <paramref name="requestsPerSecond"/> until <paramref name="stop"/>; then waits for in-flight calls.</summary>
    public async Task RunFixedRateAsync(double requestsPerSecond, CancellationToken stop)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        var period = TimeSpan.FromSeconds(Math.Max(0.001, 1.0 / requestsPerSecond));
        var start = _time.GetTimestamp();
        long issued = 0;
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            do
            {
                // Requests due at t = 0, 1/rate, 2/rate, ...: catch up on everything due by now.
                var due = (long)(_time.GetElapsedTime(start).TotalSeconds * requestsPerSecond) + 1;
                while (issued < due && !stop.IsCancellationRequested)
                {
                    issued++;
                    if (Counters.InFlight >= _options.MaxInFlight)
                    {
                        Counters.Skipped();
                        continue;
                    }

                    _ = SendAsync();
                }
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped
        }

        await DrainAsync().ConfigureAwait(false);
    }

    /// <summary>Closed loop with <paramref name="concurrency"/> callers until <paramref name="stop"/>.</summary>
    public async Task RunMaxRateAsync(int concurrency, CancellationToken stop)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        var callers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => CallerAsync(stop), CancellationToken.None));
        await Task.WhenAll(callers).ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until no call is in flight (calls end by answer, deadline or <see cref="DisposeAsync"/>).</summary>
    public async Task DrainAsync()
    {
        while (Counters.InFlight > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), _time, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
        _channel.Dispose();
        _abort.Dispose();
    }

    private async Task CallerAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (!await SendAsync().ConfigureAwait(false) && _options.RefusalBackoff > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_options.RefusalBackoff, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One Export call; true when acked.</summary>
    private async Task<bool> SendAsync()
    {
        var payload = _rotation.Length == 1 ? _payload : _rotation[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_rotation.Length)];
        var dataPoints = payload.DataPoints;
        Counters.Sending(dataPoints);
        try
        {
            var options = new CallOptions(
                deadline: _time.GetUtcNow().UtcDateTime + _options.CallTimeout,
                cancellationToken: _abort.Token);
            using var call = _invoker.AsyncUnaryCall(ExportMethod, null, options, payload.Bytes);
            var response = await call.ResponseAsync.ConfigureAwait(false);
            Counters.Acked(dataPoints, response.PartialSuccess?.RejectedDataPoints ?? 0);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted)
        {
            Counters.Refused(dataPoints, e.StatusCode);
        }
        catch (RpcException e)
        {
            Counters.Failed(dataPoints, e.StatusCode);
        }
#pragma warning disable CA1031 // a load generator must count every outcome, whatever it is
        catch (Exception)
#pragma warning restore CA1031
        {
            Counters.Failed(dataPoints, StatusCode.Unknown);
        }

        return false;
    }
}

internal sealed record LoadGeneratorOptions
{
    /// <summary>Deadline per call; generous, so a slow system under test is measured rather than failed.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fixed-rate mode skips a due send (counted as Skipped) while this many calls are in flight.</summary>
    public int MaxInFlight { get; init; } = 1024;

    /// <summary>Max-rate callers pause this long after a refusal, so back-pressure is not a busy loop.</summary>
    public TimeSpan RefusalBackoff { get; init; } = TimeSpan.FromMilliseconds(5);
}
