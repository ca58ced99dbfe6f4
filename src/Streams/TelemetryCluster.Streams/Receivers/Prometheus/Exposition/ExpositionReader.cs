using System.Globalization;
using System.Text;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Exposition;

/// <summary>What the reader stopped on.</summary>
internal enum ExpositionEntry
{
    None = 0,
    Type,
    Help,
    Unit,
    Sample,
    Eof,
}

/// <summary>Metric family types of text 0.0.4 and OpenMetrics 1.0 (<c>untyped</c> reads as <see cref="Unknown"/>).</summary>
internal enum MetricType
{
    Unknown = 0,
    Counter,
    Gauge,
    Histogram,
    Summary,
    Info,
    StateSet,
    GaugeHistogram,
}

/// <summary>A parse error of a scrape body, with the 1-based line it was found on.</summary>
internal sealed class ExpositionFormatException(string message, int line) : FormatException($"line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// A forward-only reader of the Prometheus text format 0.0.4 and OpenMetrics 1.0, over the whole body as one span.
/// <see cref="Next"/> moves to the next meaningful line and exposes its parts as slices of the input (no copy, no
/// regex); label values are unescaped only when asked (<see cref="LabelReader"/>). Any syntax error throws
/// <see cref="ExpositionFormatException"/>: as in Prometheus, one bad line fails the whole scrape.
/// </summary>
internal ref struct ExpositionReader
{
    private readonly ReadOnlySpan<char> _text;
    private readonly bool _openMetrics;
    private int _pos;
    private int _line;
    private bool _sawEof;

    public ExpositionReader(ReadOnlySpan<char> text, bool openMetrics)
    {
        _text = text;
        _openMetrics = openMetrics;
    }

    public ExpositionEntry Entry { get; private set; }

    /// <summary>The metric name of a TYPE/HELP/UNIT line, or of a sample.</summary>
    public ReadOnlySpan<char> Name { get; private set; }

    /// <summary>A sample's name and label block as written (<c>x_bucket{le="1"}</c>): the series identity in this scrape.</summary>
    public ReadOnlySpan<char> Series { get; private set; }

    /// <summary>A sample's label block without the braces (may be empty).</summary>
    public ReadOnlySpan<char> Labels { get; private set; }

    /// <summary>HELP text (still escaped; see <see cref="UnescapeHelp"/>) or UNIT text.</summary>
    public ReadOnlySpan<char> Text { get; private set; }

    public MetricType Type { get; private set; }

    public double Value { get; private set; }

    /// <summary>Milliseconds since the epoch when the sample carries a timestamp.</summary>
    public long? TimestampMs { get; private set; }

    public int Line => _line;

    public bool OpenMetrics => _openMetrics;

    /// <summary>Moves to the next entry; false at the end of the input (OpenMetrics: after <c># EOF</c>).</summary>
    public bool Next()
    {
        while (_pos < _text.Length)
        {
            var rest = _text[_pos..];
            var nl = rest.IndexOf('\n');
            ReadOnlySpan<char> line;
            if (nl < 0)
            {
                line = rest;
                _pos = _text.Length;
            }
            else
            {
                line = rest[..nl];
                _pos += nl + 1;
            }

            _line++;
            if (_sawEof)
            {
                if (line.Length == 0 && _pos >= _text.Length)
                {
                    break;
                }

                throw Error("unexpected data after # EOF");
            }

            if (ReadLine(line))
            {
                return true;
            }
        }

        if (_openMetrics && !_sawEof)
        {
            throw Error("data does not end with # EOF");
        }

        Entry = ExpositionEntry.None;
        return false;
    }

    private bool ReadLine(ReadOnlySpan<char> line)
    {
        if (!_openMetrics)
        {
            line = line.TrimStart(" \t");
        }

        if (line.Length == 0)
        {
            if (_openMetrics)
            {
                throw Error("blank lines are not allowed in OpenMetrics");
            }

            return false;
        }

        if (line[0] == '#')
        {
            return ReadComment(line);
        }

        ReadSample(line);
        return true;
    }

    private bool ReadComment(ReadOnlySpan<char> line)
    {
        var rest = line[1..];
        if (_openMetrics)
        {
            if (rest.SequenceEqual(" EOF"))
            {
                _sawEof = true;
                Entry = ExpositionEntry.Eof;
                return true;
            }

            if (rest.Length == 0 || rest[0] != ' ')
            {
                throw Error("invalid comment line");
            }
        }

        rest = rest.TrimStart(" \t");
        var keywordEnd = rest.IndexOfAny(' ', '\t');
        if (keywordEnd < 0)
        {
            if (_openMetrics)
            {
                throw Error("invalid comment line");
            }

            return false; // a plain comment
        }

        var keyword = rest[..keywordEnd];
        ExpositionEntry entry;
        if (keyword.SequenceEqual("TYPE"))
        {
            entry = ExpositionEntry.Type;
        }
        else if (keyword.SequenceEqual("HELP"))
        {
            entry = ExpositionEntry.Help;
        }
        else if (_openMetrics && keyword.SequenceEqual("UNIT"))
        {
            entry = ExpositionEntry.Unit;
        }
        else
        {
            if (_openMetrics)
            {
                throw Error($"unknown comment keyword \"{keyword}\"");
            }

            return false;
        }

        rest = rest[(keywordEnd + 1)..];
        if (!_openMetrics)
        {
            rest = rest.TrimStart(" \t");
        }

        var nameEnd = ScanMetricName(rest);
        if (nameEnd == 0)
        {
            throw Error("invalid metric name in comment");
        }

        Name = rest[..nameEnd];
        var text = rest[nameEnd..];
        if (text.Length > 0)
        {
            if (text[0] != ' ' && text[0] != '\t')
            {
                throw Error("invalid metric name in comment");
            }

            text = _openMetrics ? text[1..] : text.TrimStart(" \t");
        }

        Text = text;
        Entry = entry;
        if (entry == ExpositionEntry.Type)
        {
            Type = ParseType(_openMetrics ? text : text.TrimEnd(" \t"));
        }

        return true;
    }

    private MetricType ParseType(ReadOnlySpan<char> word)
    {
        if (word.SequenceEqual("counter"))
        {
            return MetricType.Counter;
        }

        if (word.SequenceEqual("gauge"))
        {
            return MetricType.Gauge;
        }

        if (word.SequenceEqual("histogram"))
        {
            return MetricType.Histogram;
        }

        if (word.SequenceEqual("summary"))
        {
            return MetricType.Summary;
        }

        if (word.SequenceEqual(_openMetrics ? "unknown" : "untyped"))
        {
            return MetricType.Unknown;
        }

        if (_openMetrics)
        {
            if (word.SequenceEqual("info"))
            {
                return MetricType.Info;
            }

            if (word.SequenceEqual("stateset"))
            {
                return MetricType.StateSet;
            }

            if (word.SequenceEqual("gaugehistogram"))
            {
                return MetricType.GaugeHistogram;
            }
        }

        throw Error($"unknown metric type \"{word}\"");
    }

    private void ReadSample(ReadOnlySpan<char> line)
    {
        var nameEnd = ScanMetricName(line);
        if (nameEnd == 0)
        {
            throw Error($"invalid metric name \"{Truncate(line)}\"");
        }

        Name = line[..nameEnd];
        var pos = nameEnd;
        var brace = _openMetrics ? pos : SkipBlanks(line, pos);
        if (brace < line.Length && line[brace] == '{')
        {
            pos = brace;
            var close = ScanLabels(line, pos + 1);
            Labels = line[(pos + 1)..close];
            pos = close + 1;
            Series = line[..pos];
        }
        else
        {
            Labels = default;
            Series = Name;
        }

        if (pos >= line.Length || (line[pos] != ' ' && line[pos] != '\t'))
        {
            throw Error($"expected a value after the metric \"{Name}\"");
        }

        pos = _openMetrics ? pos + 1 : SkipBlanks(line, pos);
        var valueEnd = ScanToken(line, pos);
        Value = ParseValue(line[pos..valueEnd]);
        pos = valueEnd;
        TimestampMs = null;
        if (pos < line.Length)
        {
            pos = _openMetrics ? pos + 1 : SkipBlanks(line, pos);
            if (pos < line.Length && line[pos] != '#')
            {
                var tsEnd = ScanToken(line, pos);
                TimestampMs = ParseTimestamp(line[pos..tsEnd]);
                pos = _openMetrics ? tsEnd : SkipBlanks(line, tsEnd);
                if (pos < line.Length && _openMetrics)
                {
                    pos++;
                }
            }

            if (pos < line.Length)
            {
                if (!_openMetrics)
                {
                    throw Error($"unexpected text after the sample of \"{Name}\"");
                }

                if (line[pos] != '#')
                {
                    throw Error($"unexpected text after the sample of \"{Name}\"");
                }

                // An exemplar: "# {labels} value [timestamp]". Validated loosely and ignored.
                var exemplar = line[(pos + 1)..].TrimStart(' ');
                if (exemplar.Length == 0 || exemplar[0] != '{')
                {
                    throw Error("invalid exemplar");
                }

                ScanLabels(exemplar, 1);
            }
        }

        Entry = ExpositionEntry.Sample;
    }

    /// <summary>Validates a label block starting after <c>{</c>; returns the index of the closing <c>}</c>.</summary>
    private int ScanLabels(ReadOnlySpan<char> line, int pos)
    {
        while (true)
        {
            if (!_openMetrics)
            {
                pos = SkipBlanks(line, pos);
            }

            if (pos >= line.Length)
            {
                throw Error("unterminated label set");
            }

            if (line[pos] == '}')
            {
                return pos;
            }

            var nameEnd = ScanLabelName(line, pos);
            if (nameEnd == pos)
            {
                throw Error($"invalid label name at column {pos + 1}");
            }

            pos = _openMetrics ? nameEnd : SkipBlanks(line, nameEnd);
            if (pos >= line.Length || line[pos] != '=')
            {
                throw Error($"expected '=' after label name, found '{(pos < line.Length ? line[pos] : ' ')}'");
            }

            pos = _openMetrics ? pos + 1 : SkipBlanks(line, pos + 1);
            if (pos >= line.Length || line[pos] != '"')
            {
                throw Error("expected '\"' to start a label value");
            }

            pos++;
            while (true)
            {
                var special = line[pos..].IndexOfAny('"', '\\');
                if (special < 0)
                {
                    throw Error("unterminated label value");
                }

                pos += special;
                if (line[pos] == '"')
                {
                    pos++;
                    break;
                }

                if (pos + 1 >= line.Length)
                {
                    throw Error("unterminated label value");
                }

                var escaped = line[pos + 1];
                if (escaped is not ('\\' or '"' or 'n'))
                {
                    throw Error($"invalid escape sequence \"\\{escaped}\" in a label value");
                }

                pos += 2;
            }

            if (!_openMetrics)
            {
                pos = SkipBlanks(line, pos);
            }

            if (pos < line.Length && line[pos] == ',')
            {
                pos++;
                continue;
            }

            if (pos < line.Length && line[pos] == '}')
            {
                return pos;
            }

            throw Error("expected ',' or '}' after a label value");
        }
    }

    private double ParseValue(ReadOnlySpan<char> token)
    {
        if (TryParseFloat(token, out var value))
        {
            return value;
        }

        throw Error($"invalid value \"{Truncate(token)}\"");
    }

    private long ParseTimestamp(ReadOnlySpan<char> token)
    {
        if (_openMetrics)
        {
            if (TryParseFloat(token, out var seconds) && double.IsFinite(seconds))
            {
                return (long)Math.Round(seconds * 1000.0);
            }
        }
        else if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }

        throw Error($"{(_openMetrics ? "expected a number" : "expected integer")} as timestamp, got \"{Truncate(token)}\"");
    }

    /// <summary>Go float syntax plus NaN/Inf in any case, optionally signed.</summary>
    public static bool TryParseFloat(ReadOnlySpan<char> token, out double value)
    {
        if (token.Length is >= 3 and <= 4)
        {
            var body = token[0] is '+' or '-' ? token[1..] : token;
            if (body.Equals("inf", StringComparison.OrdinalIgnoreCase))
            {
                value = token[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }

            if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
            {
                value = double.NaN;
                return true;
            }
        }

        if (token.Length == 0 || token.Contains('_') || token.Contains(','))
        {
            value = 0;
            return false;
        }

        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary><c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; returns the end index (0 when no name).</summary>
    private static int ScanMetricName(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] is '_' or ':'))
        {
            return 0;
        }

        var i = 1;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or ':'))
        {
            i++;
        }

        return i;
    }

    private static int ScanLabelName(ReadOnlySpan<char> s, int pos)
    {
        if (pos >= s.Length || !(char.IsAsciiLetter(s[pos]) || s[pos] == '_'))
        {
            return pos;
        }

        var i = pos + 1;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_'))
        {
            i++;
        }

        return i;
    }

    private static int SkipBlanks(ReadOnlySpan<char> s, int pos)
    {
        while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t'))
        {
            pos++;
        }

        return pos;
    }

    private static int ScanToken(ReadOnlySpan<char> s, int pos)
    {
        var end = s[pos..].IndexOfAny(' ', '\t');
        return end < 0 ? s.Length : pos + end;
    }

    private static string Truncate(ReadOnlySpan<char> s) => s.Length <= 64 ? s.ToString() : string.Concat(s[..64], "…");

    private readonly ExpositionFormatException Error(string message) => new(message, _line);

    /// <summary>HELP text with <c>\\</c> and <c>\n</c> (and, in OpenMetrics, <c>\"</c>) unescaped.</summary>
    public static string UnescapeHelp(ReadOnlySpan<char> text)
    {
        if (!text.Contains('\\'))
        {
            return text.ToString();
        }

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                var c = text[i + 1];
                switch (c)
                {
                    case '\\': sb.Append('\\'); i++; continue;
                    case 'n': sb.Append('\n'); i++; continue;
                    case '"': sb.Append('"'); i++; continue;
                }
            }

            sb.Append(text[i]);
        }

        return sb.ToString();
    }
}

