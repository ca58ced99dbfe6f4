using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Load;
using TelemetryCluster.Benchmarks.Measure;
using TelemetryCluster.Benchmarks.Processes;
using TelemetryCluster.Benchmarks.Sut;

namespace TelemetryCluster.Benchmarks.Workloads;

/// <summary>
/// prometheus-scrape (BENCHMARKS.md): the node's <c>prometheus</c> exporter serving N cumulative series (10 names ×
/// N/10 label sets of 5 labels; N = 10k and 100k), against a real Debian Prometheus holding the same series and a
/// static file of the same text. One round, for each N, with fresh processes:
/// <list type="number">
/// <item>start a node (otlp → prometheus exporter, no sink), push the series once as OTLP cumulative monotonic sums over
/// gRPC (requests ≤ 4 MiB), poll <c>/metrics</c> until it has exactly N series; <c>promtool check metrics</c> on that
/// body must exit 0;</item>
/// <item>save the body to a file and serve it from Kestrel in this process (<see cref="StaticFileServer"/>);</item>
/// <item>start Prometheus scraping both (jobs <c>node</c> and <c>static</c>), poll until both are <c>up == 1</c>; then a
/// scrape window: the <c>scrape_duration_seconds</c> of every scrape of each job in it (every one <c>up == 1</c> with
/// <c>scrape_samples_scraped == N</c>) → medians, ratio node/static;</item>
/// <item><c>GET /metrics</c> (A) and Prometheus' <c>/federate</c> of the static job's series (B), alternating A,B / B,A
/// from this process, first plain, then with <c>Accept-Encoding: gzip</c>: a warm-up, then a window → p50 of each, ratio
/// A/B. The last answer of each must hold N series.</item>
/// </list>
/// Unlike the other workloads, A and B do not alternate as whole processes (<see cref="AbRounds"/>): the baseline needs
/// the project's series, so both run together and alternate request by request; the rounds repeat the whole setup.
/// </summary>
internal sealed class PrometheusScrapeWorkload : IWorkload
{
    public const int MetricNames = 10;
    public const int LabelsPerSeries = 5;
    public const int MaxRequestBytes = 4 * 1024 * 1024;
    public const double GetTarget = 0.5;
    public const double ScrapeTarget = 1.5;

    /// <summary>Label sets per OTLP request: 10 names × 1000 = 10k data points, ≈ 1.3 MB (checked against 4 MiB).</summary>
    public const int LabelSetsPerRequest = 1000;

    private const int MinPairs = 5;
    private const int MinScrapes = 3;

