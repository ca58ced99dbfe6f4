using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using TelemetryCluster.Nodes.MetricsView;

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

    [Fact]
    public void The_manifests_are_distinct_and_unknown_ones_are_rejected()
    {
        var serializer = new MetricsViewSerializer((ExtendedActorSystem)_system);
        var manifests = new object[] { Report, GetClusterView.Instance, new ClusterView("x", []) }.Select(serializer.Manifest).ToList();
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());

        Assert.Throws<SerializationException>(() => serializer.FromBinary([], "nope"));
        Assert.Throws<ArgumentException>(() => serializer.ToBinary("not a view message"));
        Assert.Same(GetClusterView.Instance, serializer.FromBinary(serializer.ToBinary(GetClusterView.Instance), serializer.Manifest(GetClusterView.Instance)));
    }
}
