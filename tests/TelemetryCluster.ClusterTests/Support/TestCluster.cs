using System.Diagnostics;
using System.Globalization;
using System.Text;
using TelemetryCluster.Testing;

namespace TelemetryCluster.ClusterTests.Support;

/// <summary>How a <see cref="TestCluster"/> forms.</summary>
public enum Membership
{
    /// <summary><c>cluster.seed-nodes</c> = node 1's address on every node.</summary>
    StaticSeeds,

    /// <summary>Akka Cluster Bootstrap with <c>discovery = config</c> over every node's management endpoint.</summary>
    Bootstrap,
}

public sealed record ClusterOptions
{
    public int Nodes { get; init; } = 3;

    public int Partitions { get; init; } = 16;

    /// <summary><c>cluster.delivery</c>: accepted or exported.</summary>
    public string Delivery { get; init; } = "accepted";

    public Membership Membership { get; init; } = Membership.StaticSeeds;

    /// <summary>Per-attempt timeout of the otlp exporter (a paused sink makes every attempt run into it).</summary>
    public TimeSpan ExporterTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>HOCON appended to every node's config (wins over what the builder wrote).</summary>
    public string ExtraHocon { get; init; } = string.Empty;

    /// <summary>HOCON appended to one node's config after <see cref="ExtraHocon"/> (argument: the 1-based node index), e.g. a per-node port.</summary>
    public Func<int, string>? NodeHocon { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// N <c>telemetry-cluster</c> processes on loopback, each with its own OTLP sink (<see cref="SinkServer"/>) and a HOCON
/// config written to a temp dir: otlp receiver (gRPC) on a free port, batch processor (50 ms), otlp_grpc exporter → the
/// node's sink (insecure, retry_on_failure with short intervals and no give-up, so a paused sink is backpressure and
/// not loss), health_check and management endpoints on free ports, remoting on a free port, and node 1 as the seed
/// (or bootstrap). <see cref="StartAsync"/> returns once node 1 lists N Up members and every node's <c>/readyz</c>
/// is 200. Disposing stops every process (SIGTERM, the seed last; kill after a timeout) and every sink.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(45);
    private const int StartAttempts = 2;

    private readonly ITestOutputHelper? _output;
    private readonly string _directory;
    private bool _failed;

    private TestCluster(ClusterOptions options, IReadOnlyList<ClusterNode> nodes, string directory, ITestOutputHelper? output)
    {
        Options = options;
        Nodes = nodes;
        _directory = directory;
        _output = output;
    }

    public ClusterOptions Options { get; }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>1-based.</summary>
    public ClusterNode this[int index] => Nodes[index - 1];

    /// <summary>How long the last start took, from process start to every node ready.</summary>
    public TimeSpan FormationTime { get; private set; }

    public static async Task<TestCluster> StartAsync(ClusterOptions options, ITestOutputHelper? output, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var cluster = await CreateAsync(options, output, cancellationToken).ConfigureAwait(false);
            try
            {
                await cluster.StartNodesAsync(cancellationToken).ConfigureAwait(false);
                return cluster;
            }
            catch (Exception e) when (attempt < StartAttempts && cluster.Nodes.Any(n => n.HasExited && PortTaken(n)))
            {
                // FreePorts releases its ports before the nodes bind them; another process may have taken one.
                output?.WriteLine($"cluster start attempt {attempt} failed on a taken port, retrying: {e.Message}");
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                cluster._failed = true;
                cluster.WriteDiagnostics("cluster did not start");
                await cluster.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Runs the test body; on failure writes every node's output and the sinks' state to the test output.</summary>
    public async Task RunAsync(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failed = true;
            WriteDiagnostics(e.Message);
            throw;
        }
    }

    /// <summary>Waits until <paramref name="node"/> lists exactly the <paramref name="expected"/> nodes, all Up and reachable.</summary>
    public Task WaitForMembersAsync(ClusterNode node, IReadOnlyCollection<ClusterNode> expected, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        MembersView? last = null;
        return Wait.UntilAsync(
            async () =>
            {
                last = await node.MembersAsync(cancellationToken).ConfigureAwait(false);
                return last is not null
                    && last.Members.Count == expected.Count
                    && expected.All(e => last.Members.Any(m => m.Address == e.Address && m.Status == "Up" && m.Reachable))
                    && last.Unreachable.Count == 0;
            },
            timeout,
            () => $"{node.Name} lists [{string.Join(", ", expected.Select(e => e.Name))}] as Up members; last answer: {Describe(last)}",
            cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="node"/>'s <c>/cluster/shards</c> places every one of <paramref name="partitions"/>
    /// (all when null) on one of <paramref name="hosts"/> and none failed; returns partition → node address.
    /// </summary>
    public async Task<Dictionary<int, string>> WaitForShardsAsync(ClusterNode node, IReadOnlyCollection<ClusterNode> hosts, TimeSpan timeout, IEnumerable<int>? partitions = null, CancellationToken cancellationToken = default)
    {
        var wanted = (partitions ?? Enumerable.Range(0, Options.Partitions)).ToHashSet();
        var addresses = hosts.Select(h => h.Address).ToHashSet(StringComparer.Ordinal);
        ShardsView? last = null;
        await Wait.UntilAsync(
            async () =>
            {
                last = await node.ShardsAsync(cancellationToken).ConfigureAwait(false);
                var homes = last?.PartitionHomes();
                return last?.Partitions is { Error: null, Failed.Count: 0 } && homes is not null
                    && wanted.All(p => homes.TryGetValue(p, out var home) && addresses.Contains(home))
                    && homes.Values.All(addresses.Contains);
            },
            timeout,
            () => $"{node.Name}: partitions {string.Join(",", wanted.Order())} on [{string.Join(", ", hosts.Select(h => h.Name))}]; last answer: {Describe(last)}",
            cancellationToken).ConfigureAwait(false);
        return last!.PartitionHomes();
    }

    /// <summary>
    /// Waits until every partition is placed on one of <paramref name="hosts"/>, each of them hosts some, and the
    /// placement is balanced (shard counts differ by at most 1: the allocation strategy moves nothing more), so the
    /// placement the test reads stays put. Needs traffic: sharding places a partition on its first message.
    /// </summary>
    public async Task<Dictionary<int, string>> WaitForBalancedShardsAsync(ClusterNode node, IReadOnlyCollection<ClusterNode> hosts, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var addresses = hosts.Select(h => h.Address).ToList();
        ShardsView? last = null;
        await Wait.UntilAsync(
            async () =>
            {
                last = await node.ShardsAsync(cancellationToken).ConfigureAwait(false);
                var homes = last?.PartitionHomes();
                if (last?.Partitions is not { Error: null, Failed.Count: 0 } || homes is null || homes.Count != Options.Partitions
                    || !homes.Values.All(addresses.Contains))
                {
                    return false;
                }

                var counts = addresses.Select(a => homes.Values.Count(h => h == a)).ToList();
                return counts.Min() > 0 && counts.Max() - counts.Min() <= 1;
            },
            timeout,
            () => $"{node.Name}: all {Options.Partitions} partitions balanced over [{string.Join(", ", hosts.Select(h => h.Name))}]; last answer: {Describe(last)}",
            cancellationToken).ConfigureAwait(false);
        return last!.PartitionHomes();
    }

    /// <summary>
    /// Sends rounds of <see cref="ClusterOptions.Partitions"/> requests through <paramref name="load"/> until the
    /// placement is balanced over <paramref name="hosts"/> (see <see cref="WaitForBalancedShardsAsync"/>; a partition
    /// moved by a rebalance is placed again only when traffic arrives for it). Returns partition → node address.
    /// </summary>
    public async Task<Dictionary<int, string>> WarmUpAsync(LoadGenerator load, IReadOnlyCollection<ClusterNode> hosts, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(load);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await load.SendAsync(Options.Partitions, timeout, cancellationToken).ConfigureAwait(false);
            try
            {
                var left = deadline - DateTime.UtcNow;
                return await WaitForBalancedShardsAsync(this[1], hosts, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // not balanced yet: more traffic
            }
        }
    }

    /// <summary>The node with this Akka address.</summary>
    public ClusterNode NodeAt(string address) => Nodes.Single(n => n.Address == address);

    public string Describe(MembersView? members) => members is null
        ? "(no answer)"
        : string.Join("; ", members.Members.Select(m => $"{NameOf(m.Address)} {m.Status}{(m.Reachable ? string.Empty : " unreachable")}")) + $" (leader {NameOf(members.Leader)})";

    public string Describe(ShardsView? shards)
    {
        if (shards?.Partitions is not { } region)
        {
            return "(no answer)";
        }

        var byNode = region.Shards.GroupBy(s => NameOf(s.Node)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join(",", g.Select(s => s.Shard))}");
        return string.Join("; ", byNode) + (region.Failed.Count > 0 ? $"; failed {string.Join(",", region.Failed)}" : string.Empty)
            + (region.Error is { } error ? $"; error {error}" : string.Empty);
    }

    public string NameOf(string? address) => Nodes.FirstOrDefault(n => n.Address == address)?.Name ?? address ?? "-";

    /// <summary>Writes every node's captured output and every sink's counters to the test output.</summary>
    public void WriteDiagnostics(string reason)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"=== diagnostics ({reason}); configs and logs in {_directory}");
        foreach (var node in Nodes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{node}: {node.Sink}");
        }

        foreach (var node in Nodes)
        {
            var lines = node.Started ? node.Process.Lines : [];
            text.AppendLine(CultureInfo.InvariantCulture, $"--- {node.Name}: last {Math.Min(lines.Count, 150)} of {lines.Count} lines");
            foreach (var line in lines.TakeLast(150))
            {
                text.AppendLine(line.Stream == OutputStream.Stderr ? "!" + line.Text : line.Text);
            }
        }

        Log(text.ToString());
    }

    /// <summary>A result line: to the test output and to the runner's console (visible for passing tests too).</summary>
    public void Result(string line)
    {
        Log(line);
        Console.WriteLine(line);
    }

    public void Log(string message)
    {
        try
        {
            _output?.WriteLine(message);
        }
        catch (InvalidOperationException)
        {
            // the test is over
        }
    }

    /// <summary>
    /// Stops every node still running: SIGTERM to all but node 1, then node 1 (a seed that leaves last is quick);
    /// a node that does not exit within <see cref="StopTimeout"/> is killed. Then the sinks stop.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var clock = Stopwatch.StartNew();
        foreach (var node in Nodes)
        {
            // A node drains through its exporter when it stops: a paused sink would hold it for the drain timeout.
            node.Sink.Mode = SinkMode.Accept;
            node.Sink.Resume();
        }

        var running = Nodes.Where(n => n.Started && !n.HasExited).ToList();
        await StopAsync(running.Where(n => n.Index != 1).ToList()).ConfigureAwait(false);
        await StopAsync(running.Where(n => n.Index == 1).ToList()).ConfigureAwait(false);
        foreach (var node in Nodes)
        {
            if (node.Started)
            {
                try
                {
                    await File.WriteAllTextAsync(Path.Combine(_directory, $"{node.Name}.log"), node.Describe()).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // diagnostics only
                }
            }

            await node.DisposeAsync().ConfigureAwait(false);
            await node.Sink.DisposeAsync().ConfigureAwait(false);
        }

        if (!_failed)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // left behind
            }
        }

