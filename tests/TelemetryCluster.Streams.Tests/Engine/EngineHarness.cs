using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Streams.Tests.Engine;

/// <summary>Builds a <see cref="PipelineSpec"/> by hand from fake components and runs it in a <see cref="PipelineHost"/>.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly List<PipelineDefinition> _pipelines = [];
    private readonly Dictionary<ComponentId, ComponentSpec> _receivers = [];
    private readonly Dictionary<ComponentId, ComponentSpec> _processors = [];
    private readonly Dictionary<ComponentId, ComponentSpec> _exporters = [];

    public EngineHarness(ActorSystem system) => _system = system;

    public FakeReceiverFactory ReceiverFactory { get; } = new();

    public GateExporterFactory ExporterFactory { get; } = new();

    public RenameProcessorFactory RenameFactory { get; } = new();

    public EngineSettings Engine { get; set; } = new(Delivery.Accepted, 1, 4, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

    public Dictionary<ComponentId, object> ExporterConfigs { get; } = [];

    public PipelineHost? Host { get; private set; }

    public EngineTelemetry Telemetry { get; } = new();

    public ComponentStatusRegistry Status { get; } = new(TimeProvider.System);

    public EngineHarness Pipeline(string id, string[] receivers, string[] processors, string[] exporters)
    {
        PipelineId.TryParse(id, out var pid, out _);
        foreach (var r in receivers)
        {
            var cid = ComponentId.Parse(r);
            _receivers[cid] = new ComponentSpec(cid, ComponentKind.Receiver, ReceiverFactory, new object(), "receivers." + r);
        }

        foreach (var p in processors)
        {
            var cid = ComponentId.Parse(p);
            _processors[cid] = new ComponentSpec(cid, ComponentKind.Processor, RenameFactory, new object(), "processors." + p);
        }

        foreach (var e in exporters)
        {
            var cid = ComponentId.Parse(e);
            var config = ExporterConfigs.TryGetValue(cid, out var c) ? c : new object();
            _exporters[cid] = new ComponentSpec(cid, ComponentKind.Exporter, ExporterFactory, config, "exporters." + e);
        }

        _pipelines.Add(new PipelineDefinition(pid, receivers.Select(ComponentId.Parse).ToList(), processors.Select(ComponentId.Parse).ToList(), exporters.Select(ComponentId.Parse).ToList()));
        return this;
    }

    public async Task<PipelineHost> StartAsync()
    {
        var spec = new PipelineSpec(
            _receivers,
            _processors,
            _exporters,
            new Dictionary<ComponentId, ComponentSpec>(),
            _pipelines,
            [],
            Engine,
            new TelemetrySettings("info", "normal", null),
            Akka.Configuration.Config.Empty,
            []);
        Host = new PipelineHost(spec, new PipelineHostContext(_system, _system.Materializer(), NullLoggerFactory.Instance, TimeProvider.System, Status, Telemetry));
        await Host.StartAsync(CancellationToken.None);
        return Host;
    }

    public IReceiverConsumer Consumer(string receiver) => ReceiverFactory.Created[ComponentId.Parse(receiver)].Consumer!;

    public GateExporter Exporter(string exporter) => ExporterFactory.Created[ComponentId.Parse(exporter)];

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Telemetry.Dispose();
    }
}
