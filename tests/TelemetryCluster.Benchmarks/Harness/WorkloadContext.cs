using System.Collections.Concurrent;
using TelemetryCluster.Benchmarks.Sut;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>What a workload gets from the harness.</summary>
internal sealed class WorkloadContext(
    BenchmarkOptions options,
    TimeProvider timeProvider,
    TextWriter log,
    SutLauncher launcher)
{
    public BenchmarkOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>Progress messages (stderr), so stdout carries only the tables and JSON.</summary>
    public TextWriter Log { get; } = log;

    /// <summary>Starts the node, the floor, and whatever later workloads need, as child processes.</summary>
    public SutLauncher Launcher { get; } = launcher;

    /// <summary>Raw numbers for the JSON output (per round, per side), keyed by the workload's choice.</summary>
    public ConcurrentDictionary<string, object> Raw { get; } = new();

    /// <summary>Lines printed under the workload's table (e.g. "rate (a) reached only 91% of 70k dp/s").</summary>
    public ConcurrentQueue<string> Notes { get; } = new();

    /// <summary>Versions of the peers this workload ran against, for the environment header.</summary>
    public ConcurrentDictionary<string, string> Peers { get; } = new();

    public void Progress(string message) =>
        Log.WriteLine($"[{TimeProvider.GetLocalNow():HH:mm:ss}] {message}");
}
