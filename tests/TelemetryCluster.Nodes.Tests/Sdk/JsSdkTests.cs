using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>
/// The OpenTelemetry JS SDK (npm, pinned in tests/clients/js) exporting OTLP over gRPC to a started
/// <c>telemetry-cluster</c> process: the client must report success for exactly N items and the node's debug exporter
/// must count exactly N. Needs <c>node</c> and <c>npm ci</c> in tests/clients/js; fails with instructions otherwise.
/// </summary>
public sealed class JsSdkTests(SdkNodeFixture node) : IClassFixture<SdkNodeFixture>
{
    /// <summary>Items per run; with <see cref="Batches"/> export requests of 84, 84 and 82 items.</summary>
    private const int Count = 250;
    private const int Batches = 3;

    [Theory]
    [InlineData(Signal.Metrics)]
    [InlineData(Signal.Logs)]
    [InlineData(Signal.Traces)]
    public async Task The_JS_SDK_delivers_exactly_N_items_over_gRPC(Signal signal)
    {
        JsClient.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        var before = node.Exported();

        var run = await JsClient.SendAsync(signal.ToConfigName(), node.GrpcEndpoint, Count, Batches, $"telemetrycluster.test.js.{signal.ToConfigName()}", ct);

        Assert.True(run.ExitCode == 0 && run.Ok && run.Sent == Count, $"send.mjs did not report success for {Count} items.\n{run.Output}\n{node.Node.Describe()}");
        var delivered = await node.DeliveredSinceAsync(before, signal, ct);
        Assert.True(
            SignalCounts.Of(signal, Count) == delivered,
            $"the debug exporter counted {delivered}, the JS SDK sent {Count} {signal.ToConfigName()} items.\n{run.Output}\n{node.Node.Describe()}");
        TestContext.Current.TestOutputHelper?.WriteLine($"node {node.Node.Id} (healthy after {node.StartupTime.TotalMilliseconds:F0} ms): delivered {delivered}; send.mjs: {run.Summary}");
    }
}
