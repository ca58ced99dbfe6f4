using System.Threading.Channels;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// The processor→exporter part of one pipeline, materialized as one Akka.Streams graph:
/// bounded entry queue → processors (in order) → broadcast to every exporter's kit stage. This is the unit a
/// sharded partition entity hosts in the cluster; on one node the engine runs one per pipeline.
/// </summary>
public sealed class PipelineSegment : IPipelineGateway
{
    private readonly Channel<TelemetryBatch> _entry;
    private readonly TimeSpan _admissionTimeout;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _abort = new();
    private Task _completion = Task.CompletedTask;

    private PipelineSegment(PipelineId pipeline, int queueSize, TimeSpan admissionTimeout, TimeProvider time)
    {
        Pipeline = pipeline;
        _admissionTimeout = admissionTimeout;
        _time = time;
        _entry = Channel.CreateBounded<TelemetryBatch>(new BoundedChannelOptions(Math.Max(1, queueSize))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public PipelineId Pipeline { get; }

    /// <summary>Completes when the segment drained after <see cref="Complete"/> (or failed).</summary>
    public Task Completion => _completion;

    /// <summary>Batches waiting at the entry (queue fill, for /pipelines and tests).</summary>
    public int Queued => _entry.Reader.Count;

    /// <summary>Materializes the segment. <paramref name="processors"/> run in order; the flow fans out to every exporter.</summary>
    internal static PipelineSegment Run(
        PipelineId pipeline,
        IReadOnlyList<IProcessor> processors,
        IReadOnlyList<ExporterRunner> exporters,
        int queueSize,
        TimeSpan admissionTimeout,
        TimeProvider time,
        IMaterializer materializer)
    {
        ArgumentOutOfRangeException.ThrowIfZero(exporters.Count);
        var segment = new PipelineSegment(pipeline, queueSize, admissionTimeout, time);
        var source = Source.ChannelReader(segment._entry.Reader);
        if (processors.Any(p => p.MutatesData))
        {
            // The kept encodings of resource entries would go stale when a processor changes the entries in place.
            source = source.Select(b =>
            {
                OtlpWire.Forget(b.Payload);
                return b;
            });
        }

        var expanded = false;
        foreach (var processor in processors)
        {
            if (!processor.HandlesEncodedEntries && !expanded)
            {
                // Once parsed, entries stay parsed: one expansion serves every later component.
                source = source.Select(static b =>
                {
                    OtlpWire.Expand(b.Payload);
                    return b;
                });
                expanded = true;
            }

            source = source.Via(processor.CreateFlow());
        }

        segment._completion = source.RunWith(segment.ExportSink(exporters), materializer);
        return segment;
    }

    public async Task<bool> OfferAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (_entry.Writer.TryWrite(batch))
        {
            return true;
        }

        if (_admissionTimeout <= TimeSpan.Zero)
        {
            return false;
        }

        using var deadline = new CancellationTokenSource(_admissionTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            while (await _entry.Writer.WaitToWriteAsync(linked.Token).ConfigureAwait(false))
            {
                if (_entry.Writer.TryWrite(batch))
                {
                    return true;
                }
            }

            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Stops taking batches; what is queued drains through processors and exporters.</summary>
    public void Complete() => _entry.Writer.TryComplete();

    /// <summary>Cancels exports still retrying (end of the drain window); their batches are counted as failed.</summary>
    public void Abort() => _abort.Cancel();

    private Sink<TelemetryBatch, Task> ExportSink(IReadOnlyList<ExporterRunner> exporters)
    {
        var token = _abort.Token;
        if (exporters.Count == 1)
        {
            var only = exporters[0];
            return Flow.Create<TelemetryBatch>()
                .SelectAsync(only.Settings.Consumers, b => only.ExportAsync(b, token))
                .ToMaterialized(Sink.Ignore<AckOutcome>(), Keep.Right)
                .MapMaterializedValue(t => (Task)t);
        }

        return Sink.FromGraph(GraphDsl.Create(Sink.Ignore<AckOutcome>(), (builder, done) =>
        {
            var share = builder.Add(Flow.Create<TelemetryBatch>().Select(b =>
            {
                b.Acks.RetainAll(exporters.Count - 1);
                return b;
            }));
            var broadcast = builder.Add(new Broadcast<TelemetryBatch>(exporters.Count));
            var merge = builder.Add(new Merge<AckOutcome>(exporters.Count));
            builder.From(share.Outlet).To(broadcast.In);
            for (var i = 0; i < exporters.Count; i++)
            {
                var runner = exporters[i];
                var kit = builder.Add(Flow.Create<TelemetryBatch>().SelectAsync(runner.Settings.Consumers, b => runner.ExportAsync(b, token)));
                builder.From(broadcast.Out(i)).Via(kit).To(merge.In(i));
            }

            builder.From(merge.Out).To(done);
            return new SinkShape<TelemetryBatch>(share.Inlet);
        })).MapMaterializedValue(t => (Task)t);
    }
}
