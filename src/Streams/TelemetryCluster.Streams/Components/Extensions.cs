namespace TelemetryCluster.Streams.Components;

public interface IExtensionFactory : IComponentFactory
{
    IExtension CreateExtension(ComponentContext context, object config);
}

/// <summary>An extension runs beside the pipelines (health_check, storage...). Started first, stopped last.</summary>
public interface IExtension
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}
