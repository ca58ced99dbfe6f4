using System.Globalization;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Processes;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// The floor (<see cref="FloorServer"/>) in a child process: this executable re-launched as <c>floor-server</c>. It is
/// the baseline of otlp-ingest, and also the downstream sink of every node under test (the node's <c>otlp</c> exporter
/// sends to it; its <c>GET /count</c> is what the node delivered).
/// </summary>
internal sealed class FloorSut : ISystemUnderTest
{
    private readonly ChildProcess _process;
    private readonly TaskCompletionSource<(int Grpc, int Control)> _ready =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Uri? _countUrl;

    private FloorSut(SelfCommand self, string name)
    {
        Name = name;
        _process = ChildProcess.Start(
            name,
            self.FileName,
            [.. self.PrefixArguments, CommandLine.FloorServerVerb, "--port", "0", "--control-port", "0"],
            OnLine);
    }

    public string Name { get; }

    public int Pid => _process.Pid;

    public Uri OtlpGrpcEndpoint { get; private set; } = new("http://127.0.0.1:0");

    /// <summary>Starts a floor server; <paramref name="name"/> is <c>floor</c> for the baseline, <c>sink</c> behind a node.</summary>
    public static async Task<FloorSut> StartAsync(TimeSpan startTimeout, CancellationToken cancellationToken, string name = "floor")
    {
        var sut = new FloorSut(SelfCommand.Current(), name);
        try
        {
            var exited = sut._process.WaitForExitAsync(cancellationToken);
            await Task.WhenAny(sut._ready.Task, exited).WaitAsync(startTimeout, cancellationToken).ConfigureAwait(false);
            if (!sut._ready.Task.IsCompleted)
            {
                throw new TimeoutException();
            }

            var (grpc, control) = await sut._ready.Task.ConfigureAwait(false);
            sut.OtlpGrpcEndpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{grpc}"));
            sut._countUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{control}/count"));
            return sut;
        }
        catch (TimeoutException)
        {
            var tail = sut.Tail();
            await sut.DisposeAsync().ConfigureAwait(false);
            throw new SetupException($"the floor server ({name}) did not start (exited, or not ready within {startTimeout.TotalSeconds:0} s). Last output:\n{tail}");
        }
    }

    public int? SinkPid => null;

    public async Task<long> ReceivedDataPointsAsync(CancellationToken cancellationToken) =>
        (await CountAsync(cancellationToken).ConfigureAwait(false)).DataPoints;

    /// <summary>The floor's counters from <c>GET /count</c>: data points and Export requests received so far.</summary>
    public async Task<(long DataPoints, long Requests)> CountAsync(CancellationToken cancellationToken)
    {
        var parts = (await _http.GetStringAsync(_countUrl, cancellationToken).ConfigureAwait(false)).Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The log records and OTLP logs Export requests received so far (from <c>GET /count</c>).</summary>
    public async Task<(long LogRecords, long Requests)> LogCountAsync(CancellationToken cancellationToken)
    {
        var parts = (await _http.GetStringAsync(_countUrl, cancellationToken).ConfigureAwait(false)).Split(' ');
        return (long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private void OnLine(string line, bool isStdErr)
    {
        if (isStdErr || !line.StartsWith(FloorServer.ReadyPrefix, StringComparison.Ordinal))
        {
            return;
        }

        int grpc = 0, control = 0;
        foreach (var part in line[FloorServer.ReadyPrefix.Length..].Split(' '))
        {
            var kv = part.Split('=');
            if (kv.Length == 2 && int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            {
                if (kv[0] == "grpc")
                {
                    grpc = v;
                }
                else if (kv[0] == "control")
                {
                    control = v;
                }
            }
        }

        _ready.TrySetResult((grpc, control));
    }
}

/// <summary>How to start this executable again (apphost, or <c>dotnet TelemetryCluster.Benchmarks.dll</c>).</summary>
internal sealed record SelfCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public static SelfCommand Current()
    {
        var path = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? new SelfCommand(path, [typeof(SelfCommand).Assembly.Location])
            : new SelfCommand(path, []);
    }
}