    /// <summary>The scrape window lasts at least this many intervals (smoke: 8 scrapes of 10k at 1 s).</summary>
    private const int ScrapeWindowScrapes = 8;
    private const string MetricPrefix = "tc_bench_requests_";
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];

    public string Name => "prometheus-scrape";

    /// <summary>In smoke: 10k series only, with smoke's windows; ≈ 35 s with the node's and Prometheus' starts.</summary>
    public bool InSmoke => true;

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
            context.Notes.Enqueue("--project-sut floor does not apply to prometheus-scrape: the node ran as the project.");
        }

        int[] sizes = context.Options.Smoke ? [10_000] : [10_000, 100_000];
        var runs = sizes.ToDictionary(n => n, _ => new List<ScrapeRound>());
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var n in sizes)
            {
                context.Progress(string.Create(CultureInfo.InvariantCulture, $"{Name}: round {round}/{context.Options.Rounds}, {n} series"));
                runs[n].Add(await RunRoundAsync(context, prometheus, promtool, n, round, cancellationToken).ConfigureAwait(false));
            }
        }

        context.Raw["shape"] = new
        {
            MetricNames,
            LabelsPerSeries,
            LabelSetsPerRequest,
            Series = sizes,
            StaticServer = "Kestrel in the benchmark process, GET /metrics.txt = Results.File (no compression); GET /metrics-gzip.txt = the same text precompressed, gzip when accepted",
            Federate = $"/federate?match[]={{__name__=~\"{MetricPrefix}.*\",job=\"static\"}}",
        };
        context.Raw["rounds"] = runs.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value);
        AddNotes(context, runs);

        var rows = new List<ResultRow>();
        foreach (var n in sizes)
        {
            var r = runs[n];
            var k = Thousands(n);
            var anchors = n == 10_000 ? ("federate 53 ms", "scrape 32 ms") : ("federate 720 ms", "scrape 156 ms");
            rows.Add(new ResultRow(
                $"{Name} {k} series: GET p50, plain (/metrics vs /federate)",
                Units.Milliseconds,
                [.. r.Select(x => x.Plain.Project.P50)],
                [.. r.Select(x => x.Plain.Baseline.P50)],
                Target.RatioAtMost(GetTarget),
                "Prometheus here: " + anchors.Item1));
            rows.Add(new ResultRow(
                $"{Name} {k} series: GET p50, gzip (/metrics vs /federate)",
                Units.Milliseconds,
                [.. r.Select(x => x.Gzip.Project.P50)],
                [.. r.Select(x => x.Gzip.Baseline.P50)],
                Target.RatioAtMost(GetTarget),
                "Prometheus here: " + anchors.Item1));
            rows.Add(new ResultRow(
                $"{Name} {k} series: GET p50 (/metrics with gzip, as Prometheus asks, vs the static file, plain)",
                Units.Milliseconds,
                [.. r.Select(x => x.Gzip.Project.P50)],
                [.. r.Select(x => x.Gzip.StaticFile.P50)],
                Target.None,
                "—"));
            rows.Add(new ResultRow(
                $"{Name} {k} series: Prometheus scrape_duration_seconds p50 (us vs static file)",
                Units.Milliseconds,
                [.. r.Select(x => x.Scrape.NodeMedianMs)],
                [.. r.Select(x => x.Scrape.StaticMedianMs)],
                Target.RatioAtMost(ScrapeTarget),
                "Prometheus here: " + anchors.Item2));
            rows.Add(new ResultRow(
                $"{Name} {k} series: Prometheus scrape_duration_seconds p50 (us vs static file precompressed, gzip as Prometheus asks)",
                Units.Milliseconds,
                [.. r.Select(x => x.Scrape.NodeMedianMs)],
                [.. r.Select(x => x.Scrape.StaticGzipMedianMs)],
                Target.None,
                "same gzip decompression on both sides"));
            rows.Add(new ResultRow(
                $"{Name} {k} series: RSS max (node vs Prometheus, which holds both jobs' series)",
                Units.MiB,
                [.. r.Select(x => x.NodeRssMaxMiB)],
                [.. r.Select(x => x.PrometheusRssMaxMiB)],
                Target.None,
                "—"));
        }

        return rows;
    }

    /// <summary>
    /// The series as OTLP requests: <paramref name="series"/>/10 label sets × 10 cumulative monotonic sums
    /// <c>tc.bench.requests.K</c> (→ <c>tc_bench_requests_K_total</c>), 5 string attributes per point (region, zone,
    /// service, method, pod; pod makes the set unique), an empty resource and scope (so the exporter adds no job,
    /// instance or otel_scope_* label), at most <see cref="LabelSetsPerRequest"/> label sets per request.
    /// </summary>
    internal static IReadOnlyList<ExportMetricsServiceRequest> SeriesRequests(int series, TimeProvider time)
    {
        var c = CultureInfo.InvariantCulture;
        var labelSets = series / MetricNames;
        var now = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000UL;
        var start = now - 3_600_000_000_000UL;
        var requests = new List<ExportMetricsServiceRequest>();
        for (var first = 0; first < labelSets; first += LabelSetsPerRequest)
        {
            var last = Math.Min(labelSets, first + LabelSetsPerRequest);
            var scope = new ScopeMetrics();
            for (var k = 0; k < MetricNames; k++)
            {
                var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
                for (var i = first; i < last; i++)
                {
                    var dp = new NumberDataPoint { StartTimeUnixNano = start, TimeUnixNano = now, AsDouble = (k + 1) * 1000.0 + i };
                    dp.Attributes.Add(MetricsPayload.Str("region", "region-" + (i % 4).ToString(c)));
                    dp.Attributes.Add(MetricsPayload.Str("zone", "zone-" + (i % 12).ToString(c)));
                    dp.Attributes.Add(MetricsPayload.Str("service", "service-" + (i % 50).ToString(c)));
                    dp.Attributes.Add(MetricsPayload.Str("method", Methods[i % Methods.Length]));
                    dp.Attributes.Add(MetricsPayload.Str("pod", "pod-" + i.ToString("D6", c)));
                    sum.DataPoints.Add(dp);
                }

                scope.Metrics.Add(new Metric
                {
                    Name = "tc.bench.requests." + k.ToString(c),
                    Description = "TelemetryCluster benchmark requests, set " + k.ToString(c),
                    Sum = sum,
                });
            }

            var rm = new ResourceMetrics { Resource = new OpenTelemetry.Proto.Resource.V1.Resource() };
            rm.ScopeMetrics.Add(scope);
            var request = new ExportMetricsServiceRequest();
            request.ResourceMetrics.Add(rm);
            if (request.CalculateSize() > MaxRequestBytes)
            {
                throw new InvalidOperationException($"a prometheus-scrape request is {request.CalculateSize()} B, over 4 MiB");
            }

            requests.Add(request);
        }

        return requests;
    }

    /// <summary>Sample lines (non-empty, not starting with <c>#</c>) in a text exposition, and the distinct metric names among them.</summary>
    internal static (int Series, int Names) CountSeries(ReadOnlySpan<byte> text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var series = 0;
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..];
            if (line.IsEmpty || line[0] == (byte)'#')
            {
                continue;
            }

            series++;
            var nameEnd = line.IndexOfAny((byte)'{', (byte)' ');
            names.Add(System.Text.Encoding.UTF8.GetString(nameEnd < 0 ? line : line[..nameEnd]));
        }

        return (series, names.Count);
    }

    private static async Task<ScrapeRound> RunRoundAsync(
        WorkloadContext context, string prometheusBinary, string promtool, int series, int round, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var time = context.TimeProvider;
        var interval = ScrapeInterval(series);
        var metricsPort = 0;
        await using var node = await context.Launcher.StartNodeWithoutSinkAsync(
            ports =>
            {
                metricsPort = FreePort.Next();
                return NodeConfig.OtlpToPrometheus(ports, metricsPort);
            },
            cancellationToken).ConfigureAwait(false);
        var metricsUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{metricsPort}/metrics"));
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        })
        {
            Timeout = TimeSpan.FromSeconds(120),
        };

        // 1. Push the series, wait until /metrics has all of them, check the body with promtool.
        var pushStart = time.GetTimestamp();
        var requests = SeriesRequests(series, time);
        await PushAsync(node, requests, time, cancellationToken).ConfigureAwait(false);
        var body = await WaitForSeriesAsync(context, node, http, metricsUrl, series, cancellationToken).ConfigureAwait(false);
        var readySeconds = time.GetElapsedTime(pushStart).TotalSeconds;
        var (exit, output) = await Promtool.CheckMetricsAsync(promtool, body, cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new CorrectnessException($"{series} series: `promtool check metrics` on the node's /metrics exited {exit}:\n{output}");
        }

        context.Progress(string.Create(CultureInfo.InvariantCulture,
            $"  {series} series in /metrics after {readySeconds:0.0} s ({requests.Count} OTLP requests, {body.Length} B of text); promtool check metrics: clean"));

        // 2. The same text as a static file.
        var directory = Directory.CreateTempSubdirectory("tc-bench-scrape-").FullName;
        try
        {
            var file = Path.Combine(directory, "metrics.txt");
            await File.WriteAllBytesAsync(file, body, cancellationToken).ConfigureAwait(false);
            await using var staticServer = await StaticFileServer.StartAsync(file, cancellationToken).ConfigureAwait(false);

            // 3. A real Prometheus scraping both.
            var config = PrometheusConfig(interval, metricsPort, staticServer.Port);
            await using var prometheus = await PrometheusServer.StartAsync(
                prometheusBinary, config, time, o.StartTimeout, cancellationToken).ConfigureAwait(false);
            var upStart = time.GetTimestamp();
            await prometheus.WaitUpAsync(["node", "static", "static_gzip"], time, o.StartTimeout, cancellationToken).ConfigureAwait(false);
            var upSeconds = time.GetElapsedTime(upStart).TotalSeconds;
            int[] pids = [node.Pid, prometheus.Pid, Environment.ProcessId];

            // The first scrapes are cold (the node's gzip path is not JIT-compiled yet; Prometheus' first append creates
            // the series): a warm-up of at least 2 scrapes, then the window, of at least ScrapeWindowScrapes scrapes.
            var scrapeWarmup = TimeSpan.FromSeconds(Math.Max(o.Warmup.TotalSeconds, 2 * interval.TotalSeconds));
            var scrapeWindow = TimeSpan.FromSeconds(Math.Max(o.Window.TotalSeconds, ScrapeWindowScrapes * interval.TotalSeconds));
            context.Progress(string.Create(CultureInfo.InvariantCulture,
                $"  both jobs up after {upSeconds:0.0} s; scrape warm-up {scrapeWarmup.TotalSeconds:0} s, window {scrapeWindow.TotalSeconds:0} s (every {interval.TotalSeconds:0} s)"));
            await Task.Delay(scrapeWarmup, time, cancellationToken).ConfigureAwait(false);
            var t0 = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            IReadOnlyDictionary<int, ProcessWindow> scrapeProcesses;
            MachineWindow scrapeMachine;
            var sampler = WindowSampler.Start(pids, time, cancellationToken);
            await using (sampler.ConfigureAwait(false))
            {
                await Task.Delay(scrapeWindow, time, cancellationToken).ConfigureAwait(false);
                scrapeProcesses = await sampler.StopAsync().ConfigureAwait(false);
                scrapeMachine = sampler.Machine!;
            }

            var t1 = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            var scrape = await ReadScrapesAsync(prometheus, series, t0, t1, cancellationToken).ConfigureAwait(false);
            scrape = scrape with
            {
                NodeCpuCores = scrapeProcesses[node.Pid].CpuCores,
                PrometheusCpuCores = scrapeProcesses[prometheus.Pid].CpuCores,
                OtherProcessesCores = scrapeMachine.OtherProcessesCores,
            };

            // 4. GET /metrics vs /federate, alternating.
            var federate = new Uri(prometheus.BaseUri,
                "/federate?match[]=" + Uri.EscapeDataString($"{{__name__=~\"{MetricPrefix}.*\",job=\"static\"}}"));
            IReadOnlyDictionary<int, ProcessWindow> getProcesses;
            MachineWindow getMachine;
            GetComparison plain, gzip;
            var getSampler = WindowSampler.Start(pids, time, cancellationToken);
            await using (getSampler.ConfigureAwait(false))
            {
                plain = await AlternateAsync(context, http, metricsUrl, federate, staticServer.Url, gzip: false, series, cancellationToken).ConfigureAwait(false);
                gzip = await AlternateAsync(context, http, metricsUrl, federate, staticServer.Url, gzip: true, series, cancellationToken).ConfigureAwait(false);
                getProcesses = await getSampler.StopAsync().ConfigureAwait(false);
                getMachine = getSampler.Machine!;
            }

            var result = new ScrapeRound(
                round,
                series,
                requests.Count,
                body.Length,
                readySeconds,
                upSeconds,
                interval.TotalSeconds,
                scrape,
                plain,
                gzip,
                Math.Max(scrapeProcesses[node.Pid].RssMaxMiB, getProcesses[node.Pid].RssMaxMiB),
                Math.Max(scrapeProcesses[prometheus.Pid].RssMaxMiB, getProcesses[prometheus.Pid].RssMaxMiB),
                getProcesses[node.Pid].CpuCores,
                getProcesses[prometheus.Pid].CpuCores,
                getMachine.OtherProcessesCores);
            context.Progress(string.Create(CultureInfo.InvariantCulture,
                $"  scrape p50 node {scrape.NodeMedianMs:0.0} ms vs static {scrape.StaticMedianMs:0.0} ms, static gzip {scrape.StaticGzipMedianMs:0.0} ms ({scrape.NodeDurationsMs.Count}/{scrape.StaticDurationsMs.Count}/{scrape.StaticGzipDurationsMs.Count} scrapes); " +
                $"GET p50 plain {plain.Project.P50:0.0} vs federate {plain.Baseline.P50:0.0} ms, gzip {gzip.Project.P50:0.0} vs {gzip.Baseline.P50:0.0} ms; " +
                $"static file {plain.StaticFile.P50:0.0} ms; " +
                $"node RSS max {result.NodeRssMaxMiB:0.0} MiB"));
            return result;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // leave it in /tmp
            }
        }
    }

    /// <summary>
    /// Prometheus' scrape interval (= its timeout): 1 s for 10k series, 3 s for 100k (a scrape took up to 0.6 s on a busy
    /// machine), so that a 30 s window holds 30 and 10 scrapes per job. Shorter would make Prometheus' own ingestion (2 × N
    /// samples per interval) a larger part of the machine's load.
    /// </summary>
    private static TimeSpan ScrapeInterval(int series) => TimeSpan.FromSeconds(series <= 10_000 ? 1 : 3);

    private static string PrometheusConfig(TimeSpan interval, int metricsPort, int staticPort)
    {
        var s = (int)interval.TotalSeconds;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"""
            # written by tests/TelemetryCluster.Benchmarks (prometheus-scrape)
            global:
              scrape_interval: {s}s
              scrape_timeout: {s}s
            scrape_configs:
              - job_name: node
                metrics_path: /metrics
                static_configs:
                  - targets: ['127.0.0.1:{metricsPort}']
              - job_name: static
                metrics_path: {StaticFileServer.FilePath}
                static_configs:
                  - targets: ['127.0.0.1:{staticPort}']
              - job_name: static_gzip
                metrics_path: {StaticFileServer.GzipFilePath}
                static_configs:
                  - targets: ['127.0.0.1:{staticPort}']

            """);
    }

    private static async Task PushAsync(
        NodeSut node, IReadOnlyList<ExportMetricsServiceRequest> requests, TimeProvider time, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(node.OtlpGrpcEndpoint);
        var client = new MetricsService.MetricsServiceClient(channel);
        foreach (var request in requests)
        {
            await NodeExports.ExportAsync(client, node, request, TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <c>/metrics</c> (plain) every 250 ms until it holds exactly <paramref name="series"/> series of 10 names; its body.</summary>
    private static async Task<byte[]> WaitForSeriesAsync(
        WorkloadContext context, NodeSut node, HttpClient http, Uri metricsUrl, int series, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var start = time.GetTimestamp();
        var settle = LoadChecks.SettleTimeout(context);
        var last = "no answer";
        while (time.GetElapsedTime(start) < settle)
        {
            try
            {
                using var response = await http.GetAsync(metricsUrl, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    var (count, names) = CountSeries(body);
                    if (count == series && names == MetricNames)
                    {
                        return body;
                    }

                    last = string.Create(CultureInfo.InvariantCulture, $"{count} series of {names} names");
                }
                else
                {
                    last = $"HTTP {(int)response.StatusCode}";
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }

        throw new CorrectnessException(
            $"the node's /metrics did not hold {series} series of {MetricNames} names within {settle.TotalSeconds:0} s (last: {last}). Last output:\n{node.Tail()}");
    }

    /// <summary>
    /// <c>scrape_duration_seconds</c>, <c>up</c> and <c>scrape_samples_scraped</c> of both jobs over (t0, t1]: every scrape
    /// must be up with N samples, and each job must have at least <see cref="MinScrapes"/> scrapes.
    /// </summary>
    private static async Task<ScrapeStats> ReadScrapesAsync(
        PrometheusServer prometheus, int series, double t0, double t1, CancellationToken cancellationToken)
    {
        var range = string.Create(CultureInfo.InvariantCulture, $"[{(int)Math.Ceiling(t1 - t0)}s]");
        var durations = await RangeAsync(prometheus, "scrape_duration_seconds" + range, t0, t1, cancellationToken).ConfigureAwait(false);
        var up = await RangeAsync(prometheus, "up" + range, t0, t1, cancellationToken).ConfigureAwait(false);
        var samples = await RangeAsync(prometheus, "scrape_samples_scraped" + range, t0, t1, cancellationToken).ConfigureAwait(false);
        foreach (var job in new[] { "node", "static", "static_gzip" })
        {
            var d = durations.GetValueOrDefault(job) ?? [];
            if (d.Count < MinScrapes)
            {
                throw new CorrectnessException($"Prometheus scraped job {job} only {d.Count} times in the window (at least {MinScrapes} needed). Its output:\n{prometheus.Tail()}");
            }

            if ((up.GetValueOrDefault(job) ?? []).Any(v => v != 1))
            {
                throw new CorrectnessException($"a scrape of job {job} failed in the window (up: {string.Join(", ", up[job])}). Its output:\n{prometheus.Tail()}");
            }

            if ((samples.GetValueOrDefault(job) ?? []).Any(v => (int)v != series))
            {
                throw new CorrectnessException(
                    $"a scrape of job {job} did not get {series} samples (scrape_samples_scraped: {string.Join(", ", samples[job].Distinct())}).");
            }
        }

        var node = durations["node"].Select(s => s * 1000).ToList();
        var stat = durations["static"].Select(s => s * 1000).ToList();
        var statGzip = durations["static_gzip"].Select(s => s * 1000).ToList();
        return new ScrapeStats(Stats.Median(node), Stats.Median(stat), node, stat, 0, 0, 0) { StaticGzipMedianMs = Stats.Median(statGzip), StaticGzipDurationsMs = statGzip };
    }

    private static async Task<Dictionary<string, List<double>>> RangeAsync(
        PrometheusServer prometheus, string query, double t0, double t1, CancellationToken cancellationToken)
    {
        var result = await prometheus.QueryAsync(query, t1, cancellationToken).ConfigureAwait(false);
        var byJob = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var r in result.EnumerateArray())
        {
            var job = r.GetProperty("metric").GetProperty("job").GetString() ?? "";
            var values = byJob.TryGetValue(job, out var list) ? list : byJob[job] = [];
            foreach (var v in r.GetProperty("values").EnumerateArray())
            {
                if (v[0].GetDouble() > t0)
                {
                    values.Add(double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture));
                }
            }
        }

        return byJob;
    }

    /// <summary>
    /// GET <paramref name="project"/>, <paramref name="baseline"/> and, for context, <paramref name="staticFile"/> in
    /// turns, alternating the order (A,B,S then S,B,A), on one keep-alive connection each: a warm-up, then the window (at
    /// least <see cref="MinPairs"/> turns). Each time is from sending the request to the last byte of the body as sent
    /// (gzip is not decoded while timed). Then the last body of each must hold <paramref name="series"/> series.
    /// </summary>
    private static async Task<GetComparison> AlternateAsync(
        WorkloadContext context, HttpClient http, Uri project, Uri baseline, Uri staticFile, bool gzip, int series, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var time = context.TimeProvider;
        using var a = new Endpoint(project);
        using var b = new Endpoint(baseline);
        using var c = new Endpoint(staticFile);
        var label = gzip ? "gzip" : "plain";
        context.Progress($"  GET {label}: warm-up {o.Warmup.TotalSeconds:0.#} s, window {o.Window.TotalSeconds:0.#} s");
        foreach (var (length, timed) in new[] { (o.Warmup, false), (o.Window, true) })
        {
            var start = time.GetTimestamp();
            var minPairs = timed ? MinPairs : 1;
            for (var pair = 0; pair < minPairs || time.GetElapsedTime(start) < length; pair++)
            {
                var (first, second, third) = pair % 2 == 0 ? (a, b, c) : (c, b, a);
                await GetAsync(http, first, gzip, timed, time, cancellationToken).ConfigureAwait(false);
                await GetAsync(http, second, gzip, timed, time, cancellationToken).ConfigureAwait(false);
                await GetAsync(http, third, gzip, timed, time, cancellationToken).ConfigureAwait(false);
            }
        }

        return new GetComparison(label, Summarize(a, series, "/metrics"), Summarize(b, series, "/federate"), Summarize(c, series, "the static file"));
    }

    private static async Task GetAsync(HttpClient http, Endpoint target, bool gzip, bool timed, TimeProvider time, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        target.Body.SetLength(0);
        var start = time.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(target.Body, cancellationToken).ConfigureAwait(false);
        var ms = time.GetElapsedTime(start).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new CorrectnessException(
                $"GET {target.Url} answered HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(target.Body.GetBuffer(), 0, (int)Math.Min(500, target.Body.Length))}");
        }

        target.Encoding = string.Join(",", response.Content.Headers.ContentEncoding);
        if (timed)
        {
            target.Times.Add(ms);
            target.Bytes = target.Body.Length;
        }
    }

    private static GetStats Summarize(Endpoint t, int series, string what)
    {
        var body = t.Body.GetBuffer().AsSpan(0, (int)t.Body.Length);
        byte[]? decoded = null;
        if (t.Encoding.Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            using var zip = new GZipStream(new MemoryStream(body.ToArray()), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            zip.CopyTo(plain);
            decoded = plain.ToArray();
        }

        var (count, names) = CountSeries(decoded ?? body);
        if (count != series || names != MetricNames)
        {
            throw new CorrectnessException(string.Create(CultureInfo.InvariantCulture,
                $"{what} ({t.Url}) answered {count} series of {names} names; expected {series} of {MetricNames}."));
        }

        var sorted = t.Times.Order().ToArray();
        return new GetStats(
            t.Url.ToString(),
            sorted.Length,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.90),
            Percentile(sorted, 0.99),
            sorted.Length > 0 ? sorted.Average() : double.NaN,
            t.Bytes,
            t.Encoding.Length == 0 ? "identity" : t.Encoding,
            count);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Thousands(int n) => (n / 1000).ToString(CultureInfo.InvariantCulture) + "k";

    private static void AddNotes(WorkloadContext context, Dictionary<int, List<ScrapeRound>> runs)
    {
        var c = CultureInfo.InvariantCulture;
        context.Notes.Enqueue(
            "series: 10 cumulative monotonic sums tc.bench.requests.K (→ tc_bench_requests_K_total) × N/10 label sets of 5 labels " +
            "(region, zone, service, method, pod), pushed once as OTLP/gRPC into the node (otlp → prometheus exporter; requests of ≤ 10k points, ≈ 1.3 MB). " +
            "/metrics held exactly N series and `promtool check metrics` passed on it in every round.");
        context.Notes.Enqueue(
            "static file: the node's /metrics body saved to a file, served by Kestrel in the benchmark process (GET /metrics.txt, Results.File, " +
            "never compressed). Prometheus 2.42 always asks for gzip, so it gets gzip from the node and plain text from the static file " +
            "(and pays the decompression on the node's scrapes only). For a like-for-like row, a third job scrapes the same text precompressed " +
            "(GET /metrics-gzip.txt, gzip at the fastest level as the node compresses, Content-Encoding: gzip when accepted).");
        context.Notes.Enqueue(
            "GET rows: /metrics (A) vs Prometheus' /federate?match[]={__name__=~\"tc_bench_requests_.*\",job=\"static\"} (B, the same N series " +
            "scraped from the static file, plus job/instance labels and timestamps), and the static file itself (S, never compressed), in turns " +
            "A,B,S / S,B,A from the benchmark process on keep-alive connections; time from request to the last byte as sent (gzip not decoded " +
            "while timed). The last answer of each held N series. " +
            "Prometheus keeps scraping both jobs during the GET windows.");
        foreach (var (n, rounds) in runs)
        {
            var r = rounds[^1];
            context.Notes.Enqueue(string.Create(c,
                $"{Thousands(n)} (last round): /metrics {r.Plain.Project.Bytes / 1e6:0.00} MB plain, {r.Gzip.Project.Bytes / 1e6:0.00} MB when gzip is accepted " +
                $"(Content-Encoding: {r.Gzip.Project.Encoding}); /federate {r.Plain.Baseline.Bytes / 1e6:0.00} MB plain, {r.Gzip.Baseline.Bytes / 1e6:0.00} MB " +
                $"(Content-Encoding: {r.Gzip.Baseline.Encoding}). " +
                $"GET p90/p99 plain {r.Plain.Project.P90:0.0}/{r.Plain.Project.P99:0.0} vs {r.Plain.Baseline.P90:0.0}/{r.Plain.Baseline.P99:0.0} ms ({r.Plain.Project.Requests} + {r.Plain.Baseline.Requests} requests), " +
                $"gzip {r.Gzip.Project.P90:0.0}/{r.Gzip.Project.P99:0.0} vs {r.Gzip.Baseline.P90:0.0}/{r.Gzip.Baseline.P99:0.0} ms ({r.Gzip.Project.Requests} + {r.Gzip.Baseline.Requests}). " +
                $"Static file GET p50 {r.Plain.StaticFile.P50:0.0} ms (plain window; plain /metrics {r.Plain.Project.P50:0.0} ms). " +
                $"Scrapes every {r.ScrapeIntervalSeconds:0} s: {r.Scrape.NodeDurationsMs.Count} of the node, {r.Scrape.StaticDurationsMs.Count} of the static file, all up with {n} samples; " +
                $"node CPU {r.Scrape.NodeCpuCores:0.000} core and Prometheus {r.Scrape.PrometheusCpuCores:0.000} core in the scrape window. " +
                $"Series in /metrics {r.SecondsToSeries:0.0} s after the first push; Prometheus up on both {r.SecondsToUp:0.0} s after its start."));
        }

        var others = runs.Values.SelectMany(r => r).SelectMany(r => new[] { r.Scrape.OtherProcessesCores, r.GetOtherProcessesCores }).ToArray();
        if (others.Length > 0 && others.Max() > 0.1)
        {
            context.Notes.Enqueue(string.Create(c,
                $"noise: other processes on the machine used {Stats.Median(others):0.00} core (median; max {others.Max():0.00}) during the windows " +
                $"of {Environment.ProcessorCount} cores; figures from a busy machine are less reliable."));
        }
    }

    /// <summary>One side of the GET comparison: its URL, the last body (reused buffer) and the timed requests.</summary>
    private sealed class Endpoint(Uri url) : IDisposable
    {
        public Uri Url { get; } = url;

        public MemoryStream Body { get; } = new();

        public List<double> Times { get; } = [];

        public string Encoding { get; set; } = "";

        public long Bytes { get; set; }

        public void Dispose() => Body.Dispose();
    }
}

/// <summary>One side's GETs in a window: count, percentiles and mean (ms), body size as sent, Content-Encoding, series in the last answer.</summary>
internal sealed record GetStats(string Url, int Requests, double P50, double P90, double P99, double Mean, long Bytes, string Encoding, int Series);

/// <summary>/metrics (project) vs /federate (baseline) with one encoding, and the static file (never compressed) for context.</summary>
internal sealed record GetComparison(string Encoding, GetStats Project, GetStats Baseline, GetStats StaticFile);

/// <summary>Prometheus' scrape_duration_seconds (ms) of every scrape of each job in the window, and CPU in it.</summary>
internal sealed record ScrapeStats(
    double NodeMedianMs,
    double StaticMedianMs,
    IReadOnlyList<double> NodeDurationsMs,
    IReadOnlyList<double> StaticDurationsMs,
    double NodeCpuCores,
    double PrometheusCpuCores,
    double OtherProcessesCores)
{
    /// <summary>The static file served gzip-compressed, as Prometheus asks (job <c>static_gzip</c>).</summary>
    public double StaticGzipMedianMs { get; init; }

    public IReadOnlyList<double> StaticGzipDurationsMs { get; init; } = [];
}

internal sealed record ScrapeRound(
    int Round,
    int Series,
    int OtlpRequests,
    int MetricsBytes,
    double SecondsToSeries,
    double SecondsToUp,
    double ScrapeIntervalSeconds,
    ScrapeStats Scrape,
    GetComparison Plain,
    GetComparison Gzip,
    double NodeRssMaxMiB,
    double PrometheusRssMaxMiB,
    double GetNodeCpuCores,
    double GetPrometheusCpuCores,
    double GetOtherProcessesCores);
