using System.Text.Unicode;
using Google.Protobuf.Reflection;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// Checks the encoding of one OTLP resource entry without building it, and counts its items. The check rejects
/// exactly the structural faults Google.Protobuf's parser throws on (a zero field number, an invalid wire type, a
/// varint longer than ten bytes, a length or fixed-size value that runs past its message, an unmatched group, a
/// packed list of fixed-size values whose length is not a multiple of the value size, a string that is not valid
/// UTF-8, nesting deeper than 100) in every message the entry's schema names, so an entry that passes can later be
/// parsed in full without an error.
/// </summary>
/// <remarks>
/// Item counting follows the parser's rules for the metric data oneof: a repeated occurrence of the same case
/// appends its points, another case replaces them.
/// </remarks>
internal static class EncodedEntryScanner
{
    private const int RecursionLimit = 100;

    /// <summary>True when <paramref name="entry"/> is well formed against <paramref name="schema"/> (a resource entry's).</summary>
    public static bool Check(ReadOnlySpan<byte> entry, WireSchema schema) => CheckMessage(entry, schema, 0);

    /// <summary>Data points in a well-formed <c>ResourceMetrics</c> encoding.</summary>
    public static int CountMetricPoints(ReadOnlySpan<byte> entry)
    {
        var count = 0;
        var position = 0;
        while (NextField(entry, ref position, out var field, out var body))
        {
            if (field != 2)
            {
                continue;
            }

            // ScopeMetrics: field 2 = Metric.
            var scopePosition = 0;
            while (NextField(body, ref scopePosition, out var scopeField, out var metric))
            {
                if (scopeField == 2)
                {
                    count += PointsOfMetric(metric);
                }
            }
        }

        return count;
    }

