using Akka;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>One <c>batch</c> processor instance (per pipeline, per partition): its telemetry and its flow.</summary>
internal sealed class BatchProcessor : IProcessor
{
    private readonly ComponentContext _context;
    private readonly PipelineId _pipeline;
    private readonly ILogger _logger;

    public BatchProcessor(ComponentContext context, PipelineId pipeline, BatchProcessorConfig config, long? bufferCapacity = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        _context = context;
        _pipeline = pipeline;
        Config = config;
        BufferCapacity = bufferCapacity ?? config.BufferCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferCapacity, 1, nameof(bufferCapacity));
        _logger = context.CreateLogger();
        Telemetry = new BatchProcessorTelemetry(context.Telemetry.Meter, context.Id, pipeline);
    }

    public BatchProcessorConfig Config { get; }

    /// <summary>Items the stage holds at most before it stops pulling (see <see cref="BatchProcessorConfig.BufferCapacity"/>).</summary>
    public long BufferCapacity { get; }

    internal BatchProcessorTelemetry Telemetry { get; }

    /// <summary>False: the processor builds new requests and never changes the payloads it receives.</summary>
    public bool MutatesData => false;

    /// <summary>Counts and merges through <see cref="OtlpItems"/>, which expands only the entries it has to split.</summary>
    public bool HandlesEncodedEntries => true;

    public Flow<TelemetryBatch, TelemetryBatch, NotUsed> CreateFlow() =>
        Flow.FromGraph(new BatchProcessorStage(Config, BufferCapacity, _context, _pipeline, Telemetry, _logger));
}
