using Akka.Actor;
using Akka.Cluster;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Extensions.HealthCheck;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// Runs on every node: every <c>interval</c> (an Akka timer; the first report goes out at once) it builds this
/// node's <see cref="NodeHealthReport"/> from the <see cref="ComponentStatusRegistry"/> and tells the singleton
/// proxy, which buffers while the singleton is being located or handed over.
/// </summary>
internal sealed class NodeHealthReporter : ReceiveActor, IWithTimers
{
    private const string TimerKey = "report";

    private readonly IActorRef _view;
    private readonly ComponentStatusRegistry _status;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly string _self;

    public NodeHealthReporter(IActorRef view, ComponentStatusRegistry status, TimeProvider time, TimeSpan interval)
    {
        _view = view;
        _status = status;
        _time = time;
        _interval = interval;
        _self = Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<Tick>(_ => _view.Tell(Build(_self, _status, _time)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef view, ComponentStatusRegistry status, TimeProvider time, TimeSpan interval) =>
        Akka.Actor.Props.Create(() => new NodeHealthReporter(view, status, time, interval));

    /// <summary>
    /// This node's report: the service state and, per pipeline, the status /status shows (same aggregation rules,
    /// with the health_check default recovery window).
    /// </summary>
    public static NodeHealthReport Build(string address, ComponentStatusRegistry status, TimeProvider time)
    {
        var service = status.Service;
        var collector = HealthAggregator.Collector(service, status.Snapshot(), time.GetUtcNow(), HealthCheckConfig.Default.RecoveryDuration);
        var pipelines = collector.Components
            .Where(kv => kv.Key.StartsWith(HealthAggregator.PipelinePrefix, StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new PipelineHealth(
                kv.Key[HealthAggregator.PipelinePrefix.Length..],
                HealthAggregator.StatusName(kv.Value.Status),
                kv.Value.Healthy,
                string.IsNullOrEmpty(kv.Value.Error) ? null : kv.Value.Error));
        return new NodeHealthReport(address, StateName(service.State), collector.Healthy, time.GetUtcNow(), [.. pipelines]);
    }

    internal static string StateName(ServiceState state) => state switch
    {
        ServiceState.Starting => "starting",
        ServiceState.Running => "running",
        ServiceState.Draining => "draining",
        ServiceState.Stopped => "stopped",
        _ => "unknown",
    };

    protected override void PreStart()
    {
        Self.Tell(Tick.Instance);
        Timers.StartPeriodicTimer(TimerKey, Tick.Instance, _interval);
    }

    private sealed class Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
