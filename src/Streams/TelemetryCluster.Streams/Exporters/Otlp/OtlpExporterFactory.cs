using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>
/// The <c>otlp_grpc</c> exporter (old name <c>otlp</c>, which ADOT configs use; accepted with a deprecation warning):
/// sends metrics, logs and traces over OTLP/gRPC to a collector, a backend or another cluster.
/// </summary>
public sealed class OtlpExporterFactory : IExporterFactory
{
    public const string TypeName = "otlp_grpc";

    public const string OldTypeName = "otlp";

    public string Type => TypeName;

    public IReadOnlyList<string> Aliases { get; } = [OldTypeName];

    public ComponentKind Kind => ComponentKind.Exporter;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Traces] = Stability.Stable,
        [Signal.Metrics] = Stability.Stable,
        [Signal.Logs] = Stability.Stable,
    };

    public Stability Stability => Stability.Stable;

    public string DefaultsResource => "Exporters/Otlp/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader) => OtlpExporterConfig.Bind(reader);

    public IExporter CreateExporter(ComponentContext context, object config)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = config as OtlpExporterConfig
            ?? throw new ArgumentException($"expected {nameof(OtlpExporterConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config));
        return new OtlpExporter(context, settings);
    }
}
