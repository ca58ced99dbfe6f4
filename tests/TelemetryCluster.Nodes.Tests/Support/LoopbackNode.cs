using System.Net;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;

namespace TelemetryCluster.Testing;

/// <summary>
/// A node process on the default config with its OTLP, health and remoting endpoints on free loopback ports, plus
/// extra HOCON that may use one more free port (<see cref="ExtraPort"/>), started and waited for until health
/// answers 200. Disposing it stops the process and deletes the extra config file.
/// </summary>
public sealed class LoopbackNode : IAsyncDisposable
{
    private readonly string _extraConfig;
    private readonly GrpcChannel _channel;

    private LoopbackNode(NodeProcess process, string extraConfig, int otlpGrpc, int health, int extraPort)
    {
        Process = process;
        _extraConfig = extraConfig;
        HealthPort = health;
        ExtraPort = extraPort;
        Client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{otlpGrpc}");
        Metrics = new MetricsService.MetricsServiceClient(_channel);
    }

    public NodeProcess Process { get; }

    public int HealthPort { get; }

    /// <summary>The free port handed to the extra HOCON (an exporter's or the own-telemetry endpoint).</summary>
    public int ExtraPort { get; }

    /// <summary>An HTTP client with a 5 s timeout, for probing the node.</summary>
    public HttpClient Client { get; }

    /// <summary>An OTLP/gRPC metrics client of the node's receiver.</summary>
    public MetricsService.MetricsServiceClient Metrics { get; }

    /// <summary>Starts the node with <paramref name="extraHocon"/> (given <see cref="ExtraPort"/>) and waits for health 200.</summary>
    public static async Task<LoopbackNode> StartAsync(Func<int, string> extraHocon, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(extraHocon);
        var ports = FreePorts.Take(5);
        var (grpc, http, health, remoting, extraPort) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
        var extra = Path.Combine(Path.GetTempPath(), $"loopback-node-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(extra, extraHocon(extraPort), ct);
        var process = NodeProcess.StartNode(
        [
            "--config", TestFiles.ApplicationConf,
            "--config", extra,
            "--set", $"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:{grpc}",
            "--set", $"receivers::otlp::protocols::http::endpoint=127.0.0.1:{http}",
            "--set", $"extensions::health_check::endpoint=127.0.0.1:{health}",
            "--set", $"cluster::port={remoting}",
        ]);
        var node = new LoopbackNode(process, extra, grpc, health, extraPort);
        try
        {
            await NodeWaits.UntilAsync(process, async () => (await NodeWaits.TryGetAsync(node.Client, $"http://127.0.0.1:{health}/")).Status == HttpStatusCode.OK, "health 200", ct);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        Client.Dispose();
        await Process.DisposeAsync();
        File.Delete(_extraConfig);
    }
}
