namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>Which side of an A/B comparison a run is.</summary>
internal enum Side
{
    /// <summary>A: TelemetryCluster itself.</summary>
    Project,

    /// <summary>B: the baseline in the same run (the floor, rsyslog, Prometheus, ...).</summary>
    Baseline,
}

internal sealed record AbResult<T>(IReadOnlyList<T> Project, IReadOnlyList<T> Baseline);

/// <summary>
/// A/B alternation: for each round, the project then the baseline (A, B, A, B, ...). The callback does the
/// whole run for one side (normally: start a fresh process, warm up, measure, check, stop), so medians over
/// rounds come from independent processes that ran interleaved in time, which cancels slow drifts of a shared VM.
/// </summary>
internal static class AbRounds
{
    public static async Task<AbResult<T>> RunAsync<T>(
        WorkloadContext context,
        string label,
        Func<Side, int, CancellationToken, Task<T>> runSide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(runSide);
        var project = new List<T>();
        var baseline = new List<T>();
        var rounds = context.Options.Rounds;
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var side in new[] { Side.Project, Side.Baseline })
            {
                cancellationToken.ThrowIfCancellationRequested();
                context.Progress($"{label}: round {round}/{rounds}, {(side == Side.Project ? "A project" : "B baseline")}");
                var result = await runSide(side, round, cancellationToken).ConfigureAwait(false);
                (side == Side.Project ? project : baseline).Add(result);
            }
        }

        return new AbResult<T>(project, baseline);
    }
}
