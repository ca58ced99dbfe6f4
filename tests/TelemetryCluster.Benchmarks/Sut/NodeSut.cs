using System.Diagnostics;
using System.Globalization;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Processes;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// A TelemetryCluster node in its own process: <c>dotnet telemetry-cluster.dll run --config FILE</c>. Ready when
/// the health_check extension answers 200 on <c>/</c>. Data points received downstream = the sum of the debug
/// exporter's per-batch lines on its stdout (<see cref="DebugExporterLog"/>).
/// </summary>
internal sealed class NodeSut : ISystemUnderTest
{
    private readonly ChildProcess _process;
    private readonly string _configFile;
    private long _dataPoints;
    private long _batches;

    private NodeSut(string dll, string configFile, int grpcPort)
    {
        _configFile = configFile;
        OtlpGrpcEndpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{grpcPort}"));
        _process = ChildProcess.Start(
            "node",
            "dotnet",
            [dll, "run", "--config", configFile],
            OnLine,
            workingDirectory: Path.GetDirectoryName(dll));
    }

    public string Name => "node";

    public int Pid => _process.Pid;

    public Uri OtlpGrpcEndpoint { get; }

    /// <summary>
    /// Starts a node with the config made by <paramref name="config"/>(otlpGrpcPort, healthPort) and waits until
    /// its health check answers 200 on <paramref name="readyPath"/> (<c>/</c>, the v1 path; or <c>/readyz</c>).
    /// </summary>
    public static async Task<NodeSut> StartAsync(
        string dll,
        Func<int, int, string> config,
        TimeProvider time,
        TimeSpan startTimeout,
        CancellationToken cancellationToken,
        string readyPath = "/")
    {
        ArgumentNullException.ThrowIfNull(config);
        var grpcPort = FreePort.Next();
        var healthPort = FreePort.Next();
        var file = Path.Combine(Path.GetTempPath(), $"tc-bench-{Environment.ProcessId}-{grpcPort}.conf");
        await File.WriteAllTextAsync(file, config(grpcPort, healthPort), cancellationToken).ConfigureAwait(false);

        var sut = new NodeSut(dll, file, grpcPort);
        try
        {
            await sut.WaitHealthyAsync(healthPort, readyPath, time, startTimeout, cancellationToken).ConfigureAwait(false);
            return sut;
        }
        catch
        {
            await sut.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task<long> ReceivedDataPointsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Interlocked.Read(ref _dataPoints));

    /// <summary>Debug exporter metrics-batch lines counted so far (one per exported batch).</summary>
    public long ExportedBatches => Interlocked.Read(ref _batches);

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            File.Delete(_configFile);
        }
        catch (IOException)
        {
            // leave it in /tmp
        }
    }

    private void OnLine(string line, bool isStdErr)
    {
        if (!isStdErr && DebugExporterLog.MetricsDataPoints(line) is { } dp)
        {
            Interlocked.Add(ref _dataPoints, dp);
            Interlocked.Increment(ref _batches);
        }
    }

    private async Task WaitHealthyAsync(int healthPort, string readyPath, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{healthPort}{readyPath}"));
        var start = time.GetTimestamp();
        string last = "no answer";
        while (time.GetElapsedTime(start) < timeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), time, cancellationToken).ConfigureAwait(false);
                throw new SetupException($"the node exited during start-up. Last output:\n{Tail()}");
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

        throw new SetupException(
            $"the node's health check ({url}) did not answer 200 within {timeout.TotalSeconds:0} s ({last}). Last output:\n{Tail()}");
    }

    internal static string Version(string dll)
    {
        var v = FileVersionInfo.GetVersionInfo(dll);
        return $"{v.ProductVersion ?? v.FileVersion ?? "?"} ({dll}, built {File.GetLastWriteTimeUtc(dll):yyyy-MM-dd HH:mm:ss}Z)";
    }
}
