using System.Globalization;
using System.Text.Json;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Measure;
using TelemetryCluster.Benchmarks.Processes;
using TelemetryCluster.Benchmarks.Sut;

namespace TelemetryCluster.Benchmarks.Workloads;

/// <summary>
/// cluster-fanout (BENCHMARKS.md): otlp-ingest (b) — max rate, closed loop — with ALL traffic sent into node 1,
/// once of a 3-node cluster on loopback (A) and once of a 1-node cluster (B, the baseline), alternating per round,
/// each side a set of fresh processes. Every node runs otlp-ingest's config (otlp → batch → otlp exporter → its own
/// sink, a floor-server process that counts what arrives) plus static seeds and its own management endpoint.
/// <para>
/// A pipeline is split into <c>cluster.partitions</c> (32) sharded entities; the receiving node splits each request
/// by resource identity and asks the shard region. So that traffic can fan out, the requests carry many resources:
/// each is the testbed's 700 dp (100 gauges × 7 points) as 10 ResourceMetrics × 70 points with distinct
/// <c>service.instance.id</c>s, and the generator rotates through <see cref="PayloadVariants"/> such requests (320
/// resources), which covers every partition. The 1-node baseline gets exactly the same requests, so it does the same
/// splitting; what differs is only that 2/3 of the parts cross to another process.
/// </para>
/// Each side of each round: start the nodes (node 1, then the rest; each ready when <c>/readyz</c> answers 200) →
/// wait until every node's <c>GET /cluster/members</c> shows all nodes Up and none unreachable → first call acked →
/// max rate: warm-up (plus <see cref="OtlpIngestWorkload.JitWarmup"/> outside smoke: every node process JIT-compiles its own code), then a window (acked dp/s; CPU and RSS of every node process) → check: no failed call, the sum
/// of the sinks' counts over the nodes = data points acked, and with several nodes each node exported &gt; 0
/// → shard placement from <c>GET /cluster/shards</c> → stop.
/// </summary>
internal sealed class ClusterFanoutWorkload : IWorkload
{
    public const int ClusterNodes = 3;
    public const int ResourcesPerRequest = 10;
    public const int PayloadVariants = 32;
    public const double TargetRatio = 0.8;

    private const string ReadyPath = "/readyz";
    private const string Anchor = "none (the collector has no cluster)";

    public string Name => "cluster-fanout";

    /// <summary>
    /// In smoke: one round is a 3-node and a 1-node start, 2 s warm-up + 4 s window each, ≈ 35–45 s on a busy 2-core VM
    /// (see README); with otlp-ingest's ≈ 40 s the smoke stays well under its 2 minutes.
    /// </summary>
    public bool InSmoke => true;

    public async Task<IReadOnlyList<ResultRow>> RunAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payloads = Enumerable.Range(0, PayloadVariants).Select(v => Payload(context.TimeProvider, v)).ToArray();
        if (payloads.Select(p => p.DataPoints).Distinct().Single() != 700)
        {
            throw new InvalidOperationException("cluster-fanout requests must carry 700 data points each");
        }

        var selfCheck = context.Launcher.FloorAsProject;
        var projectNodes = selfCheck ? 1 : ClusterNodes;
        context.Raw["payload"] = new
        {
            payloads[0].DataPoints,
            payloads[0].Metrics,
            ResourcesPerRequest,
            Variants = PayloadVariants,
            DistinctResources = ResourcesPerRequest * PayloadVariants,
            Bytes = payloads[0].Bytes.Length,
            payloads[0].BytesPerDataPoint,
            context.Options.Concurrency,
            ProjectNodes = projectNodes,
            BaselineNodes = 1,
        };

        var dll = context.Launcher.NodeDll;
        context.Peers["telemetry-cluster node"] = NodeSut.Version(dll);
        var newer = RepoLayout.NewerSources(dll);
        if (newer > 0)
        {
            context.Notes.Enqueue($"warning: {newer} source file(s) under src/ are newer than the node build; rebuild with " +
                $"`dotnet build -c {RepoLayout.Configuration} {RepoLayout.NodeProject}` for current figures.");
        }

        if (selfCheck)
        {
            context.Notes.Enqueue("--project-sut floor: for cluster-fanout a 1-node cluster ran as both A and B (harness self-check; ratios should be ≈ 1.0).");
        }

