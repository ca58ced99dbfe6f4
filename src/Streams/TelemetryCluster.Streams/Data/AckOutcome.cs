namespace TelemetryCluster.Streams.Data;

/// <summary>How a batch ended for the one who sent it.</summary>
public enum AckStatus
{
    /// <summary>Accepted (delivery = accepted) or exported by every exporter (delivery = exported).</summary>
    Accepted = 0,

    /// <summary>Not taken now; the sender should retry after <see cref="AckOutcome.RetryAfter"/>. OTLP: UNAVAILABLE + RetryInfo.</summary>
    Refused = 1,

    /// <summary>Failed for good (bad data, permanent exporter error). OTLP: INTERNAL / INVALID_ARGUMENT; never retried.</summary>
    Failed = 2,
}

/// <summary>The outcome of an <see cref="Ack"/>; when several parts of a batch end differently the worst one wins.</summary>
public readonly record struct AckOutcome(AckStatus Status, string? Reason = null, TimeSpan? RetryAfter = null)
{
    public static AckOutcome Accepted { get; } = new(AckStatus.Accepted);

    public static AckOutcome Refuse(string reason, TimeSpan retryAfter) => new(AckStatus.Refused, reason, retryAfter);

    public static AckOutcome Fail(string reason) => new(AckStatus.Failed, reason);

    public bool IsAccepted => Status == AckStatus.Accepted;

    /// <summary>Failed beats Refused beats Accepted; among two refusals the longer retry delay wins.</summary>
    public static AckOutcome Worst(AckOutcome a, AckOutcome b)
    {
        if (a.Status != b.Status)
        {
            return a.Status > b.Status ? a : b;
        }

        return (a.RetryAfter ?? TimeSpan.Zero) >= (b.RetryAfter ?? TimeSpan.Zero) ? a : b;
    }
}
