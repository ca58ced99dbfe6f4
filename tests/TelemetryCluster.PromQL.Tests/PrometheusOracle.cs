using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TelemetryCluster.PromQL.Api;
using TelemetryCluster.PromQL.Storage;

namespace TelemetryCluster.PromQL.Tests;

/// <summary>Finds the Debian prometheus/promtool binaries; a missing one fails the test with the install hint.</summary>
internal static class Tools
{
    public static string Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p))
            {
                return p;
            }
        }
        throw new InvalidOperationException($"{name} not found on PATH: install it with `sudo apt-get install -y --no-install-recommends prometheus` (Debian's Prometheus 2.42).");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Hosts our query API on a free loopback port.</summary>
internal sealed class OurServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OurServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<OurServer> StartAsync(SeriesStore store, PrometheusQueryApiOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPrometheusQueryApi(() => store, options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new OurServer(app, address.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Once per test run: writes the data set as OpenMetrics, builds TSDB blocks with promtool, starts a real
/// Prometheus 2.42 on them, and loads the same samples into our store behind our API.
/// </summary>
public sealed class PrometheusOracle : IAsyncLifetime
{
    private Process? _prometheus;
    private OurServer? _ours;
    private string? _dir;

    internal Dataset Data { get; private set; } = null!;

    internal SeriesStore Store { get; private set; } = null!;

    public string PrometheusUrl { get; private set; } = "";

    public string OurUrl => _ours!.Url;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public long T0 => Data.T0;

    public async ValueTask InitializeAsync()
    {
        var prometheus = Tools.Find("prometheus");
        var promtool = Tools.Find("promtool");
        // Aligned 2h block start, six hours in the past.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long t0 = (now / 7_200_000 * 7_200_000) - (3 * 7_200_000);
        Data = new Dataset(t0);
        _dir = Directory.CreateTempSubdirectory("promql-oracle-").FullName;
        var om = Path.Combine(_dir, "data.om");
        await File.WriteAllTextAsync(om, Data.ToOpenMetrics());
        var tsdb = Path.Combine(_dir, "tsdb");
        var (code, stdout, stderr) = await Tools.RunAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", om, tsdb], TimeSpan.FromMinutes(2));
        if (code != 0)
        {
            throw new InvalidOperationException($"promtool create-blocks-from failed ({code}): {stdout} {stderr}");
        }
        var config = Path.Combine(_dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  evaluation_interval: 1m\nscrape_configs: []\n");
        int port = Tools.FreePort();
        var psi = new ProcessStartInfo(prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--config.file=" + config, "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=20y",
            "--web.listen-address=127.0.0.1:" + port, "--log.level=warn",
        })
        {
            psi.ArgumentList.Add(a);
        }
        _prometheus = Process.Start(psi)!;
        _prometheus.OutputDataReceived += (_, _) => { };
        _prometheus.ErrorDataReceived += (_, _) => { };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();
        PrometheusUrl = "http://127.0.0.1:" + port;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var r = await Http.GetAsync(PrometheusUrl + "/-/ready");
                if (r.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (_prometheus.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("prometheus did not become ready (exit: " + (_prometheus.HasExited ? _prometheus.ExitCode.ToString() : "running") + ")");
            }
            await Task.Delay(100);
        }
        Store = new SeriesStore(new SeriesStoreOptions { Retention = TimeSpan.FromDays(1) });
        foreach (var (labels, samples) in Data.Series)
        {
            var l = Labels.From(labels);
            foreach (var (t, v) in samples)
            {
                var r = Store.Append(l, t, v);
                if (r != AppendResult.Ok)
                {
                    throw new InvalidOperationException($"append {l} {t}: {r}");
                }
            }
        }
        _ours = await OurServer.StartAsync(Store);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ours is not null)
        {
            await _ours.DisposeAsync();
        }
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            await _prometheus.WaitForExitAsync();
        }
        _prometheus?.Dispose();
        Http.Dispose();
        if (_dir is not null)
        {
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OracleCollection : ICollectionFixture<PrometheusOracle>
{
    public const string Name = "prometheus-oracle";
}
