using Akka.Actor;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Partitions;

/// <summary>Places every pipeline's segment in sharded partition entities: receivers deliver through a <see cref="PartitionRouter"/>.</summary>
internal sealed class ClusterPlacement(IActorRef region, EngineSettings engine, TimeProvider time, DroppedPartWatch drops) : IPipelinePlacement
{
    public IPipelineGateway CreateGateway(PipelineDefinition pipeline) => new PartitionRouter(pipeline, region, engine, time, drops);
}

/// <summary>ActorRegistry key of the pipeline partition shard region.</summary>
public sealed class PipelinePartitionRegion;
