using System.Collections.Concurrent;
using Akka.Actor;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>
/// <c>cluster.shared_storage</c> in one process: two receivers with the same id read the same directory (the "shared
/// volume") through a claim board that plays the cluster's role (one owner per file, release before a move), and
/// keep their checkpoints in one shared checkpoint directory. The node-side claims (sharding) are tested in the
/// Nodes and cluster tests.
/// </summary>
public sealed class FileLogSharedStorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Shared_storage_needs_an_absolute_checkpoint_dir_and_bad_values_name_their_path()
    {
        FileLogHarness.Bind("""include = ["/x/*.log"], cluster { shared_storage = true }""", out var missing);
        Assert.Contains(missing.Items, e => e.ToString().StartsWith("receivers.file_log.cluster.checkpoint_dir: is required", StringComparison.Ordinal));

        FileLogHarness.Bind("""include = ["/x/*.log"], cluster { shared_storage = true, checkpoint_dir = "rel/dir" }""", out var relative);
        Assert.Contains(relative.Items, e => e.ToString().StartsWith("receivers.file_log.cluster.checkpoint_dir: must be an absolute path", StringComparison.Ordinal));

        FileLogHarness.Bind("""include = ["/x/*.log"], cluster { shared_storage = maybe }""", out var notBool);
        Assert.Contains(notBool.Items, e => e.ToString().StartsWith("receivers.file_log.cluster.shared_storage", StringComparison.Ordinal));

        var on = FileLogHarness.Bind("""include = ["/x/*.log"], cluster { shared_storage = true, checkpoint_dir = "/shared/ckpt" }""", out var ok);
        Assert.Empty(ok.Items);
        Assert.Equal(new SharedStorageConfig(true, "/shared/ckpt"), on.Cluster);
        Assert.False(FileLogHarness.Bind("""include = ["/x/*.log"]""", out _).Cluster.SharedStorage);
    }

    [Fact]
    public void Readme_shared_storage_example_binds_in_hocon_and_in_yaml()
    {
        var readme = File.ReadAllText(FindReadme());
        var section = readme[readme.IndexOf("## Cluster: shared storage", StringComparison.Ordinal)..];
        var start = section.IndexOf("```hocon\n", StringComparison.Ordinal) + "```hocon\n".Length;
        var hocon = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        const string Rest = """
            exporters { debug {} }
            service.pipelines.logs { receivers = ["file_log/shared"], exporters = [debug] }
            """;
        var spec = ConfigLoader.LoadText(hocon + Rest, ComponentRegistry.Builtin());
        var config = (FileLogReceiverConfig)spec.Receivers[ComponentId.Parse("file_log/shared")].Config;
        Assert.Equal(new SharedStorageConfig(true, "/mnt/logs-state/checkpoints"), config.Cluster);

        const string Yaml = """
            receivers:
              file_log/shared:
                include: [/mnt/logs/*.log]
                start_at: beginning
                cluster:
                  shared_storage: true
                  checkpoint_dir: /mnt/logs-state/checkpoints
            exporters:
              debug:
            service:
              pipelines:
                logs:
                  receivers: [file_log/shared]
                  exporters: [debug]
            """;
        var fromYaml = ConfigLoader.LoadText(Yaml, ComponentRegistry.Builtin(), yaml: true);
        Assert.Equal(config.Cluster, ((FileLogReceiverConfig)fromYaml.Receivers[ComponentId.Parse("file_log/shared")].Config).Cluster);

        // Not a node setting: the node's cluster block rejects it, naming the key.
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText("cluster.shared_storage = true\n" + hocon + Rest, ComponentRegistry.Builtin()));
        Assert.Contains("cluster.shared_storage", error.Message, StringComparison.Ordinal);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Streams", "TelemetryCluster.Streams", "Receivers", "FileLog", "README.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Receivers/FileLog/README.md not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Shared_checkpoint_round_trips_is_replaced_atomically_and_rejects_damage()
    {
        using var dir = new TempDir();
        var store = new SharedCheckpointStore(dir["ckpt"]);
        var state = new FileState(7, [1, 2, 3, 4], 0, 0) { AckedOffset = 12345, AckedRecordNumber = 99, Device = 5, Inode = 6, Path = "/v/a b.log" };
        store.Write("sub/a b.log", state);
        state.AckedOffset = 23456;
        store.Write("sub/a b.log", state);

        var loaded = store.Load("sub/a b.log");
        Assert.NotNull(loaded);
        Assert.Equal(23456, loaded.Offset);
        Assert.Equal(99, loaded.RecordNumber);
        Assert.Equal((5ul, 6ul), (loaded.Device, loaded.Inode));
        Assert.Equal("/v/a b.log", loaded.Path);
        Assert.Equal([1, 2, 3, 4], loaded.Fingerprint);
        Assert.Single(Directory.GetFiles(dir["ckpt"])); // one file per key, no temp file left
        Assert.Null(store.Load("other.log"));

        var bytes = File.ReadAllBytes(store.PathOf("sub/a b.log"));
        bytes[10] ^= 0xff;
        File.WriteAllBytes(store.PathOf("sub/a b.log"), bytes);
        Assert.Null(store.Load("sub/a b.log"));
        File.WriteAllBytes(store.PathOf("sub/a b.log"), bytes[..20]);
        Assert.Null(store.Load("sub/a b.log"));
    }

    [Fact]
    public async Task Each_file_is_read_by_its_claim_holder_and_a_moved_claim_resumes_at_the_released_offset()
    {
        using var dir = new TempDir();
        var logs = Directory.CreateDirectory(dir["volume"]).FullName;
        var config = $$"""
            include = ["{{logs}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            cluster { shared_storage = true, checkpoint_dir = "{{dir["shared-ckpt"]}}" }
            """;
        const int files = 4;
        var written = new int[files];
        async Task WriteAsync(int lines)
        {
            for (var f = 0; f < files; f++)
            {
                var text = string.Concat(Enumerable.Range(written[f] + 1, lines).Select(i => $"file{f} line {i:D6}\n"));
                await File.AppendAllTextAsync(Path.Combine(logs, $"f{f}.log"), text, Ct);
                written[f] += lines;
            }
        }

        await WriteAsync(500);
        var board = new ClaimBoard();
        await using var h1 = new FileLogHarness(dir["node1"]);
        await using var h2 = new FileLogHarness(dir["node2"]);
        h1.System.RegisterExtension(new BoardId(board.For("node1")));
        h2.System.RegisterExtension(new BoardId(board.For("node2")));
        var r1 = h1.Create(config);
        var r2 = h2.Create(config);
        var c1 = new RecordingConsumer();
        var c2 = new RecordingConsumer();
        await r1.StartAsync(c1, Ct);
        await r2.StartAsync(c2, Ct);

        // The board gives f0, f2 to node1 and f1, f3 to node2 (the first toucher of an even/odd key).
        await FileLogReaderTests.WaitForAsync(() => c1.Count + c2.Count >= files * 500);
        await WriteAsync(700);
        await FileLogReaderTests.WaitForAsync(() => c1.Count + c2.Count >= files * 1200);
        Assert.All(c1.Lines, l => Assert.True(l.FileName is "f0.log" or "f2.log", l.FileName));
        Assert.All(c2.Lines, l => Assert.True(l.FileName is "f1.log" or "f3.log", l.FileName));

        // Move f0 and f2 to node2 while lines keep coming: node1 releases (stops, flushes its acknowledged offset)
        // before node2 is granted them and resumes from the shared checkpoint.
        var writing = Task.Run(async () =>
        {
            for (var round = 0; round < 10; round++)
            {
                await WriteAsync(100);
                await Task.Delay(30, Ct);
            }
        }, Ct);
        await board.MoveAsync("f0.log", "node2");
        await board.MoveAsync("f2.log", "node2");
        await writing;
        var total = files * 2200;
        await FileLogReaderTests.WaitForAsync(() => c1.Count + c2.Count >= total, 20);
        await Task.Delay(300, Ct);
        await r1.StopAsync(Ct);
        await r2.StopAsync(Ct);

        var all = c1.Lines.Concat(c2.Lines).Select(l => l.Body).ToList();
        Assert.Equal(total, all.Count);
        Assert.Equal(total, all.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(r1.ClaimedKeys);
        Assert.Equal(4, Directory.GetFiles(dir["shared-ckpt"], "*.ckpt", SearchOption.AllDirectories).Length);
        Assert.False(Directory.Exists(dir["node1"]) || Directory.Exists(dir["node2"])); // nothing node-local
    }

    /// <summary>Plays the cluster: one owner per key (the first node that touches an even key gets f0/f2, odd keys go to the other).</summary>
    private sealed class ClaimBoard
    {
        private readonly ConcurrentDictionary<string, IFileClaimHolder> _holders = new();
        private readonly ConcurrentDictionary<string, string> _owner = new();

        public IFileClaims For(string node) => new NodeClaims(this, node);

        public async Task MoveAsync(string key, string to)
        {
            var from = _owner[key];
            await _holders[from].ReleaseAsync(key);
            _owner[key] = to;
            _holders[to].Grant(key);
        }

        private void Touch(string node, IReadOnlyCollection<string> keys)
        {
            foreach (var key in keys)
            {
                var wanted = int.Parse(key.AsSpan(1, 1), System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? "node1" : "node2";
                if (wanted == node && _owner.TryAdd(key, node))
                {
                    _holders[node].Grant(key);
                }
            }
        }

        private sealed class NodeClaims(ClaimBoard board, string node) : IFileClaims, IFileClaimSession
        {
            public IFileClaimSession Join(string receiverId, IFileClaimHolder holder)
            {
                board._holders[node] = holder;
                return this;
            }

            public void Touch(IReadOnlyCollection<string> fileKeys) => board.Touch(node, fileKeys);

            public void Dispose()
            {
            }
        }
    }

    private sealed class BoardId(IFileClaims claims) : ExtensionIdProvider<IFileClaims>
    {
        public override IFileClaims CreateExtension(ExtendedActorSystem system) => claims;
    }
}
