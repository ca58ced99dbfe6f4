using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Measure;
using TelemetryCluster.Benchmarks.Processes;
using TelemetryCluster.Benchmarks.Sut;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Benchmarks.Workloads;

/// <summary>
/// promql (BENCHMARKS.md): 20 KEDA-style instant queries over N series × 1 h at 15 s (N = 10k, gated, and 100k, reported),
/// against a real Debian Prometheus 2.42 holding the same samples. For each N, once:
/// <list type="number">
/// <item>the data set (<see cref="PromqlDataset"/>) is written as OpenMetrics, turned into TSDB blocks by
/// <c>promtool tsdb create-blocks-from openmetrics</c>, and Prometheus is started on them;</item>
/// <item>a node (otlp → <c>prometheus</c> exporter, whose port serves the query API from the node's replica) is started
/// and fed the same samples through OTLP/gRPC one step (15 s of data time) at a time: the step's data, then a marker
/// gauge; a <c>GET /metrics</c> makes the exporter publish to the cluster view at once; the next step is sent when the
/// query API answers the marker's new value (so the replica has taken every series' sample of the step);</item>
/// <item>a load check: <c>sum(count_over_time(…[2h]))</c> must be N × steps on both.</item>
/// </list>
/// Then the rounds: each round runs every query several times on both, alternating (A,B / B,A), over HTTP from this
/// process with keep-alive; every pair of answers must be equal (series set, timestamps, values to 1e-9 relative —
/// the differential tests' comparer); a mismatch prints no figure. p50 and p99 per query and over all queries.
/// </summary>
internal sealed class PromqlWorkload : IWorkload
{
    public const double P50Target = 1.0;
    public const double P99Target = 1.5;

    /// <summary>How often the node's replica reads the cluster view (the default is 1 s; shorter loads the data faster).</summary>
    public const string FollowInterval = "250ms";

    private const string Anchor = "Prometheus here: 0.5 ms selector, 53 ms `sum by` over 10k, 768 ms `count` over 100k";

    public string Name => "promql";

    /// <summary>In smoke: 300 series × 6 min (25 samples), 6 queries, one round of 2 repetitions; ≈ 10 s.</summary>
    public bool InSmoke => true;

