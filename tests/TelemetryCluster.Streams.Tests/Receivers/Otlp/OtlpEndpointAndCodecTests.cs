using System.Net;
using System.Text;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

public sealed class OtlpEndpointAndCodecTests
{
    [Theory]
    [InlineData("localhost:4317", "tcp", OtlpListenKind.Loopback, null, 4317)]
    [InlineData("LOCALHOST:0", "tcp", OtlpListenKind.Loopback, null, 0)]
    [InlineData("localhost:4317", "tcp4", OtlpListenKind.Address, "127.0.0.1", 4317)]
    [InlineData("localhost:4317", "tcp6", OtlpListenKind.Address, "::1", 4317)]
    [InlineData("0.0.0.0:4317", "tcp", OtlpListenKind.Any, null, 4317)]
    [InlineData(":4318", "tcp", OtlpListenKind.Any, null, 4318)]
    [InlineData("[::]:4318", "tcp", OtlpListenKind.Any, null, 4318)]
    [InlineData("0.0.0.0:4317", "tcp4", OtlpListenKind.Address, "0.0.0.0", 4317)]
    [InlineData("127.0.0.1:0", "tcp", OtlpListenKind.Address, "127.0.0.1", 0)]
    [InlineData("[::1]:65535", "tcp", OtlpListenKind.Address, "::1", 65535)]
    [InlineData("collector.monitoring.svc:4317", "tcp", OtlpListenKind.HostName, null, 4317)]
    public void Parses_collector_endpoints(string text, string transport, OtlpListenKind kind, string? address, int port)
    {
        Assert.True(OtlpEndpoint.TryParse(text, transport, out var endpoint, out var error), error);

        Assert.Equal(kind, endpoint.Kind);
        Assert.Equal(address is null ? null : IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("localhost", "missing port")]
    [InlineData("localhost:", "invalid port")]
    [InlineData("localhost:http", "invalid port")]
    [InlineData("localhost:65536", "invalid port")]
    [InlineData("::1:4317", "too many colons")]
    [InlineData("[::1:4317", "missing ']'")]
    [InlineData("bad host:4317", "invalid host")]
    public void Rejects_bad_endpoints(string text, string message)
    {
        Assert.False(OtlpEndpoint.TryParse(text, "tcp", out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unix_transport_takes_a_path()
    {
        Assert.True(OtlpEndpoint.TryParse("/tmp/otlp.sock", "unix", out var endpoint, out _));
        Assert.Equal(OtlpListenKind.UnixSocket, endpoint.Kind);
        Assert.Equal("/tmp/otlp.sock", endpoint.SocketPath);
    }

    [Fact]
    public void Lz4_frame_from_the_reference_tool_decodes()
    {
        var decoded = OtlpHttpDecompression.Decode("lz4", Lz4Fixtures.Small, long.MaxValue);

        Assert.Equal(Lz4Fixtures.Text(200), Encoding.UTF8.GetString(decoded.Span));
    }

    [Fact]
    public void Lz4_linked_blocks_with_checksums_and_content_size_decode()
    {
        var decoded = OtlpHttpDecompression.Decode("lz4", Lz4Fixtures.LinkedBlocks, long.MaxValue);

        Assert.Equal(Lz4Fixtures.Text(1600), Encoding.UTF8.GetString(decoded.Span));
    }

    [Theory]
    [InlineData("lz4")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("snappy")]
    public void Decoders_stop_at_the_limit(string encoding)
    {
        var raw = Encoding.UTF8.GetBytes(Lz4Fixtures.Text(1600));
        var body = encoding == "lz4" ? Lz4Fixtures.LinkedBlocks : OtlpHttpTests.Compress(encoding, raw).Body;

        var e = Assert.Throws<OtlpBodyException>(() => OtlpHttpDecompression.Decode(encoding, body, 50_000));

        Assert.Equal("http: request body too large", e.Message);
        Assert.Equal(raw.Length, OtlpHttpDecompression.Decode(encoding, body, raw.Length).Length);
    }

    [Theory]
    [InlineData("lz4")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("snappy")]
    public void Corrupt_bodies_are_body_errors(string encoding)
    {
        var corrupt = Lz4Fixtures.Small[..40];
        corrupt[0] ^= 0x5a;

        Assert.Throws<OtlpBodyException>(() => OtlpHttpDecompression.Decode(encoding, corrupt, 1 << 20));
    }

    [Fact]
    public void Identity_is_an_alias_of_no_encoding()
    {
        Assert.Equal(string.Empty, OtlpHttpDecompression.Normalize(" Identity "));
        Assert.Equal("gzip", OtlpHttpDecompression.Normalize("GZIP"));
        Assert.True(OtlpHttpDecompression.IsKnown("identity"));
        Assert.False(OtlpHttpDecompression.IsKnown("br"));
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1, 1)]
    [InlineData(1.001, 2)]
    [InlineData(30, 30)]
    public void Retry_after_is_whole_seconds_rounded_up(double seconds, long expected) =>
        Assert.Equal(expected, OtlpHttpHandler.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)));
}
