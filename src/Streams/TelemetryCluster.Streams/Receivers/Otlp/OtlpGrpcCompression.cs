using System.IO.Compression;
using Grpc.Net.Compression;
using Snappier;
using ZstdSharp;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>gRPC message encodings the receiver accepts, as the collector's: gzip, zstd, snappy (plus deflate).</summary>
internal static class OtlpGrpcCompression
{
    public static IEnumerable<ICompressionProvider> All() =>
    [
        new GzipCompressionProvider(CompressionLevel.Fastest),
        new DeflateCompressionProvider(CompressionLevel.Fastest),
        new ZstdCompressionProvider(),
        new SnappyCompressionProvider(),
    ];
}

/// <summary><c>grpc-encoding: zstd</c> (ZstdSharp; the collector uses klauspost/compress zstd).</summary>
internal sealed class ZstdCompressionProvider : ICompressionProvider
{
    public string EncodingName => "zstd";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new CompressionStream(stream, compressionLevel == CompressionLevel.SmallestSize ? 19 : 3, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) => new DecompressionStream(stream, leaveOpen: true);
}

/// <summary><c>grpc-encoding: snappy</c> in the snappy framing format, as the collector's gRPC snappy codec.</summary>
internal sealed class SnappyCompressionProvider : ICompressionProvider
{
    public string EncodingName => "snappy";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new SnappyStream(stream, CompressionMode.Compress, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) => new SnappyStream(stream, CompressionMode.Decompress, leaveOpen: true);
}
