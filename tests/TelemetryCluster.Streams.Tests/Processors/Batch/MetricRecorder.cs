using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;

namespace TelemetryCluster.Streams.Tests.Processors.Batch;

/// <summary>Records the measurements of one <see cref="Meter"/> instance (sums per instrument, histogram values).</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();
    private readonly ConcurrentQueue<(string Name, long Value)> _values = new();

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name.StartsWith("otelcol_processor_batch_", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "processor" && !Equals(tag.Value, BatchTestSupport.Id.ToString()))
                {
                    return;
                }
            }

            _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            _values.Enqueue((instrument.Name, value));
        });
        _listener.Start();
    }

    public long Sum(string name) => _sums.TryGetValue(name, out var sum) ? sum : 0;

    public ImmutableArray<long> Values(string name) => [.. _values.Where(v => v.Name == name).Select(v => v.Value)];

    public void Dispose() => _listener.Dispose();
}
