using System.Globalization;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Parses byte sizes: a plain integer (bytes) or a number with a unit. Decimal units are powers of 1000
/// (<c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>, <c>PB</c>, <c>kilobyte</c>...), binary units powers of 1024
/// (<c>KiB</c>, <c>MiB</c>, <c>Ki</c>, <c>Mi</c>, <c>mebibyte</c>...). A lone letter (<c>K</c>, <c>M</c>, <c>G</c>)
/// is binary as in HOCON. Units are case-insensitive; white space between number and unit is allowed;
/// fractions are allowed and truncated to whole bytes (<c>1.5KiB</c> = 1536).
/// </summary>
public static class ByteSizes
{
    private static readonly Dictionary<string, decimal> Multipliers = BuildUnits();

    public static bool TryParse(string? text, out long bytes) => TryParse(text, out bytes, out _);

    public static bool TryParse(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        var s = text?.Trim() ?? string.Empty;
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        var number = s[..i];
        if (number.Length == 0 ||
            !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            error = $"invalid byte size \"{text}\": expected a non-negative number with an optional unit (e.g. 4MiB, 20MB, 512)";
            return false;
        }

        var unit = s[i..].Trim();
        decimal multiplier = 1;
        if (unit.Length > 0 && !Multipliers.TryGetValue(unit.ToLowerInvariant(), out multiplier))
        {
            error = $"invalid byte size \"{text}\": unknown unit \"{unit}\" (B, KB, KiB, MB, MiB, GB, GiB, TB, TiB, PB, PiB)";
            return false;
        }

        decimal total;
        try
        {
            total = decimal.Truncate(amount * multiplier);
        }
        catch (OverflowException)
        {
            total = decimal.MaxValue;
        }

        if (total > long.MaxValue)
        {
            error = $"invalid byte size \"{text}\": out of range";
            return false;
        }

        bytes = (long)total;
        error = null;
        return true;
    }

    private static Dictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal multiplier, params string[] names)
        {
            foreach (var name in names)
            {
                units[name] = multiplier;
            }
        }

        Add(1, "b", "byte", "bytes");
        string[] decimalNames = ["kilo", "mega", "giga", "tera", "peta"];
        string[] binaryNames = ["kibi", "mebi", "gibi", "tebi", "pebi"];
        const string letters = "kmgtp";
        decimal power1000 = 1, power1024 = 1;
        for (var n = 0; n < letters.Length; n++)
        {
            power1000 *= 1000;
            power1024 *= 1024;
            var l = letters[n].ToString();
            Add(power1000, l + "b", decimalNames[n] + "byte", decimalNames[n] + "bytes");
            Add(power1024, l, l + "i", l + "ib", binaryNames[n] + "byte", binaryNames[n] + "bytes");
        }

        return units;
    }
}
