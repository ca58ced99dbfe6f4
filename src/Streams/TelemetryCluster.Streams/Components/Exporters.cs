using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Components;

public interface IExporterFactory : IComponentFactory
{
    /// <summary>One instance per exporter ID on a node, shared by the pipelines that list it.</summary>
    IExporter CreateExporter(ComponentContext context, object config);
}

/// <summary>
/// An exporter sends one batch somewhere. The engine's exporter kit wraps it in a sink stage with timeout,
/// retry_on_failure and status reporting, and releases the batch's acks with the outcome.
/// </summary>
public interface IExporter
{
    /// <summary>
    /// True when the exporter accepts batches whose resource entries may still be encoded (see
    /// <see cref="Data.OtlpWire"/>); otherwise the engine expands every batch before <see cref="ExportAsync"/>.
    /// </summary>
    bool HandlesEncodedEntries => false;

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Exports one batch; throws <see cref="ExportException"/> (or any exception: retryable) on failure.</summary>
    Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken);

    /// <summary>Flushes and releases clients; called after every pipeline that uses it has drained.</summary>
    Task ShutdownAsync(CancellationToken cancellationToken);
}

/// <summary>An export failure; <see cref="Permanent"/> failures are never retried.</summary>
public sealed class ExportException(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>
/// Implemented by exporter config records that carry the shared exporter settings (<c>timeout</c>,
/// <c>retry_on_failure</c>); read them with <see cref="Engine.ExporterSettings.Read"/>. Exporters without it
/// run with no timeout and no retries.
/// </summary>
public interface IExporterConfig
{
    Engine.ExporterSettings Exporter { get; }
}
