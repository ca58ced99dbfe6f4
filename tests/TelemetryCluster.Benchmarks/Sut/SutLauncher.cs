using TelemetryCluster.Benchmarks.Harness;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>Starts systems under test for workloads; knows where the node is and whether the floor stands in for it.</summary>
internal sealed class SutLauncher(BenchmarkOptions options, TimeProvider timeProvider)
{
    private readonly Lazy<string> _nodeDll = new(() => RepoLayout.NodeDll(options.NodePath));

    /// <summary>Path of the node's dll (throws <see cref="SetupException"/> saying how to build it).</summary>
    public string NodeDll => _nodeDll.Value;

    /// <summary>True when <c>--project-sut floor</c>: the project side is the floor too (harness self-check).</summary>
    public bool FloorAsProject => options.ProjectSut == "floor";

    public async Task<ISystemUnderTest> StartFloorAsync(CancellationToken cancellationToken) =>
        await FloorSut.StartAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);

    public async Task<ISystemUnderTest> StartNodeAsync(Func<NodePorts, string> config, CancellationToken cancellationToken) =>
        await NodeSut.StartAsync(NodeDll, config, timeProvider, options.StartTimeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A node as <see cref="NodeSut"/> (for its per-node sink counts), ready once its health check answers
    /// 200 on <paramref name="readyPath"/> (for cluster members: <c>/readyz</c>, 200 once the node is a member and its
    /// pipelines run).
    /// </summary>
    public Task<NodeSut> StartClusterNodeAsync(Func<NodePorts, string> config, string readyPath, CancellationToken cancellationToken) =>
        NodeSut.StartAsync(NodeDll, config, timeProvider, options.StartTimeout, cancellationToken, readyPath);

    /// <summary>A node without a downstream sink (its pipeline ends in, e.g., the <c>prometheus</c> exporter); ready on <c>/</c>.</summary>
    public Task<NodeSut> StartNodeWithoutSinkAsync(Func<NodePorts, string> config, CancellationToken cancellationToken) =>
        NodeSut.StartAsync(NodeDll, config, timeProvider, options.StartTimeout, cancellationToken, withSink: false);

    /// <summary>
    /// An OTLP metrics sink for <paramref name="side"/>: the project is a node running <paramref name="projectConfig"/>
    /// (or the floor with <c>--project-sut floor</c>); the baseline is the floor.
    /// </summary>
    public Task<ISystemUnderTest> StartMetricsSinkAsync(Side side, Func<NodePorts, string> projectConfig, CancellationToken cancellationToken) =>
        side == Side.Project && !FloorAsProject
            ? StartNodeAsync(projectConfig, cancellationToken)
            : StartFloorAsync(cancellationToken);
}
