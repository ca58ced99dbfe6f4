using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.Tests.Management;

/// <summary>Round trip of every MetricsView message through the binding Akka picks (as on the wire).</summary>
public sealed class MetricsViewSerializerTests : IAsyncLifetime
{
    private static readonly NodeHealthReport Report = new(
        "akka.tcp://telemetry-cluster@10.0.0.1:4053",
        "running",
        false,
        DateTimeOffset.FromUnixTimeMilliseconds(1_767_000_000_123),
        [new PipelineHealth("metrics", "StatusOK", true, null), new PipelineHealth("logs/qelog", "StatusRecoverableError", false, "429 from backend")]);

    private ActorSystem _system = null!;

    public static TheoryData<string> Messages { get; } = ["report", "empty report", "get", "view", "empty view"];

    public ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("metrics-view-serializer", ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor {
              serializers.{{MetricsViewSerializer.Name}} = "{{typeof(MetricsViewSerializer).AssemblyQualifiedName}}"
              serialization-bindings {
                "{{typeof(IMetricsViewMessage).FullName}}, {{typeof(IMetricsViewMessage).Assembly.GetName().Name}}" = {{MetricsViewSerializer.Name}}
              }
              serialization-settings.allow-unregistered-types = false
            }
            """));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_its_binding(string name)
    {
        object message = name switch
        {
            "report" => Report,
            "empty report" => new NodeHealthReport("a", "starting", true, DateTimeOffset.UnixEpoch, []),
            "get" => GetClusterView.Instance,
            "view" => new ClusterView("akka.tcp://telemetry-cluster@10.0.0.2:4053", [Report, Report with { Address = "akka.tcp://telemetry-cluster@10.0.0.3:4053", Healthy = true }]),
            _ => new ClusterView("akka.tcp://telemetry-cluster@10.0.0.2:4053", []),
        };

        var serializer = Assert.IsType<MetricsViewSerializer>(_system.Serialization.FindSerializerFor(message));
        Assert.Equal(MetricsViewSerializer.SerializerId, serializer.Identifier);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        Assert.InRange(manifest.Length, 1, 3);
        var bytes = serializer.ToBinary(message);

        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.Equal(message, back);
        Assert.Equal(message.GetType(), back.GetType());
    }

    /// <summary>Every family type, labels with escapes and unicode, buckets, quantiles, special values.</summary>
    internal static PrometheusSnapshot Snapshot { get; } = new(
    [
        new PrometheusFamily("a_total", PrometheusMetricType.Counter, "requests \"served\"\n", string.Empty,
        [
            new PrometheusSeries([new PrometheusLabel("job", "svc"), new PrometheusLabel("path", "/ü\"x\"")], 1_700_000_000_123, 42),
            new PrometheusSeries([], 1, double.NaN),
        ]),
        new PrometheusFamily("b_seconds", PrometheusMetricType.Histogram, "latency", "seconds",
        [
            new PrometheusSeries([new PrometheusLabel("job", "svc")], 5, sum: 5.5, count: 9, bucketBounds: [0.1, 1, double.MaxValue], bucketCounts: [1, 4, 8]),
        ]),
        new PrometheusFamily("c", PrometheusMetricType.Summary, string.Empty, string.Empty,
        [
            new PrometheusSeries([new PrometheusLabel("k", "v")], -5, sum: 1, count: 2, quantiles: [0.5, 0.99], quantileValues: [0.1, double.PositiveInfinity]),
        ]),
        new PrometheusFamily("d", PrometheusMetricType.Gauge, "g", string.Empty, [new PrometheusSeries([], 0, -1.5)]),
        new PrometheusFamily("e", PrometheusMetricType.Untyped, "u", string.Empty, [new PrometheusSeries([], 0, 1e-300)]),
    ]);

    public static TheoryData<string> PrometheusMessages { get; } =
        ["snapshot", "empty snapshot", "versioned snapshot", "get", "get with a known version", "view", "empty view", "versioned view", "unchanged view"];

    private static readonly PrometheusContentVersion Version = new(-8_123_456_789_012_345_678, 42);

    [Theory]
    [MemberData(nameof(PrometheusMessages))]
    public void Prometheus_messages_round_trip_through_their_binding(string name)
    {
        object message = name switch
        {
            "snapshot" => new NodePrometheusSnapshot("akka.tcp://telemetry-cluster@10.0.0.1:4053", "prometheus/internal", Snapshot),
            "empty snapshot" => new NodePrometheusSnapshot("a", "prometheus", PrometheusSnapshot.Empty),
            "versioned snapshot" => new NodePrometheusSnapshot("a", "prometheus", Snapshot, Version),
            "get" => new GetPrometheusView("prometheus"),
            "get with a known version" => new GetPrometheusView("prometheus", Version),
            "view" => new PrometheusView("prometheus", Snapshot),
            "empty view" => new PrometheusView("prometheus", PrometheusSnapshot.Empty),
            "versioned view" => new PrometheusView("prometheus", Snapshot, Version),
            _ => new PrometheusView("prometheus", null, Version),
        };

        var serializer = Assert.IsType<MetricsViewSerializer>(_system.Serialization.FindSerializerFor(message));
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        Assert.InRange(manifest.Length, 1, 3);
        var bytes = serializer.ToBinary(message);

        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(bytes, serializer.ToBinary(back));
        if (back is NodePrometheusSnapshot node)
        {
            var original = (NodePrometheusSnapshot)message;
            Assert.Equal((original.Address, original.Exporter, original.Version), (node.Address, node.Exporter, node.Version));
            AssertSame(original.Snapshot, node.Snapshot);
        }
        else if (back is PrometheusView view)
        {
            var original = (PrometheusView)message;
            Assert.Equal((original.Exporter, original.Version), (view.Exporter, view.Version));
            if (original.Snapshot is null)
            {
                Assert.Null(view.Snapshot);
            }
            else
            {
                AssertSame(original.Snapshot, Assert.IsType<PrometheusSnapshot>(view.Snapshot));
            }
        }
        else
        {
            Assert.Equal(message, back);
        }
    }

    private static void AssertSame(PrometheusSnapshot expected, PrometheusSnapshot actual)
    {
        Assert.Equal(expected.Families.Count, actual.Families.Count);
        for (var i = 0; i < expected.Families.Count; i++)
        {
            var (e, a) = (expected.Families[i], actual.Families[i]);
            Assert.Equal((e.Name, e.Type, e.Help, e.Unit, e.Series.Count), (a.Name, a.Type, a.Help, a.Unit, a.Series.Count));
            for (var j = 0; j < e.Series.Count; j++)
            {
                var (es, @as) = (e.Series[j], a.Series[j]);
                Assert.Equal(es.Labels, @as.Labels);
                Assert.Equal(es.TimestampMs, @as.TimestampMs);
                Assert.Equal(BitConverter.DoubleToInt64Bits(es.Value), BitConverter.DoubleToInt64Bits(@as.Value));
                Assert.Equal(es.Sum, @as.Sum);
                Assert.Equal(es.Count, @as.Count);
                Assert.Equal(es.BucketBounds, @as.BucketBounds);
                Assert.Equal(es.BucketCounts, @as.BucketCounts);
                Assert.Equal(es.Quantiles, @as.Quantiles);
                Assert.Equal(es.QuantileValues, @as.QuantileValues);
            }
        }
    }

    [Fact]
    public void The_manifests_are_distinct_and_unknown_ones_are_rejected()
    {
        var serializer = new MetricsViewSerializer((ExtendedActorSystem)_system);
        var manifests = new object[]
        {
            Report, GetClusterView.Instance, new ClusterView("x", []), new NodePrometheusSnapshot("a", "p", PrometheusSnapshot.Empty),
            new GetPrometheusView("p"), new PrometheusView("p", PrometheusSnapshot.Empty),
        }.Select(serializer.Manifest).ToList();
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());

        Assert.Throws<SerializationException>(() => serializer.FromBinary([], "nope"));
        Assert.Throws<ArgumentException>(() => serializer.ToBinary("not a view message"));
        Assert.Same(GetClusterView.Instance, serializer.FromBinary(serializer.ToBinary(GetClusterView.Instance), serializer.Manifest(GetClusterView.Instance)));
    }
}