    /// <summary>
    /// The children of every scope (field 2 of each field 2) in a well-formed resource entry: log records of a
    /// <c>ResourceLogs</c>, spans of a <c>ResourceSpans</c>, metrics of a <c>ResourceMetrics</c>.
    /// </summary>
    public static int CountScopeChildren(ReadOnlySpan<byte> entry)
    {
        var count = 0;
        var position = 0;
        while (NextField(entry, ref position, out var field, out var body))
        {
            if (field != 2)
            {
                continue;
            }

            var scopePosition = 0;
            while (NextField(body, ref scopePosition, out var scopeField, out _))
            {
                if (scopeField == 2)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Field 1 (resource) and field 3 (schema URL) bodies of a well-formed resource entry; false when field 1 occurs more than once.</summary>
    public static bool TryGetResourceAndSchema(ReadOnlySpan<byte> entry, out Range resource, out Range schemaUrl)
    {
        resource = default;
        schemaUrl = default;
        var seenResource = false;
        var position = 0;
        while (NextField(entry, ref position, out var field, out var body))
        {
            var bodyStart = position - body.Length;
            if (field == 1)
            {
                if (seenResource)
                {
                    return false;
                }

                seenResource = true;
                resource = bodyStart..position;
            }
            else if (field == 3)
            {
                schemaUrl = bodyStart..position;
            }
        }

        return true;
    }

    /// <summary>The points of one <c>Metric</c> encoding: field 1 entries of the last data case (5 gauge, 7 sum, 9 histogram, 10 exponential histogram, 11 summary).</summary>
    private static int PointsOfMetric(ReadOnlySpan<byte> metric)
    {
        var dataCase = 0;
        var points = 0;
        var position = 0;
        while (NextField(metric, ref position, out var field, out var data))
        {
            if (field is not (5 or 7 or 9 or 10 or 11))
            {
                continue;
            }

            if (field != dataCase)
            {
                dataCase = field;
                points = 0;
            }

            var dataPosition = 0;
            while (NextField(data, ref dataPosition, out var dataField, out _))
            {
                if (dataField == 1)
                {
                    points++;
                }
            }
        }

        return points;
    }

    /// <summary>
    /// The next length-delimited field of a well-formed message; other wire types are stepped over. False at the end.
    /// Only for encodings that passed <see cref="Check"/>.
    /// </summary>
    private static bool NextField(ReadOnlySpan<byte> message, ref int position, out int field, out ReadOnlySpan<byte> body)
    {
        while (position < message.Length)
        {
            var tag = (uint)ReadVarint(message, ref position);
            field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    ReadVarint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    body = message.Slice(position, length);
                    position += length;
                    return true;
                case 3:
                    SkipGroup(message, ref position, field, 0);
                    break;
                default:
                    break;
            }
        }

        field = 0;
        body = default;
        return false;
    }

    private static bool CheckMessage(ReadOnlySpan<byte> message, WireSchema? schema, int depth)
    {
        if (depth > RecursionLimit)
        {
            return false;
        }

        var position = 0;
        while (position < message.Length)
        {
            if (!TryReadTag(message, ref position, out var tag))
            {
                return false;
            }

            var field = (int)(tag >> 3);
            var kind = schema?.KindOf(field, (int)(tag & 7)) ?? FieldKind.Unknown;
            switch (tag & 7)
            {
                case 0 or 1 or 5:
                    if (!TrySkipScalar(message, ref position, tag & 7))
                    {
                        return false;
                    }

                    break;
                case 2:
                    if (!TryReadLength(message, ref position, out var length))
                    {
                        return false;
                    }

                    var body = message.Slice(position, length);
                    position += length;
                    if (!CheckBody(body, kind, schema!, field, depth))
                    {
                        return false;
                    }

                    break;
                case 3:
                    if (!TrySkipGroup(message, ref position, field, depth + 1))
                    {
                        return false;
                    }

                    break;
                default:
                    // 4 (an end-group without its start), 6 and 7 (no such wire type).
                    return false;
            }
        }

        return true;
    }

    private static bool CheckBody(ReadOnlySpan<byte> body, FieldKind kind, WireSchema schema, int field, int depth)
    {
        switch (kind)
        {
            case FieldKind.Message:
                return CheckMessage(body, schema.NestedOf(field), depth + 1);
            case FieldKind.String:
                return Utf8.IsValid(body);
            case FieldKind.PackedFixed64:
                return body.Length % 8 == 0;
            case FieldKind.PackedFixed32:
                return body.Length % 4 == 0;
            case FieldKind.PackedVarint:
                var position = 0;
                while (position < body.Length)
                {
                    if (!TrySkipVarint(body, ref position))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    private static bool TryReadTag(ReadOnlySpan<byte> span, ref int position, out uint tag)
    {
        // A tag is a varint of at most 5 bytes whose field number is not 0.
        tag = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= span.Length)
            {
                return false;
            }

            var b = span[position++];
            tag |= (uint)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return tag >> 3 != 0;
            }
        }

        return false;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> span, ref int position, out int length)
    {
        length = 0;
        var start = position;
        if (!TrySkipVarint(span, ref position))
        {
            return false;
        }

        var value = ReadVarint(span, ref start);
        if (value > int.MaxValue || (long)value > span.Length - position)
        {
            return false;
        }

        length = (int)value;
        return true;
    }

    /// <summary>Steps over a varint (wire type 0), a 64-bit (1) or a 32-bit (5) value; false when it runs past the end.</summary>
    private static bool TrySkipScalar(ReadOnlySpan<byte> span, ref int position, uint wireType)
    {
        if (wireType == 0)
        {
            return TrySkipVarint(span, ref position);
        }

        var size = wireType == 1 ? 8 : 4;
        if (span.Length - position < size)
        {
            return false;
        }

        position += size;
        return true;
    }

    private static bool TrySkipVarint(ReadOnlySpan<byte> span, ref int position)
    {
        for (var i = 0; i < 10; i++)
        {
            if (position >= span.Length)
            {
                return false;
            }

            if (span[position++] < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TrySkipGroup(ReadOnlySpan<byte> span, ref int position, int field, int depth)
    {
        if (depth > RecursionLimit)
        {
            return false;
        }

        while (position < span.Length)
        {
            if (!TryReadTag(span, ref position, out var tag))
            {
                return false;
            }

            var inner = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0 or 1 or 5:
                    if (!TrySkipScalar(span, ref position, tag & 7))
                    {
                        return false;
                    }

                    break;
                case 2:
                    if (!TryReadLength(span, ref position, out var length))
                    {
                        return false;
                    }

                    position += length;
                    break;
                case 3:
                    if (!TrySkipGroup(span, ref position, inner, depth + 1))
                    {
                        return false;
                    }

                    break;
                case 4:
                    return inner == field;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Steps over a group of a message that passed <see cref="Check"/>.</summary>
    private static void SkipGroup(ReadOnlySpan<byte> span, ref int position, int field, int depth) =>
        TrySkipGroup(span, ref position, field, depth);

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70 && position < span.Length; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        return value;
    }

    /// <summary>What the scanner needs to know of a field: how to check its length-delimited body.</summary>
    internal enum FieldKind : byte
    {
        Unknown,
        Message,
        String,
        PackedFixed64,
        PackedFixed32,
        PackedVarint,
    }

    /// <summary>
    /// A message type's fields as the scanner sees them, built once from the generated descriptors (the OTLP
    /// schema is recursive through AnyValue, so nested schemas are shared).
    /// </summary>
    internal sealed class WireSchema
    {
        private readonly FieldKind[] _kinds;
        private readonly WireSchema?[] _nested;

        private WireSchema(int maxField)
        {
            _kinds = new FieldKind[maxField + 1];
            _nested = new WireSchema?[maxField + 1];
        }

        /// <summary>The kind of a length-delimited occurrence of <paramref name="field"/> (other wire types are never checked further).</summary>
        public FieldKind KindOf(int field, int wireType) =>
            wireType == 2 && (uint)field < (uint)_kinds.Length ? _kinds[field] : FieldKind.Unknown;

        public WireSchema? NestedOf(int field) => (uint)field < (uint)_nested.Length ? _nested[field] : null;

        public static WireSchema For(MessageDescriptor descriptor) => Build(descriptor, new Dictionary<string, WireSchema>(StringComparer.Ordinal));

        private static WireSchema Build(MessageDescriptor descriptor, Dictionary<string, WireSchema> built)
        {
            if (built.TryGetValue(descriptor.FullName, out var existing))
            {
                return existing;
            }

            var fields = descriptor.Fields.InFieldNumberOrder();
            var max = 0;
            foreach (var f in fields)
            {
                max = Math.Max(max, f.FieldNumber);
            }

            var schema = new WireSchema(max);
            built[descriptor.FullName] = schema;
            foreach (var f in fields)
            {
                schema._kinds[f.FieldNumber] = f.FieldType switch
                {
                    FieldType.Message => FieldKind.Message,
                    FieldType.String => FieldKind.String,
                    FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 when f.IsRepeated => FieldKind.PackedFixed64,
                    FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 when f.IsRepeated => FieldKind.PackedFixed32,
                    FieldType.Int32 or FieldType.Int64 or FieldType.UInt32 or FieldType.UInt64 or FieldType.SInt32
                        or FieldType.SInt64 or FieldType.Bool or FieldType.Enum when f.IsRepeated => FieldKind.PackedVarint,
                    _ => FieldKind.Unknown,
                };
                if (f.FieldType == FieldType.Message)
                {
                    schema._nested[f.FieldNumber] = Build(f.MessageType, built);
                }
            }

            return schema;
        }
    }
}
