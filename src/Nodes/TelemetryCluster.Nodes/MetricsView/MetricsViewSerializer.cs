using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using TelemetryCluster.Protocol.Cluster;

namespace TelemetryCluster.Nodes.MetricsView;

/// <summary>
/// Protobuf serializer for the <see cref="IMetricsViewMessage"/>s (wire format in
/// <c>Protos/telemetrycluster/cluster/v1/metrics_view.proto</c>) with short explicit manifests. Nothing here
/// instantiates a type named by the sender.
/// </summary>
public sealed class MetricsViewSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4801;

    /// <summary>The name of the serializer binding (<c>akka.actor.serializers.metrics-view</c>).</summary>
    public const string Name = "metrics-view";

    internal const string ReportManifest = "mvr";
    internal const string GetViewManifest = "mvg";
    internal const string ViewManifest = "mvv";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        NodeHealthReport => ReportManifest,
        GetClusterView => GetViewManifest,
        ClusterView => ViewManifest,
        _ => throw new ArgumentException($"{nameof(MetricsViewSerializer)} cannot serialize {o?.GetType().ToString() ?? "null"}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        NodeHealthReport report => ToProto(report).ToByteArray(),
        GetClusterView => [],
        ClusterView view => ToProto(view).ToByteArray(),
        _ => throw new ArgumentException($"{nameof(MetricsViewSerializer)} cannot serialize {obj?.GetType().ToString() ?? "null"}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        ReportManifest => FromProto(NodeHealthReportProto.Parser.ParseFrom(bytes)),
        GetViewManifest => GetClusterView.Instance,
        ViewManifest => FromProto(ClusterViewProto.Parser.ParseFrom(bytes)),
        _ => throw new SerializationException($"unknown manifest '{manifest}' for {nameof(MetricsViewSerializer)}"),
    };

    private static NodeHealthReportProto ToProto(NodeHealthReport report)
    {
        var proto = new NodeHealthReportProto
        {
            Address = report.Address,
            ServiceState = report.ServiceState,
            Healthy = report.Healthy,
            ReportedAtUnixMs = report.ReportedAt.ToUnixTimeMilliseconds(),
        };
        foreach (var pipeline in report.Pipelines)
        {
            proto.Pipelines.Add(new PipelineHealthProto
            {
                Pipeline = pipeline.Pipeline,
                Status = pipeline.Status,
                Healthy = pipeline.Healthy,
                Error = pipeline.Error ?? string.Empty,
            });
        }

        return proto;
    }

    private static NodeHealthReport FromProto(NodeHealthReportProto proto) => new(
        proto.Address,
        proto.ServiceState,
        proto.Healthy,
        DateTimeOffset.FromUnixTimeMilliseconds(proto.ReportedAtUnixMs),
        [.. proto.Pipelines.Select(p => new PipelineHealth(p.Pipeline, p.Status, p.Healthy, p.Error.Length == 0 ? null : p.Error))]);

    private static ClusterViewProto ToProto(ClusterView view)
    {
        var proto = new ClusterViewProto { ViewNode = view.ViewNode };
        proto.Nodes.AddRange(view.Nodes.Select(ToProto));
        return proto;
    }

    private static ClusterView FromProto(ClusterViewProto proto) => new(proto.ViewNode, [.. proto.Nodes.Select(FromProto)]);
}
