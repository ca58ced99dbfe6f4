using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>Embedded <c>timestamp</c> / <c>time_parser</c>: parse_from → entry timestamp.</summary>
internal sealed record TimeSettings(Field ParseFrom, TimeLayout Layout)
{
    public bool TryApply(LogEntry entry, TimeProvider time, out string? error)
    {
        if (!ParseFrom.TryGet(entry, out var value))
        {
            error = $"timestamp: entry is missing the expected parse_from field {ParseFrom}";
            return false;
        }

        if (!Layout.TryParse(value, time.GetUtcNow(), out var timestamp, out var message))
        {
            error = "timestamp: " + message;
            return false;
        }

        entry.Timestamp = timestamp;
        error = null;
        return true;
    }
}

/// <summary>Embedded <c>severity</c> / <c>severity_parser</c>: parse_from → severity number and text.</summary>
internal sealed record SeveritySettings(Field ParseFrom, SeverityMapping Mapping, bool OverwriteText)
{
    public bool TryApply(LogEntry entry, out string? error)
    {
        if (!ParseFrom.TryGet(entry, out var value))
        {
            error = $"severity: entry is missing the expected parse_from field {ParseFrom}";
            return false;
        }

        error = null;
        if (Mapping.TryLookup(value, out var severity))
        {
            entry.Severity = severity;
            entry.SeverityText = OverwriteText ? SeverityMapping.Names[severity] : Values.ToText(value);
        }
        else
        {
            entry.Severity = 0;
            entry.SeverityText = Values.ToText(value);
        }

        return true;
    }
}

/// <summary>Embedded <c>trace</c> / <c>trace_parser</c>: hex trace_id (16 bytes), span_id (8), trace_flags (1).</summary>
internal sealed record TraceSettings(Field TraceId, Field SpanId, Field TraceFlags)
{
    public static TraceSettings Default { get; } =
        new(Field.Attribute("trace_id"), Field.Attribute("span_id"), Field.Attribute("trace_flags"));

    public bool TryApply(LogEntry entry, out string? error)
    {
        error = null;
        if (TraceId.TryGet(entry, out var traceId))
        {
            if (TryHex(traceId, 16, out var bytes))
            {
                entry.TraceId = bytes;
            }
            else
            {
                error = $"trace: trace_id {Values.ToText(traceId)} is not 32 hex digits";
            }
        }

        if (SpanId.TryGet(entry, out var spanId))
        {
            if (TryHex(spanId, 8, out var bytes))
            {
                entry.SpanId = bytes;
            }
            else
            {
                error ??= $"trace: span_id {Values.ToText(spanId)} is not 16 hex digits";
            }
        }

        if (TraceFlags.TryGet(entry, out var flags))
        {
            if (TryHex(flags, 1, out var bytes))
            {
                entry.TraceFlags = bytes[0];
            }
            else
            {
                error ??= $"trace: trace_flags {Values.ToText(flags)} is not 2 hex digits";
            }
        }

        return error is null;
    }

    private static bool TryHex(object? value, int length, out byte[] bytes)
    {
        bytes = [];
        if (value is not string text || text.Length != length * 2)
        {
            return false;
        }

        bytes = new byte[length];
        return Convert.FromHexString(text, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == length;
    }
}

/// <summary>What every parser shares: parse_from/parse_to/preserve_to/body and the embedded operations.</summary>
internal sealed record ParserSettings(
    Field ParseFrom,
    Field ParseTo,
    Field? PreserveTo,
    Field? BodyFrom,
    TimeSettings? Timestamp,
    SeveritySettings? Severity,
    TraceSettings? Trace,
    Field? ScopeName);

/// <summary>
/// A parser: reads parse_from, parses it into a map written to parse_to (merged into attributes/resource), then runs
/// the embedded body/timestamp/severity/trace/scope_name steps independently; any error goes to <c>on_error</c>.
/// </summary>
internal abstract class ParserOperator(ParserSettings settings) : Operator
{
    protected ParserSettings Settings { get; } = settings;

