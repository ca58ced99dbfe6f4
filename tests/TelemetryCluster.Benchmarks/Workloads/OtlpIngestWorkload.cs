using System.Globalization;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Measure;
using TelemetryCluster.Benchmarks.Sut;

namespace TelemetryCluster.Benchmarks.Workloads;

/// <summary>
/// otlp-ingest (BENCHMARKS.md): OTLP/gRPC metrics in the collector testbed's shape (100 gauges × 7 points = 700 dp
/// per request) into the node (otlp → batch → otlp exporter → a sink: a separate floor-server process that counts what
/// arrives; the <c>attributes</c> processor of BENCHMARKS.md is not implemented yet) and into the floor (a no-op Grpc.AspNetCore Export that
/// decodes and counts). Each side of each round is one fresh process that goes through:
/// <list type="number">
/// <item>(a) fixed rate 100 req/s = 70k dp/s: warm-up plus <see cref="JitWarmup"/>, then a window measuring the process's CPU and RSS;</item>
/// <item>(b) max rate, closed loop with <c>--concurrency</c> callers: warm-up, then a window measuring acked dp/s;</item>
/// <item>the check: no failed call, and data points acked = data points counted downstream (exactly): by the node's
/// sink, or by the floor itself.</item>
/// </list>
/// </summary>
internal sealed class OtlpIngestWorkload : IWorkload
{
    public const double RequestsPerSecond = 100;

    /// <summary>Extra warm-up before phase (a) of every fresh process (not in smoke): tiered JIT settles in it.</summary>
    public static readonly TimeSpan JitWarmup = TimeSpan.FromSeconds(15);

    private const string AnchorCpu = "collector: 0.227 core at ≈70k dp/s (3.2 µs/dp)";
    private const string AnchorRss = "collector: 57/82 MiB at ≈70k dp/s";
    private const string AnchorMax = "floor here ≈1.17 M dp/s on ~1 core";

    public string Name => "otlp-ingest";

    public bool InSmoke => true;

    public async Task<IReadOnlyList<ResultRow>> RunAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = MetricsPayload.Testbed(context.TimeProvider);
        var targetDps = RequestsPerSecond * payload.DataPoints;
        context.Raw["payload"] = new
        {
            payload.DataPoints,
            payload.Metrics,
            Bytes = payload.Bytes.Length,
            payload.BytesPerDataPoint,
            RequestsPerSecondA = RequestsPerSecond,
            DataPointsPerSecondA = targetDps,
            context.Options.Concurrency,
        };

        if (!context.Launcher.FloorAsProject)
        {
            var dll = context.Launcher.NodeDll;
            context.Peers["telemetry-cluster node"] = NodeSut.Version(dll);
            var newer = RepoLayout.NewerSources(dll);
            if (newer > 0)
            {
                context.Notes.Enqueue($"warning: {newer} source file(s) under src/ are newer than the node build; rebuild with " +
                    $"`dotnet build -c {RepoLayout.Configuration} {RepoLayout.NodeProject}` for current figures.");
            }
        }
        else
        {
            context.Notes.Enqueue("--project-sut floor: the floor ran as both A and B (harness self-check; ratios should be ≈ 1.0).");
        }

        var ab = await AbRounds.RunAsync(
            context,
            Name,
            (side, round, ct) => RunSideAsync(context, payload, side, round, ct),
            cancellationToken).ConfigureAwait(false);
        context.Raw["rounds"] = ab;

        AddNotes(context, ab, payload, targetDps);

