using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>The <c>otlp</c> receiver: OTLP over gRPC (4317) and HTTP (4318), metrics, logs and traces (stable).</summary>
public sealed class OtlpReceiverFactory : IReceiverFactory
{
    public const string TypeName = "otlp";

    public string Type => TypeName;

    public IReadOnlyList<string> Aliases => [];

    public ComponentKind Kind => ComponentKind.Receiver;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Metrics] = Stability.Stable,
        [Signal.Logs] = Stability.Stable,
        [Signal.Traces] = Stability.Stable,
    };

    public Stability Stability => Stability.Stable;

    public string DefaultsResource => "Receivers/Otlp/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return OtlpReceiverConfig.Bind(reader);
    }

    public IReceiver CreateReceiver(ComponentContext context, object config) =>
        new OtlpReceiver(context, config as OtlpReceiverConfig
            ?? throw new ArgumentException($"expected {nameof(OtlpReceiverConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config)));
}
