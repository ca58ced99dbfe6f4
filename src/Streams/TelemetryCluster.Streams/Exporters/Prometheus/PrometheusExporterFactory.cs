using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// The <c>prometheus</c> exporter: keeps the latest value of every series it is given (push → pull) and serves it
/// on <c>/metrics</c> for Prometheus to scrape; in the cluster every node answers with the whole cluster's series.
/// </summary>
public sealed class PrometheusExporterFactory : IExporterFactory
{
    public string Type => "prometheus";

    public IReadOnlyList<string> Aliases { get; } = [];

    public ComponentKind Kind => ComponentKind.Exporter;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Metrics] = Stability.Beta,
    };

    public Stability Stability => Stability.Beta;

    public string DefaultsResource => "Exporters/Prometheus/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader) => PrometheusExporterConfig.Bind(reader);

    public IExporter CreateExporter(ComponentContext context, object config)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = config as PrometheusExporterConfig
            ?? throw new ArgumentException($"expected {nameof(PrometheusExporterConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config));
        return new PrometheusExporter(context, settings);
    }
}
