using System.Globalization;
using System.Runtime.InteropServices;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Measure;
using TelemetryCluster.Benchmarks.Processes;
using TelemetryCluster.Benchmarks.Sut;

namespace TelemetryCluster.Benchmarks.Workloads;

/// <summary>
/// filelog (BENCHMARKS.md): the node's <c>file_log</c> receiver (regex_parser → batch → otlp exporter → a sink that counts
/// log records) against rsyslog (<c>imfile</c> → <c>omfile</c>), on the same files, with <c>wc -l</c> as the read ceiling.
/// Each reader of each round is a fresh process in a fresh directory, and goes through:
/// <list type="number">
/// <item>ready: a one-line <c>probe.log</c> (there before the start) has been delivered;</item>
/// <item>(a) this process appends to <c>a.log</c> at 10k lines/s (a write every 10 ms): warm-up, then a window measuring
/// the reader's CPU; then every line written must be delivered;</item>
/// <item>(b) a pre-written file (3 M lines; smoke 200k) is hard-linked into the watched directory (one inotify create
/// event): lines/s = its lines ÷ the time until the last one was delivered;</item>
/// <item>the check: delivered = 1 + (a)'s lines + (b)'s lines, exactly, also 0.5 s later (no duplicates).</item>
/// </list>
/// Checkpoints: each reader runs twice per round. The node with its receiver's checkpoints (the default, in a temp
/// <c>cluster.storage-dir</c>, "checkpoints on") and with <c>checkpoints = false</c> ("off"); rsyslog with its imfile
/// state written after every submission (<c>persistStateAfterSubmission</c>, "on") and with the default (state written
/// only at exit, "off"). Smoke runs only "on".
/// </summary>
internal sealed class FileLogWorkload : IWorkload
{
    public const double LinesPerSecond = 10_000;

    private const long DrainLinesFull = 3_000_000;
    private const long DrainLinesSmoke = 200_000;
    /// <summary>
    /// (a)'s lines are numbered from here, (b)'s from 0: files with the same first bytes are one file to the receiver
    /// (the collector's fingerprint rule; here a lineage with one offset), so (b) must not start like (a).
    /// </summary>
    private const long FirstLineA = 10_000_000;

    private static readonly TimeSpan WriteTick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan WindowFull = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private const string AnchorCpu = "collector: 0.11–0.12 core at 10k lines/s; rsyslog here 0.033 core";
    private const string AnchorRate = "collector: 284k lines/s max (6 GB test); rsyslog here 147k lines/s drain";

    public string Name => "filelog";

    public bool InSmoke => true;

    public async Task<IReadOnlyList<ResultRow>> RunAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        if (context.Launcher.FloorAsProject)
        {
            throw new SetupException("filelog has no floor: run it without --project-sut floor");
        }

        context.Peers["rsyslog"] = await RsyslogReader.VersionAsync(cancellationToken).ConfigureAwait(false);
        var dll = context.Launcher.NodeDll;
        context.Peers["telemetry-cluster node"] = NodeSut.Version(dll);
        if (RepoLayout.NewerSources(dll) is var newer and > 0)
        {
            context.Notes.Enqueue($"warning: {newer} source file(s) under src/ are newer than the node build; rebuild with " +
                $"`dotnet build -c {RepoLayout.Configuration} {RepoLayout.NodeProject}` for current figures.");
        }

        var plan = new Plan(
            o.Smoke || o.WindowGiven ? o.Window : WindowFull,
            o.Warmup,
            o.FileLogLines ?? (o.Smoke ? DrainLinesSmoke : DrainLinesFull),
            WithoutCheckpoints: !o.Smoke);

