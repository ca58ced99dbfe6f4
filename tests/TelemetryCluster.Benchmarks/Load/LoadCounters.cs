using System.Collections.Concurrent;
using Grpc.Core;

namespace TelemetryCluster.Benchmarks.Load;

/// <summary>
/// What the generator has sent and what came back, in requests and data points. <c>Acked</c> = OK responses
/// (data points minus any partial-success rejections); <c>Refused</c> = UNAVAILABLE or RESOURCE_EXHAUSTED (the
/// collector's back-pressure answers: not accepted, safe to retry); <c>Failed</c> = any other status;
/// <c>Skipped</c> = fixed-rate sends dropped because too many calls were already in flight.
/// </summary>
internal sealed record LoadSnapshot(
    long RequestsSent,
    long RequestsAcked,
    long RequestsRefused,
    long RequestsFailed,
    long RequestsSkipped,
    long DataPointsSent,
    long DataPointsAcked,
    long DataPointsRejected,
    long DataPointsRefused,
    long DataPointsFailed,
    long InFlight,
    IReadOnlyDictionary<string, long> Statuses)
{
    public LoadSnapshot Minus(LoadSnapshot earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new LoadSnapshot(
            RequestsSent - earlier.RequestsSent,
            RequestsAcked - earlier.RequestsAcked,
            RequestsRefused - earlier.RequestsRefused,
            RequestsFailed - earlier.RequestsFailed,
            RequestsSkipped - earlier.RequestsSkipped,
            DataPointsSent - earlier.DataPointsSent,
            DataPointsAcked - earlier.DataPointsAcked,
            DataPointsRejected - earlier.DataPointsRejected,
            DataPointsRefused - earlier.DataPointsRefused,
            DataPointsFailed - earlier.DataPointsFailed,
            InFlight,
            Statuses.ToDictionary(kv => kv.Key, kv => kv.Value - earlier.Statuses.GetValueOrDefault(kv.Key)));
    }

    /// <summary>The response statuses and their counts, e.g. <c>OK: 120, Unavailable: 3</c> (ordered by status).</summary>
    public string StatusesText() =>
        string.Join(", ", Statuses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"));
}

/// <summary>Thread-safe counters behind <see cref="LoadSnapshot"/>.</summary>
internal sealed class LoadCounters
{
    private readonly ConcurrentDictionary<StatusCode, long> _statuses = new();
    private long _requestsSent;
    private long _requestsAcked;
    private long _requestsRefused;
    private long _requestsFailed;
    private long _requestsSkipped;
    private long _dpSent;
    private long _dpAcked;
    private long _dpRejected;
    private long _dpRefused;
    private long _dpFailed;
    private long _inFlight;

    public long InFlight => Interlocked.Read(ref _inFlight);

    public void Sending(int dataPoints)
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requestsSent);
        Interlocked.Add(ref _dpSent, dataPoints);
    }

    public void Acked(int dataPoints, long rejected)
    {
        Interlocked.Increment(ref _requestsAcked);
        Interlocked.Add(ref _dpAcked, dataPoints - rejected);
        Interlocked.Add(ref _dpRejected, rejected);
        Count(StatusCode.OK);
        Interlocked.Decrement(ref _inFlight);
    }

    public void Refused(int dataPoints, StatusCode status)
    {
        Interlocked.Increment(ref _requestsRefused);
        Interlocked.Add(ref _dpRefused, dataPoints);
        Count(status);
        Interlocked.Decrement(ref _inFlight);
    }

    public void Failed(int dataPoints, StatusCode status)
    {
        Interlocked.Increment(ref _requestsFailed);
        Interlocked.Add(ref _dpFailed, dataPoints);
        Count(status);
        Interlocked.Decrement(ref _inFlight);
    }

    public void Skipped() => Interlocked.Increment(ref _requestsSkipped);

    public LoadSnapshot Snapshot() => new(
        Interlocked.Read(ref _requestsSent),
        Interlocked.Read(ref _requestsAcked),
        Interlocked.Read(ref _requestsRefused),
        Interlocked.Read(ref _requestsFailed),
        Interlocked.Read(ref _requestsSkipped),
        Interlocked.Read(ref _dpSent),
        Interlocked.Read(ref _dpAcked),
        Interlocked.Read(ref _dpRejected),
        Interlocked.Read(ref _dpRefused),
        Interlocked.Read(ref _dpFailed),
        Interlocked.Read(ref _inFlight),
        _statuses.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value));

    private void Count(StatusCode status) => _statuses.AddOrUpdate(status, 1, static (_, v) => v + 1);
}
