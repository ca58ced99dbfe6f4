using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using TelemetryCluster.Protocol.Cluster;
using TelemetryCluster.Streams.Exporters.Prometheus;

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
    internal const string PrometheusSnapshotManifest = "mps";
    internal const string GetPrometheusViewManifest = "mpg";
    internal const string PrometheusViewManifest = "mpv";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        NodeHealthReport => ReportManifest,
        GetClusterView => GetViewManifest,
        ClusterView => ViewManifest,
        NodePrometheusSnapshot => PrometheusSnapshotManifest,
        GetPrometheusView => GetPrometheusViewManifest,
        PrometheusView => PrometheusViewManifest,
        _ => throw new ArgumentException($"{nameof(MetricsViewSerializer)} cannot serialize {o?.GetType().ToString() ?? "null"}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        NodeHealthReport report => ToProto(report).ToByteArray(),
        GetClusterView => [],
        ClusterView view => ToProto(view).ToByteArray(),
        NodePrometheusSnapshot node => new NodePrometheusSnapshotProto
        {
            Address = node.Address,
            Exporter = node.Exporter,
            Snapshot = ToProto(node.Snapshot),
            Epoch = node.Version.Epoch,
            Sequence = node.Version.Sequence,
        }.ToByteArray(),
        GetPrometheusView get => new GetPrometheusViewProto { Exporter = get.Exporter, KnownEpoch = get.Known.Epoch, KnownSequence = get.Known.Sequence }.ToByteArray(),
        PrometheusView view => ToProto(view).ToByteArray(),
        _ => throw new ArgumentException($"{nameof(MetricsViewSerializer)} cannot serialize {obj?.GetType().ToString() ?? "null"}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        ReportManifest => FromProto(NodeHealthReportProto.Parser.ParseFrom(bytes)),
        GetViewManifest => GetClusterView.Instance,
        ViewManifest => FromProto(ClusterViewProto.Parser.ParseFrom(bytes)),
        PrometheusSnapshotManifest => FromProto(NodePrometheusSnapshotProto.Parser.ParseFrom(bytes)),
        GetPrometheusViewManifest => FromProto(GetPrometheusViewProto.Parser.ParseFrom(bytes)),
        PrometheusViewManifest => FromProto(PrometheusViewProto.Parser.ParseFrom(bytes)),
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

    private static NodePrometheusSnapshot FromProto(NodePrometheusSnapshotProto proto) =>
        new(proto.Address, proto.Exporter, FromProto(proto.Snapshot), new PrometheusContentVersion(proto.Epoch, proto.Sequence));

    private static GetPrometheusView FromProto(GetPrometheusViewProto proto) =>
        new(proto.Exporter, new PrometheusContentVersion(proto.KnownEpoch, proto.KnownSequence));

    private static PrometheusViewProto ToProto(PrometheusView view)
    {
        var proto = new PrometheusViewProto { Exporter = view.Exporter, Epoch = view.Version.Epoch, Sequence = view.Version.Sequence, Unchanged = view.Snapshot is null };
        if (view.Snapshot is not null)
        {
            proto.Snapshot = ToProto(view.Snapshot);
        }

        return proto;
    }

    /// <summary>An answer marked unchanged carries no snapshot (whatever the bytes hold); one not marked always has one.</summary>
    private static PrometheusView FromProto(PrometheusViewProto proto) =>
        new(proto.Exporter, proto.Unchanged ? null : FromProto(proto.Snapshot), new PrometheusContentVersion(proto.Epoch, proto.Sequence));

    internal static PrometheusSnapshotProto ToProto(PrometheusSnapshot snapshot)
    {
        var proto = new PrometheusSnapshotProto();
        foreach (var family in snapshot.Families)
        {
            var f = new PrometheusFamilyProto
            {
                Name = family.Name,
                Type = (PrometheusMetricTypeProto)(int)family.Type,
                Help = family.Help,
                Unit = family.Unit,
            };
            foreach (var series in family.Series)
            {
                var s = new PrometheusSeriesProto
                {
                    TimestampMs = series.TimestampMs,
                    Value = series.Value,
                    Sum = series.Sum,
                    Count = series.Count,
                };
                foreach (var label in series.Labels)
                {
                    s.LabelNames.Add(label.Name);
                    s.LabelValues.Add(label.Value);
                }

                s.BucketBounds.AddRange(series.BucketBounds);
                s.BucketCounts.AddRange(series.BucketCounts);
                s.Quantiles.AddRange(series.Quantiles);
                s.QuantileValues.AddRange(series.QuantileValues);
                f.Series.Add(s);
            }

            proto.Families.Add(f);
        }

        return proto;
    }

    /// <summary>
    /// Reads a snapshot from another node. Nothing in it is trusted: a family with an unknown type becomes untyped,
    /// label lists of different lengths are cut to the shorter, bucket/quantile lists to matching lengths.
    /// </summary>
    internal static PrometheusSnapshot FromProto(PrometheusSnapshotProto? proto)
    {
        if (proto is null)
        {
            return PrometheusSnapshot.Empty;
        }

        var families = new PrometheusFamily[proto.Families.Count];
        for (var i = 0; i < families.Length; i++)
        {
            var f = proto.Families[i];
            var type = Enum.IsDefined((PrometheusMetricType)(int)f.Type) ? (PrometheusMetricType)(int)f.Type : PrometheusMetricType.Untyped;
            var series = new PrometheusSeries[f.Series.Count];
            for (var j = 0; j < series.Length; j++)
            {
                var s = f.Series[j];
                var labels = new PrometheusLabel[Math.Min(s.LabelNames.Count, s.LabelValues.Count)];
                for (var k = 0; k < labels.Length; k++)
                {
                    labels[k] = new PrometheusLabel(s.LabelNames[k], s.LabelValues[k]);
                }

                var buckets = Math.Min(s.BucketBounds.Count, s.BucketCounts.Count);
                var quantiles = Math.Min(s.Quantiles.Count, s.QuantileValues.Count);
                series[j] = new PrometheusSeries(
                    labels,
                    s.TimestampMs,
                    s.Value,
                    s.Sum,
                    s.Count,
                    [.. s.BucketBounds.Take(buckets)],
                    [.. s.BucketCounts.Take(buckets)],
                    [.. s.Quantiles.Take(quantiles)],
                    [.. s.QuantileValues.Take(quantiles)]);
            }

            families[i] = new PrometheusFamily(f.Name, type, f.Help, f.Unit, series);
        }

        return new PrometheusSnapshot(families);
    }
}