        var ab = await AbRounds.RunAsync(
            context,
            Name,
            (side, round, ct) => RunSideAsync(context, payloads, side == Side.Project ? projectNodes : 1, side, round, ct),
            cancellationToken).ConfigureAwait(false);
        context.Raw["rounds"] = ab;

        AddNotes(context, ab, payloads[0]);

        var a = $"{projectNodes} node{(projectNodes == 1 ? "" : "s")}";
        return
        [
            new ResultRow(
                $"{Name} max rate into node 1, acked ({a} vs 1 node)",
                Units.DataPointsPerSecond,
                [.. ab.Project.Select(r => r.AckedDataPointsPerSecond)],
                [.. ab.Baseline.Select(r => r.AckedDataPointsPerSecond)],
                Harness.Target.RatioAtLeast(TargetRatio),
                Anchor),
            new ResultRow(
                $"{Name} CPU at max rate, all node processes summed ({a} vs 1 node)",
                Units.Cores,
                [.. ab.Project.Select(r => r.NodesCpuCores)],
                [.. ab.Baseline.Select(r => r.NodesCpuCores)],
                Harness.Target.None,
                "—"),
            new ResultRow(
                $"{Name} node CPU per data point ({a} vs 1 node)",
                Units.Microseconds,
                [.. ab.Project.Select(r => r.CpuMicrosecondsPerDataPoint)],
                [.. ab.Baseline.Select(r => r.CpuMicrosecondsPerDataPoint)],
                Harness.Target.None,
                "—"),
        ];
    }

    /// <summary>
    /// The testbed's 700 dp (100 int gauges × 7 points, two string attributes per point, as
    /// <see cref="MetricsPayload.Testbed"/>) spread over <see cref="ResourcesPerRequest"/> ResourceMetrics of 10 gauges
    /// each; resource r of variant v is <c>service.name=telemetry-cluster-loadgen, service.instance.id=instance-(v·10+r)</c>.
    /// </summary>
    internal static MetricsPayload Payload(TimeProvider time, int variant, int metrics = 100, int pointsPerMetric = 7)
    {
        var c = CultureInfo.InvariantCulture;
        var nowNanos = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000UL;
        var request = new ExportMetricsServiceRequest();
        var perResource = metrics / ResourcesPerRequest;
        long value = 0;
        for (var r = 0; r < ResourcesPerRequest; r++)
        {
            var resource = new Resource();
            resource.Attributes.Add(MetricsPayload.Str("service.name", "telemetry-cluster-loadgen"));
            resource.Attributes.Add(MetricsPayload.Str("service.instance.id", "instance-" + (variant * ResourcesPerRequest + r).ToString(c)));
            var scope = new ScopeMetrics();
            for (var i = r * perResource; i < (r + 1) * perResource; i++)
            {
                scope.Metrics.Add(MetricsPayload.TestbedGauge(i, pointsPerMetric, nowNanos, ref value));
            }

            var rm = new ResourceMetrics { Resource = resource };
            rm.ScopeMetrics.Add(scope);
            request.ResourceMetrics.Add(rm);
        }

        return MetricsPayload.From(request);
    }

    private static async Task<FanoutRun> RunSideAsync(
        WorkloadContext context,
        MetricsPayload[] payloads,
        int nodeCount,
        Side side,
        int round,
        CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var started = time.GetTimestamp();
        var cluster = new LocalCluster(context, nodeCount);
        try
        {
            await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
            var startSeconds = time.GetElapsedTime(started).TotalSeconds;
            var nodes = cluster.Nodes;
            var label = $"{side} ({nodeCount} node{(nodeCount == 1 ? "" : "s")})";
            await using var generator = new OtlpMetricsLoadGenerator(nodes[0].OtlpGrpcEndpoint, payloads, time);
            try
            {
                await LoadChecks.FirstCallAckedAsync(
                    generator,
                    time,
                    now => $"{label}: the first Export call into node 1 was not acked ({now.StatusesText()}). Last output:\n{cluster.Tails()}",
                    cancellationToken).ConfigureAwait(false);

                var window = await MaxRateWindowAsync(context, nodes, generator, cancellationToken).ConfigureAwait(false);
                var check = await CheckAsync(context, cluster, generator, label, cancellationToken).ConfigureAwait(false);
                var shards = await cluster.ShardsPerNodeAsync(cancellationToken).ConfigureAwait(false);
                var sinkCounts = await Task.WhenAll(nodes.Select(n => n.SinkCountAsync(cancellationToken))).ConfigureAwait(false);
                var perNode = nodes.Select((n, i) =>
                {
                    var w = window.Nodes[n.Pid];
                    return new FanoutNode(
                        i + 1, n.Pid, cluster.ClusterPorts[i], check.ExportedPerNode[i], sinkCounts[i].Requests, w.CpuCores, w.RssMaxMiB,
                        n.SinkPid is { } sink ? window.Nodes[sink].CpuCores : double.NaN,
                        shards?.GetValueOrDefault(cluster.ClusterPorts[i]));
                }).ToList();
                var cpu = perNode.Sum(n => n.CpuCores);
                var run = new FanoutRun(
                    side,
                    round,
                    nodeCount,
                    window.AckedDataPointsPerSecond,
                    cpu,
                    window.AckedDataPointsPerSecond > 0 ? cpu / window.AckedDataPointsPerSecond * 1e6 : double.NaN,
                    window.Delta,
                    perNode,
                    window.Generator,
                    window.Machine,
                    check,
                    startSeconds);
                context.Progress(string.Create(CultureInfo.InvariantCulture,
                    $"  {label}: {run.AckedDataPointsPerSecond:0} dp/s at {cpu:0.000} core (nodes summed); acked {check.Acked} = exported {check.Exported} " +
                    $"[{string.Join(", ", perNode.Select(n => $"node {n.Index}: {n.Exported}{(n.Shards is { } s ? $" ({s} shards)" : "")}"))}]; started in {startSeconds:0.0} s"));
                return run;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && nodes.Any(n => !ProcFs.IsAlive(n.Pid)))
            {
                throw new CorrectnessException($"{label}: a node process exited during the run. Last output:\n{cluster.Tails()}");
            }
        }
        finally
        {
            var stopping = time.GetTimestamp();
            await cluster.DisposeAsync().ConfigureAwait(false);
            context.Progress(string.Create(CultureInfo.InvariantCulture, $"  stopped {nodeCount} node(s) in {time.GetElapsedTime(stopping).TotalSeconds:0.0} s"));
        }
    }

    private static async Task<FanoutWindow> MaxRateWindowAsync(
        WorkloadContext context,
        IReadOnlyList<NodeSut> nodes,
        OtlpMetricsLoadGenerator generator,
        CancellationToken cancellationToken)
    {
        var o = context.Options;
        var window = await MeasuredWindow.RunAsync(
            context, generator, nodes.SelectMany(n => n.SinkPid is { } sink ? new[] { n.Pid, sink } : [n.Pid]), stop => generator.RunMaxRateAsync(o.Concurrency, stop), cancellationToken,
            warmup: o.Smoke ? o.Warmup : o.Warmup + OtlpIngestWorkload.JitWarmup).ConfigureAwait(false);
        var elapsed = window.Processes[nodes[0].Pid].ElapsedSeconds;
        return new FanoutWindow(
            window.Delta.DataPointsAcked / elapsed,
            window.Delta,
            window.Processes,
            window.Generator,
            window.Machine);
    }

    private static async Task<FanoutCheck> CheckAsync(
        WorkloadContext context,
        LocalCluster cluster,
        OtlpMetricsLoadGenerator generator,
        string label,
        CancellationToken cancellationToken)
    {
        var total = await LoadChecks.DrainAsync(
            generator,
            failed => $"{label}: {failed.RequestsFailed} of {failed.RequestsSent} Export calls failed ({failed.StatusesText()}). Last output:\n{cluster.Tails()}").ConfigureAwait(false);

        // Downstream lags the acks by the batch timeout and the exporter queues of every node: wait until the sum settles.
        var settle = LoadChecks.SettleTimeout(context);
        var perNode = await LoadChecks.SettleAsync(
            context, total.DataPointsAcked, settle, cluster.ExportedPerNodeAsync, static counts => counts.Sum(), cancellationToken).ConfigureAwait(false);
        var exported = perNode.Sum();
        var breakdown = string.Join(", ", perNode.Select((n, i) => string.Create(CultureInfo.InvariantCulture, $"node {i + 1}: {n}")));
        if (exported > total.DataPointsAcked && context.Options.Smoke)
        {
            // At-least-once: an export that timed out on a starved machine is sent again. Smoke (CI) tolerates that
            // and says so; a measured run does not.
            context.Notes.Enqueue(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {exported - total.DataPointsAcked} data points arrived twice (exports retried after a timeout; at-least-once) — tolerated in smoke only."));
        }
        else if (exported > total.DataPointsAcked && exported - total.DataPointsAcked <= total.DataPointsRefused)
        {
            // A refused request whose other parts the partitions had already queued (at-least-once: a client that
            // retries sends those again). The extra is bounded by the refused requests' points; this generator does not
            // retry, so nothing acked is missing and every extra point belongs to a refused request.
            context.Notes.Enqueue(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {exported - total.DataPointsAcked} data points of {total.RequestsRefused} refused requests had been queued by some partitions " +
                $"and were exported (at-least-once; refused {total.DataPointsRefused} data points in all)."));
        }
        else if (exported != total.DataPointsAcked)
        {
            throw new CorrectnessException(
                $"{label}: data points acked ({total.DataPointsAcked}) ≠ exported over all nodes ({exported}: {breakdown}) " +
                $"after {settle.TotalSeconds:0} s; sent {total.DataPointsSent}, refused {total.DataPointsRefused}, " +
                $"partially rejected {total.DataPointsRejected} ({total.StatusesText()}). Last output:\n{cluster.Tails()}");
        }

        if (perNode.Length > 1 && perNode.Any(n => n <= 0))
        {
            throw new CorrectnessException(
                $"{label}: the traffic did not fan out — some node exported nothing ({breakdown}; acked {total.DataPointsAcked}). " +
                $"Shards: {await cluster.ShardsTextAsync(cancellationToken).ConfigureAwait(false)}\nLast output:\n{cluster.Tails()}");
        }

        return new FanoutCheck(
            total.DataPointsSent, total.DataPointsAcked, total.DataPointsRefused, total.DataPointsRejected, exported, perNode, total);
    }

    private static void AddNotes(WorkloadContext context, AbResult<FanoutRun> ab, MetricsPayload payload)
    {
        var c = CultureInfo.InvariantCulture;
        context.Notes.Enqueue(
            "project = the cluster of several nodes, baseline = a 1-node cluster; ratio = project / baseline. All traffic goes into node 1; " +
            "partitions live where cluster sharding placed them, so with 3 nodes about 2/3 of every request crosses Akka remoting on loopback.");
        context.Notes.Enqueue(
            $"pipeline on every node: otlp receiver → batch → otlp exporter (compression {context.Options.ExporterCompression}, plaintext) → that node's " +
            "sink (a floor-server process of its own; the attributes processor is not implemented yet). Exported = received by the sinks (GET /count). " +
            "The sinks' CPU is not in the node CPU figures (per-node sink CPU below).");
        foreach (var run in ab.Project.Concat(ab.Baseline).OrderBy(r => r.Round).ThenBy(r => r.Side))
        {
            var nodes = string.Join(", ", run.PerNode.Select(n => string.Create(c,
                $"node {n.Index}: {n.Exported} dp ({(run.Check.Exported > 0 ? 100.0 * n.Exported / run.Check.Exported : 0):0.0}%{(n.Shards is { } s ? $", {s} shards" : "")}, " +
                $"{n.ExportedBatches} batches of {(n.ExportedBatches > 0 ? (double)n.Exported / n.ExportedBatches : 0):0} dp, {n.CpuCores:0.000} core, RSS max {n.RssMaxMiB:0.0} MiB; " +
                $"its sink {n.SinkCpuCores:0.000} core)")));
            context.Notes.Enqueue(string.Create(c,
                $"round {run.Round}, {run.Nodes} node{(run.Nodes == 1 ? "" : "s")}: exported per node {nodes}; sum {run.Check.Exported} = acked {run.Check.Acked} ✓"));
        }

        foreach (var (label, runs) in new[] { ("project", ab.Project), ("baseline", ab.Baseline) })
        {
            var refused = runs.Sum(r => r.Window.RequestsRefused);
            if (refused > 0)
            {
                context.Notes.Enqueue(string.Create(c,
                    $"{label} refused calls (UNAVAILABLE/RESOURCE_EXHAUSTED) in the windows: {refused} of {runs.Sum(r => r.Window.RequestsSent)} (not counted as acked)."));
            }
        }

        var all = ab.Project.Concat(ab.Baseline).ToArray();
        var others = all.Select(r => r.Machine.OtherProcessesCores).ToArray();
        if (others.Length > 0 && others.Max() > 0.1)
        {
            context.Notes.Enqueue(string.Create(c,
                $"noise: other processes on the machine used {Stats.Median(others):0.00} core (median; max {others.Max():0.00}) during the windows " +
                $"of {Environment.ProcessorCount} cores; figures from a busy machine are less reliable."));
        }

        var gen = Stats.Median([.. all.Select(r => r.Generator.CpuCores)]);
        context.Notes.Enqueue(string.Create(c,
            $"load generator (this process, same machine): {gen:0.000} core; requests of {payload.DataPoints} dp as {ResourcesPerRequest} resources × " +
            $"{payload.DataPoints / ResourcesPerRequest} dp, {payload.Bytes.Length} B ({payload.BytesPerDataPoint:0.0} B/dp), rotating over " +
            $"{PayloadVariants} requests ({ResourcesPerRequest * PayloadVariants} resources); {context.Options.Concurrency} closed-loop callers on one HTTP/2 connection to node 1. " +
            $"Start-up to a formed cluster: {Stats.Median([.. ab.Project.Select(r => r.StartSeconds)]):0.0} s (project), " +
            $"{Stats.Median([.. ab.Baseline.Select(r => r.StartSeconds)]):0.0} s (baseline)."));
    }


    /// <summary>
    /// N nodes on loopback forming one cluster: node 1 is the static seed (and lists itself, so it forms the cluster);
    /// every node has its own OTLP, health_check, remoting and management ports.
    /// </summary>
    private sealed class LocalCluster(WorkloadContext context, int size) : IAsyncDisposable
    {
        private readonly List<NodeSut> _nodes = [];
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

        public IReadOnlyList<NodeSut> Nodes => _nodes;

        public int[] ClusterPorts { get; } = [.. Enumerable.Range(0, size).Select(_ => FreePort.Next())];

        public int[] ManagementPorts { get; } = [.. Enumerable.Range(0, size).Select(_ => FreePort.Next())];

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // The seed first (it forms the cluster), then the others together.
            _nodes.Add(await StartNodeAsync(0, cancellationToken).ConfigureAwait(false));
            var rest = Enumerable.Range(1, size - 1).Select(i => StartNodeAsync(i, cancellationToken)).ToArray();
            try
            {
                await Task.WhenAll(rest).ConfigureAwait(false);
            }
            finally
            {
                _nodes.AddRange(rest.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            await WaitForMembersAsync(cancellationToken).ConfigureAwait(false);
        }

        public Task<long[]> ExportedPerNodeAsync(CancellationToken cancellationToken) =>
            Task.WhenAll(_nodes.Select(n => n.ReceivedDataPointsAsync(cancellationToken)));

        /// <summary>Shards of the partition region per node (by remoting port), from node 1's <c>GET /cluster/shards</c>; null if unavailable.</summary>
        public async Task<Dictionary<int, int>?> ShardsPerNodeAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var doc = JsonDocument.Parse(await ShardsTextAsync(cancellationToken).ConfigureAwait(false));
                var result = new Dictionary<int, int>();
                foreach (var region in doc.RootElement.GetProperty("regions").EnumerateArray())
                {
                    if (region.GetProperty("typeName").GetString() != "pipeline-partition")
                    {
                        continue;
                    }

                    foreach (var node in region.GetProperty("nodes").EnumerateArray())
                    {
                        var address = node.GetProperty("node").GetString() ?? "";
                        if (int.TryParse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                        {
                            result[port] = node.GetProperty("shards").GetInt32();
                        }
                    }
                }

                return result;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }

        public async Task<string> ShardsTextAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await _http.GetStringAsync(ManagementUrl(0, "/cluster/shards"), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return "(GET /cluster/shards failed: " + e.Message + ")";
            }
        }

        public string Tails() =>
            string.Join("\n", _nodes.Select((n, i) => $"--- node {i + 1} (pid {n.Pid}, remoting port {ClusterPorts[i]}) ---\n{n.Tail()}"));

        public async ValueTask DisposeAsync()
        {
            // Each node leaves the cluster gracefully on SIGTERM (ChildProcess: SIGKILL after 10 s). The others first, then
            // the seed: when all three leave at once, the seed (oldest, leader) takes ≈ 10 s to exit; this way ≈ 2.5 s.
            await Task.WhenAll(_nodes.Skip(1).Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
            if (_nodes.Count > 0)
            {
                await _nodes[0].DisposeAsync().ConfigureAwait(false);
            }

            _http.Dispose();
        }

        private async Task<NodeSut> StartNodeAsync(int i, CancellationToken cancellationToken)
        {
            try
            {
                return await context.Launcher.StartClusterNodeAsync(
                    ports => NodeConfig.ClusterMember(
                        NodeConfig.MetricsToSink(ports, context.Options.ExporterCompression), ClusterPorts[i], ClusterPorts[0], ManagementPorts[i]),
                    ReadyPath,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (SetupException e) when (i > 0)
            {
                // /readyz stays 503 until the node is a member: a node that cannot join the seed is the cluster failing.
                throw new CorrectnessException(
                    $"node {i + 1} did not become ready (a cluster member with running pipelines) after joining seed 127.0.0.1:{ClusterPorts[0]}: " +
                    $"{e.Message}\n--- node 1 ---\n{(_nodes.Count > 0 ? _nodes[0].Tail() : "(not started)")}");
            }
        }

        private Uri ManagementUrl(int i, string path) =>
            new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ManagementPorts[i]}{path}"));

        /// <summary>Until every node's own view (<c>GET /cluster/members</c>) has all <c>size</c> nodes Up and none unreachable.</summary>
        private async Task WaitForMembersAsync(CancellationToken cancellationToken)
        {
            var time = context.TimeProvider;
            var timeout = context.Options.StartTimeout;
            var start = time.GetTimestamp();
            var last = new string[size];
            while (true)
            {
                var ok = true;
                for (var i = 0; i < size; i++)
                {
                    try
                    {
                        var text = await _http.GetStringAsync(ManagementUrl(i, "/cluster/members"), cancellationToken).ConfigureAwait(false);
                        last[i] = text;
                        using var doc = JsonDocument.Parse(text);
                        var root = doc.RootElement;
                        var members = root.GetProperty("members").EnumerateArray().ToList();
                        ok &= members.Count == size
                            && members.All(m => m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachable").GetBoolean())
                            && root.GetProperty("unreachable").GetArrayLength() == 0;
                    }
                    catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                        or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        last[i] = e.Message;
                        ok = false;
                    }
                }

                if (ok)
                {
                    return;
                }

                if (time.GetElapsedTime(start) > timeout)
                {
                    throw new CorrectnessException(
                        $"the {size} nodes did not form one cluster of {size} Up members within {timeout.TotalSeconds:0} s " +
                        $"(every node answered /readyz 200). GET /cluster/members per node:\n" +
                        string.Join("\n", last.Select((t, i) => $"node {i + 1}: {t}")) + $"\nLast output:\n{Tails()}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>The max-rate window of one side: acked dp/s, the generator's deltas, and /proc figures per pid.</summary>
internal sealed record FanoutWindow(
    double AckedDataPointsPerSecond,
    LoadSnapshot Delta,
    IReadOnlyDictionary<int, ProcessWindow> Nodes,
    ProcessWindow Generator,
    MachineWindow Machine);

/// <summary>One node of a side-run: what its sink received over the whole run (data points, batches), its window figures (and its sink's CPU), its shards.</summary>
internal sealed record FanoutNode(
    int Index, int Pid, int RemotingPort, long Exported, long ExportedBatches, double CpuCores, double RssMaxMiB, double SinkCpuCores, int? Shards);

/// <summary>Totals over a whole side-run (warm-up included) and the per-node exported counts they were checked against.</summary>
internal sealed record FanoutCheck(
    long Sent, long Acked, long Refused, long PartiallyRejected, long Exported, IReadOnlyList<long> ExportedPerNode, LoadSnapshot Totals);

internal sealed record FanoutRun(
    Side Side,
    int Round,
    int Nodes,
    double AckedDataPointsPerSecond,
    double NodesCpuCores,
    double CpuMicrosecondsPerDataPoint,
    LoadSnapshot Window,
    IReadOnlyList<FanoutNode> PerNode,
    ProcessWindow Generator,
    MachineWindow Machine,
    FanoutCheck Check,
    double StartSeconds);
