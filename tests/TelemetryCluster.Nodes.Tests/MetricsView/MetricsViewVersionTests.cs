using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Nodes.Tests.Management;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.Tests.MetricsView;

/// <summary>
/// The MetricsView singleton's content versions, on a real one-member cluster: a refresh push with the held version
/// keeps the merged view (version and instance), an ask naming the current version gets no snapshot, anything else
/// moves the version.
/// </summary>
public sealed class MetricsViewVersionTests : IAsyncLifetime
{
    private ActorSystem _system = null!;
    private IActorRef _view = null!;
    private string _self = null!;

    public async ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("metrics-view-version", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = OFF
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            """));
        var cluster = Cluster.Get(_system);
        await cluster.JoinAsync(cluster.SelfAddress, TestContext.Current.CancellationToken);
        await ManagementTestNode.WaitUntilAsync(() => cluster.SelfMember.Status == MemberStatus.Up, "self Up", TestContext.Current.CancellationToken);
        _self = cluster.SelfAddress.ToString();
        _view = _system.ActorOf(MetricsViewActor.Props());
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private static PrometheusSnapshot Snapshot(double value) =>
        new([new PrometheusFamily("g", PrometheusMetricType.Gauge, "h", string.Empty, [new PrometheusSeries([new PrometheusLabel("a", "b")], 1, value)])]);

    private Task<PrometheusView> Get(PrometheusContentVersion known = default) =>
        _view.Ask<PrometheusView>(new GetPrometheusView("prometheus", known), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_refresh_with_the_held_version_keeps_the_view_and_other_pushes_move_it()
    {
        var node = new PrometheusContentVersion(11, 1);
        _view.Tell(new NodePrometheusSnapshot(_self, "prometheus", Snapshot(1), node));
        var first = await Get();
        Assert.True(first.Version.IsKnown);
        Assert.Equal(1, Assert.Single(Assert.Single(first.Snapshot!.Families).Series).Value);

        // Asked with the current version: no snapshot.
        var unchanged = await Get(first.Version);
        Assert.Null(unchanged.Snapshot);
        Assert.Equal(first.Version, unchanged.Version);

        // The periodic refresh: the same content version again (another instance) changes nothing.
        _view.Tell(new NodePrometheusSnapshot(_self, "prometheus", Snapshot(1), node));
        Assert.Null((await Get(first.Version)).Snapshot);
        Assert.Same(first.Snapshot, (await Get()).Snapshot);

        // New content: a new version, and an ask with the old one gets the snapshot.
        _view.Tell(new NodePrometheusSnapshot(_self, "prometheus", Snapshot(2), node with { Sequence = 2 }));
        var second = await Get(first.Version);
        Assert.NotEqual(first.Version, second.Version);
        Assert.Equal(2, second.Snapshot!.Families[0].Series[0].Value);

        // A push without a version (an older node) always counts as a change.
        _view.Tell(new NodePrometheusSnapshot(_self, "prometheus", Snapshot(2), default));
        var third = await Get(second.Version);
        Assert.NotEqual(second.Version, third.Version);
        Assert.NotNull(third.Snapshot);

        // A push from an address that is no member is ignored.
        _view.Tell(new NodePrometheusSnapshot("akka.tcp://metrics-view-version@10.9.9.9:1", "prometheus", Snapshot(9), new PrometheusContentVersion(12, 1)));
        Assert.Null((await Get(third.Version)).Snapshot);

        // Another exporter has its own view and version.
        var other = await _view.Ask<PrometheusView>(new GetPrometheusView("prometheus/other", third.Version), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Empty(other.Snapshot!.Families);
        Assert.NotEqual(third.Version, other.Version);
    }
}
