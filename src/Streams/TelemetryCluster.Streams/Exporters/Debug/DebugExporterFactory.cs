using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>
/// The <c>debug</c> exporter (old name <c>logging</c>): writes what it receives to the node's log, sampled per
/// second like the collector's zap sampler. Meant for trying pipelines out, not for production data.
/// </summary>
public sealed class DebugExporterFactory : IExporterFactory
{
    public string Type => "debug";

    public IReadOnlyList<string> Aliases { get; } = ["logging"];

    public ComponentKind Kind => ComponentKind.Exporter;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Traces] = Stability.Development,
        [Signal.Metrics] = Stability.Development,
        [Signal.Logs] = Stability.Development,
    };

    public Stability Stability => Stability.Development;

    public string DefaultsResource => "Exporters/Debug/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader) => DebugExporterConfig.Bind(reader);

    public IExporter CreateExporter(ComponentContext context, object config)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = config as DebugExporterConfig
            ?? throw new ArgumentException($"expected {nameof(DebugExporterConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config));
        return new DebugExporter(context, settings, settings.UseInternalLogger ? null : Console.Out);
    }
}