    /// <summary>The queries (KEDA ScaledObject triggers and dashboards over app metrics); the first column is a short label.</summary>
    internal static readonly (string Label, string Query)[] Queries =
    [
        ("selector", "http_requests_total{namespace=\"ns-3\",service=\"svc-3\",method=\"GET\",code=\"200\"}"),
        ("regex selector", "queue_messages_ready{queue=\"orders\",namespace=~\"ns-[1-3]\"}"),
        ("sum by rate 1m", "sum by (service) (rate(http_requests_total[1m]))"),
        ("sum rate 5m", "sum(rate(http_requests_total{namespace=\"ns-1\"}[5m]))"),
        ("error ratio", "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"),
        ("histogram_quantile", "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
        ("histogram_quantile by", "histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket{namespace=\"ns-2\"}[5m])))"),
        ("avg_over_time", "sum by (namespace) (avg_over_time(queue_messages_ready[5m]))"),
        ("max_over_time", "max_over_time(process_resident_memory_bytes{service=\"svc-7\"}[10m])"),
        ("subquery", "max_over_time(rate(http_requests_total{service=\"svc-3\"}[1m])[10m:1m])"),
        ("count", "count(http_requests_total)"),
        ("topk", "topk(5, sum by (pod) (rate(http_requests_total[5m])))"),
        ("or vector(0)", "sum(rate(http_requests_total{code=\"503\"}[5m])) or vector(0)"),
        ("increase", "sum(increase(http_requests_total{namespace=\"ns-4\"}[10m]))"),
        ("comparison filter", "sum by (pod) (process_resident_memory_bytes) > 300000000"),
        ("sum gauge", "sum(queue_messages_ready{queue=\"emails\"})"),
        ("mean latency", "sum(rate(http_request_duration_seconds_sum[5m])) / sum(rate(http_request_duration_seconds_count[5m]))"),
        ("avg rate", "avg(rate(process_cpu_seconds_total[5m]))"),
        ("count by", "count by (namespace) (process_resident_memory_bytes)"),
        ("ratio by", "sum by (namespace) (rate(http_requests_total{code=~\"4..|5..\"}[5m])) / sum by (namespace) (rate(http_requests_total[5m]))"),
    ];

    private static readonly int[] SmokeQueries = [0, 2, 5, 9, 12, 14];

    public async Task<IReadOnlyList<ResultRow>> RunAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var prometheus = PrometheusServer.Require("prometheus");
        var promtool = PrometheusServer.Require("promtool");
        context.Peers["prometheus"] = await PrometheusServer.VersionAsync(prometheus, cancellationToken).ConfigureAwait(false);
        context.Peers["promtool"] = await PrometheusServer.VersionAsync(promtool, cancellationToken).ConfigureAwait(false);
        var dll = context.Launcher.NodeDll;
        context.Peers["telemetry-cluster node"] = NodeSut.Version(dll);
        var newer = RepoLayout.NewerSources(dll);
        if (newer > 0)
        {
            context.Notes.Enqueue($"warning: {newer} source file(s) under src/ are newer than the node build; rebuild with " +
                $"`dotnet build -c {RepoLayout.Configuration} {RepoLayout.NodeProject}` for current figures.");
        }

        if (context.Launcher.FloorAsProject)
        {
            context.Notes.Enqueue("--project-sut floor does not apply to promql: the node ran as the project.");
        }

        var smoke = context.Options.Smoke;
        IReadOnlyList<int> sizes = smoke ? [300] : context.Options.PromqlSeries ?? [10_000, 100_000];
        var queries = smoke ? [.. SmokeQueries.Select(i => Queries[i])] : Queries;
        var rows = new List<ResultRow>();
        var raw = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var n in sizes)
        {
            var steps = smoke ? 25 : PromqlDataset.DefaultSteps;
            var reps = smoke ? 2 : n <= 10_000 ? 5 : 3;
            var result = await RunSizeAsync(context, prometheus, promtool, n, steps, queries, reps, cancellationToken).ConfigureAwait(false);
            raw[n.ToString(CultureInfo.InvariantCulture)] = result;
            rows.AddRange(Rows(result, queries, gated: n <= 10_000));
        }

