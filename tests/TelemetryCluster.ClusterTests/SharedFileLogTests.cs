using System.Collections.Concurrent;
using System.Globalization;
using OpenTelemetry.Proto.Collector.Logs.V1;
using TelemetryCluster.ClusterTests.Support;

namespace TelemetryCluster.ClusterTests;

/// <summary>
/// Issue 6, <c>cluster.shared_storage</c>: three node processes tail the same directory (the "shared volume") with a
/// <c>file_log</c> receiver whose files are claimed through the <c>filelog-claims</c> shard region and whose
/// checkpoints live in one shared directory. A writer appends to six files. While no node dies every line is
/// exported exactly once (claims moved by the rebalance after nodes 2 and 3 joined included: the old owner releases
/// before the new one resumes). Then the node owning the most files is killed with SIGKILL under load: its files are
/// resumed by the survivors from the shared checkpoints — no line is lost, and the duplicates (counted) are at most
/// the unacknowledged tail.
/// </summary>
public sealed class SharedFileLogTests(ITestOutputHelper output)
{
    private const int Files = 6;
    private const long FileStride = 1_000_000;
    private const int LinesPerSecondPerFile = 100;
    private const string ReaderAttribute = "tc.reader";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Each_file_is_read_by_one_node_and_a_killed_owners_files_resume_from_the_shared_checkpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempRoot(); // disposed after the cluster (declared first)
        var root = temp.Path;
        var volume = Directory.CreateDirectory(Path.Combine(root, "volume")).FullName;
        var checkpoints = Path.Combine(root, "checkpoints");
        using var writer = new Writer(volume); // empty files: the nodes read nothing before the sinks' observers are attached

        var options = Options(nodes: 3, volume, checkpoints);

        var arrivals = new ConcurrentDictionary<long, int>();
        var readerOf = new ConcurrentDictionary<long, string>();
        var exportedBy = new ConcurrentDictionary<string, long>();
        await using var cluster = await TestCluster.StartAsync(options, output, ct);
        foreach (var node in cluster.Nodes)
        {
            var name = node.Name;
            node.Sink.LogsObserver = request => Observe(request, name, arrivals, readerOf, exportedBy);
        }

