using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// Writes log entries straight into OTLP protobuf bytes: the <c>log_records</c> fields (2) of one ScopeLogs, each
/// record encoded exactly as Google.Protobuf encodes the <see cref="OpenTelemetry.Proto.Logs.V1.LogRecord"/> built
/// from the entry as objects (same fields, same order, same bytes; <c>LogRecordEncoderTests</c> holds that mapping). A batch of lines then costs
/// one growing array instead of an object graph per record (records, key-values, any-values) that lives until the
/// export and the size computations Google.Protobuf repeats at every nesting level.
/// </summary>
/// <remarks>
/// One pass: a nested message's length is written after its content, into one byte reserved in front of it; when
/// the content needs a longer varint, it is moved up by the difference (rare: only records of 128 bytes and more,
/// which is most records, move once — a short memmove).
/// </remarks>
internal sealed class LogRecordEncoder
{
    private const byte RecordTag = (2 << 3) | 2;

    private byte[] _buffer;

    public LogRecordEncoder(int capacity = 64 * 1024) => _buffer = new byte[capacity];

    /// <summary>Bytes written since the last <see cref="Reset"/>.</summary>
    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Reset() => Length = 0;

    /// <summary>Appends <paramref name="entry"/> as one <c>log_records</c> field.</summary>
    public void Write(LogEntry entry)
    {
        Tag(RecordTag);
        var record = BeginMessage();
        if (entry.Timestamp is { } time && UnixNanos(time) is var nanos and not 0)
        {
            Fixed64((1 << 3) | 1, nanos);
        }

        var severity = Math.Clamp(entry.Severity, 0, 24);
        if (severity != 0)
        {
            Tag((2 << 3) | 0);
            Varint((ulong)severity);
        }

        if (entry.SeverityText is { Length: > 0 } text)
        {
            String((3 << 3) | 2, text);
        }

        if (entry.Body is not null)
        {
            Tag((5 << 3) | 2);
            var body = BeginMessage();
            AnyValue(entry.Body);
            EndMessage(body);
        }

        foreach (var (name, value) in entry.Attributes)
        {
            KeyValue((6 << 3) | 2, name, value);
        }

        if (entry.TraceFlags != 0)
        {
            Ensure(5);
            _buffer[Length++] = (8 << 3) | 5;
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(Length), entry.TraceFlags);
            Length += 4;
        }

        if (entry.TraceId is { Length: 16 } traceId)
        {
            Bytes((9 << 3) | 2, traceId);
        }

        if (entry.SpanId is { Length: 8 } spanId)
        {
            Bytes((10 << 3) | 2, spanId);
        }

        if (UnixNanos(entry.ObservedTimestamp) is var observed and not 0)
        {
            Fixed64((11 << 3) | 1, observed);
        }

        EndMessage(record);
    }

    /// <summary>What Google.Protobuf writes for <see cref="LogBatchBuilder.ToAnyValue"/>'s result (its content, no tag or length).</summary>
    private void AnyValue(object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                String((1 << 3) | 2, s, always: true);
                return;
            case bool b:
                Tag((2 << 3) | 0);
                Varint(b ? 1UL : 0UL);
                return;
            case long l:
                Tag((3 << 3) | 0);
                Varint((ulong)l);
                return;
            case int i:
                Tag((3 << 3) | 0);
                Varint((ulong)(long)i);
                return;
            case double d:
                Fixed64((4 << 3) | 1, BitConverter.DoubleToUInt64Bits(d));
                return;
            case float f:
                Fixed64((4 << 3) | 1, BitConverter.DoubleToUInt64Bits(f));
                return;
            case byte[] bytes:
                Bytes((7 << 3) | 2, bytes);
                return;
            case Dictionary<string, object?> map:
                {
                    Tag((6 << 3) | 2);
                    var list = BeginMessage();
                    foreach (var (k, v) in map)
                    {
                        KeyValue((1 << 3) | 2, k, v);
                    }

                    EndMessage(list);
                    return;
                }

            case List<object?> items:
                {
                    Tag((5 << 3) | 2);
                    var array = BeginMessage();
                    foreach (var item in items)
                    {
                        Tag((1 << 3) | 2);
                        var element = BeginMessage();
                        AnyValue(item);
                        EndMessage(element);
                    }

                    EndMessage(array);
                    return;
                }

            case IFormattable formattable:
                String((1 << 3) | 2, formattable.ToString(null, CultureInfo.InvariantCulture), always: true);
                return;
            default:
                String((1 << 3) | 2, value.ToString() ?? string.Empty, always: true);
                return;
        }
    }

    private void KeyValue(byte tag, string key, object? value)
    {
        Tag(tag);
        var kv = BeginMessage();
        if (key.Length > 0)
        {
            String((1 << 3) | 2, key);
        }

        // The value message is always present (an empty AnyValue for null).
        Tag((2 << 3) | 2);
        var any = BeginMessage();
        AnyValue(value);
        EndMessage(any);
        EndMessage(kv);
    }

    /// <summary>A string field; proto3 leaves an empty one out unless it is a oneof member (<paramref name="always"/>).</summary>
    private void String(byte tag, string value, bool always = false)
    {
        if (value.Length == 0 && !always)
        {
            return;
        }

        Ensure(1 + 5 + (value.Length * 3));
        _buffer[Length++] = tag;
        var start = BeginMessage();
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
        EndMessage(start);
    }

    private void Bytes(byte tag, byte[] value)
    {
        Ensure(1 + 5 + value.Length);
        _buffer[Length++] = tag;
        Length += Data.OtlpWire.WriteVarint(_buffer.AsSpan(Length), (uint)value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    private void Fixed64(byte tag, ulong value)
    {
        Ensure(9);
        _buffer[Length++] = tag;
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    private void Tag(byte tag)
    {
        Ensure(1);
        _buffer[Length++] = tag;
    }

    private void Varint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[Length++] = (byte)value;
    }

    /// <summary>Reserves one byte for a length and returns where the content starts.</summary>
    private int BeginMessage()
    {
        Ensure(1);
        return ++Length;
    }

    /// <summary>Writes the length of the content that started at <paramref name="start"/> into the byte before it, moving the content up when the length takes more.</summary>
    private void EndMessage(int start)
    {
        var length = Length - start;
        if (length < 0x80)
        {
            _buffer[start - 1] = (byte)length;
            return;
        }

        var extra = Google.Protobuf.CodedOutputStream.ComputeRawVarint32Size((uint)length) - 1;
        Ensure(extra);
        _buffer.AsSpan(start, length).CopyTo(_buffer.AsSpan(start + extra));
        Data.OtlpWire.WriteVarint(_buffer.AsSpan(start - 1), (uint)length);
        Length += extra;
    }

    private void Ensure(int bytes)
    {
        if (_buffer.Length - Length >= bytes)
        {
            return;
        }

        var grown = GC.AllocateUninitializedArray<byte>(Math.Max(_buffer.Length * 2, Length + bytes));
        _buffer.AsSpan(0, Length).CopyTo(grown);
        _buffer = grown;
    }

    internal static ulong UnixNanos(DateTimeOffset time) =>
        time.UtcTicks <= DateTime.UnixEpoch.Ticks ? 0 : (ulong)(time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
}