/// <summary>Enumerates the labels of a label block that <see cref="ExpositionReader"/> has already validated.</summary>
internal ref struct LabelReader(ReadOnlySpan<char> labels)
{
    private readonly ReadOnlySpan<char> _labels = labels;
    private int _pos;

    public ReadOnlySpan<char> Name { get; private set; }

    /// <summary>The value as written, without the quotes (escapes still in place).</summary>
    public ReadOnlySpan<char> RawValue { get; private set; }

    public bool Next()
    {
        var s = _labels;
        var pos = SkipSeparators(s, _pos);
        if (pos >= s.Length)
        {
            return false;
        }

        var eq = s[pos..].IndexOf('=');
        Name = s[pos..(pos + eq)].TrimEnd(" \t");
        pos += eq + 1;
        var quote = s[pos..].IndexOf('"');
        pos += quote + 1;
        var start = pos;
        while (true)
        {
            var special = s[pos..].IndexOfAny('"', '\\');
            pos += special;
            if (s[pos] == '"')
            {
                break;
            }

            pos += 2;
        }

        RawValue = s[start..pos];
        _pos = pos + 1;
        return true;
    }

    /// <summary>The current value with <c>\\</c>, <c>\"</c> and <c>\n</c> unescaped.</summary>
    public readonly string Value() => Unescape(RawValue);

    public static string Unescape(ReadOnlySpan<char> raw)
    {
        if (!raw.Contains('\\'))
        {
            return raw.ToString();
        }

        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                i++;
                sb.Append(raw[i] == 'n' ? '\n' : raw[i]);
                continue;
            }

            sb.Append(raw[i]);
        }

        return sb.ToString();
    }

    private static int SkipSeparators(ReadOnlySpan<char> s, int pos)
    {
        while (pos < s.Length && (s[pos] is ' ' or '\t' or ','))
        {
            pos++;
        }

        return pos;
    }
}
