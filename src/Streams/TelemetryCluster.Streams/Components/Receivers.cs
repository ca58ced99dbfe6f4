using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Components;

public interface IReceiverFactory : IComponentFactory
{
    /// <summary>One instance per receiver ID, shared by every pipeline (and signal) that lists it.</summary>
    IReceiver CreateReceiver(ComponentContext context, object config);
}

/// <summary>
/// A receiver is the edge of a pipeline: it takes data from outside and hands each request to the consumer,
/// then answers its client from the ack. A receiver that reads on its own (files, scrapes) runs an Akka.Streams
/// source into the consumer; a server receiver (OTLP) calls the consumer from its request handlers.
/// </summary>
public interface IReceiver
{
    /// <summary>Start taking data for the given signals (only signals that have a pipeline are served).</summary>
    Task StartAsync(IReceiverConsumer consumer, CancellationToken cancellationToken);

    /// <summary>Stop taking new data; requests already handed to the consumer keep their acks.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>Where a receiver delivers: the engine's fan-out to every pipeline that lists this receiver.</summary>
public interface IReceiverConsumer
{
    /// <summary>Signals that have at least one pipeline for this receiver.</summary>
    IReadOnlySet<Signal> Signals { get; }

    /// <summary>
    /// Offers a batch. Completes with the batch's outcome: Accepted once every target pipeline took it (or exported
    /// it, under <c>delivery = exported</c>), Refused (retry later) when a bounded buffer is full, Failed when it
    /// cannot be delivered. Never throws for data problems.
    /// </summary>
    Task<AckOutcome> ConsumeAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}
