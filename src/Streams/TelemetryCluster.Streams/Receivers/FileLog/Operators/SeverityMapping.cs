using System.Globalization;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// The severity parser's lookup table: a preset (<c>default</c>, <c>otel</c>, <c>aliases</c>, <c>none</c>) overlaid
/// with the user's <c>mapping</c> (texts case-insensitive, numbers, <c>{min,max}</c> ranges, <c>2xx</c>–<c>5xx</c>).
/// Built once at config time; lookups do not allocate for string values.
/// </summary>
internal sealed class SeverityMapping
{
    /// <summary>OTLP severity names by number (index 0 = unspecified).</summary>
    public static readonly string[] Names = BuildNames();

    private readonly Dictionary<string, int> _byText;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byTextSpan;
    private readonly List<(long Min, long Max, int Severity)> _ranges = [];

    private SeverityMapping(Dictionary<string, int> byText)
    {
        _byText = byText;
        _byTextSpan = byText.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The number of a level name (<c>info</c>, <c>warn3</c>, case-insensitive); 0 when not a level.</summary>
    public static int LevelOf(string name)
    {
        for (var i = 1; i < Names.Length; i++)
        {
            if (Names[i].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return 0;
    }

    public static bool TryCreatePreset(string preset, out SeverityMapping mapping)
    {
        var table = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        mapping = new SeverityMapping(table);
        switch (preset)
        {
            case "none":
                return true;
            case "default" or "aliases" or "otel":
                for (var i = 1; i < Names.Length; i++)
                {
                    table[Names[i]] = i;
                    table[i.ToString(CultureInfo.InvariantCulture)] = i;
                }

                if (preset != "otel")
                {
                    table["warning"] = 13;
                    table["err"] = 17;
                }

                return true;
            default:
                return false;
        }
    }

    public void AddText(string text, int severity) => _byText[text] = severity;

    public void AddRange(long min, long max, int severity) => _ranges.Add((min, max, severity));

    /// <summary>Finds the severity of a value (string, long, double, bool); false when it is not mapped.</summary>
    public bool TryLookup(object? value, out int severity)
    {
        switch (value)
        {
            case string text:
                if (_byText.TryGetValue(text, out severity))
                {
                    return true;
                }

                var trimmed = text.AsSpan().Trim();
                if (trimmed.Length != text.Length && _byTextSpan.TryGetValue(trimmed, out severity))
                {
                    return true;
                }

                return long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && TryRange(parsed, out severity);
            case long number:
                return TryNumber(number, out severity);
            case int number:
                return TryNumber(number, out severity);
            case double real when real == Math.Floor(real) && Math.Abs(real) < 9e15:
                return TryNumber((long)real, out severity);
            case bool flag:
                return _byText.TryGetValue(flag ? "true" : "false", out severity);
            default:
                severity = 0;
                return false;
        }
    }

    private bool TryNumber(long number, out int severity)
    {
        if (TryRange(number, out severity))
        {
            return true;
        }

        Span<char> buffer = stackalloc char[24];
        return number.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture) && _byTextSpan.TryGetValue(buffer[..written], out severity);
    }

    private bool TryRange(long number, out int severity)
    {
        // Later mapping entries win, as with texts.
        for (var i = _ranges.Count - 1; i >= 0; i--)
        {
            var (min, max, level) = _ranges[i];
            if (number >= min && number <= max)
            {
                severity = level;
                return true;
            }
        }

        severity = 0;
        return false;
    }

    private static string[] BuildNames()
    {
        var names = new string[25];
        names[0] = "UNSPECIFIED";
        string[] levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
        for (var l = 0; l < levels.Length; l++)
        {
            for (var k = 0; k < 4; k++)
            {
                names[(l * 4) + k + 1] = k == 0 ? levels[l] : levels[l] + (k + 1).ToString(CultureInfo.InvariantCulture);
            }
        }

        return names;
    }
}
