using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// Re-uses the received encoding of OTLP requests on the way out. An export request is one repeated field (1) of
/// resource entries, so a request is the concatenation of its entries' encodings: when a request is parsed here,
/// every resource entry keeps the bytes it came from (<c>WireBytes</c>), and writing a request copies those bytes
/// instead of encoding the entry again. Entries moved between requests by reference (the partitioner, the batch
/// processor's merge) keep them; entries the batch processor splits are new messages and are encoded as usual.
/// </summary>
/// <remarks>
/// Fields of a request that this build does not know are kept only when no entry has kept bytes (the collector's
/// pdata drops them always). Whoever changes a resource entry in place must call <see cref="Forget"/> on its request first (the engine does
/// it for pipelines with a processor that declares <c>MutatesData</c>). Encoding through Google.Protobuf costs a
/// size computation per nesting level and a UTF-8 transcoding of every string; copying costs a memcpy.
/// <para>
/// <see cref="ParseEncoded(Components.Signal, ReadOnlyMemory{byte})"/> goes further: it checks each entry's
/// encoding (<see cref="EncodedEntryScanner"/>: it fails exactly where a full parse would), counts its items and
/// parses only its resource and schema URL, leaving the scopes in the received bytes (the entry's
/// <c>UnparsedItemCount</c> is then ≥ 0). Routing by resource, batching and sending on need nothing more, so a request
/// that only passes through the node is never built as objects. <see cref="Expand(IMessage)"/> parses the scopes
/// into the entries; the engine calls it before any processor or exporter that does not declare
/// <c>HandlesEncodedEntries</c>, and <see cref="OtlpItems"/> before it splits or clones an entry.
/// </para>
/// </remarks>
public static class OtlpWire
{
    /// <summary>Field 1, wire type 2 (length-delimited): the resource entries of all three request types.</summary>
    private const byte ResourceTag = (1 << 3) | 2;