        return
        [
            new ResultRow(
                $"{Name} (a) CPU at {Units.Format(targetDps, Units.DataPointsPerSecond)}",
                Units.Cores,
                [.. ab.Project.Select(r => r.A.Sut.CpuCores)],
                [.. ab.Baseline.Select(r => r.A.Sut.CpuCores)],
                Target.RatioAtMost(2.0),
                AnchorCpu),
            new ResultRow(
                $"{Name} (a) RSS max at {Units.Format(targetDps, Units.DataPointsPerSecond)}",
                Units.MiB,
                [.. ab.Project.Select(r => r.A.Sut.RssMaxMiB)],
                [.. ab.Baseline.Select(r => r.A.Sut.RssMaxMiB)],
                Target.ProjectAtMost(250),
                AnchorRss),
            new ResultRow(
                $"{Name} (b) max rate, acked",
                Units.DataPointsPerSecond,
                [.. ab.Project.Select(r => r.B.AckedDataPointsPerSecond)],
                [.. ab.Baseline.Select(r => r.B.AckedDataPointsPerSecond)],
                Target.RatioAtLeast(0.5),
                AnchorMax),
            new ResultRow(
                $"{Name} (b) CPU at max rate",
                Units.Cores,
                [.. ab.Project.Select(r => r.B.Sut.CpuCores)],
                [.. ab.Baseline.Select(r => r.B.Sut.CpuCores)],
                Target.None,
                "—"),
        ];
    }

    private static async Task<IngestRun> RunSideAsync(
        WorkloadContext context,
        MetricsPayload payload,
        Side side,
        int round,
        CancellationToken cancellationToken)
    {
        var o = context.Options;
        var time = context.TimeProvider;
        await using var sut = await context.Launcher
            .StartMetricsSinkAsync(side, ports => NodeConfig.MetricsToSink(ports, o.ExporterCompression), cancellationToken).ConfigureAwait(false);
        await using var generator = new OtlpMetricsLoadGenerator(sut.OtlpGrpcEndpoint, payload, time);
        try
        {
            // Fail early and clearly if the endpoint does not take OTLP at all (refusals just after start are retried).
            await LoadChecks.FirstCallAckedAsync(
                generator,
                time,
                now => $"{side} ({sut.Name}): the first Export call was not acked ({now.StatusesText()}). Last output:\n{sut.Tail()}",
                cancellationToken).ConfigureAwait(false);

            // The first phase of a fresh process also waits out tiered JIT compilation: perf showed the background
            // compiler thread at about a quarter of the node's samples in a window that began 5 s after start.
            var a = await RunPhaseAsync(
                context, sut, generator, stop => generator.RunFixedRateAsync(RequestsPerSecond, stop), cancellationToken,
                o.Smoke ? o.Warmup : o.Warmup + JitWarmup).ConfigureAwait(false);
            var b = await RunPhaseAsync(
                context, sut, generator, stop => generator.RunMaxRateAsync(o.Concurrency, stop), cancellationToken).ConfigureAwait(false);
            var check = await CheckAsync(context, sut, generator, side, cancellationToken).ConfigureAwait(false);
            var bySink = check.SinkBatches is { } batches
                ? string.Create(CultureInfo.InvariantCulture, $" by the sink in {batches} batches")
                : "";
            context.Progress(string.Create(CultureInfo.InvariantCulture,
                $"  {sut.Name}: (a) {a.Sut.CpuCores:0.000} core, RSS max {a.Sut.RssMaxMiB:0.0} MiB, {a.AckedDataPointsPerSecond:0} dp/s; " +
                $"(b) {b.AckedDataPointsPerSecond:0} dp/s at {b.Sut.CpuCores:0.000} core; acked {check.Acked} = received {check.Received}{bySink}"));
            return new IngestRun(side, round, sut.Name, a, b, check);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !Measure.ProcFs.IsAlive(sut.Pid))
        {
            throw new CorrectnessException($"{side} ({sut.Name}): the process exited during the run. Last output:\n{sut.Tail()}");
        }
    }

    private static async Task<IngestPhase> RunPhaseAsync(
        WorkloadContext context,
        ISystemUnderTest sut,
        OtlpMetricsLoadGenerator generator,
        Func<CancellationToken, Task> load,
        CancellationToken cancellationToken,
        TimeSpan? warmup = null)
    {
        // The sink is sampled too (so the machine's "other processes" excludes it), but it is not the system's CPU.
        int[] pids = sut.SinkPid is { } sinkPid ? [sut.Pid, sinkPid] : [sut.Pid];
        var window = await MeasuredWindow.RunAsync(context, generator, pids, load, cancellationToken, warmup).ConfigureAwait(false);
        var sutWindow = window.Processes[sut.Pid];
        return new IngestPhase(
            window.Delta.DataPointsAcked / sutWindow.ElapsedSeconds,
            window.Delta,
            sutWindow,
            sut.SinkPid is { } p ? window.Processes[p] : null,
            window.Generator,
            window.Machine);
    }

    private static async Task<IngestCheck> CheckAsync(
        WorkloadContext context,
        ISystemUnderTest sut,
        OtlpMetricsLoadGenerator generator,
        Side side,
        CancellationToken cancellationToken)
    {
        var total = await LoadChecks.DrainAsync(
            generator,
            failed => $"{side} ({sut.Name}): {failed.RequestsFailed} of {failed.RequestsSent} Export calls failed ({failed.StatusesText()}). " +
                $"Last output:\n{sut.Tail()}").ConfigureAwait(false);

        // Downstream may lag the acks by the batch timeout and the exporter queue: wait until the count settles.
        var settle = LoadChecks.SettleTimeout(context);
        var received = await LoadChecks.SettleAsync(
            context, total.DataPointsAcked, settle, sut.ReceivedDataPointsAsync, static count => count, cancellationToken).ConfigureAwait(false);
        if (received > total.DataPointsAcked && context.Options.Smoke)
        {
            // At-least-once: an export that timed out on a starved machine is sent again (see cluster-fanout).
            context.Notes.Enqueue(string.Create(CultureInfo.InvariantCulture,
                $"{side} ({sut.Name}): {received - total.DataPointsAcked} data points arrived twice (exports retried after a timeout; at-least-once) — tolerated in smoke only."));
        }
        else if (received != total.DataPointsAcked)
        {
            throw new CorrectnessException(
                $"{side} ({sut.Name}): data points acked ({total.DataPointsAcked}) ≠ received downstream ({received}) " +
                $"after {settle.TotalSeconds:0} s; sent {total.DataPointsSent}, refused {total.DataPointsRefused}, " +
                $"partially rejected {total.DataPointsRejected} ({total.StatusesText()}). Last output:\n{sut.Tail()}");
        }

        long? sinkBatches = sut is NodeSut node ? (await node.SinkCountAsync(cancellationToken).ConfigureAwait(false)).Requests : null;
        return new IngestCheck(
            total.DataPointsSent, total.DataPointsAcked, total.DataPointsRefused, total.DataPointsRejected, received, sinkBatches, total);
    }

    private static void AddNotes(WorkloadContext context, AbResult<IngestRun> ab, MetricsPayload payload, double targetDps)
    {
        var c = CultureInfo.InvariantCulture;
        foreach (var (label, runs) in new[] { ("project", ab.Project), ("baseline", ab.Baseline) })
        {
            var achieved = Stats.Median([.. runs.Select(r => r.A.AckedDataPointsPerSecond)]);
            if (achieved < 0.95 * targetDps)
            {
                context.Notes.Enqueue(string.Create(c,
                    $"(a) {label} acked only {achieved:0} dp/s of the {targetDps:0} dp/s asked: its CPU figure is at a lower rate."));
            }

            var refusedA = runs.Sum(r => r.A.Window.RequestsRefused);
            var refusedB = runs.Sum(r => r.B.Window.RequestsRefused);
            if (refusedA + refusedB > 0)
            {
                context.Notes.Enqueue(string.Create(c,
                    $"{label} refused calls (UNAVAILABLE/RESOURCE_EXHAUSTED) in windows: (a) {refusedA}, (b) {refusedB}."));
            }
        }

        var all = ab.Project.Concat(ab.Baseline).ToArray();
        var others = all.SelectMany(r => new[] { r.A.Machine.OtherProcessesCores, r.B.Machine.OtherProcessesCores }).ToArray();
        if (others.Length > 0 && others.Max() > 0.1)
        {
            context.Notes.Enqueue(string.Create(c,
                $"noise: other processes on the machine used {Stats.Median(others):0.00} core (median; max {others.Max():0.00}) during the windows " +
                $"of {Environment.ProcessorCount} cores; figures from a busy machine are less reliable."));
        }

        if (!context.Launcher.FloorAsProject)
        {
            context.Notes.Enqueue(
                $"pipeline measured (project): otlp receiver → batch → otlp exporter (compression {context.Options.ExporterCompression}, plaintext) → " +
                "sink; the attributes processor of BENCHMARKS.md's pipeline is not implemented yet, so it is not in it. The sink is a floor-server " +
                "in its own process; acked = received by the sink (its GET /count), exactly, in every run. The sink's CPU is not in the project's figures.");
            var sinkA = Stats.Median([.. ab.Project.Select(r => r.A.Sink?.CpuCores ?? double.NaN)]);
            var sinkB = Stats.Median([.. ab.Project.Select(r => r.B.Sink?.CpuCores ?? double.NaN)]);
            var batches = ab.Project.Sum(r => r.Check.SinkBatches ?? 0);
            var received = ab.Project.Sum(r => r.Check.Received);
            context.Notes.Enqueue(string.Create(c,
                $"the project's sink (separate process, not counted): {sinkA:0.000} core at (a), {sinkB:0.000} core at (b) (median); " +
                $"it received {batches} batches of {(batches > 0 ? (double)received / batches : 0):0} dp on average over the project's runs."));
        }

        var genA = Stats.Median([.. ab.Project.Concat(ab.Baseline).Select(r => r.A.Generator.CpuCores)]);
        var genB = Stats.Median([.. ab.Project.Concat(ab.Baseline).Select(r => r.B.Generator.CpuCores)]);
        context.Notes.Enqueue(string.Create(c,
            $"load generator (this process): {genA:0.000} core at (a), {genB:0.000} core at (b); " +
            $"requests of {payload.DataPoints} dp, {payload.Bytes.Length} B ({payload.BytesPerDataPoint:0.0} B/dp); " +
            $"(b) uses {context.Options.Concurrency} closed-loop callers on one HTTP/2 connection."));
    }

}

/// <summary>One measurement window: acked data points per second, the generator's deltas, and /proc figures.</summary>
internal sealed record IngestPhase(
    double AckedDataPointsPerSecond,
    LoadSnapshot Window,
    ProcessWindow Sut,
    ProcessWindow? Sink,
    ProcessWindow Generator,
    MachineWindow Machine);

/// <summary>Totals over a whole side-run (warm-ups included) and the downstream count they were checked against.</summary>
/// <remarks><c>SinkBatches</c>: Export requests the node's sink received (one per exported batch); null for the floor.</remarks>
internal sealed record IngestCheck(
    long Sent, long Acked, long Refused, long PartiallyRejected, long Received, long? SinkBatches, LoadSnapshot Totals);

internal sealed record IngestRun(Side Side, int Round, string Sut, IngestPhase A, IngestPhase B, IngestCheck Check);