    protected sealed override void Handle(LogEntry entry)
    {
        if (!Settings.ParseFrom.TryGet(entry, out var value))
        {
            Fail(entry, $"{Type}: entry is missing the expected parse_from field {Settings.ParseFrom}");
            return;
        }

        if (!TryParse(entry, value, out var error))
        {
            Fail(entry, $"{Type}: {error}");
            return;
        }

        if (Settings.PreserveTo is { } preserve && !preserve.TrySet(entry, value, out error))
        {
            Fail(entry, $"{Type}: preserve_to: {error}");
            return;
        }

        if (!RunEmbedded(entry, Settings, Pipeline.Time, out error))
        {
            Fail(entry, error!);
            return;
        }

        Emit(entry);
    }

    /// <summary>Runs body/timestamp/severity/trace/scope_name; each runs even when another failed; returns the first error.</summary>
    internal static bool RunEmbedded(LogEntry entry, ParserSettings settings, TimeProvider time, out string? error)
    {
        error = null;
        if (settings.BodyFrom is { } bodyFrom)
        {
            if (bodyFrom.TryGet(entry, out var body))
            {
                entry.Body = body;
            }
            else
            {
                error = $"body: entry is missing the expected field {bodyFrom}";
            }
        }

        string? step;
        if (settings.Timestamp is { } timestamp && !timestamp.TryApply(entry, time, out step))
        {
            error ??= step;
        }

        if (settings.Severity is { } severity && !severity.TryApply(entry, out step))
        {
            error ??= step;
        }

        if (settings.Trace is { } trace && !trace.TryApply(entry, out step))
        {
            error ??= step;
        }

        if (settings.ScopeName is { } scope && scope.TryGet(entry, out var name))
        {
            entry.ScopeName = Values.ToText(name);
        }

        return error is null;
    }

    /// <summary>Parses and writes the result to parse_to; on failure nothing is written.</summary>
    protected abstract bool TryParse(LogEntry entry, object? value, out string? error);

    /// <summary>Writes a parsed map to parse_to.</summary>
    protected bool Store(LogEntry entry, Dictionary<string, object?> parsed, out string? error) =>
        Settings.ParseTo.TrySet(entry, parsed, out error);
}

/// <summary>
/// <c>regex_parser</c>: named groups of a match become fields. Patterns in <see cref="CaptureProgram"/>'s subset run
/// there (no allocation but the captured strings); others, and runs over its step budget, use .NET's Regex.
/// </summary>
internal sealed class RegexParser(ParserSettings settings, Regex regex, CaptureProgram? program) : ParserOperator(settings)
{
    private readonly int[] _groupNumbers = NamedGroups(regex).Numbers;
    private readonly string[] _groupNames = NamedGroups(regex).Names;
    private readonly CaptureProgram.Runner? _runner = program is null ? null : new CaptureProgram.Runner(program);
    private readonly string?[] _lastCaptures = new string?[program?.Names.Length ?? 0];

    public static (int[] Numbers, string[] Names) NamedGroups(Regex regex)
    {
        var numbers = new List<int>();
        var names = new List<string>();
        foreach (var name in regex.GetGroupNames())
        {
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                numbers.Add(regex.GroupNumberFromName(name));
                names.Add(name);
            }
        }

        return ([.. numbers], [.. names]);
    }

    protected override bool TryParse(LogEntry entry, object? value, out string? error)
    {
        if (value is not string text)
        {
            error = $"type '{Values.TypeName(value)}' cannot be parsed as regex";
            return false;
        }

        if (_runner is not null)
        {
            var matched = _runner.Match(text);
            if (matched == false)
            {
                error = "regex pattern does not match";
                return false;
            }

            if (matched == true)
            {
                return StoreCaptures(entry, text, out error);
            }
        }

        Match match;
        try
        {
            match = regex.Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            error = "regex match timed out";
            return false;
        }

        if (!match.Success)
        {
            error = "regex pattern does not match";
            return false;
        }

        var groups = match.Groups;
        var target = DirectTarget(entry) ?? new Dictionary<string, object?>(_groupNumbers.Length, StringComparer.Ordinal);
        for (var i = 0; i < _groupNumbers.Length; i++)
        {
            target[_groupNames[i]] = groups[_groupNumbers[i]].Value;
        }

        return Finish(entry, target, out error);
    }

