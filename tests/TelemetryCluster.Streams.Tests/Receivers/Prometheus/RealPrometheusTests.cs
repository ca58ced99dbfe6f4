using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Receivers.Prometheus.Scraping;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

/// <summary>A real Prometheus server (Debian's <c>prometheus</c> 2.42) on a free loopback port with a throwaway TSDB folder.</summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dir;

    private PrometheusServer(Process process, DirectoryInfo dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<PrometheusServer> StartAsync(CancellationToken cancellationToken)
    {
        const string binary = "/usr/bin/prometheus";
        Assert.True(File.Exists(binary), "Prometheus is not installed: run `sudo apt-get install -y prometheus` (Debian's prometheus 2.42 is the test peer)");
        var dir = Directory.CreateTempSubdirectory("prom-server-");
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n", cancellationToken);
        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                "--config.file=" + config,
                "--storage.tsdb.path=" + Path.Combine(dir.FullName, "data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, dir, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync($"http://127.0.0.1:{port}/-/ready", cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"prometheus on port {port} did not become ready (exited: {process.HasExited})");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _dir.Delete(recursive: true);
    }
}

public sealed class RealPrometheusTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    [Fact]
    public async Task Scrapes_a_real_prometheus_server_own_metrics()
    {
        await using var prometheus = await PrometheusServer.StartAsync(TestContext.Current.CancellationToken);
        await using var harness = await PromReceiverHarness.StartAsync(akka, $$"""
            config.scrape_configs = [ { job_name = prometheus, scrape_interval = 1s, static_configs = [ { targets = ["{{prometheus.Address}}"] } ] } ]
            """);

        var request = await harness.WaitForAsync(r => PromData.MetricOrNull(r, "prometheus_build_info") is not null, TimeSpan.FromSeconds(30), "prometheus' own metrics");

        Assert.Equal(1, PromData.Point(request, "up").AsDouble);
        var rm = request.ResourceMetrics.Single(r => r.ScopeMetrics.SelectMany(s => s.Metrics).Any(m => m.Name == "prometheus_build_info"));
        Assert.Equal(("prometheus", prometheus.Address), (PromData.Attributes(rm.Resource.Attributes)["service.name"], PromData.Attributes(rm.Resource.Attributes)["service.instance.id"]));
        var build = PromData.Metric(request, "prometheus_build_info").Gauge.DataPoints.Single();
        Assert.StartsWith("2.", PromData.Attributes(build.Attributes)["version"], StringComparison.Ordinal);

        var gc = PromData.Metric(request, "go_gc_duration_seconds").Summary.DataPoints.Single();
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, gc.QuantileValues.Select(q => q.Quantile));

        var histogram = PromData.Metrics(request).Single(m => m.Name == "prometheus_http_request_duration_seconds").Histogram;
        Assert.Equal(AggregationTemporality.Cumulative, histogram.AggregationTemporality);
        Assert.All(histogram.DataPoints, p =>
        {
            Assert.Equal(p.ExplicitBounds.Count + 1, p.BucketCounts.Count);
            Assert.Equal(p.Count, (ulong)p.BucketCounts.Sum(c => (decimal)c));
        });

        var requests = PromData.Metrics(request).Single(m => m.Name is "prometheus_http_requests_total" or "prometheus_http_requests");
        Assert.True(requests.Sum.IsMonotonic);
        Assert.All(requests.Sum.DataPoints, p => Assert.True(p.StartTimeUnixNano > 0 && p.StartTimeUnixNano <= p.TimeUnixNano));
        var scraped = PromData.Point(request, "scrape_samples_scraped").AsDouble;
        Assert.True(scraped > 200, $"only {scraped} samples");
        Assert.Equal(0, harness.Receiver.Counters.TotalFailures);
    }

    [Fact]
    public async Task The_text_format_of_a_real_prometheus_parses_every_sample()
    {
        await using var prometheus = await PrometheusServer.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        using var message = new HttpRequestMessage(HttpMethod.Get, $"http://{prometheus.Address}/metrics");
        message.Headers.TryAddWithoutValidation("Accept", "text/plain;version=0.0.4");
        using var response = await http.SendAsync(message, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        var config = PromConfig.BindOk("config.scrape_configs = [ { job_name = p } ]").ScrapeConfigs[0];
        var target = ScrapeTarget.Create(config, new Dictionary<string, string>(), new Dictionary<string, string> { ["__address__"] = prometheus.Address }, out _)!;
        var state = new ScrapeState(config, target);
        var result = state.Scraped(body, false, DateTimeOffset.UtcNow, TimeSpan.Zero, out var counts);

        var lines = body.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
        Assert.Equal(lines, counts.Scraped);
        Assert.NotNull(PromData.Metric(result, "go_goroutines").Gauge);
        Assert.NotNull(PromData.Metric(result, "go_gc_duration_seconds").Summary);
    }

    /// <summary>
    /// Prometheus 2.42 serves only text 0.0.4 on its own /metrics, so the OpenMetrics fixture is cross-checked with
    /// promtool's strict OpenMetrics parser: promtool imports it into a TSDB and dumps every sample, and our reader must
    /// read the same samples (names, labels, values).
    /// </summary>
    [Fact]
    public async Task The_openmetrics_fixture_reads_the_same_samples_as_promtool()
    {
        const string promtool = "/usr/bin/promtool";
        Assert.True(File.Exists(promtool), "promtool is not installed: run `sudo apt-get install -y prometheus`");
        var dir = Directory.CreateTempSubdirectory("prom-om-");
        try
        {
            // promtool's importer needs a timestamp on every sample.
            var body = string.Join('\n', ExpositionFixtures.OpenMetrics.Split('\n').Select(line =>
                line.Length == 0 || line[0] == '#' || line.Contains(" # ", StringComparison.Ordinal) ? line : line + " 1700000001"));
            var input = Path.Combine(dir.FullName, "fixture.om");
            await File.WriteAllTextAsync(input, body, TestContext.Current.CancellationToken);
            var output = Path.Combine(dir.FullName, "tsdb");
            var (rc, stdout, stderr) = await RunAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", input, output]);
            Assert.True(rc == 0, $"promtool rejected the fixture: {stdout} {stderr}");
            Directory.CreateDirectory(Path.Combine(output, "wal"));
            var (dumpRc, dump, dumpErr) = await RunAsync(promtool, ["tsdb", "dump", output]);
            Assert.True(dumpRc == 0, dumpErr);
            var theirs = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ParseDumpLine).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();

            var ours = new List<(string Key, double Value)>();
            var reader = new Streams.Receivers.Prometheus.Exposition.ExpositionReader(body, openMetrics: true);
            while (reader.Next())
            {
                if (reader.Entry != Streams.Receivers.Prometheus.Exposition.ExpositionEntry.Sample)
                {
                    continue;
                }

                var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
                var lr = new Streams.Receivers.Prometheus.Exposition.LabelReader(reader.Labels);
                while (lr.Next())
                {
                    labels[lr.Name.ToString()] = lr.Value();
                }

                ours.Add((reader.Name.ToString() + string.Concat(labels.Select(l => $"|{l.Key}={l.Value}")), reader.Value));
            }

            ours = [.. ours.OrderBy(s => s.Key, StringComparer.Ordinal)];
            Assert.Equal(theirs.Select(s => s.Key), ours.Select(s => s.Key));
            for (var i = 0; i < ours.Count; i++)
            {
                Assert.Equal(theirs[i].Value, ours[i].Value, 6);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary><c>{__name__="x", a="b"} 1.5 1700000001000</c> → ("x|a=b", 1.5).</summary>
    private static (string Key, double Value) ParseDumpLine(string line)
    {
        var close = line.LastIndexOf('}');
        var parts = line[(close + 1)..].Trim().Split(' ');
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var name = string.Empty;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(line[1..close], "(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\""))
        {
            var value = System.Text.RegularExpressions.Regex.Unescape(m.Groups[2].Value);
            if (m.Groups[1].Value == "__name__")
            {
                name = value;
            }
            else
            {
                labels[m.Groups[1].Value] = value;
            }
        }

        return (name + string.Concat(labels.Select(l => $"|{l.Key}={l.Value}")), double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<(int Rc, string Stdout, string Stderr)> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