    /// <summary>Parses <paramref name="bytes"/> and keeps each resource entry's slice of it (the caller must not reuse the memory).</summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlyMemory<byte> bytes)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        var request = parser.ParseFrom(bytes.Span);
        Attach(request, bytes);
        return request;
    }

    /// <summary>Parses a request of <paramref name="signal"/>'s type, keeping the entries' slices.</summary>
    public static IMessage Parse(Components.Signal signal, ReadOnlyMemory<byte> bytes) => signal switch
    {
        Components.Signal.Metrics => Parse(ExportMetricsServiceRequest.Parser, bytes),
        Components.Signal.Logs => Parse(ExportLogsServiceRequest.Parser, bytes),
        Components.Signal.Traces => Parse(ExportTraceServiceRequest.Parser, bytes),
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "not an OTLP signal"),
    };

    /// <summary>
    /// Parses a request of <paramref name="signal"/>'s type leaving every well-formed entry encoded (see the remarks
    /// of <see cref="OtlpWire"/>). Throws <see cref="InvalidProtocolBufferException"/> where a full parse would.
    /// </summary>
    public static IMessage ParseEncoded(Components.Signal signal, ReadOnlyMemory<byte> bytes) => ParseEncoded(signal, bytes, check: true);

    /// <summary>
    /// <see cref="ParseEncoded(Components.Signal, ReadOnlyMemory{byte})"/> for bytes this process or a peer node wrote
    /// with <see cref="WriteTo"/> (the cluster hop): every entry was checked or encoded by protobuf before, so the
    /// check is skipped; items are still counted.
    /// </summary>
    public static IMessage ParseWritten(Components.Signal signal, ReadOnlyMemory<byte> bytes) => ParseEncoded(signal, bytes, check: false);

    private static IMessage ParseEncoded(Components.Signal signal, ReadOnlyMemory<byte> bytes, bool check) => signal switch
    {
        Components.Signal.Metrics => ParseEncoded<ExportMetricsServiceRequest, ResourceMetrics, MetricsEntry>(bytes, ExportMetricsServiceRequest.Parser, static r => r.ResourceMetrics, check),
        Components.Signal.Logs => ParseEncoded<ExportLogsServiceRequest, ResourceLogs, LogsEntry>(bytes, ExportLogsServiceRequest.Parser, static r => r.ResourceLogs, check),
        Components.Signal.Traces => ParseEncoded<ExportTraceServiceRequest, ResourceSpans, SpansEntry>(bytes, ExportTraceServiceRequest.Parser, static r => r.ResourceSpans, check),
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "not an OTLP signal"),
    };

    /// <summary><see cref="ParseEncoded(Components.Signal, ReadOnlyMemory{byte})"/> for a request type.</summary>
    public static T ParseEncoded<T>(MessageParser<T> parser, ReadOnlyMemory<byte> bytes)
        where T : IMessage<T> => (T)ParseEncoded(SignalOf(parser), bytes);

    /// <summary>True when some entry of <paramref name="request"/> is still encoded.</summary>
    public static bool HasEncoded(IMessage request) => request switch
    {
        ExportMetricsServiceRequest m => AnyEncoded<ResourceMetrics, MetricsEntry>(m.ResourceMetrics),
        ExportLogsServiceRequest l => AnyEncoded<ResourceLogs, LogsEntry>(l.ResourceLogs),
        ExportTraceServiceRequest t => AnyEncoded<ResourceSpans, SpansEntry>(t.ResourceSpans),
        _ => false,
    };

    /// <summary>
    /// Parses the scopes of every encoded entry of <paramref name="request"/> into it (a no-op for entries already
    /// parsed). Safe when several holders of a shared request call it at once; the kept bytes stay.
    /// </summary>
    public static void Expand(IMessage request)
    {
        switch (request)
        {
            case ExportMetricsServiceRequest m: ExpandAll<ResourceMetrics, MetricsEntry>(m.ResourceMetrics); break;
            case ExportLogsServiceRequest l: ExpandAll<ResourceLogs, LogsEntry>(l.ResourceLogs); break;
            case ExportTraceServiceRequest t: ExpandAll<ResourceSpans, SpansEntry>(t.ResourceSpans); break;
            default: break;
        }
    }

    /// <summary>Parses the scopes of one encoded entry into it.</summary>
    public static void Expand(ResourceMetrics entry) => ExpandOne<ResourceMetrics, MetricsEntry>(entry);

    /// <inheritdoc cref="Expand(ResourceMetrics)"/>
    public static void Expand(ResourceLogs entry) => ExpandOne<ResourceLogs, LogsEntry>(entry);

    /// <inheritdoc cref="Expand(ResourceMetrics)"/>
    public static void Expand(ResourceSpans entry) => ExpandOne<ResourceSpans, SpansEntry>(entry);

    /// <summary>Drops the kept encodings of every entry (before the entries are changed in place); encoded entries are expanded first.</summary>
    public static void Forget(IMessage request)
    {
        Expand(request);
        switch (request)
        {
            case ExportMetricsServiceRequest m: Forget<ResourceMetrics, MetricsEntry>(m.ResourceMetrics); break;
            case ExportLogsServiceRequest l: Forget<ResourceLogs, LogsEntry>(l.ResourceLogs); break;
            case ExportTraceServiceRequest t: Forget<ResourceSpans, SpansEntry>(t.ResourceSpans); break;
            default: break;
        }
    }

    /// <summary>The encoded size of <paramref name="request"/>, as <see cref="WriteTo"/> writes it.</summary>
    public static int ComputeSize(IMessage request) => request switch
    {
        ExportMetricsServiceRequest m => SizeOf<ResourceMetrics, MetricsEntry>(m, m.ResourceMetrics),
        ExportLogsServiceRequest l => SizeOf<ResourceLogs, LogsEntry>(l, l.ResourceLogs),
        ExportTraceServiceRequest t => SizeOf<ResourceSpans, SpansEntry>(t, t.ResourceSpans),
        _ => request.CalculateSize(),
    };

    /// <summary>Writes <paramref name="request"/>: the kept bytes of entries that have them, a fresh encoding of the others.</summary>
    public static void WriteTo(IMessage request, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request)
        {
            case ExportMetricsServiceRequest m: Write<ResourceMetrics, MetricsEntry>(m, m.ResourceMetrics, output); break;
            case ExportLogsServiceRequest l: Write<ResourceLogs, LogsEntry>(l, l.ResourceLogs, output); break;
            case ExportTraceServiceRequest t: Write<ResourceSpans, SpansEntry>(t, t.ResourceSpans, output); break;
            default: request.WriteTo(output); break;
        }
    }

    /// <summary><see cref="WriteTo"/> into a new array.</summary>
    public static byte[] ToByteArray(IMessage request)
    {
        var bytes = new byte[ComputeSize(request)];
        var writer = new SpanWriter(bytes);
        WriteTo(request, writer);
        return bytes;
    }

    /// <summary>A gRPC marshaller for a request type that writes with <see cref="WriteTo"/> and parses with <see cref="ParseEncoded{T}"/>.</summary>
    public static Marshaller<T> GrpcMarshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T> =>
        Marshallers.Create<T>(
            static (message, context) =>
            {
                context.SetPayloadLength(ComputeSize(message));
                WriteTo(message, context.GetBufferWriter());
                context.Complete();
            },
            context =>
            {
                // The payload buffer belongs to the transport and is reused after this call: the entries keep a copy.
                var bytes = new byte[context.PayloadLength];
                context.PayloadAsReadOnlySequence().CopyTo(bytes);
                return ParseEncoded(parser, bytes);
            });

    /// <summary>A plain Google.Protobuf gRPC marshaller (responses).</summary>
    public static Marshaller<T> PlainGrpcMarshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T> =>
        Marshallers.Create<T>(
            static (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    private static void Attach(IMessage request, ReadOnlyMemory<byte> bytes)
    {
        switch (request)
        {
            case ExportMetricsServiceRequest m: Attach<ResourceMetrics, MetricsEntry>(m.ResourceMetrics, bytes); break;
            case ExportLogsServiceRequest l: Attach<ResourceLogs, LogsEntry>(l.ResourceLogs, bytes); break;
            case ExportTraceServiceRequest t: Attach<ResourceSpans, SpansEntry>(t.ResourceSpans, bytes); break;
            default: break;
        }
    }

    /// <summary>
    /// Walks the top level of the encoding and gives entry i its slice. Anything unexpected (another field, a count
    /// that differs from the parsed list) leaves every entry without kept bytes: they are then encoded as usual.
    /// </summary>
    private static void Attach<T, TEntry>(RepeatedField<T> entries, ReadOnlyMemory<byte> bytes)
        where TEntry : IEntry<T>
    {
        if (entries.Count == 0 || CountEntries(bytes.Span) != entries.Count)
        {
            return;
        }

        var span = bytes.Span;
        var position = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            position++; // the tag, checked by CountEntries
            var length = (int)ReadVarint(span, ref position);
            TEntry.Set(entries[i], bytes.Slice(position, length));
            position += length;
        }
    }

    /// <summary>The number of field-1 entries, or -1 when the top level holds anything else or is malformed.</summary>
    private static int CountEntries(ReadOnlySpan<byte> span)
    {
        var position = 0;
        var count = 0;
        while (position < span.Length)
        {
            if (span[position++] != ResourceTag)
            {
                return -1;
            }

            var length = ReadVarint(span, ref position);
            if (length < 0 || length > span.Length - position)
            {
                return -1;
            }

            position += (int)length;
            count++;
        }

        return count;
    }

    /// <summary>Reads a varint of at most 5 bytes (lengths); -1 when it is longer or cut off.</summary>
    private static long ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        long value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= span.Length)
            {
                return -1;
            }

            var b = span[position++];
            value |= (long)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        return -1;
    }

    private static Components.Signal SignalOf<T>(MessageParser<T> parser)
        where T : IMessage<T> => parser switch
    {
        MessageParser<ExportMetricsServiceRequest> => Components.Signal.Metrics,
        MessageParser<ExportLogsServiceRequest> => Components.Signal.Logs,
        MessageParser<ExportTraceServiceRequest> => Components.Signal.Traces,
        _ => throw new ArgumentException($"not an OTLP export request parser: {typeof(T).Name}", nameof(parser)),
    };

    private static TRequest ParseEncoded<TRequest, T, TEntry>(ReadOnlyMemory<byte> bytes, MessageParser<TRequest> parser, Func<TRequest, RepeatedField<T>> entriesOf, bool check)
        where TRequest : IMessage<TRequest>, new()
        where T : class, IMessage<T>, new()
        where TEntry : IEntry<T>
    {
        var count = CountEntries(bytes.Span);
        if (count <= 0)
        {
            // Empty, another top-level field, or malformed: the full parser keeps unknown fields and throws what it throws.
            return Parse(parser, bytes);
        }

        var request = new TRequest();
        var entries = entriesOf(request);
        var span = bytes.Span;
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            position++; // the tag, checked by CountEntries
            var length = (int)ReadVarint(span, ref position);
            var slice = bytes.Slice(position, length);
            position += length;
            if (check && !EncodedEntryScanner.Check(slice.Span, TEntry.Schema))
            {
                // The full parser throws its own error for this input (and, should it accept it, its result is used).
                return Parse(parser, bytes);
            }

            entries.Add(ParseShell<T, TEntry>(slice));
        }

        return request;
    }

    private static bool AnyEncoded<T, TEntry>(RepeatedField<T> entries)
        where TEntry : IEntry<T>
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (TEntry.UnparsedItems(entries[i]) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static void ExpandAll<T, TEntry>(RepeatedField<T> entries)
        where T : class
        where TEntry : IEntry<T>
    {
        for (var i = 0; i < entries.Count; i++)
        {
            ExpandOne<T, TEntry>(entries[i]);
        }
    }

    private static void ExpandOne<T, TEntry>(T entry)
        where T : class
        where TEntry : IEntry<T>
    {
        if (TEntry.UnparsedItems(entry) < 0)
        {
            return;
        }

        // Shared requests (read-only pipelines, several exporters) may expand the same entry at once.
        lock (entry)
        {
            if (TEntry.UnparsedItems(entry) >= 0)
            {
                // Resource and schema URL are taken again too, with any fields this build does not know; the
                // scopes are moved, not copied.
                TEntry.TakeParsed(entry, TEntry.ParseFull(TEntry.Get(entry).Span));
                TEntry.SetUnparsedItems(entry, -1);
            }
        }
    }

    private static void Forget<T, TEntry>(RepeatedField<T> entries)
        where TEntry : IEntry<T>
    {
        for (var i = 0; i < entries.Count; i++)
        {
            TEntry.Set(entries[i], ReadOnlyMemory<byte>.Empty);
        }
    }

    private static int SizeOf<T, TEntry>(IMessage request, RepeatedField<T> entries)
        where T : IMessage
        where TEntry : IEntry<T>
    {
        if (!AnyKept<T, TEntry>(entries))
        {
            return request.CalculateSize();
        }

        var size = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var length = LengthOf<T, TEntry>(entries[i]);
            size += 1 + CodedOutputStream.ComputeLengthSize(length) + length;
        }

        return size;
    }

    private static bool AnyKept<T, TEntry>(RepeatedField<T> entries)
        where TEntry : IEntry<T>
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!TEntry.Get(entries[i]).IsEmpty)
            {
                return true;
            }
        }

        return false;
    }

    private static int LengthOf<T, TEntry>(T entry)
        where T : IMessage
        where TEntry : IEntry<T>
    {
        var wire = TEntry.Get(entry);
        return wire.IsEmpty ? entry.CalculateSize() : wire.Length;
    }

    private static void Write<T, TEntry>(IMessage request, RepeatedField<T> entries, IBufferWriter<byte> output)
        where T : IMessage
        where TEntry : IEntry<T>
    {
        if (!AnyKept<T, TEntry>(entries))
        {
            // Nothing to copy: plain protobuf (which also keeps fields of the request this build does not know).
            request.WriteTo(output);
            return;
        }

        Span<byte> header = stackalloc byte[6];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var wire = TEntry.Get(entry);
            var length = wire.IsEmpty ? entry.CalculateSize() : wire.Length;
            header[0] = ResourceTag;
            var headerLength = 1 + WriteVarint(header[1..], (uint)length);
            output.Write(header[..headerLength]);
            if (wire.IsEmpty)
            {
                entry.WriteTo(output);
            }
            else
            {
                output.Write(wire.Span);
            }
        }
    }

    /// <summary>Writes <paramref name="value"/> as a protobuf varint; the bytes written (1–5).</summary>
    internal static int WriteVarint(Span<byte> target, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            target[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        target[i++] = (byte)value;
        return i;
    }

    private interface IEntry<T>
    {
        static abstract EncodedEntryScanner.WireSchema Schema { get; }

        static abstract T ParseFull(ReadOnlySpan<byte> bytes);

        static abstract ReadOnlyMemory<byte> Get(T entry);

        static abstract void Set(T entry, ReadOnlyMemory<byte> bytes);

        static abstract int UnparsedItems(T entry);

        static abstract void SetUnparsedItems(T entry, int items);

        /// <summary>The items of a checked entry encoding, counted from its bytes.</summary>
        static abstract int CountItems(ReadOnlySpan<byte> slice);

        /// <summary>A new entry holding only <paramref name="resource"/> and <paramref name="schemaUrl"/>.</summary>
        static abstract T Shell(OpenTelemetry.Proto.Resource.V1.Resource? resource, string schemaUrl);

        /// <summary>Makes <paramref name="entry"/> equal to its full parse (resource replaced, scopes moved in, unknown fields kept).</summary>
        static abstract void TakeParsed(T entry, T parsed);
    }

    /// <summary>An encoded entry for a checked slice: resource and schema URL parsed, the rest left in the bytes.</summary>
    private static T ParseShell<T, TEntry>(ReadOnlyMemory<byte> slice)
        where T : class
        where TEntry : IEntry<T>
    {
        T entry;
        if (TryShellParts(slice.Span, out var resource, out var schemaUrl))
        {
            entry = TEntry.Shell(resource, schemaUrl);
            TEntry.SetUnparsedItems(entry, TEntry.CountItems(slice.Span));
        }
        else
        {
            entry = TEntry.ParseFull(slice.Span);
        }

        TEntry.Set(entry, slice);
        return entry;
    }

    /// <summary>Resource and schema URL of a checked entry encoding (field 1 once at most, else a full parse).</summary>
    private static bool TryShellParts(ReadOnlySpan<byte> slice, out OpenTelemetry.Proto.Resource.V1.Resource? resource, out string schemaUrl)
    {
        resource = null;
        schemaUrl = string.Empty;
        if (!EncodedEntryScanner.TryGetResourceAndSchema(slice, out var resourceRange, out var schemaRange))
        {
            return false;
        }

        if (!resourceRange.Equals(default(Range)))
        {
            resource = OpenTelemetry.Proto.Resource.V1.Resource.Parser.ParseFrom(slice[resourceRange]);
        }

        if (!schemaRange.Equals(default(Range)))
        {
            schemaUrl = System.Text.Encoding.UTF8.GetString(slice[schemaRange]);
        }

        return true;
    }

    private readonly struct MetricsEntry : IEntry<ResourceMetrics>
    {
        public static EncodedEntryScanner.WireSchema Schema { get; } = EncodedEntryScanner.WireSchema.For(ResourceMetrics.Descriptor);

        public static ResourceMetrics ParseFull(ReadOnlySpan<byte> bytes) => ResourceMetrics.Parser.ParseFrom(bytes);

        public static ReadOnlyMemory<byte> Get(ResourceMetrics entry) => entry.WireBytes;

        public static void Set(ResourceMetrics entry, ReadOnlyMemory<byte> bytes) => entry.WireBytes = bytes;

        public static int UnparsedItems(ResourceMetrics entry) => entry.UnparsedItemCount;

        public static void SetUnparsedItems(ResourceMetrics entry, int items) => entry.UnparsedItemCount = items;

        public static int CountItems(ReadOnlySpan<byte> slice) => EncodedEntryScanner.CountMetricPoints(slice);

        public static ResourceMetrics Shell(OpenTelemetry.Proto.Resource.V1.Resource? resource, string schemaUrl) => new() { Resource = resource, SchemaUrl = schemaUrl };

        public static void TakeParsed(ResourceMetrics entry, ResourceMetrics parsed)
        {
            entry.Resource = null;
            entry.MergeFrom(parsed);
        }
    }

    private readonly struct LogsEntry : IEntry<ResourceLogs>
    {
        public static EncodedEntryScanner.WireSchema Schema { get; } = EncodedEntryScanner.WireSchema.For(ResourceLogs.Descriptor);

        public static ResourceLogs ParseFull(ReadOnlySpan<byte> bytes) => ResourceLogs.Parser.ParseFrom(bytes);

        public static ReadOnlyMemory<byte> Get(ResourceLogs entry) => entry.WireBytes;

        public static void Set(ResourceLogs entry, ReadOnlyMemory<byte> bytes) => entry.WireBytes = bytes;

        public static int UnparsedItems(ResourceLogs entry) => entry.UnparsedItemCount;

        public static void SetUnparsedItems(ResourceLogs entry, int items) => entry.UnparsedItemCount = items;

        public static int CountItems(ReadOnlySpan<byte> slice) => EncodedEntryScanner.CountScopeChildren(slice);

        public static ResourceLogs Shell(OpenTelemetry.Proto.Resource.V1.Resource? resource, string schemaUrl) => new() { Resource = resource, SchemaUrl = schemaUrl };

        public static void TakeParsed(ResourceLogs entry, ResourceLogs parsed)
        {
            entry.Resource = null;
            entry.MergeFrom(parsed);
        }
    }

    private readonly struct SpansEntry : IEntry<ResourceSpans>
    {
        public static EncodedEntryScanner.WireSchema Schema { get; } = EncodedEntryScanner.WireSchema.For(ResourceSpans.Descriptor);

        public static ResourceSpans ParseFull(ReadOnlySpan<byte> bytes) => ResourceSpans.Parser.ParseFrom(bytes);

        public static ReadOnlyMemory<byte> Get(ResourceSpans entry) => entry.WireBytes;

        public static void Set(ResourceSpans entry, ReadOnlyMemory<byte> bytes) => entry.WireBytes = bytes;

        public static int UnparsedItems(ResourceSpans entry) => entry.UnparsedItemCount;

        public static void SetUnparsedItems(ResourceSpans entry, int items) => entry.UnparsedItemCount = items;

        public static int CountItems(ReadOnlySpan<byte> slice) => EncodedEntryScanner.CountScopeChildren(slice);

        public static ResourceSpans Shell(OpenTelemetry.Proto.Resource.V1.Resource? resource, string schemaUrl) => new() { Resource = resource, SchemaUrl = schemaUrl };

        public static void TakeParsed(ResourceSpans entry, ResourceSpans parsed)
        {
            entry.Resource = null;
            entry.MergeFrom(parsed);
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> over one array of exactly the right size.</summary>
    private sealed class SpanWriter(byte[] buffer) : IBufferWriter<byte>
    {
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(_written);
    }
}
