using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Sut;
using TelemetryCluster.Benchmarks.Workloads;

namespace TelemetryCluster.Benchmarks;

internal static class Program
{
    /// <summary>Every workload; later ones (emf, attributes, idle) go here.</summary>
    private static IReadOnlyList<IWorkload> Workloads() =>
    [
        new OtlpIngestWorkload(),
        new ClusterFanoutWorkload(),
        new FileLogWorkload(),
        new PrometheusScrapeWorkload(),
        new PromqlWorkload(),
    ];

    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        var runner = new BenchmarkRunner(Workloads(), TimeProvider.System, Console.Out, Console.Error);
        switch (CommandLine.Parse(args))
        {
            case FloorServerCommand floor:
                return await FloorServer.RunAsync(floor.Port, floor.ControlPort, cts.Token).ConfigureAwait(false);
            case RunCommand run:
                try
                {
                    return await runner.RunAsync(run.Options, cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync("interrupted: no figures").ConfigureAwait(false);
                    return 130;
                }

            case UsageCommand usage:
                await (usage.Error is null ? Console.Out : Console.Error)
                    .WriteLineAsync((usage.Error is null ? "" : usage.Error + "\n\n") + CommandLine.Usage(runner.Names))
                    .ConfigureAwait(false);
                return usage.Error is null ? BenchmarkRunner.ExitOk : BenchmarkRunner.ExitUsage;
            default:
                return BenchmarkRunner.ExitUsage;
        }
    }
}
