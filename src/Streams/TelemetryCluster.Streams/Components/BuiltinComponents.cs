namespace TelemetryCluster.Streams.Components;

/// <summary>
/// The one place where the component factories of this assembly are listed; <see cref="ComponentRegistry.Builtin"/>
/// is built from it. Add a factory here when its component folder lands (keep the list sorted by kind, then type).
/// Factories are stateless, so sharing the instances is safe. Components of other assemblies (e.g. the AWS
/// exporters) are added by the host: <c>ComponentRegistry.Builtin().With(AwsComponents.All)</c>.
/// </summary>
public static class BuiltinComponents
{
    public static IReadOnlyList<IComponentFactory> All { get; } =
    [
        new Receivers.FileLog.FileLogReceiverFactory(),
        new Receivers.Otlp.OtlpReceiverFactory(),
        new Processors.Batch.BatchProcessorFactory(),
        new Exporters.Debug.DebugExporterFactory(),
        new Exporters.Otlp.OtlpExporterFactory(),
        new Extensions.HealthCheck.HealthCheckExtensionFactory(),
    ];
}
