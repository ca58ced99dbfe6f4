using Akka;
using Akka.Streams.Dsl;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Components;

public interface IProcessorFactory : IComponentFactory
{
    /// <summary>One instance per pipeline (per partition in the cluster) — processors are never shared.</summary>
    IProcessor CreateProcessor(ComponentContext context, PipelineId pipeline, object config);
}

/// <summary>A processor is an Akka.Streams flow over batches.</summary>
public interface IProcessor
{
    /// <summary>True when the flow changes payloads in place; the engine then hands it a private copy when shared.</summary>
    bool MutatesData { get; }

    /// <summary>
    /// True when the flow accepts batches whose resource entries may still be encoded (their scopes only in the
    /// received bytes: see <see cref="Data.OtlpWire"/>). It must then read items only through
    /// <see cref="Data.OtlpItems"/> or call <see cref="Data.OtlpWire.Expand(Google.Protobuf.IMessage)"/> first. Otherwise
    /// the engine expands every batch before it.
    /// </summary>
    bool HandlesEncodedEntries => false;

    /// <summary>
    /// The processor's flow. Rules: every input batch's acks are passed on in output batches or released (with a
    /// reason, counted) — never forgotten; the flow honours backpressure and never buffers without bound.
    /// </summary>
    Flow<TelemetryBatch, TelemetryBatch, NotUsed> CreateFlow();
}
