using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>
/// The <c>health_check</c> extension: the collector's v1 health answer on <c>path</c> plus our liveness
/// (<c>/livez</c>), readiness (<c>/readyz</c>) and per-pipeline status (<c>/status</c>) on the same port.
/// </summary>
public sealed class HealthCheckExtensionFactory : IExtensionFactory
{
    public string Type => "health_check";

    public IReadOnlyList<string> Aliases { get; } = [];

    public ComponentKind Kind => ComponentKind.Extension;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>();

    public Stability Stability => Stability.Beta;

    public string DefaultsResource => "Extensions/HealthCheck/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader) => HealthCheckConfig.Bind(reader);

    public IExtension CreateExtension(ComponentContext context, object config)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = config as HealthCheckConfig
            ?? throw new ArgumentException($"expected {nameof(HealthCheckConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config));
        return new HealthCheckExtension(context, settings);
    }
}
