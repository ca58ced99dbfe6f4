using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using TelemetryCluster.Protocol.Cluster;

namespace TelemetryCluster.Nodes.FileClaims;

/// <summary>Protobuf serializer for <see cref="IFileClaimMessage"/>s (wire format in <c>file_claims.proto</c>).</summary>
public sealed class FileClaimSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4803;

    public const string Name = "telemetry-file-claims";

    private const string TouchManifest = "ft";
    private const string StopManifest = "fs";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        FileClaimTouch => TouchManifest,
        FileClaimStop => StopManifest,
        _ => throw new ArgumentException($"{nameof(FileClaimSerializer)} cannot serialize {o?.GetType().ToString() ?? "null"}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        FileClaimTouch t => new FileClaimTouchProto { Receiver = t.Receiver, FileKey = t.FileKey }.ToByteArray(),
        FileClaimStop => new FileClaimStopProto().ToByteArray(),
        _ => throw new ArgumentException($"{nameof(FileClaimSerializer)} cannot serialize {obj?.GetType().ToString() ?? "null"}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case TouchManifest:
                var proto = FileClaimTouchProto.Parser.ParseFrom(bytes);
                return new FileClaimTouch(proto.Receiver, proto.FileKey);
            case StopManifest:
                return FileClaimStop.Instance;
            default:
                throw new SerializationException($"unknown manifest '{manifest}' for {nameof(FileClaimSerializer)}");
        }
    }
}
