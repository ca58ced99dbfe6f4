using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Config;

/// <summary>A configured component: its id as written, its factory, its bound config record and its display path.</summary>
public sealed record ComponentSpec(ComponentId Id, ComponentKind Kind, IComponentFactory Factory, object Config, string Path);

/// <summary>One <c>service.pipelines</c> entry; lists keep the written order (receivers and exporters de-duplicated).</summary>
public sealed record PipelineDefinition(PipelineId Id, IReadOnlyList<ComponentId> Receivers, IReadOnlyList<ComponentId> Processors, IReadOnlyList<ComponentId> Exporters);

/// <summary>When a receiver's client gets its answer (<c>cluster.delivery</c>).</summary>
public enum Delivery
{
    /// <summary>Once the batch is queued at its pipeline partition (default).</summary>
    Accepted,

    /// <summary>Once every exporter of every target pipeline has finished with the batch.</summary>
    Exported,
}

/// <summary>Engine settings from the <c>cluster { }</c> block (defaults in hocon/reference.conf).</summary>
public sealed record EngineSettings(Delivery Delivery, int Partitions, int PipelineQueueSize, TimeSpan AdmissionTimeout, TimeSpan RetryAfter, TimeSpan DrainTimeout)
{
    /// <summary>Parts a node keeps in flight per pipeline partition before refusing (<c>cluster.max-in-flight</c>).</summary>
    public int MaxInFlight { get; init; } = 16;

    /// <summary>How long a receiver waits for a partition to queue a batch (<c>cluster.ask-timeout</c>).</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a receiver waits for a partition's export under delivery = exported (<c>cluster.export-timeout</c>).</summary>
    public TimeSpan ExportTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Directory for node-local state such as filelog checkpoints (<c>cluster.storage-dir</c>); null = <c>./data</c>.</summary>
    public string? StorageDir { get; init; }
}

/// <summary>
/// <c>service.telemetry</c>: log level (<c>debug|info|warn|error</c>), metrics level (<c>none|basic|normal|detailed</c>)
/// and the address of our own metrics endpoint (null when the metrics level is <c>none</c>).
/// </summary>
public sealed record TelemetrySettings(string LogLevel, string MetricsLevel, string? MetricsAddress);

/// <summary>
/// A validated configuration. The four component dictionaries hold only the components that run: those referenced
/// by a pipeline and the extensions listed in <c>service.extensions</c>. Components that are defined but unused were
/// still fully validated (type, keys, values), as the collector does, but are not in the spec. <see cref="Root"/> is
/// the whole merged tree (user over reference.conf), including the <c>akka { }</c> passthrough and <c>cluster { }</c>.
/// </summary>
public sealed record PipelineSpec(
    IReadOnlyDictionary<ComponentId, ComponentSpec> Receivers,
    IReadOnlyDictionary<ComponentId, ComponentSpec> Processors,
    IReadOnlyDictionary<ComponentId, ComponentSpec> Exporters,
    IReadOnlyDictionary<ComponentId, ComponentSpec> Extensions,
    IReadOnlyList<PipelineDefinition> Pipelines,
    IReadOnlyList<ComponentId> ServiceExtensions,
    EngineSettings Engine,
    TelemetrySettings Telemetry,
    Akka.Configuration.Config Root,
    IReadOnlyList<string> Warnings);
