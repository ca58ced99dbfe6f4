using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TelemetryCluster.Testing;

namespace TelemetryCluster.ClusterTests.Support;

/// <summary>The loopback ports of one node.</summary>
public sealed record NodePorts(int Grpc, int Health, int Management, int Remoting);

/// <summary>
/// One <c>telemetry-cluster</c> process of a <see cref="TestCluster"/>: its ports, config file, OTLP sink, and the
/// HTTP views the tests read (health <c>/readyz</c>, management <c>/cluster/members</c>, <c>/cluster/shards</c>,
/// <c>/pipelines</c>).
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private NodeProcess? _process;

    internal ClusterNode(int index, NodePorts ports, SinkServer sink, string configPath)
    {
        Index = index;
        Ports = ports;
        Sink = sink;
        ConfigPath = configPath;
    }

    /// <summary>1-based, as in "node 1".</summary>
    public int Index { get; }

    public string Name => $"node{Index}";

    public NodePorts Ports { get; }

    public SinkServer Sink { get; }

    public string ConfigPath { get; }

    /// <summary>This node's Akka address, as the cluster reports members.</summary>
    public string Address => $"akka.tcp://telemetry-cluster@127.0.0.1:{Ports.Remoting.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The management endpoint, <c>127.0.0.1:PORT</c>.</summary>
    public string ManagementEndpoint => $"127.0.0.1:{Ports.Management.ToString(CultureInfo.InvariantCulture)}";

    public Uri OtlpGrpc => new($"http://127.0.0.1:{Ports.Grpc.ToString(CultureInfo.InvariantCulture)}");

    public NodeProcess Process => _process ?? throw new InvalidOperationException($"{Name} was not started");

    public bool Started => _process is not null;

    public bool HasExited => _process?.HasExited ?? false;

    internal void Start(IReadOnlyList<string> extraArguments)
    {
        _process = NodeProcess.StartNode(["--config", ConfigPath, .. extraArguments]);
    }

    /// <summary>SIGTERM: the node drains, hands off its partitions, leaves and exits.</summary>
    public void Terminate() => Process.Terminate();

    /// <summary>SIGKILL: the node is gone at once.</summary>
    public void Kill() => Process.Kill();

    /// <summary>Resident set size of the node process (bytes; 0 when it is gone).</summary>
    public long ResidentBytes()
    {
        if (_process is null || _process.HasExited)
        {
            return 0;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone
        }

        return 0;
    }

    /// <summary>True when <c>/readyz</c> answers 200.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{Ports.Health.ToString(CultureInfo.InvariantCulture)}/readyz"), cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>The <c>/readyz</c> status code (0 when nothing answers).</summary>
    public async Task<int> ReadinessAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{Ports.Health.ToString(CultureInfo.InvariantCulture)}/readyz"), cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    /// <summary><c>GET /cluster/members</c>; null when the endpoint does not answer (yet).</summary>
    public Task<MembersView?> MembersAsync(CancellationToken cancellationToken = default) => GetAsync<MembersView>("/cluster/members", cancellationToken);

    /// <summary><c>GET /cluster/shards</c>; null when the endpoint does not answer.</summary>
    public Task<ShardsView?> ShardsAsync(CancellationToken cancellationToken = default) => GetAsync<ShardsView>("/cluster/shards", cancellationToken);

    /// <summary><c>GET /pipelines</c>; null when the endpoint does not answer.</summary>
    public Task<PipelinesView?> PipelinesAsync(CancellationToken cancellationToken = default) => GetAsync<PipelinesView>("/pipelines", cancellationToken);

    /// <summary>The captured output (stdout and stderr), for diagnostics.</summary>
    public string Describe() => _process?.Describe() ?? $"{Name} was not started";

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override string ToString() => $"{Name} ({Address}, otlp :{Ports.Grpc}, mgmt :{Ports.Management}, health :{Ports.Health}, pid {(_process is null ? "-" : _process.Id.ToString(CultureInfo.InvariantCulture))}{(HasExited ? ", exited" : string.Empty)})";

    internal async Task<T?> GetAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://{ManagementEndpoint}{path}"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>The answer of <c>GET /cluster/members</c>.</summary>
public sealed record MembersView(string Self, string SelfStatus, string? Leader, IReadOnlyList<MemberView> Members, IReadOnlyList<string> Unreachable)
{
    public int CountUp() => Members.Count(m => m.Status == "Up" && m.Reachable);

    public bool Lists(string address) => Members.Any(m => m.Address == address);
}

public sealed record MemberView(string Address, string Status, bool Reachable);

/// <summary>The answer of <c>GET /cluster/shards</c>.</summary>
public sealed record ShardsView(IReadOnlyList<RegionView> Regions)
{
    /// <summary>The <c>pipeline-partition</c> region (null when absent).</summary>
    public RegionView? Partitions => Regions.FirstOrDefault(r => r.TypeName == "pipeline-partition");

    /// <summary>Partition (shard id) → node address of the partition region.</summary>
    public Dictionary<int, string> PartitionHomes() =>
        Partitions?.Shards
            .Where(s => int.TryParse(s.Shard, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(s => int.Parse(s.Shard, CultureInfo.InvariantCulture), s => s.Node)
        ?? [];
}

public sealed record RegionView(string TypeName, IReadOnlyList<ShardView> Shards, IReadOnlyList<RegionNodeView> Nodes, IReadOnlyList<string> Failed, string? Error);

public sealed record ShardView(string Shard, string Node, int Entities);

public sealed record RegionNodeView(string Node, int Shards, int Entities);

/// <summary>The answer of <c>GET /pipelines</c>.</summary>
public sealed record PipelinesView(string Node, string State, IReadOnlyList<PipelineView> Pipelines);

public sealed record PipelineView(string Pipeline, int Segments, int Queued, int QueueCapacity, IReadOnlyList<ComponentView> Components);

public sealed record ComponentView(string Kind, string Id, IReadOnlyDictionary<string, long> Counters);
