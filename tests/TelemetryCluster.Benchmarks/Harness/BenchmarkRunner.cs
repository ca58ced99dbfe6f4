using TelemetryCluster.Benchmarks.Sut;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>Picks the workloads, runs them one after another, prints the report and decides the exit code.</summary>
internal sealed class BenchmarkRunner(IReadOnlyList<IWorkload> workloads, TimeProvider timeProvider, TextWriter stdout, TextWriter stderr)
{
    public const int ExitOk = 0;
    public const int ExitCorrectness = 1;
    public const int ExitTargetMissed = 2;
    public const int ExitSetup = 3;
    public const int ExitUsage = 64;

    public IEnumerable<string> Names => workloads.Select(w => w.Name);

    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var selected = options.Workload switch
        {
            "all" => workloads.ToList(),
            "smoke" => workloads.Where(w => w.InSmoke).ToList(),
            var name => workloads.Where(w => w.Name == name).ToList(),
        };
        if (selected.Count == 0)
        {
            await stderr.WriteLineAsync($"unknown workload '{options.Workload}'\n\n{CommandLine.Usage(Names)}").ConfigureAwait(false);
            return ExitUsage;
        }

        var environment = await EnvironmentInfo.CaptureAsync(timeProvider, cancellationToken).ConfigureAwait(false);
        var launcher = new SutLauncher(options, timeProvider);
        var outcomes = new List<WorkloadOutcome>();
        foreach (var workload in selected)
        {
            var context = new WorkloadContext(options, timeProvider, stderr, launcher);
            context.Progress($"{workload.Name}: starting ({options.Rounds} round(s), warm-up {options.Warmup.TotalSeconds:0.#} s, window {options.Window.TotalSeconds:0.#} s)");
            WorkloadOutcome outcome;
            try
            {
                var rows = await workload.RunAsync(context, cancellationToken).ConfigureAwait(false);
                outcome = Outcome(workload, context, WorkloadStatus.Ok, null, rows);
            }
            catch (CorrectnessException e)
            {
                outcome = Outcome(workload, context, WorkloadStatus.CorrectnessFailed, e.Message, []);
            }
            catch (SetupException e)
            {
                outcome = Outcome(workload, context, WorkloadStatus.SetupError, e.Message, []);
            }

            if (outcome.Status != WorkloadStatus.Ok)
            {
                context.Progress($"{workload.Name}: {outcome.Status}: {outcome.Message}");
            }

            outcomes.Add(outcome);
            environment = environment.WithPeers(context.Peers);
        }

        var report = new BenchmarkReport(environment, options, outcomes);
        await stdout.WriteLineAsync(ReportWriter.Markdown(report)).ConfigureAwait(false);
        var json = ReportWriter.ToJson(report);
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, json, cancellationToken).ConfigureAwait(false);
            await stdout.WriteLineAsync($"Raw numbers: {Path.GetFullPath(path)}").ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteLineAsync("Raw numbers:\n\n```json\n" + json + "\n```").ConfigureAwait(false);
        }

        return ExitCode(outcomes, options.Smoke);
    }

    private static WorkloadOutcome Outcome(
        IWorkload workload, WorkloadContext context, WorkloadStatus status, string? message, IReadOnlyList<ResultRow> rows) =>
        new(workload.Name, status, message, rows, [.. context.Notes], new Dictionary<string, object>(context.Raw));

    private static int ExitCode(IReadOnlyList<WorkloadOutcome> outcomes, bool smoke)
    {
        if (outcomes.Any(o => o.Status == WorkloadStatus.CorrectnessFailed))
        {
            return ExitCorrectness;
        }

        if (outcomes.Any(o => o.Status == WorkloadStatus.SetupError))
        {
            return ExitSetup;
        }

        return !smoke && outcomes.SelectMany(o => o.Rows).Any(r => r.Met == false) ? ExitTargetMissed : ExitOk;
    }
}
