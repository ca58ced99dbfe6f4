using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.ClusterTests.Support;

/// <summary>How the resources of one request are chosen.</summary>
public enum RequestShape
{
    /// <summary>Every resource has a new service.instance.id: a request spreads over many partitions.</summary>
    Mixed,

    /// <summary>
    /// Every resource of a request lands in the same partition (ids are drawn until they hash there); request k
    /// targets partition k mod partitions, so refusals can be traced to the node hosting that partition.
    /// </summary>
    OnePartitionPerRequest,
}

public sealed record LoadOptions
{
    /// <summary><c>cluster.partitions</c> of the nodes (to know where resources land).</summary>
    public int Partitions { get; init; } = 16;

    /// <summary>Requests in flight or retrying at the same time (an SDK's export queue); new ones wait for a slot.</summary>
    public int Concurrency { get; init; } = 4;

    public int ResourcesPerRequest { get; init; } = 20;

    public int PointsPerResource { get; init; } = 5;

    public RequestShape Shape { get; init; } = RequestShape.Mixed;

    /// <summary>gRPC deadline of one attempt; a request that runs out is retried (as the SDK exporters do).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay when the server names none; doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper limit of a retry delay, also of a server's RetryInfo (keeps the tests short).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause between two new requests (pacing; 0 = as fast as slots free up).</summary>
    public TimeSpan Pacing { get; init; } = TimeSpan.Zero;
}

/// <summary>One resource of a request: its partition and the sequence numbers of its data points.</summary>
public sealed record ResourcePart(string InstanceId, int Partition, long FirstSequence, int Count);

/// <summary>A request the generator made, and what became of it.</summary>
public sealed class LoadRequest(long id, IReadOnlyList<ResourcePart> parts)
{
    public long Id { get; } = id;

    public IReadOnlyList<ResourcePart> Parts { get; } = parts;

    public int Items => Parts.Sum(p => p.Count);

    public IEnumerable<int> Partitions => Parts.Select(p => p.Partition).Distinct();

    public int Attempts { get; internal set; }

    private volatile bool _acknowledged;

    /// <summary>Set by the delivering task, read by the test (hence volatile).</summary>
    public bool Acknowledged
    {
        get => _acknowledged;
        internal set => _acknowledged = value;
    }

    public TimeSpan? AcknowledgedAt { get; internal set; }

    public IEnumerable<long> Sequences => Parts.SelectMany(p => Enumerable.Range(0, p.Count).Select(i => p.FirstSequence + i));
}

/// <summary>One answer the client got.</summary>
public sealed record LoadAttempt(long Request, int? Partition, StatusCode Status, TimeSpan At, string? Detail = null);

