namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>
/// One benchmark from BENCHMARKS.md. A workload runs the project (A) and its baseline (B) alternately in
/// <see cref="WorkloadContext.Options"/>'s rounds (see <see cref="AbRounds"/>), checks correctness on every
/// run and returns one row per figure. Raw per-round numbers go to <see cref="WorkloadContext.Raw"/>.
/// </summary>
/// <remarks>
/// Throw <see cref="CorrectnessException"/> when items sent ≠ items received (or any other correctness check
/// fails): the harness then prints no figure for the workload and exits 1. Throw <see cref="SetupException"/>
/// when a prerequisite is missing (node not built, peer not installed): exit 3.
/// </remarks>
internal interface IWorkload
{
    /// <summary>The name used on the command line and in the table, e.g. <c>otlp-ingest</c>.</summary>
    string Name { get; }

    /// <summary>Whether <c>smoke</c> runs this workload (with short windows and one round).</summary>
    bool InSmoke { get; }

    Task<IReadOnlyList<ResultRow>> RunAsync(WorkloadContext context, CancellationToken cancellationToken);
}

/// <summary>A run's correctness check failed: no figure may be printed.</summary>
internal sealed class CorrectnessException(string message) : Exception(message);

/// <summary>The workload cannot run here (e.g. the node is not built); the message says how to fix it.</summary>
internal sealed class SetupException(string message, Exception? inner = null) : Exception(message, inner);
