using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// The collector's exporterhelper settings every exporter shares: <c>timeout</c> per attempt and
/// <c>retry_on_failure</c> with jittered exponential backoff. The exporter kit applies them around
/// <see cref="Components.IExporter.ExportAsync"/>.
/// </summary>
public sealed record ExporterSettings(TimeSpan Timeout, RetrySettings Retry)
{
    /// <summary>
    /// Exports in flight at once per pipeline segment (<c>sending_queue.num_consumers</c> when the sending queue is
    /// enabled; 1 otherwise). Batches still complete in order.
    /// </summary>
    public int Consumers { get; init; } = 1;

    /// <summary>No timeout and no retries (exporters that write locally, such as debug).</summary>
    public static ExporterSettings None { get; } = new(TimeSpan.Zero, RetrySettings.Disabled);

    /// <summary>Reads <c>timeout</c> and <c>retry_on_failure</c> from an exporter's section; both must be in its defaults.conf.</summary>
    public static ExporterSettings Read(ComponentConfigReader reader)
    {
        var timeout = reader.GetDuration("timeout");
        var retry = reader.GetSection("retry_on_failure");
        var settings = retry is null
            ? RetrySettings.Disabled
            : new RetrySettings(
                retry.GetBool("enabled"),
                retry.GetDuration("initial_interval"),
                retry.GetDuration("max_interval"),
                retry.GetDuration("max_elapsed_time"),
                retry.GetDouble("multiplier"),
                retry.GetDouble("randomization_factor"));
        if (settings.Multiplier < 1 && settings.Enabled)
        {
            reader.Error("retry_on_failure.multiplier", $"must be at least 1, got {settings.Multiplier}");
        }

        if (settings.RandomizationFactor is < 0 or > 1)
        {
            reader.Error("retry_on_failure.randomization_factor", $"must be between 0 and 1, got {settings.RandomizationFactor}");
        }

        var consumers = 1;
        if (reader.GetSection("sending_queue") is { } queue && queue.GetBool("enabled"))
        {
            consumers = Math.Max(1, queue.GetInt("num_consumers"));
        }

        return new ExporterSettings(timeout, settings) { Consumers = consumers };
    }
}

/// <summary><c>retry_on_failure</c>; collector defaults 5s / 30s / 300s (0 = forever) / 1.5 / 0.5.</summary>
public sealed record RetrySettings(
    bool Enabled,
    TimeSpan InitialInterval,
    TimeSpan MaxInterval,
    TimeSpan MaxElapsedTime,
    double Multiplier,
    double RandomizationFactor)
{
    public static RetrySettings Disabled { get; } = new(false, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 1.5, 0.5);

    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based), with jitter from <paramref name="random"/> in [0,1).</summary>
    public TimeSpan Backoff(int attempt, double random)
    {
        var baseMs = InitialInterval.TotalMilliseconds * Math.Pow(Multiplier, Math.Max(0, attempt - 1));
        baseMs = Math.Min(baseMs, MaxInterval.TotalMilliseconds);
        var delta = RandomizationFactor * baseMs;
        var jittered = baseMs - delta + (2 * delta * random);
        return TimeSpan.FromMilliseconds(Math.Max(0, jittered));
    }
}
