using System.Globalization;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Parses durations in Go syntax (<c>200ms</c>, <c>1m30s</c>, <c>1.5h</c>, <c>-2s</c>, <c>0</c>; units <c>ns us µs ms s m h</c>)
/// and HOCON syntax (<c>200 ms</c>, <c>5 seconds</c>, <c>2 minutes</c>, <c>1d</c>). A bare number other than
/// <c>0</c> is rejected: Go reads it as nanoseconds and HOCON as milliseconds, so it is ambiguous. Precision is
/// <see cref="TimeSpan"/>'s (100 ns); finer parts are truncated.
/// </summary>
public static class Durations
{
    private static readonly Dictionary<string, decimal> TicksPerUnit = BuildUnits();

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses a duration; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            error = "empty duration";
            return false;
        }

        var i = 0;
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i = 1;
        }

        if (s[i..] == "0")
        {
            error = null;
            return true;
        }

        decimal ticks = 0;
        var parts = 0;
        while (i < s.Length)
        {
            SkipSpaces(s, ref i);
            if (i >= s.Length)
            {
                break;
            }

            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var number = s[numberStart..i];
            if (number.Length == 0 || number == "." ||
                !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                error = $"invalid duration \"{text}\": expected a number at \"{s[numberStart..]}\"";
                return false;
            }

            SkipSpaces(s, ref i);
            var unitStart = i;
            while (i < s.Length && IsUnitChar(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i];
            if (unit.Length == 0)
            {
                error = $"invalid duration \"{text}\": missing unit (ns, us, ms, s, m, h; e.g. \"5s\", \"200ms\")";
                return false;
            }

            if (!TicksPerUnit.TryGetValue(unit, out var perUnit) &&
                !TicksPerUnit.TryGetValue(unit.ToLowerInvariant(), out perUnit))
            {
                error = $"invalid duration \"{text}\": unknown unit \"{unit}\" (ns, us, ms, s, m, h, d)";
                return false;
            }

            try
            {
                ticks += amount * perUnit;
            }
            catch (OverflowException)
            {
                error = $"invalid duration \"{text}\": out of range";
                return false;
            }

            parts++;
        }

        if (parts == 0)
        {
            error = $"invalid duration \"{text}\"";
            return false;
        }

        ticks = decimal.Truncate(negative ? -ticks : ticks);
        if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            error = $"invalid duration \"{text}\": out of range";
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        error = null;
        return true;
    }

    /// <summary>Formats in Go style (<c>1m30s</c>, <c>200ms</c>, <c>0s</c>), for messages and round trips.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = value < TimeSpan.Zero ? "-" : string.Empty;
        var t = value.Duration();
        if (t < TimeSpan.FromSeconds(1))
        {
            var ms = (decimal)t.Ticks / TimeSpan.TicksPerMillisecond;
            return sign + (ms >= 1
                ? ms.ToString("0.###", CultureInfo.InvariantCulture) + "ms"
                : (t.Ticks / 10m).ToString("0.#", CultureInfo.InvariantCulture) + "us");
        }

        var builder = new System.Text.StringBuilder(sign);
        var hours = (long)t.TotalHours;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || t.Minutes > 0)
        {
            builder.Append(t.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var seconds = t.Seconds + ((decimal)(t.Ticks % TimeSpan.TicksPerSecond) / TimeSpan.TicksPerSecond);
        builder.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
        return builder.ToString();
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static bool IsUnitChar(char c) => char.IsAsciiLetter(c) || c is 'µ' or 'μ';

    private static Dictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units[name] = ticks;
            }
        }

        Add(0.01m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(10m, "us", "µs", "μs", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units;
    }
}