        await cluster.RunAsync(async () =>
        {
            using var writing = new CancellationTokenSource();
            var writerTask = writer.RunAsync(LinesPerSecondPerFile, writing.Token);

            // Every file read, by every node (the rebalance spreads the claims: a moved claim is released by its
            // old owner first), each file's recent lines from one reader, and one claim entity per file in the
            // cluster (GET /cluster/shards, region filelog-claims).
            Dictionary<int, string> owners = [];
            string claims = "-";
            await Wait.UntilAsync(
                async () =>
                {
                    owners = Owners(readerOf, recentLines: 2 * LinesPerSecondPerFile, out var stable);
                    var region = (await cluster[1].ShardsAsync(ct))?.Regions.FirstOrDefault(r => r.TypeName == "filelog-claims");
                    claims = Describe(cluster, region);
                    return stable && owners.Count == Files && Enumerable.Range(0, Files).All(f => Delivered(arrivals, f) >= 2 * LinesPerSecondPerFile) && owners.Values.Distinct().Count() == 3
                        && region is { Error: null, Failed.Count: 0 } && region.Shards.Sum(x => x.Entities) == Files;
                },
                Timeout,
                () => $"each of {Files} files read by one node, over all 3 nodes; owners now: {Describe(owners)}; claims {claims}; {string.Join("; ", cluster.Nodes.Select(n => n.Sink))}",
                ct);

            // Exactly once while no node died: every line up to what all files have delivered, once.
            var upTo = Enumerable.Range(0, Files).ToDictionary(f => f, f => Delivered(arrivals, f));
            var before = upTo.Sum(kv => kv.Value);
            var duplicatesBefore = upTo.Sum(kv => Enumerable.Range(1, (int)kv.Value).Count(n => arrivals.GetValueOrDefault(Seq(kv.Key, n)) > 1));
            cluster.Result($"shared file_log before the kill: {before} lines delivered, {duplicatesBefore} duplicates; owners {Describe(owners)}; claims {claims}; exported per node {Describe(exportedBy)}");
            Assert.Equal(0, duplicatesBefore);

            // SIGKILL the non-seed node that owns the most files.
            var victimName = owners.Values.Where(n => n != "node1").GroupBy(n => n).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault()
                ?? throw new InvalidOperationException($"no file is read by node2 or node3: {Describe(owners)}");
            var victim = cluster.Nodes.Single(n => n.Name == victimName);
            var victimFiles = owners.Where(kv => kv.Value == victimName).Select(kv => kv.Key).ToHashSet();
            var killedAt = writer.Written.ToArray();
            victim.Kill();
            await victim.Process.WaitForExitAsync(Timeout, ct);
            var survivors = cluster.Nodes.Where(n => n != victim).ToList();
            await cluster.WaitForMembersAsync(survivors[0], survivors, Timeout, ct);
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // more lines while the claims move
            await writing.CancelAsync();
            await writerTask;

            // No line lost: everything written arrives (the dead node's files resumed by a survivor).
            await Wait.UntilAsync(
                () => Task.FromResult(Enumerable.Range(0, Files).All(f => Delivered(arrivals, f) == writer.Written[f])),
                Timeout,
                () => $"every line of every file delivered; delivered {string.Join(", ", Enumerable.Range(0, Files).Select(f => $"f{f} {Delivered(arrivals, f)}/{writer.Written[f]}"))}; owners {Describe(Owners(readerOf, 50, out _))}",
                ct);
            await Task.Delay(TimeSpan.FromSeconds(1), ct); // late duplicates, if any, arrive too

            var total = writer.Written.Sum();
            var duplicates = arrivals.Where(kv => kv.Value > 1).Sum(kv => kv.Value - 1);
            var victimDuplicates = arrivals.Where(kv => kv.Value > 1 && victimFiles.Contains((int)(kv.Key / FileStride))).Sum(kv => kv.Value - 1);
            var after = Owners(readerOf, recentLines: 50, out var stableAfter);
            var claimsRegion = (await survivors[0].ShardsAsync(ct))?.Regions.FirstOrDefault(r => r.TypeName == "filelog-claims");
            cluster.Result(
                $"shared file_log after SIGKILL of {victimName} (owned f{string.Join(",f", victimFiles.Order())}; lines at kill {string.Join("/", killedAt)}): " +
                $"{total} lines written, all delivered; {duplicates} duplicates ({victimDuplicates} in the killed node's files; bound {victimFiles.Count * 32 * 100 + 32 * 100}); " +
                $"owners now {Describe(after)}; claims {Describe(cluster, claimsRegion)}; exported per node {Describe(exportedBy)}");
            Assert.Equal(total, arrivals.Count);
            Assert.True(stableAfter, $"each file's last lines from one reader: {Describe(after)}");
            Assert.DoesNotContain(victimName, after.Values);
            Assert.True(victimFiles.All(f => after.ContainsKey(f)), "the killed node's files were resumed");

            // At-least-once with a bounded tail: a file resumes at its last acknowledged offset (at most 32 batches of
            // 100 lines in flight per receiver), plus batches the dead node exported for a survivor's receiver
            // whose acknowledgement it could not send.
            Assert.True(duplicates <= (victimFiles.Count * 32 * 100) + (32 * 100), $"{duplicates} duplicates");

            // Resumed from the checkpoint, not from the start: far fewer duplicates than the lines read before the kill.
            Assert.True(victimDuplicates < killedAt.Min() / 2, $"{victimDuplicates} duplicates in the killed node's files, {killedAt.Min()} lines per file at the kill");
        });
    }

    [Fact]
    public async Task A_leaving_owner_releases_its_files_and_the_other_node_resumes_them_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempRoot();
        var volume = Directory.CreateDirectory(Path.Combine(temp.Path, "volume")).FullName;
        using var writer = new Writer(volume);
        var arrivals = new ConcurrentDictionary<long, int>();
        var readerOf = new ConcurrentDictionary<long, string>();
        var exportedBy = new ConcurrentDictionary<string, long>();
        await using var cluster = await TestCluster.StartAsync(Options(nodes: 2, volume, Path.Combine(temp.Path, "checkpoints")), output, ct);
        foreach (var node in cluster.Nodes)
        {
            var name = node.Name;
            node.Sink.LogsObserver = request => Observe(request, name, arrivals, readerOf, exportedBy);
        }

        await cluster.RunAsync(async () =>
        {
            using var writing = new CancellationTokenSource();
            var writerTask = writer.RunAsync(LinesPerSecondPerFile, writing.Token);
            Dictionary<int, string> owners = [];
            await Wait.UntilAsync(
                () =>
                {
                    owners = Owners(readerOf, recentLines: 2 * LinesPerSecondPerFile, out var stable);
                    return Task.FromResult(stable && owners.Count == Files && owners.Values.Distinct().Count() == 2
                        && Enumerable.Range(0, Files).All(f => Delivered(arrivals, f) >= 2 * LinesPerSecondPerFile));
                },
                Timeout,
                () => $"each of {Files} files read by one node, over both nodes; owners now: {Describe(owners)}",
                ct);
            var leaverFiles = owners.Where(kv => kv.Value == "node2").Select(kv => kv.Key).ToHashSet();

            // SIGTERM: node 2 leaves; its claim shards are handed off, each claim released (reading stopped, the
            // acknowledged offset written) before node 1 is granted the file.
            cluster[2].Terminate();
            await cluster[2].Process.WaitForExitAsync(TestCluster.StopTimeout, ct);
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            await writing.CancelAsync();
            await writerTask;
            await Wait.UntilAsync(
                () => Task.FromResult(Enumerable.Range(0, Files).All(f => Delivered(arrivals, f) == writer.Written[f])),
                Timeout,
                () => $"every line delivered; {string.Join(", ", Enumerable.Range(0, Files).Select(f => $"f{f} {Delivered(arrivals, f)}/{writer.Written[f]}"))}; owners {Describe(Owners(readerOf, 50, out _))}",
                ct);
            await Task.Delay(TimeSpan.FromSeconds(1), ct);

            var total = writer.Written.Sum();
            var duplicates = arrivals.Where(kv => kv.Value > 1).Sum(kv => kv.Value - 1);
            var after = Owners(readerOf, recentLines: 50, out var stableAfter);
            cluster.Result($"shared file_log, node2 left (owned f{string.Join(",f", leaverFiles.Order())}): {total} lines written, all delivered, {duplicates} duplicates; owners now {Describe(after)}; exported per node {Describe(exportedBy)}");
            Assert.Equal(total, arrivals.Count);
            Assert.True(stableAfter && after.Count == Files && after.Values.All(n => n == "node1"), Describe(after));
            Assert.Equal(0, duplicates);
        });
    }

    private static ClusterOptions Options(int nodes, string volume, string checkpoints) => new()
    {
        Nodes = nodes,
        Delivery = "exported",
        ExtraHocon = $$"""
            # A batch in flight to a partition on the killed node is refused after this (default 60 s), then sent again.
            cluster.export-timeout = 5s
            receivers {
              "file_log/shared" {
                include = ["{{volume}}/*.log"]
                start_at = beginning
                poll_interval = 100ms
                cluster {
                  shared_storage = true
                  checkpoint_dir = "{{checkpoints}}"
                }
              }
            }
            service.pipelines {
              "logs/shared" {
                receivers = ["file_log/shared"]
                processors = [batch]
                exporters = [otlp_grpc]
              }
            }
            """,
        NodeHocon = i => $$"""receivers."file_log/shared".resource { "{{ReaderAttribute}}" = "node{{i}}" }""",
    };

    private static long Seq(int file, long n) => (file * FileStride) + n;

    /// <summary>How many leading lines of a file arrived without a gap.</summary>
    private static long Delivered(ConcurrentDictionary<long, int> arrivals, int file)
    {
        long n = 0;
        while (arrivals.ContainsKey(Seq(file, n + 1)))
        {
            n++;
        }

        return n;
    }

    /// <summary>File → the node that read its most recent lines; stable when each file's last lines come from one reader.</summary>
    private static Dictionary<int, string> Owners(ConcurrentDictionary<long, string> readerOf, int recentLines, out bool stable)
    {
        var owners = new Dictionary<int, string>();
        stable = true;
        for (var f = 0; f < Files; f++)
        {
            var seqs = readerOf.Keys.Where(s => s / FileStride == f).OrderDescending().Take(recentLines).ToList();
            if (seqs.Count == 0)
            {
                stable = false;
                continue;
            }

            var readers = seqs.Select(s => readerOf[s]).Distinct().ToList();
            owners[f] = readerOf[seqs[0]];
            stable &= readers.Count == 1;
        }

        return owners;
    }

    private static void Observe(ExportLogsServiceRequest request, string exporter, ConcurrentDictionary<long, int> arrivals, ConcurrentDictionary<long, string> readerOf, ConcurrentDictionary<string, long> exportedBy)
    {
        foreach (var resource in request.ResourceLogs)
        {
            var reader = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == ReaderAttribute)?.Value?.StringValue ?? "?";
            foreach (var record in resource.ScopeLogs.SelectMany(s => s.LogRecords))
            {
                var body = record.Body?.StringValue ?? string.Empty;
                if (body.StartsWith("seq=", StringComparison.Ordinal) && long.TryParse(body.AsSpan(4, 9), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                {
                    arrivals.AddOrUpdate(seq, 1, (_, n) => n + 1);
                    readerOf[seq] = reader;
                    exportedBy.AddOrUpdate(exporter, 1, (_, n) => n + 1);
                }
            }
        }
    }

    private static string Describe(TestCluster cluster, RegionView? region) => region is null
        ? "(no answer)"
        : string.Join(", ", region.Nodes.Select(n => $"{cluster.NameOf(n.Node)} {n.Entities} in {n.Shards} shards")) + (region.Error is { } e ? $" error {e}" : string.Empty);

    private static string Describe(IReadOnlyDictionary<int, string> owners) =>
        string.Join(", ", owners.OrderBy(kv => kv.Key).Select(kv => $"f{kv.Key}:{kv.Value}"));

    private static string Describe(ConcurrentDictionary<string, long> counts) =>
        string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));

    private sealed class TempRoot : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "telemetry-cluster-tests", "shared-" + Guid.NewGuid().ToString("N")[..10]);

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

    /// <summary>Appends "seq=FNNNNNNNN pad" lines to f0.log … f5.log on the shared volume.</summary>
    private sealed class Writer(string directory) : IDisposable
    {
        private readonly StreamWriter[] _files = [.. Enumerable.Range(0, Files).Select(f =>
            new StreamWriter(new FileStream(Path.Combine(directory, $"f{f}.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = false })];

        public long[] Written { get; } = new long[Files];

        public void Append(int linesPerFile)
        {
            for (var f = 0; f < Files; f++)
            {
                for (var i = 0; i < linesPerFile; i++)
                {
                    var n = ++Written[f];
                    _files[f].Write($"seq={Seq(f, n).ToString("D9", CultureInfo.InvariantCulture)} file=f{f} {new string('x', 48)}\n");
                }

                _files[f].Flush();
            }
        }

        /// <summary>Appends in 20 ms steps at the given rate per file until cancelled.</summary>
        public async Task RunAsync(int linesPerSecond, CancellationToken cancellationToken)
        {
            var step = Math.Max(1, linesPerSecond / 50);
            while (!cancellationToken.IsCancellationRequested)
            {
                Append(step);
                try
                {
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public void Dispose()
        {
            foreach (var file in _files)
            {
                file.Dispose();
            }
        }
    }
}
