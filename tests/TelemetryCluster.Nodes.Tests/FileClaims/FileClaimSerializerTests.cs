using Akka.Actor;
using Akka.Configuration;
using TelemetryCluster.Nodes.FileClaims;
using Xunit;

namespace TelemetryCluster.Nodes.Tests.FileClaims;

public sealed class FileClaimSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("file-claims-test");
    private readonly FileClaimSerializer _serializer;

    public FileClaimSerializerTests() => _serializer = new FileClaimSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Dispose();

    [Fact]
    public void Touch_and_stop_round_trip()
    {
        var touch = new FileClaimTouch("file_log/app", "team a/QELog.log");
        var copy = (FileClaimTouch)_serializer.FromBinary(_serializer.ToBinary(touch), _serializer.Manifest(touch));
        Assert.Equal(touch, copy);
        Assert.Same(FileClaimStop.Instance, _serializer.FromBinary(_serializer.ToBinary(FileClaimStop.Instance), _serializer.Manifest(FileClaimStop.Instance)));
        Assert.Throws<ArgumentException>(() => _serializer.Manifest("not a claim message"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary([], "zz"));
    }

    [Fact]
    public void The_binding_serializes_claim_messages_with_this_serializer()
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor {
              serializers { claims = "{{typeof(FileClaimSerializer).AssemblyQualifiedName}}" }
              serialization-bindings { "{{typeof(IFileClaimMessage).AssemblyQualifiedName}}" = claims }
            }
            """);
        using var system = ActorSystem.Create("file-claims-binding", config);
        var serialization = system.Serialization;
        var touch = new FileClaimTouch("file_log/x", "a.log");
        var serializer = serialization.FindSerializerFor(touch);
        Assert.IsType<FileClaimSerializer>(serializer);
        Assert.Equal(FileClaimSerializer.SerializerId, serializer.Identifier);
        var bytes = serialization.Serialize(touch);
        Assert.Equal(touch, serialization.Deserialize(bytes, serializer.Identifier, ((Akka.Serialization.SerializerWithStringManifest)serializer).Manifest(touch)));
    }

    [Fact]
    public void Entity_ids_parse_back_and_shards_are_stable_across_processes()
    {
        var touch = new FileClaimTouch("file_log/app", "dir/a|b.log");
        Assert.True(FileClaimTouch.TryParseEntityId(touch.EntityId, out var receiver, out var key));
        Assert.Equal(("file_log/app", "dir/a|b.log"), (receiver, key));
        Assert.False(FileClaimTouch.TryParseEntityId("no separator", out _, out _));

        // FNV-1a over the UTF-16 code units: fixed values, the same in every process (string.GetHashCode is not).
        Assert.Equal("5", FileClaimSettings.ShardOf(string.Empty)); // 2166136261 % 64
        Assert.Equal("44", FileClaimSettings.ShardOf("a")); // ((2166136261 ^ 'a') * 16777619 mod 2^32) % 64
        var shards = Enumerable.Range(0, 1000).Select(i => FileClaimSettings.ShardOf($"file_log/app\u001flog{i}.log")).ToList();
        Assert.All(shards, s => Assert.InRange(int.Parse(s, System.Globalization.CultureInfo.InvariantCulture), 0, FileClaimSettings.Shards - 1));
        Assert.True(shards.Distinct().Count() > 50, "files spread over the shards");
        Assert.Equal(shards, Enumerable.Range(0, 1000).Select(i => FileClaimSettings.ShardOf($"file_log/app\u001flog{i}.log")));
    }
}
