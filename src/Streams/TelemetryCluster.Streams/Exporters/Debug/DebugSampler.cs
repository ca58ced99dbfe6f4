namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>
/// The zap sampler's rule, per signal: in each one-second window the first <c>initial</c> batches are logged, then
/// every <c>thereafter</c>-th one (0 = none). The window starts with the first batch after the previous one ended.
/// Thread-safe; time comes from the component's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class DebugSampler(TimeProvider time, int initial, int thereafter)
{
    private readonly Lock _gate = new();
    private long _windowEnd = long.MinValue;
    private long _count;

    public bool ShouldLog()
    {
        var now = time.GetTimestamp();
        long n;
        lock (_gate)
        {
            if (now > _windowEnd)
            {
                _windowEnd = now + time.TimestampFrequency;
                _count = 0;
            }

            n = ++_count;
        }

        if (n <= initial)
        {
            return true;
        }

        return thereafter > 0 && (n - initial) % thereafter == 0;
    }
}