        var root = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"tc-bench-filelog-{Environment.ProcessId}"));
        Directory.CreateDirectory(root);
        try
        {
            var drainFile = Path.Combine(root, "drain-source.log");
            context.Progress(string.Create(CultureInfo.InvariantCulture, $"{Name}: writing {plan.DrainLines} lines for (b)"));
            var drainBytes = LogLines.WriteFile(drainFile, plan.DrainLines);
            var wc = await WcAsync(context, drainFile, plan.DrainLines, cancellationToken).ConfigureAwait(false);
            context.Raw["plan"] = new
            {
                WindowSeconds = plan.Window.TotalSeconds,
                WarmupSeconds = plan.Warmup.TotalSeconds,
                LinesPerSecondA = LinesPerSecond,
                WriteTickMs = WriteTick.TotalMilliseconds,
                plan.DrainLines,
                DrainBytes = drainBytes,
                Regex = FileLogNodeConfig.Regex,
                o.ExporterCompression,
            };
            context.Raw["wc"] = wc;

            var ab = await AbRounds.RunAsync(
                context,
                Name,
                (side, round, ct) => RunSideAsync(context, plan, root, drainFile, side, round, ct),
                cancellationToken).ConfigureAwait(false);
            context.Raw["rounds"] = ab;

            AddNotes(context, ab, plan, drainBytes, wc);
            return Rows(ab, plan, wc);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // leave it in /tmp
            }
        }
    }

    private static IReadOnlyList<ResultRow> Rows(AbResult<IReadOnlyList<ReaderRun>> ab, Plan plan, WcResult wc)
    {
        double[] Node(bool persist, Func<ReaderRun, double> f) =>
            [.. ab.Project.SelectMany(r => r).Where(r => r.Persist == persist).Select(f)];
        double[] Rsyslog(bool persist, Func<ReaderRun, double> f) =>
            [.. ab.Baseline.SelectMany(r => r).Where(r => r.Persist == persist).Select(f)];

        var rate = Units.Format(LinesPerSecond, Units.LinesPerSecond);
        var drain = plan.DrainLines >= 1_000_000
            ? string.Create(CultureInfo.InvariantCulture, $"{plan.DrainLines / 1e6:0.#} M")
            : string.Create(CultureInfo.InvariantCulture, $"{plan.DrainLines / 1e3:0.#} k");
        var rows = new List<ResultRow>();
        foreach (var persist in plan.WithoutCheckpoints ? new[] { true, false } : [true])
        {
            var label = persist ? "checkpoints on" : "checkpoints off";
            rows.Add(new ResultRow(
                $"filelog (a) CPU at {rate}, {label}",
                Units.Cores,
                Node(persist, r => r.A.Cpu.CpuCores),
                Rsyslog(persist, r => r.A.Cpu.CpuCores),
                Target.RatioAtMost(3.0),
                AnchorCpu));
        }

        foreach (var persist in plan.WithoutCheckpoints ? new[] { true, false } : [true])
        {
            var label = persist ? "checkpoints on" : "checkpoints off";
            rows.Add(new ResultRow(
                $"filelog (b) drain of {drain} lines, {label}",
                Units.LinesPerSecond,
                Node(persist, r => r.B.LinesPerSecond),
                Rsyslog(persist, r => r.B.LinesPerSecond),
                Target.RatioAtLeast(2.0),
                AnchorRate));
        }

        rows.Add(new ResultRow(
            $"filelog (b) CPU during the drain, checkpoints on",
            Units.Cores,
            Node(true, r => r.B.Cpu.CpuCores),
            Rsyslog(true, r => r.B.Cpu.CpuCores),
            Target.None,
            "—"));
        rows.Add(new ResultRow(
            $"filelog (b) drain vs the read ceiling (node vs `wc -l`)",
            Units.LinesPerSecond,
            Node(true, r => r.B.LinesPerSecond),
            [.. wc.LinesPerSecond],
            Target.None,
            "—"));
        return rows;
    }

    private static async Task<IReadOnlyList<ReaderRun>> RunSideAsync(
        WorkloadContext context, Plan plan, string root, string drainFile, Side side, int round, CancellationToken cancellationToken)
    {
        var runs = new List<ReaderRun>
        {
            await RunReaderAsync(context, plan, root, drainFile, side, round, persist: true, cancellationToken).ConfigureAwait(false),
        };
        if (plan.WithoutCheckpoints)
        {
            runs.Add(await RunReaderAsync(context, plan, root, drainFile, side, round, persist: false, cancellationToken).ConfigureAwait(false));
        }

        return runs;
    }

    private static async Task<ReaderRun> RunReaderAsync(
        WorkloadContext context, Plan plan, string root, string drainFile, Side side, int round, bool persist, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var o = context.Options;
        var dir = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"r{round}-{side}-{(persist ? "on" : "off")}"));
        var watched = Path.Combine(dir, "in");
        Directory.CreateDirectory(watched);
        var glob = Path.Combine(watched, "*.log");
        await File.WriteAllTextAsync(Path.Combine(watched, "probe.log"), "2026-11-26 INFO3 probe line\n", cancellationToken).ConfigureAwait(false);
        var aFile = Path.Combine(watched, "a.log");
        await File.WriteAllBytesAsync(aFile, [], cancellationToken).ConfigureAwait(false);

        ILogFileReader reader;
        if (side == Side.Project)
        {
            var storage = Path.Combine(dir, "storage");
            var node = await context.Launcher.StartNodeAsync(
                ports => FileLogNodeConfig.FileLogToSink(ports, glob, storage, o.ExporterCompression, checkpoints: persist) + (o.NodeHocon is { } extra ? "\n" + extra + "\n" : ""),
                cancellationToken).ConfigureAwait(false);
            reader = new NodeLogReader((NodeSut)node);
        }
        else
        {
            reader = RsyslogReader.Start(dir, glob, persist);
        }

        var name = side == Side.Project ? persist ? "node (checkpoints)" : "node (checkpoints = false)" : persist ? "rsyslog (state after each submission)" : "rsyslog (state at exit)";
        try
        {
            await using (reader.ConfigureAwait(false))
            {
                // Ready: the probe line arrived (the reader watches the directory and delivers downstream).
                await WaitDeliveredAsync(context, reader, name, 1, o.StartTimeout, "the probe line (readiness)", cancellationToken).ConfigureAwait(false);

                // (a) fixed rate.
                int[] pids = reader.SinkPid is { } sinkPid ? [reader.Pid, sinkPid] : [reader.Pid];
                long writtenA;
                ProcessWindow cpuA;
                ProcessWindow? sinkA;
                MachineWindow machineA;
                using (var stopWriter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    var writer = LogLines.AppendAtRateAsync(aFile, FirstLineA, LinesPerSecond, WriteTick, time, stopWriter.Token);
                    try
                    {
                        await Task.Delay(plan.Warmup, time, cancellationToken).ConfigureAwait(false);
                        var sampler = WindowSampler.Start([.. pids, Environment.ProcessId], time, cancellationToken);
                        await using (sampler.ConfigureAwait(false))
                        {
                            await Task.Delay(plan.Window, time, cancellationToken).ConfigureAwait(false);
                            var w = await sampler.StopAsync().ConfigureAwait(false);
                            cpuA = w[reader.Pid];
                            sinkA = reader.SinkPid is { } p ? w[p] : null;
                            machineA = sampler.Machine!;
                        }
                    }
                    finally
                    {
                        await stopWriter.CancelAsync().ConfigureAwait(false);
                        writtenA = await writer.ConfigureAwait(false);
                    }
                }

                var expectedA = 1 + writtenA;
                await WaitDeliveredAsync(context, reader, name, expectedA, LoadChecks.SettleTimeout(context), "(a)'s lines", cancellationToken)
                    .ConfigureAwait(false);

                // (b) drain: one hard link makes the whole file appear at once.
                var expected = expectedA + plan.DrainLines;
                var bSampler = WindowSampler.Start([.. pids], time, cancellationToken);
                ProcessWindow cpuB;
                MachineWindow machineB;
                double seconds;
                await using (bSampler.ConfigureAwait(false))
                {
                    var start = time.GetTimestamp();
                    HardLink(drainFile, Path.Combine(watched, "b.log"));
                    var drainTimeout = o.StartTimeout + TimeSpan.FromSeconds(plan.DrainLines / 10_000.0);
                    await WaitDeliveredAsync(context, reader, name, expected, drainTimeout, "(b)'s lines", cancellationToken, poll: Poll).ConfigureAwait(false);
                    seconds = time.GetElapsedTime(start).TotalSeconds;
                    var w = await bSampler.StopAsync().ConfigureAwait(false);
                    cpuB = w[reader.Pid];
                    machineB = bSampler.Machine!;
                }

                // No duplicates arriving late.
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken).ConfigureAwait(false);
                var delivered = await reader.DeliveredAsync(cancellationToken).ConfigureAwait(false);
                if (delivered != expected)
                {
                    throw new CorrectnessException(string.Create(CultureInfo.InvariantCulture,
                        $"{side} ({name}): delivered {delivered} lines, written {expected} (1 probe + {writtenA} at (a) + {plan.DrainLines} at (b)). " +
                        $"Last output:\n{reader.Tail()}"));
                }

                long? sinkBatches = reader is NodeLogReader n
                    ? (await n.Node.SinkLogCountAsync(cancellationToken).ConfigureAwait(false)).Requests
                    : null;
                var run = new ReaderRun(
                    side,
                    round,
                    name,
                    persist,
                    new FixedRatePhase(writtenA, cpuA, sinkA, machineA),
                    new DrainPhase(plan.DrainLines, seconds, plan.DrainLines / seconds, cpuB, machineB),
                    delivered,
                    sinkBatches);
                context.Progress(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: (a) {cpuA.CpuCores:0.000} core at {writtenA / (plan.Window + plan.Warmup).TotalSeconds:0} lines/s written; " +
                    $"(b) {run.B.LinesPerSecond:0} lines/s ({seconds:0.00} s) at {cpuB.CpuCores:0.000} core; delivered {delivered} = written"));
                return run;
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // left in /tmp
            }
        }
    }

    /// <summary>Waits until <paramref name="reader"/> delivered <paramref name="expected"/> lines; more, or fewer in time, fails the check.</summary>
    private static async Task WaitDeliveredAsync(
        WorkloadContext context,
        ILogFileReader reader,
        string name,
        long expected,
        TimeSpan timeout,
        string what,
        CancellationToken cancellationToken,
        TimeSpan? poll = null)
    {
        var time = context.TimeProvider;
        var start = time.GetTimestamp();
        long delivered = 0;
        var nextReport = TimeSpan.FromSeconds(5);
        while (time.GetElapsedTime(start) < timeout)
        {
            if (time.GetElapsedTime(start) >= nextReport)
            {
                context.Progress(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: waiting for {what}: {delivered} of {expected} lines delivered after {nextReport.TotalSeconds:0} s"));
                nextReport += TimeSpan.FromSeconds(5);
            }

            if (reader.HasExited)
            {
                throw new CorrectnessException($"{name} exited during the run. Last output:\n{reader.Tail()}");
            }

            try
            {
                delivered = await reader.DeliveredAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new CorrectnessException($"{name}: its sink did not answer ({e.Message}). Last output:\n{reader.Tail()}");
            }

            if (delivered >= expected)
            {
                break;
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        if (delivered != expected)
        {
            throw new CorrectnessException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: waiting for {what}, delivered {delivered} lines of the {expected} written, after {time.GetElapsedTime(start).TotalSeconds:0.0} s " +
                $"(limit {timeout.TotalSeconds:0} s). Last output:\n{reader.Tail()}"));
        }
    }

    /// <summary><c>wc -l</c> on the drain file, 3 times (page cache warm, as for the readers): its count must be the lines written.</summary>
    private static async Task<WcResult> WcAsync(WorkloadContext context, string file, long lines, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var rates = new List<double>();
        var seconds = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var output = "";
            var start = time.GetTimestamp();
            var p = ChildProcess.Start("wc", "wc", ["-l", file], (line, err) =>
            {
                if (!err)
                {
                    output = line;
                }
            });
            await using (p.ConfigureAwait(false))
            {
                await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var s = time.GetElapsedTime(start).TotalSeconds;
                var count = output.Trim().Split(' ')[0];
                if (!long.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n != lines)
                {
                    throw new CorrectnessException($"wc -l {file} printed '{output}', expected {lines} lines. {p.Tail()}");
                }

                seconds.Add(s);
                rates.Add(lines / s);
            }
        }

        return new WcResult(seconds, rates);
    }

    private static void AddNotes(WorkloadContext context, AbResult<IReadOnlyList<ReaderRun>> ab, Plan plan, long drainBytes, WcResult wc)
    {
        var c = CultureInfo.InvariantCulture;
        var all = ab.Project.Concat(ab.Baseline).SelectMany(r => r).ToArray();
        var bytesPerLine = (double)drainBytes / plan.DrainLines;
        context.Notes.Enqueue(
            string.Create(c, $"lines of ≈{bytesPerLine:0} B (`2026-11-26 INFO3 Load Generator Counter #N batch_index=batch_B item_index=item_I a=test b=5 c=3 d=true`); ") +
            string.Create(c, $"(a) {LinesPerSecond:0} lines/s appended by this process (one write every {WriteTick.TotalMilliseconds:0} ms), ") +
            string.Create(c, $"{plan.Warmup.TotalSeconds:0} s warm-up + {plan.Window.TotalSeconds:0} s window; ") +
            string.Create(c, $"(b) a {plan.DrainLines}-line file ({drainBytes / 1048576.0:0.0} MiB) hard-linked into the watched directory, ") +
            "lines/s until its last line was delivered.");
        context.Notes.Enqueue(
            $"node: file_log (start_at = beginning, regex_parser `{FileLogNodeConfig.Regex}`) → batch → otlp exporter " +
            $"(compression {context.Options.ExporterCompression}, plaintext) → sink (a floor-server process counting log records from the request bytes; its CPU is not the node's). " +
            "\"checkpoints on\" = the receiver's default (checkpoints in a temp cluster.storage-dir), \"off\" = `checkpoints = false`. " +
            "rsyslog: `rsyslogd -n` with imfile (inotify) → omfile, no regex parsing; \"checkpoints on\" = imfile persistStateAfterSubmission=\"on\" " +
            "(state file written after each batch submitted), \"off\" = the default (state written at exit only). " +
            "Every run: delivered = 1 probe + (a) + (b) lines, exactly.");
        if (context.Options.NodeHocon is { } extra)
        {
            context.Notes.Enqueue($"--node-hocon: the node's config had `{extra}` appended (not the defaults).");
        }

        context.Notes.Enqueue(string.Create(c,
            $"read ceiling: `wc -l` on the (b) file (page cache warm) took {Stats.Median([.. wc.Seconds]):0.000} s " +
            $"= {Units.Format(Stats.Median([.. wc.LinesPerSecond]), Units.LinesPerSecond)} (median of 3)."));
        var sink = Stats.Median([.. ab.Project.Select(r => r[0].A.Sink?.CpuCores ?? double.NaN)]);
        var batches = ab.Project.SelectMany(r => r).Sum(r => r.SinkBatches ?? 0);
        var delivered = ab.Project.SelectMany(r => r).Sum(r => r.Delivered);
        context.Notes.Enqueue(string.Create(c,
            $"the node's sink (not counted) used {sink:0.000} core at (a) (median); it received {batches} batches of " +
            $"{(batches > 0 ? (double)delivered / batches : 0):0} log records on average."));
        foreach (var r in all)
        {
            if (r.A.Written < 0.95 * LinesPerSecond * (plan.Window + plan.Warmup).TotalSeconds)
            {
                context.Notes.Enqueue(string.Create(c,
                    $"round {r.Round} {r.Name}: the writer fell behind ({r.A.Written} lines written, {LinesPerSecond:0}/s asked)."));
            }
        }

        var others = all.SelectMany(r => new[] { r.A.Machine.OtherProcessesCores, r.B.Machine.OtherProcessesCores }).ToArray();
        if (others.Length > 0 && others.Max() > 0.1)
        {
            context.Notes.Enqueue(string.Create(c,
                $"noise: other processes (this writer included) used {Stats.Median(others):0.00} core (median; max {others.Max():0.00}) during the windows " +
                $"of {Environment.ProcessorCount} cores; figures from a busy machine are less reliable."));
        }
    }

    private static void HardLink(string existing, string link)
    {
        if (Link(existing, link) != 0)
        {
            throw new IOException($"link({existing}, {link}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string link);

    private sealed record Plan(TimeSpan Window, TimeSpan Warmup, long DrainLines, bool WithoutCheckpoints);
}

/// <summary>(a): lines written over warm-up + window, and /proc figures of the window.</summary>
internal sealed record FixedRatePhase(long Written, ProcessWindow Cpu, ProcessWindow? Sink, MachineWindow Machine);

/// <summary>(b): the drain of the pre-written file.</summary>
internal sealed record DrainPhase(long Lines, double Seconds, double LinesPerSecond, ProcessWindow Cpu, MachineWindow Machine);

/// <summary>One reader process (the node, or rsyslog with or without state persistence) through (a) and (b).</summary>
internal sealed record ReaderRun(
    Side Side, int Round, string Name, bool Persist, FixedRatePhase A, DrainPhase B, long Delivered, long? SinkBatches);

/// <summary><c>wc -l</c> on the (b) file: seconds and lines/s of each run.</summary>
internal sealed record WcResult(IReadOnlyList<double> Seconds, IReadOnlyList<double> LinesPerSecond);
