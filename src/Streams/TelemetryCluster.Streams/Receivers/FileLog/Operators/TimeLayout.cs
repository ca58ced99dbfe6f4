using System.Collections.Concurrent;
using System.Globalization;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// A compiled time layout of the collector's time parser: <c>strptime</c> directives, Go reference layouts
/// (<c>gotime</c>) or <c>epoch</c> units, interpreted in <c>location</c> when the text has no zone. Compiled once at
/// config time (a bad layout is a startup error); parsing works on spans and allocates nothing but the result.
/// </summary>
internal sealed class TimeLayout
{
    private static readonly string[] MonthsShort = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] MonthsLong =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    private static readonly string[] DaysShort = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private static readonly string[] DaysLong = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>strptime directives as Go layout chunks (the collector translates strptime to Go layouts the same way).</summary>
    private static readonly Dictionary<char, Token[]> Strptime = new()
    {
        ['Y'] = [new(TokenKind.Year4)],
        ['y'] = [new(TokenKind.Year2)],
        ['m'] = [new(TokenKind.Month2)],
        ['q'] = [new(TokenKind.Month1)],
        ['b'] = [new(TokenKind.MonthShort)],
        ['h'] = [new(TokenKind.MonthShort)],
        ['B'] = [new(TokenKind.MonthLong)],
        ['d'] = [new(TokenKind.Day2)],
        ['g'] = [new(TokenKind.Day1)],
        ['e'] = [new(TokenKind.DaySpace)],
        ['j'] = [new(TokenKind.DayOfYear)],
        ['a'] = [new(TokenKind.WeekdayShort)],
        ['A'] = [new(TokenKind.WeekdayLong)],
        ['H'] = [new(TokenKind.Hour24)],
        ['k'] = [new(TokenKind.Hour24Space)],
        ['I'] = [new(TokenKind.Hour12Two)],
        ['l'] = [new(TokenKind.Hour12Space)],
        ['p'] = [new(TokenKind.AmPm)],
        ['P'] = [new(TokenKind.AmPm)],
        ['M'] = [new(TokenKind.Minute2)],
        ['S'] = [new(TokenKind.Second2)],
        ['L'] = [new(TokenKind.FractionFixed, Digits: 3)],
        ['f'] = [new(TokenKind.FractionVariable, Digits: 9)],
        ['s'] = [new(TokenKind.FractionVariable, Digits: 9)],
        ['Z'] = [new(TokenKind.ZoneName)],
        ['z'] = [new(TokenKind.OffsetZ, Digits: 4)],
        ['i'] = [new(TokenKind.OffsetColon)],
        ['D'] = [new(TokenKind.Month2), new(TokenKind.Literal, "/"), new(TokenKind.Day2), new(TokenKind.Literal, "/"), new(TokenKind.Year4)],
        ['x'] = [new(TokenKind.Month2), new(TokenKind.Literal, "/"), new(TokenKind.Day2), new(TokenKind.Literal, "/"), new(TokenKind.Year2)],
        ['F'] = [new(TokenKind.Year4), new(TokenKind.Literal, "-"), new(TokenKind.Month2), new(TokenKind.Literal, "-"), new(TokenKind.Day2)],
        ['T'] = [new(TokenKind.Hour24), new(TokenKind.Literal, ":"), new(TokenKind.Minute2), new(TokenKind.Literal, ":"), new(TokenKind.Second2)],
        ['r'] =
        [
            new(TokenKind.Hour12Two), new(TokenKind.Literal, ":"), new(TokenKind.Minute2), new(TokenKind.Literal, ":"), new(TokenKind.Second2),
            new(TokenKind.Literal, " "), new(TokenKind.AmPm),
        ],
        ['c'] =
        [
            new(TokenKind.WeekdayShort), new(TokenKind.Literal, " "), new(TokenKind.MonthShort), new(TokenKind.Literal, " "), new(TokenKind.Day2),
            new(TokenKind.Literal, " "), new(TokenKind.Hour24), new(TokenKind.Literal, ":"), new(TokenKind.Minute2), new(TokenKind.Literal, ":"),
            new(TokenKind.Second2), new(TokenKind.Literal, " "), new(TokenKind.Year4),
        ],
        ['v'] = [new(TokenKind.DaySpace), new(TokenKind.Literal, "-"), new(TokenKind.MonthShort), new(TokenKind.Literal, "-"), new(TokenKind.Year4)],
        ['%'] = [new(TokenKind.Literal, "%")],
        ['n'] = [new(TokenKind.Literal, "\n")],
        ['t'] = [new(TokenKind.Literal, "\t")],
    };

    /// <summary>Zones named by %Z / MST in values, resolved once per layout (shared by the pipelines of one spec).</summary>
    private readonly ConcurrentDictionary<string, TimeZoneInfo?> _zonesByName = new(StringComparer.Ordinal);
    private readonly Token[] _tokens;
    private readonly EpochUnit _epoch;
    private readonly bool _isEpoch;

    private TimeLayout(Token[] tokens, EpochUnit epoch, bool isEpoch, TimeZoneInfo location, string text)
    {
        _tokens = tokens;
        _epoch = epoch;
        _isEpoch = isEpoch;
        Location = location;
        Text = text;
    }

    private enum EpochUnit
    {
        Seconds,
        Milliseconds,
        Microseconds,
        Nanoseconds,
        SecondsMilliseconds,
        SecondsMicroseconds,
        SecondsNanoseconds,
    }

    private enum TokenKind
    {
        Literal,
        Year4,
        Year2,
        Month2,
        Month1,
        MonthShort,
        MonthLong,
        Day2,
        Day1,
        DaySpace,
        DayOfYear,
        WeekdayShort,
        WeekdayLong,
        Hour24,
        Hour24Space,
        Hour12Two,
        Hour12One,
        Hour12Space,
        AmPm,
        Minute2,
        Minute1,
        Second2,
        Second1,
        FractionFixed,
        FractionVariable,
        ZoneName,

        /// <summary>'Z' or ±hhmm (Digits 4), ±hh:mm (Digits 5 = colon form), ±hh (2), ±hh:mm:ss (8).</summary>
        OffsetZ,
        OffsetColon,
        Offset,
        OffsetShort,
        OffsetColonSeconds,
        OffsetZColon,
        OffsetZShort,
        OffsetZColonSeconds,
    }

    public TimeZoneInfo Location { get; }

    public string Text { get; }

    /// <summary>Resolves an IANA zone name (<c>UTC</c>, <c>Local</c>, <c>Europe/Berlin</c>).</summary>
    public static bool TryFindZone(string name, out TimeZoneInfo zone)
    {
        if (name.Length == 0 || name.Equals("UTC", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        if (name.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Local;
            return true;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out zone!);
    }

    /// <summary>Compiles a layout; <paramref name="layoutType"/> is <c>strptime</c>, <c>gotime</c> or <c>epoch</c>.</summary>
    public static bool TryCreate(string layoutType, string layout, TimeZoneInfo location, out TimeLayout result, out string error)
    {
        result = null!;
        error = string.Empty;
        if (layout.Length == 0)
        {
            error = "a layout is required";
            return false;
        }

        switch (layoutType)
        {
            case "epoch":
                EpochUnit? unit = layout switch
                {
                    "s" => EpochUnit.Seconds,
                    "ms" => EpochUnit.Milliseconds,
                    "us" => EpochUnit.Microseconds,
                    "ns" => EpochUnit.Nanoseconds,
                    "s.ms" => EpochUnit.SecondsMilliseconds,
                    "s.us" => EpochUnit.SecondsMicroseconds,
                    "s.ns" => EpochUnit.SecondsNanoseconds,
                    _ => null,
                };
                if (unit is null)
                {
                    error = $"invalid epoch layout \"{layout}\" (valid values: [s ms us ns s.ms s.us s.ns])";
                    return false;
                }

                result = new TimeLayout([], unit.Value, true, location, layout);
                return true;
            case "gotime":
                result = new TimeLayout(TokenizeGo(layout), default, false, location, layout);
                if (!Array.Exists(result._tokens, t => t.Kind != TokenKind.Literal))
                {
                    error = $"invalid gotime layout \"{layout}\": it has no date or time element (the reference time is Mon Jan 2 15:04:05 MST 2006)";
                    return false;
                }

                return true;
            default:
                if (!TryTokenizeStrptime(layout, out var tokens, out error))
                {
                    return false;
                }

                result = new TimeLayout(tokens, default, false, location, layout);
                return true;
        }
    }

    private static bool TryTokenizeStrptime(string layout, out Token[] tokens, out string error)
    {
        var list = new List<Token>();
        var literal = 0;
        for (var i = 0; i < layout.Length; i++)
        {
            if (layout[i] != '%')
            {
                continue;
            }

            if (i > literal)
            {
                list.Add(new Token(TokenKind.Literal, layout[literal..i]));
            }

            if (i + 1 >= layout.Length)
            {
                tokens = [];
                error = $"invalid strptime layout \"{layout}\": it ends with a lone %";
                return false;
            }

            var directive = layout[i + 1];
            if (!Strptime.TryGetValue(directive, out var chunk))
            {
                tokens = [];
                error = $"invalid strptime layout \"{layout}\": unsupported directive %{directive}";
                return false;
            }

            list.AddRange(chunk);
            i++;
            literal = i + 1;
        }

        if (literal < layout.Length)
        {
            list.Add(new Token(TokenKind.Literal, layout[literal..]));
        }

        tokens = [.. list];
        error = string.Empty;
        return true;
    }

    private static Token[] TokenizeGo(string layout)
    {
        var list = new List<Token>();
        var literalStart = 0;
        var i = 0;
        while (i < layout.Length)
        {
            var (token, length) = GoChunk(layout, i);
            if (length == 0)
            {
                i++;
                continue;
            }

            if (i > literalStart)
            {
                list.Add(new Token(TokenKind.Literal, layout[literalStart..i]));
            }

            list.Add(token);
            i += length;
            literalStart = i;
        }

        if (literalStart < layout.Length)
        {
            list.Add(new Token(TokenKind.Literal, layout[literalStart..]));
        }

        return [.. list];
    }

    private static (Token Token, int Length) GoChunk(string s, int i)
    {
        bool At(string what) => string.CompareOrdinal(s, i, what, 0, what.Length) == 0;
        switch (s[i])
        {
            case 'J':
                return At("January") ? (new(TokenKind.MonthLong), 7) : At("Jan") ? (new(TokenKind.MonthShort), 3) : default;
            case 'M':
                return At("Monday") ? (new(TokenKind.WeekdayLong), 6) : At("Mon") ? (new(TokenKind.WeekdayShort), 3)
                    : At("MST") ? (new(TokenKind.ZoneName), 3) : default;
            case '0':
                if (At("002"))
                {
                    return (new(TokenKind.DayOfYear), 3);
                }

                return i + 1 < s.Length
                    ? s[i + 1] switch
                    {
                        '1' => (new(TokenKind.Month2), 2),
                        '2' => (new(TokenKind.Day2), 2),
                        '3' => (new(TokenKind.Hour12Two), 2),
                        '4' => (new(TokenKind.Minute2), 2),
                        '5' => (new(TokenKind.Second2), 2),
                        '6' => (new(TokenKind.Year2), 2),
                        _ => default,
                    }
                    : default;
            case '1':
                return At("15") ? (new(TokenKind.Hour24), 2) : (new(TokenKind.Month1), 1);
            case '2':
                return At("2006") ? (new(TokenKind.Year4), 4) : (new(TokenKind.Day1), 1);
            case '_':
                return At("_2") && !At("_2006") ? (new(TokenKind.DaySpace), 2) : default;
            case '3':
                return (new(TokenKind.Hour12One), 1);
            case '4':
                return (new(TokenKind.Minute1), 1);
            case '5':
                return (new(TokenKind.Second1), 1);
            case 'P':
                return At("PM") ? (new(TokenKind.AmPm), 2) : default;
            case 'p':
                return At("pm") ? (new(TokenKind.AmPm), 2) : default;
            case '-':
                return At("-07:00:00") ? (new(TokenKind.OffsetColonSeconds), 9) : At("-0700") ? (new(TokenKind.Offset), 5)
                    : At("-07:00") ? (new(TokenKind.OffsetColon), 6) : At("-07") ? (new(TokenKind.OffsetShort), 3) : default;
            case 'Z':
                return At("Z07:00:00") ? (new(TokenKind.OffsetZColonSeconds), 9) : At("Z0700") ? (new(TokenKind.OffsetZ), 5)
                    : At("Z07:00") ? (new(TokenKind.OffsetZColon), 6) : At("Z07") ? (new(TokenKind.OffsetZShort), 3) : default;
            case '.' or ',':
                if (i + 1 < s.Length && s[i + 1] is '0' or '9' && i > 0 && char.IsAsciiDigit(s[i - 1]))
                {
                    var digit = s[i + 1];
                    var j = i + 1;
                    while (j < s.Length && s[j] == digit)
                    {
                        j++;
                    }

                    if (j < s.Length && char.IsAsciiDigit(s[j]))
                    {
                        return default;
                    }

                    var count = j - i - 1;
                    return digit == '0'
                        ? (new(TokenKind.FractionFixed, s[i].ToString(), count), j - i)
                        : (new(TokenKind.FractionVariable, s[i].ToString(), count), j - i);
                }

                return default;
            default:
                return default;
        }
    }

    /// <summary>Parses a value (string for layouts; number or numeric string for epoch).</summary>
    public bool TryParse(object? value, DateTimeOffset now, out DateTimeOffset result, out string error)
    {
        if (_isEpoch)
        {
            return TryParseEpoch(value, out result, out error);
        }

        if (value is not string text)
        {
            result = default;
            error = $"type {Values.TypeName(value)} cannot be parsed as a time (a string is needed)";
            return false;
        }

        return TryParseText(text, now, out result, out error);
    }

    private bool TryParseEpoch(object? value, out DateTimeOffset result, out string error)
    {
        result = default;
        decimal number;
        switch (value)
        {
            case long l:
                number = l;
                break;
            case int i:
                number = i;
                break;
            case double d when double.IsFinite(d) && Math.Abs(d) < 7.9e27:
                number = (decimal)d;
                break;
            case string s when decimal.TryParse(s.AsSpan().Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed):
                number = parsed;
                break;
            default:
                error = $"value {Values.ToText(value) ?? Values.TypeName(value)} cannot be parsed as epoch \"{Text}\"";
                return false;
        }

        var (scale, precision) = _epoch switch
        {
            EpochUnit.Seconds => (1_000_000_000m, 1_000_000_000m),
            EpochUnit.Milliseconds => (1_000_000m, 1_000_000m),
            EpochUnit.Microseconds => (1_000m, 1_000m),
            EpochUnit.Nanoseconds => (1m, 1m),
            EpochUnit.SecondsMilliseconds => (1_000_000_000m, 1_000_000m),
            EpochUnit.SecondsMicroseconds => (1_000_000_000m, 1_000m),
            _ => (1_000_000_000m, 1m),
        };

        try
        {
            var nanos = decimal.Truncate(number * scale / precision) * precision;
            var ticks = decimal.Truncate(nanos / 100m);
            var unixTicks = DateTimeOffset.UnixEpoch.Ticks + ticks;
            if (unixTicks < DateTimeOffset.MinValue.Ticks || unixTicks > DateTimeOffset.MaxValue.Ticks)
            {
                error = $"epoch value {number} is out of range";
                return false;
            }

            result = new DateTimeOffset((long)unixTicks, TimeSpan.Zero);
            error = string.Empty;
            return true;
        }
        catch (OverflowException)
        {
            error = $"epoch value {number} is out of range";
            return false;
        }
    }

    private bool TryParseText(string text, DateTimeOffset now, out DateTimeOffset result, out string error)
    {
        result = default;
        var s = text.AsSpan();
        var pos = 0;
        int year = -1, month = -1, day = -1, yday = -1, hour = 0, minute = 0, second = 0;
        long nanos = 0;
        var pm = -1;
        var hour12 = false;
        TimeSpan? offset = null;
        var zoneStart = -1;
        var zoneLength = 0;
        for (var t = 0; t < _tokens.Length; t++)
        {
            var token = _tokens[t];
            var ok = true;
            switch (token.Kind)
            {
                case TokenKind.Literal:
                    ok = s[pos..].StartsWith(token.Text, StringComparison.Ordinal);
                    if (ok)
                    {
                        pos += token.Text!.Length;
                    }

                    break;
                case TokenKind.Year4:
                    ok = Number(s, ref pos, 4, 4, out year);
                    break;
                case TokenKind.Year2:
                    ok = Number(s, ref pos, 2, 2, out year);
                    year += year >= 69 ? 1900 : 2000;
                    break;
                case TokenKind.Month2:
                    ok = Number(s, ref pos, 2, 2, out month);
                    break;
                case TokenKind.Month1:
                    ok = Number(s, ref pos, 1, 2, out month);
                    break;
                case TokenKind.MonthShort:
                    ok = Name(s, ref pos, MonthsShort, out month);
                    month++;
                    break;
                case TokenKind.MonthLong:
                    ok = Name(s, ref pos, MonthsLong, out month);
                    month++;
                    break;
                case TokenKind.Day2:
                    ok = Number(s, ref pos, 2, 2, out day);
                    break;
                case TokenKind.Day1:
                    ok = Number(s, ref pos, 1, 2, out day);
                    break;
                case TokenKind.DaySpace:
                    if (pos < s.Length && s[pos] == ' ')
                    {
                        pos++;
                    }

                    ok = Number(s, ref pos, 1, 2, out day);
                    break;
                case TokenKind.DayOfYear:
                    ok = Number(s, ref pos, 3, 3, out yday);
                    break;
                case TokenKind.WeekdayShort:
                    ok = Name(s, ref pos, DaysShort, out _);
                    break;
                case TokenKind.WeekdayLong:
                    ok = Name(s, ref pos, DaysLong, out _);
                    break;
                case TokenKind.Hour24:
                    ok = Number(s, ref pos, 1, 2, out hour);
                    break;
                case TokenKind.Hour24Space:
                    if (pos < s.Length && s[pos] == ' ')
                    {
                        pos++;
                    }

                    ok = Number(s, ref pos, 1, 2, out hour);
                    break;
                case TokenKind.Hour12Two:
                    ok = Number(s, ref pos, 2, 2, out hour);
                    hour12 = true;
                    break;
                case TokenKind.Hour12One:
                    ok = Number(s, ref pos, 1, 2, out hour);
                    hour12 = true;
                    break;
                case TokenKind.Hour12Space:
                    if (pos < s.Length && s[pos] == ' ')
                    {
                        pos++;
                    }

                    ok = Number(s, ref pos, 1, 2, out hour);
                    hour12 = true;
                    break;
                case TokenKind.AmPm:
                    ok = pos + 2 <= s.Length;
                    if (ok)
                    {
                        var word = s.Slice(pos, 2);
                        pm = word.Equals("PM", StringComparison.OrdinalIgnoreCase) ? 1 : word.Equals("AM", StringComparison.OrdinalIgnoreCase) ? 0 : -2;
                        ok = pm >= 0;
                        pos += 2;
                    }

                    break;
                case TokenKind.Minute2:
                    ok = Number(s, ref pos, 2, 2, out minute);
                    break;
                case TokenKind.Minute1:
                    ok = Number(s, ref pos, 1, 2, out minute);
                    break;
                case TokenKind.Second2 or TokenKind.Second1:
                    ok = Number(s, ref pos, token.Kind == TokenKind.Second2 ? 2 : 1, 2, out second);

                    // As Go: a fractional second may follow the seconds even when the layout has none.
                    if (ok && pos + 1 < s.Length && s[pos] is '.' or ',' && char.IsAsciiDigit(s[pos + 1]) &&
                        (t + 1 >= _tokens.Length || _tokens[t + 1].Kind is not (TokenKind.FractionFixed or TokenKind.FractionVariable)) &&
                        (t + 1 >= _tokens.Length || _tokens[t + 1].Kind != TokenKind.Literal || _tokens[t + 1].Text![0] is not ('.' or ',')))
                    {
                        pos++;
                        ok = Fraction(s, ref pos, 1, 9, out nanos);
                    }

                    break;
                case TokenKind.FractionFixed:
                case TokenKind.FractionVariable:
                    if (token.Text is { } separator)
                    {
                        // Go layouts (.000 / .999): the separator belongs to the element; .999 may be absent entirely.
                        if (pos < s.Length && (s[pos] == '.' || s[pos] == ','))
                        {
                            pos++;
                            ok = token.Kind == TokenKind.FractionFixed
                                ? Fraction(s, ref pos, token.Digits, token.Digits, out nanos)
                                : Fraction(s, ref pos, 1, 9, out nanos);
                        }
                        else
                        {
                            ok = token.Kind == TokenKind.FractionVariable;
                        }
                    }
                    else
                    {
                        ok = token.Kind == TokenKind.FractionFixed
                            ? Fraction(s, ref pos, token.Digits, token.Digits, out nanos)
                            : Fraction(s, ref pos, 1, token.Digits, out nanos);
                    }

                    break;
                case TokenKind.ZoneName:
                    zoneStart = pos;
                    while (pos < s.Length && (char.IsAsciiLetter(s[pos]) || (pos > zoneStart && (char.IsAsciiDigit(s[pos]) || s[pos] is '/' or '_'))))
                    {
                        pos++;
                    }

                    zoneLength = pos - zoneStart;
                    ok = zoneLength >= 1;
                    break;
                default:
                    ok = Offset(s, ref pos, token.Kind, out var parsedOffset);
                    offset = parsedOffset;
                    break;
            }

            if (!ok)
            {
                error = $"parsing time \"{text}\" as \"{Text}\": cannot parse \"{Truncate(text, pos)}\"";
                return false;
            }
        }

        if (pos != s.Length)
        {
            error = $"parsing time \"{text}\" as \"{Text}\": extra text \"{Truncate(text, pos)}\"";
            return false;
        }

        if (hour12)
        {
            if (hour is < 1 or > 12)
            {
                error = $"parsing time \"{text}\": hour {hour} out of range";
                return false;
            }

            if (pm == 1 && hour < 12)
            {
                hour += 12;
            }
            else if (pm == 0 && hour == 12)
            {
                hour = 0;
            }
        }

        var zone = Location;
        if (zoneStart >= 0 && offset is null)
        {
            var name = text.Substring(zoneStart, zoneLength);
            if (name is "UTC" or "GMT" or "Z")
            {
                offset = TimeSpan.Zero;
            }
            else if (_zonesByName.GetOrAdd(name, static n => TimeZoneInfo.TryFindSystemTimeZoneById(n, out var z) ? z : null) is { } named)
            {
                zone = named;
            }
        }

        if (year < 0)
        {
            year = (offset is null ? TimeZoneInfo.ConvertTime(now, zone) : now.ToOffset(offset.Value)).Year;
        }

        try
        {
            DateTime wall;
            if (yday > 0 && month < 0)
            {
                wall = new DateTime(year, 1, 1, hour, minute, second, DateTimeKind.Unspecified).AddDays(yday - 1);
            }
            else
            {
                wall = new DateTime(year, month < 0 ? 1 : month, day < 0 ? 1 : day, hour, minute, second, DateTimeKind.Unspecified);
            }

            wall = wall.AddTicks(nanos / 100);
            var utcOffset = offset ?? zone.GetUtcOffset(wall);
            result = new DateTimeOffset(wall, utcOffset);
            error = string.Empty;
            return true;
        }
        catch (ArgumentException)
        {
            error = $"parsing time \"{text}\" as \"{Text}\": a value is out of range";
            return false;
        }
    }

    private static string Truncate(string text, int pos) => pos >= text.Length ? string.Empty : text[pos..];

    private static bool Number(ReadOnlySpan<char> s, ref int pos, int min, int max, out int value)
    {
        value = 0;
        var start = pos;
        while (pos < s.Length && pos - start < max && char.IsAsciiDigit(s[pos]))
        {
            value = (value * 10) + (s[pos] - '0');
            pos++;
        }

        return pos - start >= min;
    }

    private static bool Fraction(ReadOnlySpan<char> s, ref int pos, int min, int max, out long nanos)
    {
        nanos = 0;
        var start = pos;
        while (pos < s.Length && char.IsAsciiDigit(s[pos]))
        {
            if (pos - start < 9)
            {
                nanos = (nanos * 10) + (s[pos] - '0');
            }

            pos++;
            if (pos - start == max && max < 9)
            {
                break;
            }
        }

        var digits = pos - start;
        for (var i = Math.Min(digits, 9); i < 9; i++)
        {
            nanos *= 10;
        }

        return digits >= min;
    }

    private static bool Name(ReadOnlySpan<char> s, ref int pos, string[] names, out int index)
    {
        for (index = 0; index < names.Length; index++)
        {
            var name = names[index];
            if (pos + name.Length <= s.Length && s.Slice(pos, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                pos += name.Length;
                return true;
            }
        }

        index = -1;
        return false;
    }

    private static bool Offset(ReadOnlySpan<char> s, ref int pos, TokenKind kind, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        var allowZ = kind is TokenKind.OffsetZ or TokenKind.OffsetZColon or TokenKind.OffsetZShort or TokenKind.OffsetZColonSeconds;
        if (pos < s.Length && s[pos] == 'Z' && allowZ)
        {
            pos++;
            return true;
        }

        if (pos >= s.Length || s[pos] is not ('+' or '-'))
        {
            return false;
        }

        var negative = s[pos] == '-';
        pos++;
        if (!Number(s, ref pos, 2, 2, out var hours))
        {
            return false;
        }

        int minutes = 0, seconds = 0;
        var colon = kind is TokenKind.OffsetColon or TokenKind.OffsetZColon or TokenKind.OffsetColonSeconds or TokenKind.OffsetZColonSeconds;
        var withSeconds = kind is TokenKind.OffsetColonSeconds or TokenKind.OffsetZColonSeconds;
        if (kind is not (TokenKind.OffsetShort or TokenKind.OffsetZShort))
        {
            if (colon)
            {
                if (pos >= s.Length || s[pos] != ':')
                {
                    return false;
                }

                pos++;
            }

            if (!Number(s, ref pos, 2, 2, out minutes))
            {
                return false;
            }

            if (withSeconds)
            {
                if (pos >= s.Length || s[pos] != ':')
                {
                    return false;
                }

                pos++;
                if (!Number(s, ref pos, 2, 2, out seconds))
                {
                    return false;
                }
            }
        }

        if (hours > 23 || minutes > 59 || seconds > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (negative)
        {
            offset = -offset;
        }

        return true;
    }

    private readonly record struct Token(TokenKind Kind, string? Text = null, int Digits = 0);
}