/// <summary>
/// An OTLP/gRPC metrics client (Grpc.Net.Client, <c>MetricsService.Export</c>) that sends requests with many
/// distinct resources to one node and retries every request that is not answered OK — UNAVAILABLE (honouring
/// RetryInfo), deadline, connection loss, any error — with backoff, as an OTLP SDK exporter would, until it is
/// acknowledged. Every data point carries a unique <see cref="SinkServer.SequenceAttribute"/>, so what the sinks
/// received can be compared item by item with what was acknowledged.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private readonly LoadOptions _options;
    private readonly GrpcChannel _channel;
    private readonly MetricsService.MetricsServiceClient _client;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<LoadRequest> _requests = new();
    private readonly ConcurrentQueue<LoadAttempt> _attempts = new();
    private readonly ConcurrentDictionary<StatusCode, long> _answers = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<Task> _deliveries = [];
    private Task _producer = Task.CompletedTask;
    private long _nextRequest;
    private long _nextSequence;
    private long _acknowledgedItems;
    private long _acknowledgedRequests;
    private volatile bool _sending;

    public LoadGenerator(Uri endpoint, LoadOptions? options = null)
    {
        _options = options ?? new LoadOptions();
        _channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 });
        _client = new MetricsService.MetricsServiceClient(_channel);
    }

    public LoadOptions Options => _options;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Every request made so far.</summary>
    public IReadOnlyList<LoadRequest> Requests => [.. _requests];

    /// <summary>Every answer so far, in arrival order.</summary>
    public IReadOnlyList<LoadAttempt> Attempts => [.. _attempts];

    public long AcknowledgedItems => Interlocked.Read(ref _acknowledgedItems);

    public long AcknowledgedRequests => Interlocked.Read(ref _acknowledgedRequests);

    public long GeneratedItems => Interlocked.Read(ref _nextSequence);

    /// <summary>Answers by gRPC status (OK, Unavailable, DeadlineExceeded, …).</summary>
    public IReadOnlyDictionary<StatusCode, long> Answers => new Dictionary<StatusCode, long>(_answers);

    public long AnswersWith(StatusCode code) => _answers.TryGetValue(code, out var n) ? n : 0;

    /// <summary>Requests not acknowledged yet (still retrying).</summary>
    public int Pending => _requests.Count(r => !r.Acknowledged);

    /// <summary>Sequence numbers of every acknowledged item.</summary>
    public HashSet<long> AcknowledgedSequences() => [.. _requests.Where(r => r.Acknowledged).SelectMany(r => r.Sequences)];

    /// <summary>Sequence number → partition, for every item made so far.</summary>
    public Dictionary<long, int> PartitionOfSequences()
    {
        var map = new Dictionary<long, int>();
        foreach (var part in _requests.SelectMany(r => r.Parts))
        {
            for (var i = 0; i < part.Count; i++)
            {
                map[part.FirstSequence + i] = part.Partition;
            }
        }

        return map;
    }

    /// <summary>
    /// Starts sending new requests until <see cref="StopAsync"/>: at most <see cref="LoadOptions.Concurrency"/> are
    /// outstanding (in flight or waiting to be retried); a refused request keeps its slot while it retries, so
    /// requests to healthy partitions go on while others are refused.
    /// </summary>
    public void Start()
    {
        _sending = true;
        _producer = Task.Run(ProduceAsync);
    }

    /// <summary>Sends exactly <paramref name="count"/> requests (concurrently) and returns once all are acknowledged.</summary>
    public async Task SendAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var made = Enumerable.Range(0, count).Select(_ => NextRequest()).ToList();
        using var gate = new SemaphoreSlim(_options.Concurrency);
        var sends = made.Select(async request =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await DeliverAsync(request).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(sends).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Pending} of {count} requests were not acknowledged within {timeout}: {this}");
        }
    }

    /// <summary>
    /// Stops making new requests and waits until every request made is acknowledged (retries go on meanwhile).
    /// </summary>
    public async Task StopAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        _sending = false;
        try
        {
            await _producer.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(Deliveries()).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Pending} requests were still not acknowledged {timeout} after the load stopped: {this}");
        }
    }

    /// <summary>Waits until at least <paramref name="requests"/> more requests were acknowledged than now.</summary>
    public Task WaitForProgressAsync(long requests, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var target = AcknowledgedRequests + requests;
        return Wait.UntilAsync(() => AcknowledgedRequests >= target, timeout, () => $"{requests} more acknowledged requests: {this}", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _sending = false;
        await _abort.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll([_producer, .. Deliveries()]).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or RpcException)
        {
            // aborted
        }

        _channel.Dispose();
        _abort.Dispose();
    }

    public override string ToString() =>
        $"{Interlocked.Read(ref _nextRequest)} requests made ({GeneratedItems} items), {AcknowledgedRequests} acknowledged ({AcknowledgedItems} items), "
        + $"{Pending} pending; answers: {string.Join(", ", Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))}";

    private async Task ProduceAsync()
    {
        using var slots = new SemaphoreSlim(_options.Concurrency);
        while (_sending && !_abort.IsCancellationRequested)
        {
            await slots.WaitAsync(_abort.Token).ConfigureAwait(false);
            if (!_sending)
            {
                slots.Release();
                break;
            }

            var request = NextRequest();
            var delivery = Task.Run(async () =>
            {
                try
                {
                    await DeliverAsync(request).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            });
            lock (_deliveries)
            {
                _deliveries.RemoveAll(t => t.IsCompletedSuccessfully);
                _deliveries.Add(delivery);
            }

            if (_options.Pacing > TimeSpan.Zero)
            {
                await Task.Delay(_options.Pacing, _abort.Token).ConfigureAwait(false);
            }
        }

        // The slots outlive this loop only inside deliveries still running; wait for them before disposing.
        await Task.WhenAll(Deliveries()).ConfigureAwait(false);
    }

    private Task[] Deliveries()
    {
        lock (_deliveries)
        {
            return [.. _deliveries];
        }
    }

    private async Task DeliverAsync(LoadRequest request)
    {
        var message = Build(request);
        var backoff = _options.InitialBackoff;
        var partition = _options.Shape == RequestShape.OnePartitionPerRequest ? request.Parts[0].Partition : (int?)null;
        while (true)
        {
            _abort.Token.ThrowIfCancellationRequested();
            request.Attempts++;
            TimeSpan? retryAfter = null;
            StatusCode status;
            string? detail = null;
            try
            {
                await _client.ExportAsync(message, deadline: DateTime.UtcNow + _options.AttemptTimeout, cancellationToken: _abort.Token).ConfigureAwait(false);
                status = StatusCode.OK;
            }
            catch (RpcException e) when (!_abort.IsCancellationRequested)
            {
                status = e.StatusCode;
                detail = e.Status.Detail;
                retryAfter = RetryDelay(e);
            }

            _answers.AddOrUpdate(status, 1, (_, n) => n + 1);
            _attempts.Enqueue(new LoadAttempt(request.Id, partition, status, _clock.Elapsed, detail));
            if (status == StatusCode.OK)
            {
                request.AcknowledgedAt = _clock.Elapsed;
                request.Acknowledged = true;
                Interlocked.Add(ref _acknowledgedItems, request.Items);
                Interlocked.Increment(ref _acknowledgedRequests);
                return;
            }

            var delay = retryAfter is { } after && after > TimeSpan.Zero ? after : backoff;
            delay = delay < _options.MaxBackoff ? delay : _options.MaxBackoff;
            backoff = backoff * 2 < _options.MaxBackoff ? backoff * 2 : _options.MaxBackoff;
            await Task.Delay(delay, _abort.Token).ConfigureAwait(false);
        }
    }

    private static TimeSpan? RetryDelay(RpcException e)
    {
        try
        {
            return e.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
        }
        catch (Exception ex) when (ex is InvalidOperationException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private LoadRequest NextRequest()
    {
        var id = Interlocked.Increment(ref _nextRequest) - 1;
        var parts = new List<ResourcePart>(_options.ResourcesPerRequest);
        var target = (int)(id % _options.Partitions);
        var first = Interlocked.Add(ref _nextSequence, (long)_options.ResourcesPerRequest * _options.PointsPerResource)
            - ((long)_options.ResourcesPerRequest * _options.PointsPerResource);
        for (var r = 0; r < _options.ResourcesPerRequest; r++)
        {
            var instance = $"{_run}-{id}-{r}";
            var partition = BatchPartitioner.PartitionOf(Resource(instance), _options.Partitions);
            if (_options.Shape == RequestShape.OnePartitionPerRequest)
            {
                for (var salt = 0; partition != target; salt++)
                {
                    instance = $"{_run}-{id}-{r}-{salt}";
                    partition = BatchPartitioner.PartitionOf(Resource(instance), _options.Partitions);
                }
            }

            parts.Add(new ResourcePart(instance, partition, first + ((long)r * _options.PointsPerResource), _options.PointsPerResource));
        }

        var request = new LoadRequest(id, parts);
        _requests.Enqueue(request);
        return request;
    }

    private static Resource Resource(string instance) => new()
    {
        Attributes =
        {
            new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "cluster-load" } },
            new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = instance } },
        },
    };

    private static ExportMetricsServiceRequest Build(LoadRequest request)
    {
        var message = new ExportMetricsServiceRequest();
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        foreach (var part in request.Parts)
        {
            var gauge = new Gauge();
            for (var i = 0; i < part.Count; i++)
            {
                var sequence = part.FirstSequence + i;
                gauge.DataPoints.Add(new NumberDataPoint
                {
                    TimeUnixNano = now + (ulong)i,
                    AsDouble = sequence,
                    Attributes = { new KeyValue { Key = SinkServer.SequenceAttribute, Value = new AnyValue { IntValue = sequence } } },
                });
            }

            message.ResourceMetrics.Add(new ResourceMetrics
            {
                Resource = Resource(part.InstanceId),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = new InstrumentationScope { Name = "telemetry-cluster-cluster-tests", Version = "1.0" },
                        Metrics = { new Metric { Name = "cluster.load", Unit = "1", Gauge = gauge } },
                    },
                },
            });
        }

        return message;
    }
}
