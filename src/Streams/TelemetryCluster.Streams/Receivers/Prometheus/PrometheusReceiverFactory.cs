using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.Prometheus;

/// <summary>The <c>prometheus</c> receiver: scrapes Prometheus/OpenMetrics targets into OTLP metrics (beta, as in the collector).</summary>
public sealed class PrometheusReceiverFactory : IReceiverFactory
{
    public const string TypeName = "prometheus";

    public string Type => TypeName;

    public IReadOnlyList<string> Aliases => [];

    public ComponentKind Kind => ComponentKind.Receiver;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Metrics] = Stability.Beta,
    };

    public Stability Stability => Stability.Beta;

    public string DefaultsResource => "Receivers/Prometheus/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return PrometheusReceiverConfig.Bind(reader);
    }

    public IReceiver CreateReceiver(ComponentContext context, object config) =>
        new PrometheusReceiver(context, config as PrometheusReceiverConfig
            ?? throw new ArgumentException($"expected {nameof(PrometheusReceiverConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config)));
}