        context.Raw["sizes"] = raw;
        context.Raw["queries"] = queries.Select(q => q.Query).ToArray();
        return rows;
    }

    private IEnumerable<ResultRow> Rows(SizeResult r, IReadOnlyList<(string Label, string Query)> queries, bool gated)
    {
        var k = Thousands(r.Series);
        var all = r.PerQuery.SelectMany(q => q.Project).ToList();
        var allB = r.PerQuery.SelectMany(q => q.Baseline).ToList();
        yield return new ResultRow($"{Name} {k} series: p50 over all {queries.Count} queries", Units.Milliseconds,
            [Percentile(all, 0.50)], [Percentile(allB, 0.50)], gated ? Target.RatioAtMost(P50Target) : Target.None, Anchor);
        yield return new ResultRow($"{Name} {k} series: p99 over all {queries.Count} queries", Units.Milliseconds,
            [Percentile(all, 0.99)], [Percentile(allB, 0.99)], gated ? Target.RatioAtMost(P99Target) : Target.None, Anchor);
        for (var i = 0; i < r.PerQuery.Count; i++)
        {
            var q = r.PerQuery[i];
            yield return new ResultRow($"{Name} {k}: p50 `{queries[i].Label}`", Units.Milliseconds,
                [Percentile(q.Project, 0.50)], [Percentile(q.Baseline, 0.50)], Target.None, "—");
            yield return new ResultRow($"{Name} {k}: p99 `{queries[i].Label}`", Units.Milliseconds,
                [Percentile(q.Project, 0.99)], [Percentile(q.Baseline, 0.99)], Target.None, "—");
        }

        yield return new ResultRow($"{Name} {k} series: RSS after loading (node vs Prometheus)", Units.MiB,
            [r.NodeRssMiB], [r.PrometheusRssMiB], Target.None, "—");
    }

    private async Task<SizeResult> RunSizeAsync(
        WorkloadContext context,
        string prometheusBinary,
        string promtool,
        int series,
        int steps,
        IReadOnlyList<(string Label, string Query)> queries,
        int reps,
        CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var c = CultureInfo.InvariantCulture;

        // Six hours in the past, at a 2 h block boundary (as the differential tests' oracle): whole TSDB blocks for promtool.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var t0 = (now / 7_200_000 * 7_200_000) - (3 * 7_200_000);
        var data = new PromqlDataset(series, t0, steps);
        context.Progress(string.Create(c, $"{Name}: {series} series ({data.Pods} pods) × {steps} samples, {data.Samples} samples"));

        // 1. Prometheus on promtool-made blocks.
        var blocksStart = time.GetTimestamp();
        await using var prometheus = await PrometheusServer.StartAsync(
            prometheusBinary,
            "# written by tests/TelemetryCluster.Benchmarks (promql)\nglobal:\n  evaluation_interval: 1m\nscrape_configs: []\n",
            time,
            context.Options.StartTimeout,
            cancellationToken,
            (dataDir, ct) => CreateBlocksAsync(data, promtool, dataDir, ct)).ConfigureAwait(false);
        var blocksSeconds = time.GetElapsedTime(blocksStart).TotalSeconds;
        context.Progress(string.Create(c, $"  Prometheus ready on promtool blocks after {blocksSeconds:0.0} s"));

        // 2. The node, fed step by step.
        var metricsPort = 0;
        await using var node = await context.Launcher.StartNodeWithoutSinkAsync(
            ports =>
            {
                metricsPort = FreePort.Next();
                return NodeConfig(ports, metricsPort, data);
            },
            cancellationToken).ConfigureAwait(false);
        var nodeBase = new Uri(string.Create(c, $"http://127.0.0.1:{metricsPort}"));
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        })
        {
            Timeout = TimeSpan.FromMinutes(3),
        };
        var loadStart = time.GetTimestamp();
        await LoadNodeAsync(context, node, http, nodeBase, data, cancellationToken).ConfigureAwait(false);
        var loadSeconds = time.GetElapsedTime(loadStart).TotalSeconds;

        // 3. Both hold every sample.
        // count_over_time drops the metric name: one query per name (else _sum and _count would collide).
        string[] names =
        [
            "http_requests_total", "process_cpu_seconds_total", "process_resident_memory_bytes", "queue_messages_ready",
            "http_request_duration_seconds_bucket", "http_request_duration_seconds_sum", "http_request_duration_seconds_count",
        ];
        var at = (data.LastMs / 1000.0).ToString("0.###", c);
        foreach (var (side, uri) in new[] { ("node", nodeBase), ("Prometheus", prometheus.BaseUri) })
        {
            var count = 0.0;
            var answers = new List<string>();
            foreach (var name in names)
            {
                var (_, body) = await GetAsync(http, new Uri(uri, QueryPath($"sum(count_over_time({name}[2h]))", at)), cancellationToken).ConfigureAwait(false);
                count += ScalarOfVector(body);
                answers.Add(name + ": " + Truncate(body));
            }

            if (count != data.Samples)
            {
                var tail = side == "node" ? "Node output:\n" + node.Tail() : "Prometheus output:\n" + prometheus.Tail();
                throw new CorrectnessException(string.Create(c,
                    $"{series} series: {side} holds {count} samples, not {data.Samples} ({series} series × {steps}). Answers:\n{string.Join('\n', answers)}\n{tail}"));
            }
        }

        var nodeRss = ProcFs.ReadMemory(node.Pid).Rss / 1024.0;
        var promRss = ProcFs.ReadMemory(prometheus.Pid).Rss / 1024.0;
        context.Progress(string.Create(c,
            $"  node loaded in {loadSeconds:0.0} s; both hold {data.Samples} samples; RSS node {nodeRss:0} MiB, Prometheus {promRss:0} MiB; load average {ProcFs.LoadAverage1():0.00}"));

        // 4. Rounds: every query on both, alternating, every answer compared.
        var evalAt = ((data.LastMs - 60_000) / 1000.0).ToString("0.###", c);
        var paths = queries.Select(q => QueryPath(q.Query, evalAt)).ToArray();
        var perQuery = queries.Select(_ => (Project: new List<double>(), Baseline: new List<double>())).ToArray();
        var bases = new[] { nodeBase, prometheus.BaseUri };

        // Warm-up: one pass, compared, not timed.
        for (var q = 0; q < paths.Length; q++)
        {
            await TimedPairAsync(http, time, bases, paths[q], queries[q], projectFirst: true, cancellationToken).ConfigureAwait(false);
        }

        var load = new List<double>();
        var sampler = WindowSampler.Start([node.Pid, prometheus.Pid], time, cancellationToken);
        IReadOnlyDictionary<int, ProcessWindow> processes;
        await using (sampler.ConfigureAwait(false))
        {
            for (var round = 1; round <= context.Options.Rounds; round++)
            {
                context.Progress(string.Create(c, $"  {series} series: round {round}/{context.Options.Rounds} ({reps} × {paths.Length} queries on each side, alternating)"));
                for (var rep = 0; rep < reps; rep++)
                {
                    for (var q = 0; q < paths.Length; q++)
                    {
                        var (a, b) = await TimedPairAsync(http, time, bases, paths[q], queries[q], projectFirst: (rep + q) % 2 == 0, cancellationToken).ConfigureAwait(false);
                        perQuery[q].Project.Add(a);
                        perQuery[q].Baseline.Add(b);
                    }
                }

                load.Add(ProcFs.LoadAverage1());
            }

            processes = await sampler.StopAsync().ConfigureAwait(false);
        }

        var result = new SizeResult(
            series,
            steps,
            data.Samples,
            blocksSeconds,
            loadSeconds,
            nodeRss,
            promRss,
            processes[node.Pid].RssMaxMiB,
            processes[prometheus.Pid].RssMaxMiB,
            load,
            [.. perQuery.Select((p, i) => new QueryTimes(queries[i].Query, p.Project, p.Baseline))]);
        var all = result.PerQuery.SelectMany(q => q.Project).ToList();
        var allB = result.PerQuery.SelectMany(q => q.Baseline).ToList();
        context.Progress(string.Create(c,
            $"  {series} series: p50 node {Percentile(all, 0.5):0.00} ms vs Prometheus {Percentile(allB, 0.5):0.00} ms; p99 {Percentile(all, 0.99):0.0} vs {Percentile(allB, 0.99):0.0} ms; load average {load.Average():0.00}"));
        context.Notes.Enqueue(string.Create(c,
            $"{Thousands(series)} series: {data.Pods} pods × {PromqlDataset.SeriesPerPod} series, {steps} samples each at 15 s; promtool blocks + Prometheus start {blocksSeconds:0} s, " +
            $"node fed over OTLP step by step in {loadSeconds:0} s; {context.Options.Rounds} round(s) × {reps} repetitions of {queries.Count} queries per side, " +
            $"every answer equal; RSS after loading node {nodeRss:0} MiB, Prometheus {promRss:0} MiB (max while querying {result.NodeRssMaxMiB:0} / {result.PrometheusRssMaxMiB:0} MiB); " +
            $"1-min load average while querying {string.Join(", ", load.Select(l => l.ToString("0.00", c)))}."));
        return result;
    }

    /// <summary>Both sides once, in the given order; the latencies (ms) of the node and of Prometheus. Throws when the answers differ.</summary>
    private static async Task<(double Project, double Baseline)> TimedPairAsync(
        HttpClient http, TimeProvider time, Uri[] bases, string path, (string Label, string Query) query, bool projectFirst, CancellationToken cancellationToken)
    {
        var order = projectFirst ? new[] { 0, 1 } : [1, 0];
        var ms = new double[2];
        var bodies = new string[2];
        var codes = new int[2];
        foreach (var side in order)
        {
            var start = time.GetTimestamp();
            (codes[side], bodies[side]) = await GetAsync(http, new Uri(bases[side], path), cancellationToken).ConfigureAwait(false);
            ms[side] = time.GetElapsedTime(start).TotalMilliseconds;
        }

        if (codes[0] != 200 || codes[1] != 200)
        {
            throw new CorrectnessException($"`{query.Query}`: HTTP {codes[0]} (node) / {codes[1]} (Prometheus)\nnode: {Truncate(bodies[0])}\nPrometheus: {Truncate(bodies[1])}");
        }

        using var ours = JsonDocument.Parse(bodies[0]);
        using var theirs = JsonDocument.Parse(bodies[1]);
        if (ours.RootElement.GetProperty("status").GetString() != "success" || theirs.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new CorrectnessException($"`{query.Query}`: not success\nnode: {Truncate(bodies[0])}\nPrometheus: {Truncate(bodies[1])}");
        }

        var diff = ResultComparer.Diff(theirs.RootElement.GetProperty("data"), ours.RootElement.GetProperty("data"));
        if (diff is not null)
        {
            throw new CorrectnessException($"`{query.Query}`: the node's answer differs from Prometheus': {diff}\nnode: {Truncate(bodies[0])}\nPrometheus: {Truncate(bodies[1])}");
        }

        return (ms[0], ms[1]);
    }

    private static async Task LoadNodeAsync(
        WorkloadContext context, NodeSut node, HttpClient http, Uri nodeBase, PromqlDataset data, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var c = CultureInfo.InvariantCulture;
        using var channel = GrpcChannel.ForAddress(node.OtlpGrpcEndpoint, new GrpcChannelOptions { MaxSendMessageSize = 4 * 1024 * 1024 });
        var client = new MetricsService.MetricsServiceClient(channel);
        // The first step creates every series (100k: 34k in the view, 100k in the store) on a shared, busy machine.
        var settle = TimeSpan.FromSeconds(Math.Max(120, 2 * context.Options.StartTimeout.TotalSeconds));
        var metrics = new Uri(nodeBase, "/metrics");
        for (var step = 0; step < data.Steps; step++)
        {
            var requests = data.StepRequests(step);
            await Task.WhenAll(Partition(requests, 4).Select(async part =>
            {
                foreach (var r in part)
                {
                    await NodeExports.ExportAsync(client, node, r, TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
                }
            })).ConfigureAwait(false);
            await NodeExports.ExportAsync(client, node, data.MarkerRequest(step), TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);

            // A scrape makes the exporter publish its changed view at once (else within 1 s).
            using (var r = await http.GetAsync(metrics, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                _ = r.StatusCode;
            }

            var markerPath = QueryPath(PromqlDataset.MarkerName, (data.TimeOf(step) / 1000.0).ToString("0.###", c));
            var start = time.GetTimestamp();
            var last = "no answer";
            while (true)
            {
                var (code, body) = await GetAsync(http, new Uri(nodeBase, markerPath), cancellationToken).ConfigureAwait(false);
                if (code == 200 && ScalarOfVector(body) == step)
                {
                    break;
                }

                last = Truncate(body);
                if (time.GetElapsedTime(start) > settle)
                {
                    throw new CorrectnessException(string.Create(c,
                        $"the node's query API did not show step {step} of {data.Steps} within {settle.TotalSeconds:0} s (last: {last}). Node output:\n{node.Tail()}"));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
            }

            if (step % 40 == 0)
            {
                context.Progress(string.Create(c, $"  node: step {step + 1}/{data.Steps} loaded"));
            }
        }
    }

    private static IEnumerable<List<T>> Partition<T>(IReadOnlyList<T> items, int parts)
    {
        var lists = Enumerable.Range(0, Math.Max(1, Math.Min(parts, items.Count))).Select(_ => new List<T>()).ToList();
        for (var i = 0; i < items.Count; i++)
        {
            lists[i % lists.Count].Add(items[i]);
        }

        return lists;
    }

    private static async Task CreateBlocksAsync(PromqlDataset data, string promtool, string dataDir, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetDirectoryName(dataDir)!, "data.om");
        try
        {
            await data.WriteOpenMetricsAsync(file, cancellationToken).ConfigureAwait(false);
            var process = ChildProcess.Start("promtool", promtool, ["tsdb", "create-blocks-from", "openmetrics", file, dataDir]);
            await using (process.ConfigureAwait(false))
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var exit = await process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                if (exit != 0)
                {
                    throw new SetupException($"promtool tsdb create-blocks-from openmetrics exited {exit}:\n{process.Tail()}");
                }
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// otlp (gRPC) → <c>prometheus</c> exporter on 127.0.0.1:<paramref name="metricsPort"/> (which also serves the query API);
    /// <c>delivery = exported</c> so an Export's answer means the exporter holds its points; no expiry within the run;
    /// <c>cluster.query</c> budgets sized for the data set (retention 2 h from the newest sample, series and samples
    /// with room), the replica following the view every <see cref="FollowInterval"/>; own telemetry off.
    /// </summary>
    private static string NodeConfig(NodePorts ports, int metricsPort, PromqlDataset data)
    {
        var maxSeries = Math.Max(100_000, data.Series + 1000);
        var maxSamples = Math.Max(20_000_000, (data.Samples * 5 / 4) + 100_000);
        return Sut.NodeConfig.OtlpToPrometheus(ports, metricsPort, metricExpiration: "6h") + string.Create(
            CultureInfo.InvariantCulture,
            $$"""

            # promql: answers mean the exporter holds the points; query budgets sized for the data set
            cluster.management.enabled = false
            cluster.delivery = exported
            cluster.query {
              retention = 2h
              max-series = {{maxSeries}}
              max-samples = {{maxSamples}}
              follow-interval = {{FollowInterval}}
            }
            """);
    }

    private static string QueryPath(string query, string time) => "/api/v1/query?query=" + Uri.EscapeDataString(query) + "&time=" + time;

    private static async Task<(int Code, string Body)> GetAsync(HttpClient http, Uri uri, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, body);
    }

    /// <summary>The value of a one-element vector answer; NaN otherwise.</summary>
    private static double ScalarOfVector(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var result = doc.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 1
                ? ResultComparer.Parse(result[0].GetProperty("value")[1].GetString()!)
                : double.NaN;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return double.NaN;
        }
    }

    /// <summary>Nearest-rank percentile (p99 of fewer than 100 values is the largest).</summary>
    internal static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static string Thousands(int n) => n >= 1000 ? (n / 1000).ToString(CultureInfo.InvariantCulture) + "k" : n.ToString(CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length <= 1500 ? text : text[..1500] + " …";

    internal sealed record QueryTimes(string Query, IReadOnlyList<double> Project, IReadOnlyList<double> Baseline);

    internal sealed record SizeResult(
        int Series,
        int Steps,
        long Samples,
        double BlocksAndStartSeconds,
        double NodeLoadSeconds,
        double NodeRssMiB,
        double PrometheusRssMiB,
        double NodeRssMaxMiB,
        double PrometheusRssMaxMiB,
        IReadOnlyList<double> LoadAverage1,
        IReadOnlyList<QueryTimes> PerQuery);
}
