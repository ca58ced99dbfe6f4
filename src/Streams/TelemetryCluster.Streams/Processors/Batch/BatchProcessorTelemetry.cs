using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>
/// The batch processor's self-metrics, with the collector's names, created once per processor instance on the
/// engine's <see cref="Meter"/> and tagged with <c>processor</c> and <c>pipeline</c>. Thread-safe.
/// </summary>
internal sealed class BatchProcessorTelemetry
{
    public const string SendSizeName = "otelcol_processor_batch_batch_send_size";
    public const string TimeoutTriggerName = "otelcol_processor_batch_timeout_trigger_send";
    public const string SizeTriggerName = "otelcol_processor_batch_batch_size_trigger_send";
    public const string MetadataCardinalityName = "otelcol_processor_batch_metadata_cardinality";
    public const string BufferFullTriggerName = "otelcol_processor_batch_buffer_full_trigger_send";

    // The collector's bucket boundaries for the send-size histogram.
    private static readonly IReadOnlyList<long> SendSizeBuckets = ImmutableArray.Create<long>(
        10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000);

    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Histogram<long> _sendSize;
    private readonly Counter<long> _timeoutTrigger;
    private readonly Counter<long> _sizeTrigger;
    private readonly Counter<long> _bufferFullTrigger;
    private readonly UpDownCounter<long> _cardinality;

    public BatchProcessorTelemetry(Meter meter, ComponentId id, PipelineId pipeline)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _tags = [new("processor", id.ToString()), new("pipeline", pipeline.ToString())];
        _sendSize = meter.CreateHistogram(
            SendSizeName,
            unit: "{units}",
            description: "Number of units in the batch",
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SendSizeBuckets });
        _timeoutTrigger = meter.CreateCounter<long>(
            TimeoutTriggerName, "{times}", "Number of times the batch was sent due to a timeout trigger");
        _sizeTrigger = meter.CreateCounter<long>(
            SizeTriggerName, "{times}", "Number of times the batch was sent due to a size trigger");
        _bufferFullTrigger = meter.CreateCounter<long>(
            BufferFullTriggerName, "{times}", "Number of times a batch was sent early because the processor's buffer was full");
        _cardinality = meter.CreateUpDownCounter<long>(
            MetadataCardinalityName, "{combinations}", "Number of distinct metadata value combinations being processed");
    }

    public void BatchSent(long items, BatchSendTrigger trigger)
    {
        ReadOnlySpan<KeyValuePair<string, object?>> tags = _tags;
        _sendSize.Record(items, tags);
        var counter = trigger switch
        {
            BatchSendTrigger.Size => _sizeTrigger,
            BatchSendTrigger.Timeout => _timeoutTrigger,
            _ => _bufferFullTrigger,
        };
        counter.Add(1, tags);
    }

    public void CardinalityChanged(long delta) => _cardinality.Add(delta, (ReadOnlySpan<KeyValuePair<string, object?>>)_tags);
}