    private bool StoreCaptures(LogEntry entry, string text, out string? error)
    {
        var names = program!.Names;
        var target = DirectTarget(entry) ?? new Dictionary<string, object?>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            var start = _runner!.Start(i);
            target[names[i]] = start < 0 ? string.Empty : Capture(i, text.AsSpan(start, _runner.End(i) - start));
        }

        return Finish(entry, target, out error);
    }

    /// <summary>
    /// The string of group <paramref name="group"/>: the previous entry's when the text is the same (dates, levels,
    /// hosts repeat from line to line; strings are immutable, so entries may share them), else a new one.
    /// </summary>
    private string Capture(int group, ReadOnlySpan<char> value)
    {
        var last = _lastCaptures[group];
        if (last is not null && value.SequenceEqual(last))
        {
            return last;
        }

        var created = value.ToString();
        _lastCaptures[group] = created;
        return created;
    }

    /// <summary>The entry's own map when parse_to is the attributes or resource root (the hot path: no intermediate map).</summary>
    private Dictionary<string, object?>? DirectTarget(LogEntry entry)
    {
        var parseTo = Settings.ParseTo;
        if (!parseTo.IsRoot || parseTo.Root == FieldRoot.Body)
        {
            return null;
        }

        return parseTo.Root == FieldRoot.Attributes ? entry.Attributes : entry.Resource;
    }

    private bool Finish(LogEntry entry, Dictionary<string, object?> target, out string? error)
    {
        if (ReferenceEquals(target, entry.Attributes) || ReferenceEquals(target, entry.ResourceOrNull))
        {
            error = null;
            return true;
        }

        return Store(entry, target, out error);
    }
}

/// <summary><c>json_parser</c>: a JSON object string becomes a map (numbers float64 unless <c>parse_ints</c>).</summary>
internal sealed class JsonParser(ParserSettings settings, bool parseInts) : ParserOperator(settings)
{
    protected override bool TryParse(LogEntry entry, object? value, out string? error)
    {
        if (value is not string text)
        {
            error = $"type {Values.TypeName(value)} cannot be parsed as JSON";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the JSON value is not an object";
                return false;
            }

            var map = ReadObject(ref reader);
            if (reader.Read())
            {
                error = "extra text after the JSON object";
                return false;
            }

            return Store(entry, map, out error);
        }
        catch (JsonException e)
        {
            error = $"invalid JSON: {e.Message}";
            return false;
        }
    }

    private Dictionary<string, object?> ReadObject(ref Utf8JsonReader reader)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            map[name] = ReadValue(ref reader);
        }

        return map;
    }

    private object? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader);
            case JsonTokenType.StartArray:
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(ReadValue(ref reader));
                }

                return list;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                if (parseInts && reader.TryGetInt64(out var integer))
                {
                    return integer;
                }

                return reader.GetDouble();
            case JsonTokenType.True:
                return Values.True;
            case JsonTokenType.False:
                return Values.False;
            default:
                return null;
        }
    }
}

/// <summary><c>key_value_parser</c>: <c>k=v</c> pairs separated by whitespace (quotes respected) or <c>pair_delimiter</c>.</summary>
internal sealed class KeyValueParser(ParserSettings settings, string delimiter, string? pairDelimiter) : ParserOperator(settings)
{
    protected override bool TryParse(LogEntry entry, object? value, out string? error)
    {
        if (value is not string text)
        {
            error = $"type {Values.TypeName(value)} cannot be parsed as key value pairs";
            return false;
        }

        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in SplitPairs(text))
        {
            var at = pair.IndexOf(delimiter, StringComparison.Ordinal);
            if (at < 0)
            {
                error = $"expected '{pair}' to split by '{delimiter}' into two items";
                return false;
            }

            var key = Unquote(pair[..at].Trim());
            if (key.Length == 0)
            {
                error = $"parsed an empty key from '{pair}'";
                return false;
            }

            map[key] = Unquote(pair[(at + delimiter.Length)..].Trim());
        }

