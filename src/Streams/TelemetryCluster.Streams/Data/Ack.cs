namespace TelemetryCluster.Streams.Data;

/// <summary>
/// The acknowledgement handle of one received request (or one group of file lines). It completes once every
/// holder released it: each split, copy or fan-out branch retains it once more, and releases it when that part is
/// accepted, exported, refused or dropped. The completion carries the worst outcome of all parts.
/// Thread-safe; completion runs continuations asynchronously so no pipeline stage runs client code inline.
/// </summary>
public sealed class Ack
{
    private readonly TaskCompletionSource<AckOutcome> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Lock _gate = new();
    private int _pending = 1;
    private AckOutcome _outcome = AckOutcome.Accepted;

    /// <summary>A handle nobody waits for (internal data such as self-telemetry).</summary>
    public static Ack None() => new();

    public Task<AckOutcome> Completion => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>One more part must release this handle before it completes.</summary>
    public void Retain(int parts = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parts);
        lock (_gate)
        {
            if (_pending > 0)
            {
                _pending += parts;
            }
        }
    }

    /// <summary>One part is done with this outcome. Releasing more often than retained is ignored.</summary>
    public void Release(AckOutcome outcome)
    {
        AckOutcome final;
        lock (_gate)
        {
            if (_pending <= 0)
            {
                return;
            }

            _outcome = AckOutcome.Worst(_outcome, outcome);
            if (--_pending > 0)
            {
                return;
            }

            final = _outcome;
        }

        _completion.TrySetResult(final);
    }

    /// <summary>Completes at once with the outcome, whatever parts are still out (used for delivery = accepted).</summary>
    public void CompleteNow(AckOutcome outcome)
    {
        AckOutcome final;
        lock (_gate)
        {
            if (_pending <= 0)
            {
                return;
            }

            _pending = 0;
            final = AckOutcome.Worst(_outcome, outcome);
        }

        _completion.TrySetResult(final);
    }
}
