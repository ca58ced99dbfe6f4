using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>
/// The <c>batch</c> processor: merges requests into batches of <c>send_batch_size</c> items (at most
/// <c>send_batch_max_size</c>), sends partial batches after <c>timeout</c>, optionally one batcher per client-metadata
/// combination. Unlike the collector's it applies backpressure and passes every request's ack on.
/// </summary>
public sealed class BatchProcessorFactory : IProcessorFactory
{
    public string Type => "batch";

    public IReadOnlyList<string> Aliases { get; } = [];

    public ComponentKind Kind => ComponentKind.Processor;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Traces] = Stability.Stable,
        [Signal.Metrics] = Stability.Stable,
        [Signal.Logs] = Stability.Stable,
    };

    public Stability Stability => Stability.Stable;

    public string DefaultsResource => "Processors/Batch/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader) => BatchProcessorConfig.Bind(reader);

    public IProcessor CreateProcessor(ComponentContext context, PipelineId pipeline, object config)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = config as BatchProcessorConfig
            ?? throw new ArgumentException($"expected {nameof(BatchProcessorConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config));
        return new BatchProcessor(context, pipeline, settings);
    }
}