        return Store(entry, map, out error);
    }

    private List<string> SplitPairs(string text)
    {
        var pairs = new List<string>();
        if (pairDelimiter is not null)
        {
            foreach (var part in text.Split(pairDelimiter))
            {
                if (part.Trim().Length > 0)
                {
                    pairs.Add(part.Trim());
                }
            }

            return pairs;
        }

        var builder = new StringBuilder();
        var quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }

                builder.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                builder.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (builder.Length > 0)
                {
                    pairs.Add(builder.ToString());
                    builder.Clear();
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        if (builder.Length > 0)
        {
            pairs.Add(builder.ToString());
        }

        return pairs;
    }

    private static string Unquote(string text) =>
        text.Length >= 2 && text[0] is '"' or '\'' && text[^1] == text[0] ? text[1..^1] : text;
}

/// <summary><c>csv_parser</c>: one CSV record mapped onto <c>header</c> (or a header from <c>header_attribute</c>).</summary>
internal sealed class CsvParser(
    ParserSettings settings, string[]? header, string? headerAttribute, char delimiter, char headerDelimiter, bool lazyQuotes, bool ignoreQuotes)
    : ParserOperator(settings)
{
    protected override bool TryParse(LogEntry entry, object? value, out string? error)
    {
        if (value is not string text)
        {
            error = $"type '{Values.TypeName(value)}' cannot be parsed as csv";
            return false;
        }

        var names = header;
        if (names is null)
        {
            if (!entry.Attributes.TryGetValue(headerAttribute!, out var dynamicHeader) || dynamicHeader is not string headerText)
            {
                error = $"failed to read dynamic header attribute {headerAttribute}";
                return false;
            }

            names = headerText.Split(headerDelimiter);
        }

        if (!TrySplit(text, out var fields, out error))
        {
            return false;
        }

        if (fields.Count != names.Length)
        {
            error = $"wrong number of fields: expected {names.Length}, found {fields.Count}";
            return false;
        }

        var map = new Dictionary<string, object?>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            map[names[i]] = fields[i];
        }

        return Store(entry, map, out error);
    }

    private bool TrySplit(string text, out List<string> fields, out string? error)
    {
        fields = [];
        error = null;
        if (ignoreQuotes)
        {
            fields.AddRange(text.Split(delimiter));
            return true;
        }

        var builder = new StringBuilder();
        var i = 0;
        while (true)
        {
            builder.Clear();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            builder.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        closed = true;
                        break;
                    }

                    builder.Append(text[i++]);
                }

                if (!closed && !lazyQuotes)
                {
                    error = "extraneous or missing \" in quoted-field";
                    return false;
                }

                if (i < text.Length && text[i] != delimiter)
                {
                    if (!lazyQuotes)
                    {
                        error = "extraneous or missing \" in quoted-field";
                        return false;
                    }

                    while (i < text.Length && text[i] != delimiter)
                    {
                        builder.Append(text[i++]);
                    }
                }
            }
            else
            {
                while (i < text.Length && text[i] != delimiter)
                {
                    if (text[i] == '"' && !lazyQuotes)
                    {
                        error = "bare \" in non-quoted-field";
                        return false;
                    }

                    builder.Append(text[i++]);
                }
            }

            fields.Add(builder.ToString());
            if (i >= text.Length)
            {
                return true;
            }

            i++; // the delimiter
        }
    }
}

/// <summary><c>time_parser</c>, <c>severity_parser</c>, <c>trace_parser</c>, <c>scope_name_parser</c> as standalone operators.</summary>
internal sealed class EmbeddedStepOperator(ParserSettings steps) : Operator
{
    protected override void Handle(LogEntry entry)
    {
        if (!ParserOperator.RunEmbedded(entry, steps, Pipeline.Time, out var error))
        {
            Fail(entry, $"{Type}: {error}");
            return;
        }

        Emit(entry);
    }
}
