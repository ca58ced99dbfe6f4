using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Tests.Hosting;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.FileClaims;

/// <summary>
/// The node's file claims on real cluster sharding (two in-process nodes, region <c>filelog-claims</c>): every touched
/// file is granted to exactly one node; when node 2 joins, the rebalance moves claims to it, and each move releases the
/// file on node 1 (a release that takes time) before node 2 is granted it; when node 2 leaves, its claims come back to
/// node 1 the same way. A ledger checks that no file is ever held by two nodes at once.
/// </summary>
public sealed class FileClaimShardingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private static readonly string[] Keys = [.. Enumerable.Range(0, 12).Select(i => $"dir/app{i}.log")];

    private static string Config(string extra = "") => $$"""
        cluster {
          port = 0
          partitions = 4
          drain-timeout = 5s
          management.enabled = false
        }
        receivers { testin {} }
        exporters { record {} }
        service.pipelines.logs { receivers = [testin], exporters = [record] }
        {{extra}}
        """;

    [Fact]
    public async Task Claims_are_exclusive_and_move_between_nodes_only_after_the_release()
    {
        var ct = TestContext.Current.CancellationToken;
        var ledger = new Ledger();
        var first = new TestComponents();
        using var firstHost = Build(Config(), first);
        var firstRun = NodeHost.RunAsync(firstHost, ct);
        await first.Receiver.Started.WaitAsync(Timeout, ct);
        var firstSystem = firstHost.Services.GetRequiredService<ActorSystem>();
        using var touching = new CancellationTokenSource();
        var firstTouch = TouchAsync(firstSystem, "node1", ledger, touching.Token);
        await WaitUntil(() => ledger.HeldBy("node1") == Keys.Length);

        var seed = Cluster.Get(firstSystem).SelfAddress;
        var second = new TestComponents();
        using var secondHost = Build(Config($"cluster.seed-nodes = [\"{seed.Host}:{seed.Port}\"]"), second);
        var secondRun = NodeHost.RunAsync(secondHost, ct);
        await second.Receiver.Started.WaitAsync(Timeout, ct);
        var secondTouch = TouchAsync(secondHost.Services.GetRequiredService<ActorSystem>(), "node2", ledger, touching.Token);

        // The rebalance moves some claim shards to node 2: released on node 1 first, then granted on node 2.
        await WaitUntil(() => ledger.HeldBy("node2") > 0 && ledger.HeldBy("node1") + ledger.HeldBy("node2") == Keys.Length);
        var moved = ledger.HeldBy("node2");
        Assert.True(ledger.Releases("node1") >= moved, $"{ledger.Releases("node1")} releases on node 1 for {moved} moved claims");

        // Node 2 leaves: its claims are handed back to node 1.
        secondHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await secondRun.WaitAsync(Timeout, ct));
        await WaitUntil(() => ledger.HeldBy("node1") == Keys.Length);
        await touching.CancelAsync();
        await Task.WhenAll(firstTouch, secondTouch);
        firstHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await firstRun.WaitAsync(Timeout, ct));

        Assert.Empty(ledger.Violations);
        TestContext.Current.TestOutputHelper?.WriteLine($"{moved} of {Keys.Length} claims moved to node 2 and back; releases: node1 {ledger.Releases("node1")}, node2 {ledger.Releases("node2")}");
    }

    /// <summary>Joins the node's claims like a receiver and touches every key every 300 ms.</summary>
    private static async Task TouchAsync(ActorSystem system, string node, Ledger ledger, CancellationToken cancellationToken)
    {
        Assert.True(system.TryGetExtension<IFileClaims>(out var claims) && claims is not null, "the node registers IFileClaims");
        using var session = claims.Join("file_log/shared", new Holder(node, ledger));
        while (!cancellationToken.IsCancellationRequested)
        {
            session.Touch(Keys);
            try
            {
                await Task.Delay(300, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static IHost Build(string hocon, TestComponents components)
    {
        var spec = ConfigLoader.LoadText(hocon, components.Registry);
        var builder = NodeHost.CreateBuilder(spec);
        builder.Logging.ClearProviders();
        if (TestContext.Current.TestOutputHelper is { } output)
        {
            builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        }

        return builder.Build();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>A receiver's side: a grant takes the key; a release takes 200 ms (flushing a checkpoint) and then gives it up.</summary>
    private sealed class Holder(string node, Ledger ledger) : IFileClaimHolder
    {
        public void Grant(string fileKey) => ledger.Grant(node, fileKey);

        public async Task ReleaseAsync(string fileKey)
        {
            await Task.Delay(200);
            ledger.Release(node, fileKey);
        }
    }

    /// <summary>Who holds each key; a grant of a key another node still holds is a violation.</summary>
    private sealed class Ledger
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, string> _holder = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _releases = new(StringComparer.Ordinal);
        private readonly List<string> _violations = [];

        public IReadOnlyList<string> Violations
        {
            get
            {
                lock (_gate)
                {
                    return [.. _violations];
                }
            }
        }

        public int HeldBy(string node)
        {
            lock (_gate)
            {
                return _holder.Values.Count(n => n == node);
            }
        }

        public int Releases(string node)
        {
            lock (_gate)
            {
                return _releases.GetValueOrDefault(node);
            }
        }

        public void Grant(string node, string key)
        {
            lock (_gate)
            {
                if (_holder.TryGetValue(key, out var other) && other != node)
                {
                    _violations.Add($"{key} granted to {node} while {other} holds it");
                }

                _holder[key] = node;
            }
        }

        public void Release(string node, string key)
        {
            lock (_gate)
            {
                _releases[node] = _releases.GetValueOrDefault(node) + 1;
                if (_holder.TryGetValue(key, out var holder) && holder == node)
                {
                    _holder.Remove(key);
                }
            }
        }
    }
}
