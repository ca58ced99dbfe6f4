using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Measure;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>
/// One measurement window under load: the generator's deltas over the window, and /proc figures of the measured
/// processes and of this (the generator's) process.
/// </summary>
internal sealed record MeasuredWindow(LoadSnapshot Delta, IReadOnlyDictionary<int, ProcessWindow> Processes, MachineWindow Machine)
{
    /// <summary>The load generator's (this process's) figures.</summary>
    public ProcessWindow Generator => Processes[Environment.ProcessId];

    /// <summary>
    /// Starts <paramref name="load"/>, waits the warm-up (<paramref name="warmup"/>, default <c>--warmup</c>), samples <paramref name="pids"/> and this process over the
    /// window, then stops the load and waits for it to end.
    /// </summary>
    public static async Task<MeasuredWindow> RunAsync(
        WorkloadContext context,
        OtlpMetricsLoadGenerator generator,
        IEnumerable<int> pids,
        Func<CancellationToken, Task> load,
        CancellationToken cancellationToken,
        TimeSpan? warmup = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(load);
        var o = context.Options;
        var time = context.TimeProvider;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = load(stop.Token);
        try
        {
            await Task.Delay(warmup ?? o.Warmup, time, cancellationToken).ConfigureAwait(false);
            var before = generator.Counters.Snapshot();
            var sampler = WindowSampler.Start([.. pids, Environment.ProcessId], time, cancellationToken);
            await using (sampler.ConfigureAwait(false))
            {
                await Task.Delay(o.Window, time, cancellationToken).ConfigureAwait(false);
                var windows = await sampler.StopAsync().ConfigureAwait(false);
                var delta = generator.Counters.Snapshot().Minus(before);
                return new MeasuredWindow(delta, windows, sampler.Machine!);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
    }
}