        Log($"cluster stopped in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task StopAsync(IReadOnlyList<ClusterNode> nodes)
    {
        foreach (var node in nodes)
        {
            node.Terminate();
        }

        await Task.WhenAll(nodes.Select(async node =>
        {
            try
            {
                await node.Process.WaitForExitAsync(StopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                node.Kill();
            }
        })).ConfigureAwait(false);
    }

    private static bool PortTaken(ClusterNode node)
    {
        var output = node.Describe();
        return output.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || (output.Contains("failed to start", StringComparison.OrdinalIgnoreCase)
                && new[] { node.Ports.Grpc, node.Ports.Health, node.Ports.Management, node.Ports.Remoting }
                    .Any(p => output.Contains(p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
    }

    private static async Task<TestCluster> CreateAsync(ClusterOptions options, ITestOutputHelper? output, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "telemetry-cluster-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var free = FreePorts.Take(4 * options.Nodes);
        var ports = Enumerable.Range(0, options.Nodes)
            .Select(i => new NodePorts(free[4 * i], free[(4 * i) + 1], free[(4 * i) + 2], free[(4 * i) + 3]))
            .ToList();
        var nodes = new List<ClusterNode>();
        for (var i = 0; i < options.Nodes; i++)
        {
            var sink = await SinkServer.StartAsync($"node{i + 1}", cancellationToken).ConfigureAwait(false);
            var path = Path.Combine(directory, $"node{i + 1}.conf");
            await File.WriteAllTextAsync(path, NodeConfig(options, ports, i, sink), cancellationToken).ConfigureAwait(false);
            nodes.Add(new ClusterNode(i + 1, ports[i], sink, path));
        }

        return new TestCluster(options, nodes, directory, output);
    }

    private async Task StartNodesAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (Options.Membership == Membership.StaticSeeds)
        {
            // The seed first: a node that tries to join before the seed listens gets "connection refused", its
            // remoting gates the address for 5 s and it joins late — after shards were allocated without it.
            this[1].Start([]);
            await Wait.UntilAsync(
                async () =>
                {
                    if (this[1].HasExited)
                    {
                        throw new InvalidOperationException($"node1 exited while it started.\n{this[1].Describe()}");
                    }

                    return (await this[1].MembersAsync(cancellationToken).ConfigureAwait(false))?.SelfStatus == "Up";
                },
                Options.StartTimeout,
                () => "node1 is an Up member of its own cluster",
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var node in Nodes.Where(n => !n.Started))
        {
            node.Start([]);
        }

        await Wait.UntilAsync(
            async () =>
            {
                var exited = Nodes.FirstOrDefault(n => n.HasExited);
                if (exited is not null)
                {
                    throw new InvalidOperationException($"{exited.Name} exited while the cluster formed.\n{exited.Describe()}");
                }

                var members = await this[1].MembersAsync(cancellationToken).ConfigureAwait(false);
                if (members is null || members.CountUp() != Nodes.Count)
                {
                    return false;
                }

                var ready = await Task.WhenAll(Nodes.Select(n => n.IsReadyAsync(cancellationToken))).ConfigureAwait(false);
                return ready.All(r => r);
            },
            Options.StartTimeout,
            () => $"{Nodes.Count} Up members and every node ready; members on node1: {Describe(this[1].MembersAsync(cancellationToken).GetAwaiter().GetResult())}",
            cancellationToken).ConfigureAwait(false);
        FormationTime = clock.Elapsed;
        Log($"{Nodes.Count}-node cluster ({Options.Membership}, delivery = {Options.Delivery}) formed and ready in {FormationTime.TotalSeconds:F1} s: {string.Join("; ", Nodes)}");
    }

    /// <summary>The HOCON config of node <paramref name="index"/> (0-based).</summary>
    internal static string NodeConfig(ClusterOptions options, IReadOnlyList<NodePorts> ports, int index, SinkServer sink)
    {
        var p = ports[index];
        string Ms(TimeSpan t) => $"{((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms";
        var membership = options.Membership switch
        {
            Membership.StaticSeeds => $"seed-nodes = [\"akka.tcp://telemetry-cluster@127.0.0.1:{ports[0].Remoting}\"]",
            _ => $$"""
                seed-nodes = []
                  bootstrap {
                    enabled = true
                    discovery = config
                    config-endpoints = [{{string.Join(", ", ports.Select(q => $"\"127.0.0.1:{q.Management}\""))}}]
                    required-contact-points = {{ports.Count}}
                    stable-margin = 1s
                  }
                """,
        };
        return $$"""
            # node {{index + 1}} of {{ports.Count}} (written by TelemetryCluster.ClusterTests)
            cluster {
              hostname = "127.0.0.1"
              port = {{p.Remoting}}
              {{membership}}
              partitions = {{options.Partitions}}
              delivery = {{options.Delivery}}
              drain-timeout = 20s
              retry-after = 200ms
              management {
                endpoint = "127.0.0.1:{{p.Management}}"
              }
            }

            receivers {
              otlp {
                protocols {
                  grpc {
                    endpoint = "127.0.0.1:{{p.Grpc}}"
                    max_recv_msg_size_mib = 32
                  }
                }
              }
            }

            processors {
              batch {
                timeout = 50ms
                send_batch_size = 1000
              }
            }

            exporters {
              otlp_grpc {
                endpoint = "{{sink.Endpoint}}"
                compression = none
                tls {
                  insecure = true
                }
                timeout = {{Ms(options.ExporterTimeout)}}
                retry_on_failure {
                  enabled = true
                  initial_interval = 100ms
                  max_interval = 500ms
                  # never give up: a paused sink is backpressure, not loss
                  max_elapsed_time = 0
                }
              }
            }

            extensions {
              health_check {
                endpoint = "127.0.0.1:{{p.Health}}"
              }
            }

            service {
              extensions = [health_check]
              pipelines {
                metrics {
                  receivers = [otlp]
                  processors = [batch]
                  exporters = [otlp_grpc]
                }
              }
              telemetry {
                logs {
                  level = warn
                }
                metrics {
                  level = none
                }
              }
            }

            akka {
              cluster {
                split-brain-resolver {
                  stable-after = 5s
                }
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = 3s
                }
                sharding {
                  # An unbalanced placement (a region that registered late) is evened out within seconds, not tens.
                  rebalance-interval = 2s
                }
              }
            }

            {{options.ExtraHocon}}
            {{options.NodeHocon?.Invoke(index + 1) ?? string.Empty}}
            """;
    }
}
