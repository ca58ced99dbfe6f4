using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.FileLog;

/// <summary>
/// The file_log receiver in a real node process: filelog → batch → debug exporter (detailed, to stdout) under
/// <c>delivery = exported</c>. A node killed with SIGKILL mid-run and restarted loses no line and re-sends only the
/// unacknowledged tail; 10,000 idle files cost little CPU.
/// </summary>
public sealed partial class FileLogNodeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Appends "gen=0001 seq=N pad" lines at a steady rate; every `every` lines renames QELog.log to QELog.log.K (inside the pattern).</summary>
    private const string Writer = """
        import os, sys, time
        d, total, rate, every = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
        path = os.path.join(d, "QELog.log")
        f = open(path, "a", buffering=1)
        start = time.monotonic()
        for seq in range(1, total + 1):
            f.write(f"gen=0001 seq={seq:08d} " + "x" * 64 + "\n")
            f.flush()
            if seq % every == 0:
                f.close()
                os.rename(path, path + f".{seq}")
                f = open(path, "a", buffering=1)
            due = start + seq / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
        f.close()
        print(f"done {total}", flush=True)
        """;

    [Fact]
    public async Task Kill_9_and_restart_loses_no_line_and_resends_only_the_unacknowledged_tail()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var logs = Directory.CreateDirectory(Path.Combine(dir.Path, "logs")).FullName;
        var config = WriteConfig(dir.Path, logs, "QELog.log*", startAt: "beginning");
        var writerScript = Path.Combine(dir.Path, "writer.py");
        await File.WriteAllTextAsync(writerScript, Writer, ct);

        const int total = 8000;
        using var writer = NodeProcess.Start("python3", [writerScript, logs, "8000", "800", "1500"]);

        var first = NodeProcess.StartNode(["--config", config]);
        List<int> firstSeqs;
        try
        {
            await first.WaitForLineAsync(l => SeqOf(l) is >= 2000, Timeout, ct);
            first.Kill(); // SIGKILL
            await first.WaitForExitAsync(Timeout, ct);
            firstSeqs = Seqs(first);
        }
        finally
        {
            first.Dispose();
        }

        using var second = NodeProcess.StartNode(["--config", config]);
        await writer.WaitForExitAsync(Timeout, ct);
        Assert.True(writer.ExitCode == 0, writer.Describe());
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline && !Seqs(second).Concat(firstSeqs).ToHashSet().SetEquals(Enumerable.Range(1, total)))
        {
            Assert.False(second.HasExited, second.Describe());
            await Task.Delay(200, ct);
        }

        await Task.Delay(1000, ct); // a late duplicate would show up now
        second.Terminate();
        await second.WaitForExitAsync(Timeout, ct);
        var secondSeqs = Seqs(second);

        var all = firstSeqs.Concat(secondSeqs).ToList();
        var missing = Enumerable.Range(1, total).Except(all).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} lines lost, e.g. {string.Join(",", missing.Take(10))}");
        Assert.Equal(firstSeqs.Count, firstSeqs.Distinct().Count());
        Assert.Equal(secondSeqs.Count, secondSeqs.Distinct().Count());

        // Duplicates only in the tail the first node had sent but not yet seen acknowledged: at most 32 batches of 100.
        var duplicates = firstSeqs.Intersect(secondSeqs).Order().ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"first node exported {firstSeqs.Count} lines (up to seq {firstSeqs.Max()}), second {secondSeqs.Count}, duplicates after kill -9: {duplicates.Count}");
        Assert.True(duplicates.Count <= 32 * 100, $"{duplicates.Count} duplicates");
        if (duplicates.Count > 0)
        {
            Assert.True(duplicates[^1] - duplicates[0] < 32 * 100 + 1500, "duplicates form one tail, not scattered re-reads");
            Assert.True(duplicates[0] > firstSeqs.Max() - (32 * 100) - 1500, "duplicates are the end of what the first node exported");
        }
    }

    [Fact]
    public async Task Ten_thousand_idle_files_cost_little_cpu_and_a_change_is_still_seen()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var logs = Directory.CreateDirectory(Path.Combine(dir.Path, "logs")).FullName;
        const int files = 10_000;
        for (var i = 0; i < files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(logs, $"idle-{i:D5}.log"), $"existing line of file {i}\n", ct);
        }

        var config = WriteConfig(dir.Path, logs, "*.log", startAt: "end");
        using var node = NodeProcess.StartNode(["--config", config]);
        var checkpoint = Path.Combine(dir.Path, "state", "file_log", "file_log", "checkpoints.bin");

        // Started when every file has its checkpoint record; then let the first active window pass.
        var deadline = DateTime.UtcNow + Timeout;
        while (!(File.Exists(checkpoint) && new FileInfo(checkpoint).Length > files * 40L))
        {
            Assert.False(node.HasExited, node.Describe());
            Assert.True(DateTime.UtcNow < deadline, "no checkpoint for the idle files\n" + node.Describe());
            await Task.Delay(200, ct);
        }

        await Task.Delay(TimeSpan.FromSeconds(8), ct);
        var window = TimeSpan.FromSeconds(10);
        var before = CpuTime(node.Id);
        var started = Stopwatch.StartNew();
        await Task.Delay(window, ct);
        var used = CpuTime(node.Id) - before;
        var share = used / started.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"node CPU over {started.Elapsed.TotalSeconds:F1}s with {files} idle files: {used.TotalMilliseconds:F0} ms ({share:P1} of one core)");
        Assert.True(share < 0.15, $"the node used {share:P1} of a core with {files} idle files");

        await File.AppendAllTextAsync(Path.Combine(logs, "idle-04242.log"), "woken up\n", ct);
        await node.WaitForLineAsync(l => l.Contains("Body: Str(woken up)", StringComparison.Ordinal), Timeout, ct);
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(Timeout, ct));
    }

    /// <summary>utime + stime of a process, from /proc/PID/stat (clock ticks of 10 ms, CLK_TCK = 100 on Linux).</summary>
    private static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private static string WriteConfig(string root, string logs, string pattern, string startAt)
    {
        var ports = FreePorts.Take(1);
        var path = Path.Combine(root, "node.conf");
        File.WriteAllText(path, $$"""
            receivers {
              file_log {
                include = ["{{logs}}/{{pattern}}"]
                start_at = {{startAt}}
                poll_interval = 100ms
              }
            }
            processors {
              batch { timeout = 100ms }
            }
            exporters {
              debug {
                verbosity = detailed
                use_internal_logger = false
                sampling_initial = 100000000
                sampling_thereafter = 1
              }
            }
            service {
              pipelines {
                logs { receivers = [file_log], processors = [batch], exporters = [debug] }
              }
              telemetry { metrics { level = none } }
            }
            cluster {
              delivery = exported
              storage-dir = "{{Path.Combine(root, "state")}}"
              port = {{ports[0]}}
              management { enabled = false }
            }
            """);
        return path;
    }

    private static int? SeqOf(string line)
    {
        var m = BodyLine().Match(line);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static List<int> Seqs(NodeProcess node) => node.Lines.Select(l => SeqOf(l.Text)).OfType<int>().ToList();

    [GeneratedRegex(@"Body: Str\(gen=\d+ seq=(\d+) x+\)")]
    private static partial Regex BodyLine();

    private sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "filelog-node-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
