using System.Diagnostics;
using System.Globalization;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Processes;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// A TelemetryCluster node in its own process: <c>dotnet telemetry-cluster.dll run --config FILE</c> with the GC
/// environment of the node image (<see cref="RepoLayout.NodeRuntimeEnvironment"/>), with its own
/// downstream sink: a floor server (<see cref="FloorSut"/>, a separate process started first) that the node's
/// <c>otlp</c> exporter sends to. Ready when the health_check extension answers 200 on <c>/</c> (or <c>/readyz</c>).
/// Data points received downstream = the sink's <c>GET /count</c>; the sink's CPU is not the node's. A node whose
/// pipeline ends elsewhere (prometheus-scrape: the <c>prometheus</c> exporter) starts without a sink
/// (<see cref="StartAsync"/> with <c>withSink: false</c>; its <see cref="NodePorts.Sink"/> is then 0).
/// </summary>
internal sealed class NodeSut : ISystemUnderTest
{
    private readonly ChildProcess _process;
    private readonly string _configFile;
    private readonly FloorSut? _sink;

    private NodeSut(string dll, string configFile, int grpcPort, FloorSut? sink)
    {
        _configFile = configFile;
        _sink = sink;
        OtlpGrpcEndpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{grpcPort}"));
        _process = ChildProcess.Start(
            "node",
            "dotnet",
            [dll, "run", "--config", configFile],
            workingDirectory: Path.GetDirectoryName(dll),
            environment: RepoLayout.NodeRuntimeEnvironment());
    }

    public string Name => "node";

    public int Pid => _process.Pid;

    public int? SinkPid => _sink?.Pid;

    public Uri OtlpGrpcEndpoint { get; }

    /// <summary>
    /// Starts the sink, then a node with the config made by <paramref name="config"/>(its ports, the sink's port
    /// included), and waits until its health check answers 200 on <paramref name="readyPath"/> (<c>/</c>, the v1 path;
    /// or <c>/readyz</c>).
    /// </summary>
    public static async Task<NodeSut> StartAsync(
        string dll,
        Func<NodePorts, string> config,
        TimeProvider time,
        TimeSpan startTimeout,
        CancellationToken cancellationToken,
        string readyPath = "/",
        bool withSink = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        var sink = withSink ? await FloorSut.StartAsync(startTimeout, cancellationToken, "sink").ConfigureAwait(false) : null;
        NodeSut sut;
        NodePorts ports;
        try
        {
            ports = new NodePorts(FreePort.Next(), FreePort.Next(), sink?.OtlpGrpcEndpoint.Port ?? 0);
            var file = Path.Combine(Path.GetTempPath(), $"tc-bench-{Environment.ProcessId}-{ports.OtlpGrpc}.conf");
            await File.WriteAllTextAsync(file, config(ports), cancellationToken).ConfigureAwait(false);
            sut = new NodeSut(dll, file, ports.OtlpGrpc, sink);
        }
        catch
        {
            if (sink is not null)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        try
        {
            await sut.WaitHealthyAsync(ports.Health, readyPath, time, startTimeout, cancellationToken).ConfigureAwait(false);
            return sut;
        }
        catch
        {
            await sut.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task<long> ReceivedDataPointsAsync(CancellationToken cancellationToken) => Sink.ReceivedDataPointsAsync(cancellationToken);

    /// <summary>What the sink received so far: data points, and Export requests (one per batch the node exported).</summary>
    public Task<(long DataPoints, long Requests)> SinkCountAsync(CancellationToken cancellationToken) => Sink.CountAsync(cancellationToken);

    /// <summary>What the sink received so far on OTLP logs: log records, and Export requests (one per batch the node exported).</summary>
    public Task<(long LogRecords, long Requests)> SinkLogCountAsync(CancellationToken cancellationToken) => Sink.LogCountAsync(cancellationToken);

    public string Tail() => _sink is null
        ? _process.Tail()
        : _process.Tail() + "\n--- its sink (floor-server, pid " + _sink.Pid.ToString(CultureInfo.InvariantCulture) + ") ---\n" + _sink.Tail();

    private FloorSut Sink => _sink ?? throw new InvalidOperationException("this node was started without a sink");

    public async ValueTask DisposeAsync()
    {
        // The node first (it flushes into the sink while stopping), then the sink.
        await _process.DisposeAsync().ConfigureAwait(false);
        if (_sink is not null)
        {
            await _sink.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            File.Delete(_configFile);
        }
        catch (IOException)
        {
            // leave it in /tmp
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
