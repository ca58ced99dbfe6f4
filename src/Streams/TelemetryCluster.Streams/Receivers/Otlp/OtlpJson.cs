using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>
/// OTLP/JSON: the protobuf JSON mapping with OTLP's differences. Trace and span ids (<c>traceId</c>, <c>spanId</c>,
/// <c>parentSpanId</c> of spans, links, log records and exemplars) are lower-case hex strings instead of base64;
/// enums are integers; field names are lowerCamelCase on output and either lowerCamelCase or the proto names on
/// input; 64-bit integers may be strings or numbers (large numbers keep full precision); unknown fields are ignored.
/// </summary>
/// <remarks>
/// Both directions run one streaming pass (<see cref="Utf8JsonReader"/> → <see cref="Utf8JsonWriter"/>) that rewrites
/// id values between hex and base64 around Google.Protobuf's <see cref="JsonParser"/> / <see cref="JsonFormatter"/>.
/// The id fields are recognised by name: no other OTLP field is called <c>traceId</c>, <c>spanId</c> or
/// <c>parentSpanId</c> (attribute keys are values, not property names, so they are never touched).
/// </remarks>
public static class OtlpJson
{
    private const int MaxDepth = 256;
    private const long MaxSafeInteger = 9007199254740992; // 2^53: larger JSON numbers lose precision as doubles

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(MaxDepth));

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatEnumsAsIntegers(true));

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = MaxDepth,
        SkipValidation = true,
    };

    /// <summary>Parses an OTLP/JSON document; throws <see cref="OtlpJsonException"/> on any problem.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8Json)
        where T : IMessage<T>, new()
    {
        var json = Rewrite(utf8Json, toProtobufJson: true);
        try
        {
            return Parser.Parse<T>(json);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            throw new OtlpJsonException(e.Message, e);
        }
    }

    /// <summary>Parses an OTLP/JSON document into a message of the given type.</summary>
    public static IMessage Parse(MessageDescriptor descriptor, ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var json = Rewrite(utf8Json, toProtobufJson: true);
        try
        {
            return Parser.Parse(json, descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            throw new OtlpJsonException(e.Message, e);
        }
    }

    /// <summary>Formats a message as OTLP/JSON (hex ids, integer enums, lowerCamelCase names).</summary>
    public static string Format(IMessage message) => Encoding.UTF8.GetString(FormatUtf8(message));

    /// <summary>Formats a message as OTLP/JSON, UTF-8 encoded.</summary>
    public static byte[] FormatUtf8(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var protobufJson = Encoding.UTF8.GetBytes(Formatter.Format(message));
        return Encoding.UTF8.GetBytes(Rewrite(protobufJson, toProtobufJson: false));
    }

    private static bool IsIdProperty(ReadOnlySpan<byte> name, out int expectedBytes)
    {
        if (name.SequenceEqual("traceId"u8) || name.SequenceEqual("trace_id"u8))
        {
            expectedBytes = 16;
            return true;
        }

        if (name.SequenceEqual("spanId"u8) || name.SequenceEqual("span_id"u8)
            || name.SequenceEqual("parentSpanId"u8) || name.SequenceEqual("parent_span_id"u8))
        {
            expectedBytes = 8;
            return true;
        }

        expectedBytes = 0;
        return false;
    }

    /// <summary>One pass over the document: ids hex → base64 (input) or base64 → hex (output); big integers → strings.</summary>
    private static string Rewrite(ReadOnlySpan<byte> utf8Json, bool toProtobufJson)
    {
        var output = new ArrayBufferWriter<byte>(utf8Json.Length + 64);
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                string? idProperty = null;
                var idBytes = 0;
                var sawValue = false;
                while (reader.Read())
                {
                    var pendingId = idProperty;
                    idProperty = null;
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject:
                            writer.WriteStartObject();
                            break;
                        case JsonTokenType.EndObject:
                            writer.WriteEndObject();
                            break;
                        case JsonTokenType.StartArray:
                            writer.WriteStartArray();
                            break;
                        case JsonTokenType.EndArray:
                            writer.WriteEndArray();
                            break;
                        case JsonTokenType.PropertyName:
                            if (reader.ValueIsEscaped)
                            {
                                var name = reader.GetString()!;
                                writer.WritePropertyName(name);
                                if (IsIdProperty(Encoding.UTF8.GetBytes(name), out idBytes))
                                {
                                    idProperty = name;
                                }
                            }
                            else
                            {
                                writer.WritePropertyName(reader.ValueSpan);
                                if (IsIdProperty(reader.ValueSpan, out idBytes))
                                {
                                    idProperty = Encoding.UTF8.GetString(reader.ValueSpan);
                                }
                            }

                            break;
                        case JsonTokenType.String:
                            if (pendingId is not null)
                            {
                                var text = reader.GetString()!;
                                writer.WriteStringValue(toProtobufJson ? HexToBase64(pendingId, text, idBytes) : Base64ToHex(text));
                            }
                            else if (reader.ValueIsEscaped)
                            {
                                writer.WriteStringValue(reader.GetString());
                            }
                            else
                            {
                                writer.WriteStringValue(reader.ValueSpan);
                            }

                            break;
                        case JsonTokenType.Number:
                            WriteNumber(writer, reader.ValueSpan, toProtobufJson);
                            break;
                        case JsonTokenType.True:
                            writer.WriteBooleanValue(true);
                            break;
                        case JsonTokenType.False:
                            writer.WriteBooleanValue(false);
                            break;
                        case JsonTokenType.Null:
                            writer.WriteNullValue();
                            break;
                        default:
                            throw new OtlpJsonException($"unexpected JSON token {reader.TokenType}");
                    }

                    sawValue = true;
                }

                if (!sawValue)
                {
                    throw new OtlpJsonException("empty JSON document");
                }
            }

            return Encoding.UTF8.GetString(output.WrittenSpan);
        }
        catch (JsonException e)
        {
            throw new OtlpJsonException(e.Message, e);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> raw, bool toProtobufJson)
    {
        // Google.Protobuf reads JSON numbers as doubles; integers beyond 2^53 (nanosecond timestamps, large counters)
        // would lose precision, so they go to the parser as strings, which proto3 JSON accepts for every number type.
        if (toProtobufJson && raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && raw.Length >= 16
            && (!Utf8Parser.TryParse(raw, out long value, out var consumed) || consumed != raw.Length || value > MaxSafeInteger || value < -MaxSafeInteger))
        {
            writer.WriteStringValue(raw);
            return;
        }

        writer.WriteRawValue(raw, skipInputValidation: true);
    }

    private static string HexToBase64(string property, string hex, int expectedBytes)
    {
        if (hex.Length == 0)
        {
            return string.Empty;
        }

        if (hex.Length != expectedBytes * 2)
        {
            throw new OtlpJsonException($"invalid {property} \"{Truncate(hex)}\": expected {expectedBytes * 2} hex characters, got {hex.Length}");
        }

        var bytes = new byte[expectedBytes];
        for (var i = 0; i < expectedBytes; i++)
        {
            var hi = HexValue(hex[2 * i]);
            var lo = HexValue(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                throw new OtlpJsonException($"invalid {property} \"{Truncate(hex)}\": not a hex string");
            }

            bytes[i] = (byte)((hi << 4) | lo);
        }

        return Convert.ToBase64String(bytes);
    }

    private static string Base64ToHex(string base64) =>
        base64.Length == 0 ? string.Empty : Convert.ToHexStringLower(Convert.FromBase64String(base64));

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}

/// <summary>An OTLP/JSON document could not be read (syntax, types, or an id that is not valid hex).</summary>
public sealed class OtlpJsonException : FormatException
{
    public OtlpJsonException(string message)
        : base(message)
    {
    }

    public OtlpJsonException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
