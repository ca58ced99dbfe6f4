namespace TelemetryCluster.Streams.Components;

/// <summary>
/// A retryable export failure for which the server named a minimum delay (gRPC <c>google.rpc.RetryInfo</c>, HTTP
/// <c>Retry-After</c>): the next attempt should wait at least <see cref="RetryAfter"/>, even when the backoff of
/// <c>retry_on_failure</c> would retry sooner (the collector's <c>exporterhelper.NewThrottleRetry</c>). Never permanent.
/// </summary>
public sealed class RetryAfterException(string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The server's minimum delay before the next attempt (positive).</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
