using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Processes;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>, 2.42 here) in its own process: <c>prometheus --config.file F
/// --storage.tsdb.path &lt;temp dir&gt; --web.listen-address 127.0.0.1:&lt;free port&gt;</c>. Ready when <c>/-/ready</c>
/// answers 200; <see cref="QueryAsync"/> runs an instant query on <c>/api/v1/query</c>. Stopped with SIGTERM; its config
/// file and TSDB directory are deleted afterwards.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string InstallHint = "sudo apt-get install -y prometheus";

    private readonly ChildProcess _process;
    private readonly string _directory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private PrometheusServer(string binary, string directory, int port)
    {
        _directory = directory;
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        _process = ChildProcess.Start(
            "prometheus",
            binary,
            [
                "--config.file", Path.Combine(directory, "prometheus.yml"),
                "--storage.tsdb.path", Path.Combine(directory, "data"),
                "--web.listen-address", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"),
                "--log.level", "warn",

                // promql loads blocks hours in the past: keep them whatever their age.
                "--storage.tsdb.retention.time", "20y",
            ],
            workingDirectory: directory);
    }

    public int Pid => _process.Pid;

    public Uri BaseUri { get; }

    /// <summary>The full path of <paramref name="name"/> (<c>prometheus</c>, <c>promtool</c>) on PATH; a <see cref="SetupException"/> saying how to install it otherwise.</summary>
    public static string Require(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new SetupException($"`{name}` is not installed (prometheus-scrape needs a real Prometheus server and promtool). Install it with:\n  {InstallHint}");
    }

    /// <summary>The first line of <c><paramref name="binary"/> --version</c>, e.g. <c>prometheus, version 2.42.0+ds (...)</c>.</summary>
    public static async Task<string> VersionAsync(string binary, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--version");
        using var p = Process.Start(psi) ?? throw new SetupException($"could not run {binary} --version");
        var stdout = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var text = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "?";
    }

    /// <summary>
    /// Writes <paramref name="configYaml"/> to a fresh temp directory, starts Prometheus with its TSDB there and waits
    /// until <c>/-/ready</c> answers 200.
    /// </summary>
    /// <remarks>
    /// <paramref name="prepareData"/>, when given, is called with the (not yet existing) TSDB directory before Prometheus
    /// starts, e.g. to fill it with blocks by <c>promtool tsdb create-blocks-from openmetrics</c> (promql).
    /// </remarks>
    public static async Task<PrometheusServer> StartAsync(
        string binary,
        string configYaml,
        TimeProvider time,
        TimeSpan startTimeout,
        CancellationToken cancellationToken,
        Func<string, CancellationToken, Task>? prepareData = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var directory = Directory.CreateTempSubdirectory("tc-bench-prometheus-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), configYaml, cancellationToken).ConfigureAwait(false);
        if (prepareData is not null)
        {
            try
            {
                await prepareData(Path.Combine(directory, "data"), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }

        var server = new PrometheusServer(binary, directory, FreePort.Next());
        try
        {
            await server.WaitReadyAsync(time, startTimeout, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An instant query; the <c>data.result</c> array of the answer (a <see cref="CorrectnessException"/> if Prometheus reports an error).</summary>
    public async Task<JsonElement> QueryAsync(string promql, double? unixSeconds, CancellationToken cancellationToken)
    {
        var url = "/api/v1/query?query=" + Uri.EscapeDataString(promql)
            + (unixSeconds is { } t ? "&time=" + t.ToString("0.000", CultureInfo.InvariantCulture) : "");
        using var response = await _http.GetAsync(new Uri(BaseUri, url), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(body);
        if (!response.IsSuccessStatusCode || doc.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new CorrectnessException($"Prometheus query `{promql}` failed: HTTP {(int)response.StatusCode}: {Truncate(body)}");
        }

        return doc.RootElement.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>
    /// Polls <c>up</c> every 250 ms until every job in <paramref name="jobs"/> has a sample equal to 1 (a Prometheus
    /// server scrapes for the first time some seconds after it starts: never a fixed sleep).
    /// </summary>
    public async Task WaitUpAsync(IReadOnlyCollection<string> jobs, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(time);
        var start = time.GetTimestamp();
        var last = "no answer";
        while (time.GetElapsedTime(start) < timeout)
        {
            var result = await QueryAsync("up", null, cancellationToken).ConfigureAwait(false);
            var up = result.EnumerateArray()
                .Where(r => r.GetProperty("value")[1].GetString() == "1")
                .Select(r => r.GetProperty("metric").TryGetProperty("job", out var j) ? j.GetString() : null)
                .ToHashSet();
            if (jobs.All(up.Contains))
            {
                return;
            }

            last = result.GetRawText();
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }

        throw new CorrectnessException(
            $"Prometheus did not report up == 1 for jobs [{string.Join(", ", jobs)}] within {timeout.TotalSeconds:0} s; last `up`: {Truncate(last)}. " +
            $"Its output:\n{Tail()}");
    }

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // leave it in /tmp
        }
    }

    private async Task WaitReadyAsync(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var url = new Uri(BaseUri, "/-/ready");
        var start = time.GetTimestamp();
        var last = "no answer";
        while (time.GetElapsedTime(start) < timeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), time, cancellationToken).ConfigureAwait(false);
                throw new SetupException($"prometheus exited during start-up. Last output:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "timeout";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }

        throw new SetupException($"prometheus ({url}) was not ready within {timeout.TotalSeconds:0} s ({last}). Last output:\n{Tail()}");
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + " …";
}

/// <summary><c>promtool check metrics</c> on an exposition given on its stdin.</summary>
internal static class Promtool
{
    /// <summary>Runs <c>promtool check metrics</c> with <paramref name="body"/> on stdin; its exit code and its output.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string promtool, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var psi = new ProcessStartInfo(promtool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("check");
        psi.ArgumentList.Add("metrics");
        using var p = Process.Start(psi) ?? throw new SetupException($"could not run {promtool}");
        var stdout = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await p.StandardInput.BaseStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            p.StandardInput.Close();
        }

        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = new StringBuilder().Append(await stdout.ConfigureAwait(false)).Append(await stderr.ConfigureAwait(false)).ToString();
        return (p.ExitCode, output.Length <= 4000 ? output : output[..4000] + " …");
    }
}
