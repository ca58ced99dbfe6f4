using TelemetryCluster.Benchmarks.Load;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>
/// The correctness checks the workloads share: the first Export call is acked before any measurement; at the end, drain
/// the generator, fail on failed Export calls, then wait until the downstream count reaches the acked data points (or a
/// settle timeout passes) and take one more look.
/// </summary>
internal static class LoadChecks
{
    /// <summary>
    /// Sends single Export calls (up to 20, 250 ms apart) until one is acked or one fails — refusals just after start are
    /// retried — and throws a <see cref="CorrectnessException"/> with <paramref name="notAckedMessage"/> unless exactly one was acked.
    /// </summary>
    public static async Task FirstCallAckedAsync(
        OtlpMetricsLoadGenerator generator, TimeProvider time, Func<LoadSnapshot, string> notAckedMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(notAckedMessage);
        for (var attempt = 0; attempt < 20 && generator.Counters.Snapshot() is { RequestsAcked: 0, RequestsFailed: 0 }; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
            }

            await generator.SendOneAsync().ConfigureAwait(false);
        }

        if (generator.Counters.Snapshot().RequestsAcked != 1)
        {
            throw new CorrectnessException(notAckedMessage(generator.Counters.Snapshot()));
        }
    }

    /// <summary>Waits for the generator's calls in flight; the totals, or a <see cref="CorrectnessException"/> with <paramref name="failedMessage"/> when any call failed.</summary>
    public static async Task<LoadSnapshot> DrainAsync(OtlpMetricsLoadGenerator generator, Func<LoadSnapshot, string> failedMessage)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(failedMessage);
        await generator.DrainAsync().ConfigureAwait(false);
        var total = generator.Counters.Snapshot();
        if (total.RequestsFailed > 0)
        {
            throw new CorrectnessException(failedMessage(total));
        }

        return total;
    }

    /// <summary>How long downstream may lag the acks: a quarter of the start timeout, at least 15 s.</summary>
    public static TimeSpan SettleTimeout(WorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TimeSpan.FromSeconds(Math.Max(15, context.Options.StartTimeout.TotalSeconds / 4));
    }

    /// <summary>
    /// Reads downstream every 100 ms until its count reaches <paramref name="acked"/> or <paramref name="settle"/> has
    /// passed, then once more after a 500 ms pause (a count above the acks — duplicates — may still be growing).
    /// </summary>
    public static async Task<T> SettleAsync<T>(
        WorkloadContext context,
        long acked,
        TimeSpan settle,
        Func<CancellationToken, Task<T>> read,
        Func<T, long> count,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(count);
        var time = context.TimeProvider;
        var start = time.GetTimestamp();
        while (true)
        {
            var value = await read(cancellationToken).ConfigureAwait(false);
            if (count(value) >= acked || time.GetElapsedTime(start) > settle)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken).ConfigureAwait(false);
        return await read(cancellationToken).ConfigureAwait(false);
    }
}
