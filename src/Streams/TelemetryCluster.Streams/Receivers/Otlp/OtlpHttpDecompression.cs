using System.Buffers.Binary;
using System.IO.Compression;
using Snappier;
using ZstdSharp;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>A request body could not be read: too large, truncated, or not valid in its Content-Encoding.</summary>
internal sealed class OtlpBodyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// HTTP request body decoding by <c>Content-Encoding</c>, as the collector's confighttp: gzip, zstd, zlib and deflate
/// (zlib-wrapped, raw deflate also accepted), snappy (block format, or framed when the body starts with the framing
/// header), x-snappy-framed, lz4 (frame format). Every decoder stops at the size limit (zip bombs → 400).
/// </summary>
internal static class OtlpHttpDecompression
{
    private static readonly byte[] SnappyFramingHeader = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59];

    /// <summary>Names the collector accepts in <c>compression_algorithms</c> (plus <c>identity</c>, an alias of <c>""</c>).</summary>
    public static bool IsKnown(string algorithm) => Normalize(algorithm) is "" or "gzip" or "zstd" or "zlib" or "deflate" or "snappy" or "x-snappy-framed" or "lz4";

    /// <summary>Lower-case, trimmed; <c>identity</c> means uncompressed.</summary>
    public static string Normalize(string? encoding)
    {
        var e = (encoding ?? string.Empty).Trim().ToLowerInvariant();
        return e == "identity" ? string.Empty : e;
    }

    /// <summary>Decodes <paramref name="body"/> (already read, at most <paramref name="limit"/> bytes) into at most <paramref name="limit"/> bytes.</summary>
    public static ReadOnlyMemory<byte> Decode(string encoding, ReadOnlyMemory<byte> body, long limit)
    {
        try
        {
            return encoding switch
            {
                "" => body,
                "gzip" => ReadAll(new GZipStream(AsStream(body), CompressionMode.Decompress), limit),
                "zlib" or "deflate" => ReadAll(IsZlibHeader(body.Span)
                    ? new ZLibStream(AsStream(body), CompressionMode.Decompress)
                    : new DeflateStream(AsStream(body), CompressionMode.Decompress), limit),
                "zstd" => ReadAll(new DecompressionStream(AsStream(body)), limit),
                "x-snappy-framed" => ReadAll(new SnappyStream(AsStream(body), CompressionMode.Decompress), limit),
                "snappy" => body.Span.StartsWith(SnappyFramingHeader)
                    ? ReadAll(new SnappyStream(AsStream(body), CompressionMode.Decompress), limit)
                    : SnappyBlock(body.Span, limit),
                "lz4" => Lz4Frame.Decode(body.Span, limit),
                _ => throw new OtlpBodyException($"unsupported Content-Encoding: {encoding}"),
            };
        }
        catch (Exception e) when (e is not OtlpBodyException)
        {
            throw new OtlpBodyException($"invalid {encoding} body: {e.Message}", e);
        }
    }

    /// <summary>Reads a stream to its end into a buffer, failing once it passes <paramref name="limit"/> bytes.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadLimitedAsync(Stream stream, long limit, long? lengthHint, CancellationToken cancellationToken)
    {
        if (lengthHint > limit)
        {
            throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
        }

        // Size from Content-Length, but never trust a client's claim for more than 1 MiB up front.
        var buffer = new MemoryStream((int)Math.Clamp(lengthHint ?? 4096, 256, 1024 * 1024));
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                break;
            }

            if (buffer.Length + read > limit)
            {
                throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static ReadOnlyMemory<byte> ReadAll(Stream decoder, long limit)
    {
        using (decoder)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = decoder.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        }
    }

    private static ReadOnlyMemory<byte> SnappyBlock(ReadOnlySpan<byte> body, long limit)
    {
        var length = Snappy.GetUncompressedLength(body);
        if (length > limit)
        {
            throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
        }

        var output = new byte[length];
        var written = Snappy.Decompress(body, output);
        return output.AsMemory(0, written);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);

    /// <summary>RFC 1950 header: CM = 8, CINFO ≤ 7, header checksum.</summary>
    private static bool IsZlibHeader(ReadOnlySpan<byte> body) =>
        body.Length >= 2 && (body[0] & 0x0f) == 8 && (body[0] >> 4) <= 7 && ((body[0] << 8) | body[1]) % 31 == 0;

    /// <summary>
    /// The LZ4 frame format (what the collector's pierrec/lz4 reader accepts): one or more frames, skippable frames,
    /// independent or linked blocks, uncompressed blocks. Checksums are not verified (the payload is then parsed as
    /// protobuf or JSON, which catches corruption); dictionaries are not supported.
    /// </summary>
    internal static class Lz4Frame
    {
        private const uint Magic = 0x184D2204;

        public static ReadOnlyMemory<byte> Decode(ReadOnlySpan<byte> input, long limit)
        {
            var output = new Output(limit);
            var pos = 0;
            if (input.Length == 0)
            {
                throw new OtlpBodyException("invalid lz4 body: empty");
            }

            while (pos < input.Length)
            {
                var magic = ReadUInt32(input, ref pos);
                if ((magic & 0xFFFFFFF0) == 0x184D2A50)
                {
                    var skip = (int)ReadUInt32(input, ref pos);
                    Need(input, pos, skip);
                    pos += skip;
                    continue;
                }

                if (magic != Magic)
                {
                    throw new OtlpBodyException("invalid lz4 body: bad frame magic number");
                }

                Need(input, pos, 2);
                var flg = input[pos++];
                pos++; // BD: block maximum size, not needed to decode
                if (flg >> 6 != 1)
                {
                    throw new OtlpBodyException("invalid lz4 body: unsupported frame version");
                }

                var blockChecksum = (flg & 0x10) != 0;
                var contentSize = (flg & 0x08) != 0;
                var contentChecksum = (flg & 0x04) != 0;
                if ((flg & 0x01) != 0)
                {
                    throw new OtlpBodyException("invalid lz4 body: dictionaries are not supported");
                }

                if (contentSize)
                {
                    Need(input, pos, 8);
                    var declared = BinaryPrimitives.ReadUInt64LittleEndian(input[pos..]);
                    if (declared > (ulong)limit)
                    {
                        throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
                    }

                    pos += 8;
                }

                Need(input, pos, 1);
                pos++; // header checksum

                while (true)
                {
                    var size = ReadUInt32(input, ref pos);
                    if (size == 0)
                    {
                        break;
                    }

                    var uncompressed = (size & 0x80000000) != 0;
                    var length = (int)(size & 0x7FFFFFFF);
                    Need(input, pos, length);
                    var block = input.Slice(pos, length);
                    pos += length;
                    if (uncompressed)
                    {
                        output.Append(block);
                    }
                    else
                    {
                        DecodeBlock(block, output);
                    }

                    if (blockChecksum)
                    {
                        Need(input, pos, 4);
                        pos += 4;
                    }
                }

                if (contentChecksum)
                {
                    Need(input, pos, 4);
                    pos += 4;
                }
            }

            return output.Written;
        }

        /// <summary>One LZ4 block; matches may reach back into earlier blocks of the same frame (linked blocks).</summary>
        private static void DecodeBlock(ReadOnlySpan<byte> block, Output output)
        {
            var i = 0;
            while (true)
            {
                Need(block, i, 1);
                var token = block[i++];
                var literals = token >> 4;
                if (literals == 15)
                {
                    literals += ReadLength(block, ref i);
                }

                Need(block, i, literals);
                output.Append(block.Slice(i, literals));
                i += literals;
                if (i == block.Length)
                {
                    return; // the last sequence has literals only
                }

                Need(block, i, 2);
                var offset = block[i] | (block[i + 1] << 8);
                i += 2;
                var matchLength = token & 0x0f;
                if (matchLength == 15)
                {
                    matchLength += ReadLength(block, ref i);
                }

                output.CopyMatch(offset, matchLength + 4);
            }
        }

        private static int ReadLength(ReadOnlySpan<byte> block, ref int i)
        {
            var total = 0;
            byte b;
            do
            {
                Need(block, i, 1);
                b = block[i++];
                total += b;
                if (total > int.MaxValue / 2)
                {
                    throw new OtlpBodyException("invalid lz4 body: length overflow");
                }
            }
            while (b == 255);
            return total;
        }

        private static uint ReadUInt32(ReadOnlySpan<byte> input, ref int pos)
        {
            Need(input, pos, 4);
            var value = BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]);
            pos += 4;
            return value;
        }

        private static void Need(ReadOnlySpan<byte> input, int pos, int count)
        {
            if (count < 0 || pos > input.Length - count)
            {
                throw new OtlpBodyException("invalid lz4 body: unexpected end of data");
            }
        }

        private sealed class Output(long limit)
        {
            private byte[] _buffer = new byte[64 * 1024];
            private int _length;

            public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

            public void Append(ReadOnlySpan<byte> data)
            {
                Ensure(data.Length);
                data.CopyTo(_buffer.AsSpan(_length));
                _length += data.Length;
            }

            public void CopyMatch(int offset, int length)
            {
                if (offset == 0 || offset > _length)
                {
                    throw new OtlpBodyException("invalid lz4 body: match offset out of range");
                }

                Ensure(length);
                var from = _length - offset;
                for (var k = 0; k < length; k++)
                {
                    _buffer[_length + k] = _buffer[from + k]; // byte by byte: overlapping copies repeat the pattern
                }

                _length += length;
            }

            private void Ensure(int extra)
            {
                if ((long)_length + extra > limit)
                {
                    throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
                }

                var needed = (long)_length + extra;
                if (needed > Array.MaxLength)
                {
                    throw new OtlpBodyException(OtlpHttpHandler.BodyTooLarge);
                }

                if (needed > _buffer.Length)
                {
                    Array.Resize(ref _buffer, (int)Math.Min(Math.Max((long)_buffer.Length * 2, needed), Array.MaxLength));
                }
            }
        }
    }
}
