using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// Where a pipeline's processor→exporter segment runs. Without a placement the <see cref="PipelineHost"/> runs one
/// local <see cref="PipelineSegment"/> per pipeline. The cluster's placement returns a router that splits each batch
/// by routing key and hands the parts to sharded partition entities; each entity then asks its node's host for a
/// segment with <see cref="PipelineHost.CreateSegment"/>.
/// </summary>
public interface IPipelinePlacement
{
    /// <summary>The gateway the receivers of <paramref name="pipeline"/> deliver into.</summary>
    IPipelineGateway CreateGateway(PipelineDefinition pipeline);
}
