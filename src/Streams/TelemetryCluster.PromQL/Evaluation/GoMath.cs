using System.Globalization;
using System.Text;

namespace TelemetryCluster.PromQL;

/// <summary>Go's math semantics where .NET differs.</summary>
internal static class GoMath
{
    public static double Mod(double x, double y) => x % y;

    public static double Pow(double x, double y)
    {
        // Go: Pow(1, y) = 1 and Pow(x, 0) = 1 for any y/x, including NaN.
        if (x == 1 || y == 0)
        {
            return 1;
        }
        return Math.Pow(x, y);
    }

    /// <summary>Go's int64(f) on amd64: NaN and out-of-range give MinInt64.</summary>
    public static long ToInt64(double f)
    {
        if (double.IsNaN(f) || f >= 9.2233720368547758e18 || f < -9.2233720368547758e18)
        {
            return long.MinValue;
        }
        return (long)f;
    }

    /// <summary>Go strconv.ParseFloat for label values such as le="+Inf".</summary>
    public static bool TryParseFloat(string s, out double v)
    {
        switch (s.ToLowerInvariant())
        {
            case "+inf" or "inf" or "+infinity" or "infinity":
                v = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity":
                v = double.NegativeInfinity;
                return true;
            case "nan":
                v = double.NaN;
                return true;
        }
        if (s.Length == 0 || s.Contains(',', StringComparison.Ordinal) || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]))
        {
            v = 0;
            return false;
        }
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hv))
        {
            v = hv;
            return true;
        }
        return double.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }
}

/// <summary>Go's strconv.FormatFloat(v, 'f'|'e'|'g', -1, 64) and Prometheus' sample value spelling.</summary>
public static class GoFloat
{
    /// <summary>Prometheus' JSON sample value: 'f' when 1e-6 ≤ |v| &lt; 1e21 (or 0), else 'e'; NaN, +Inf, -Inf.</summary>
    public static string FormatSample(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(v))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(v))
        {
            return "-Inf";
        }
        double a = Math.Abs(v);
        return Format(v, a == 0 || (a >= 1e-6 && a < 1e21) ? 'f' : 'e');
    }

    /// <summary>strconv.FormatFloat(v, fmt, -1, 64) for fmt 'f' or 'e'.</summary>
    public static string Format(double v, char fmt)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(v))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(v))
        {
            return "-Inf";
        }
        bool neg = v < 0 || (v == 0 && double.IsNegative(v));
        var sb = new StringBuilder(24);
        if (neg)
        {
            sb.Append('-');
        }
        double a = Math.Abs(v);
        if (a == 0)
        {
            sb.Append(fmt == 'e' ? "0e+00" : "0");
            return sb.ToString();
        }
        // Shortest round-trip digits and the decimal exponent: value = 0.d1d2d3... × 10^exp.
        var shortest = a.ToString("R", CultureInfo.InvariantCulture);
        Digits(shortest, out var digits, out int pointPos);
        if (fmt == 'e')
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            int exp = pointPos - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            int ae = Math.Abs(exp);
            if (ae < 10)
            {
                sb.Append('0');
            }
            sb.Append(ae.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        // 'f': integer part then fraction.
        if (pointPos <= 0)
        {
            sb.Append("0.").Append('0', -pointPos).Append(digits);
        }
        else if (pointPos >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPos - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
        return sb.ToString();
    }

    /// <summary>Splits .NET's "R" output into significant digits (no leading/trailing zeros) and the decimal point position.</summary>
    private static void Digits(string s, out string digits, out int pointPos)
    {
        int e = s.IndexOfAny(['E', 'e']);
        int exp = 0;
        string mant = s;
        if (e >= 0)
        {
            exp = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mant = s[..e];
        }
        int dot = mant.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot >= 0 ? mant[..dot] : mant;
        string frac = dot >= 0 ? mant[(dot + 1)..] : "";
        string all = intPart + frac;
        int pp = intPart.Length + exp;
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }
        all = all[lead..];
        pp -= lead;
        all = all.TrimEnd('0');
        if (all.Length == 0)
        {
            all = "0";
        }
        digits = all;
        pointPos = pp;
    }

    /// <summary>Timestamp in a vector/matrix: seconds, and ".mmm" when the milliseconds are not zero.</summary>
    public static string FormatTimestamp(long ms)
    {
        if (ms < 0)
        {
            return Format(ms / 1000.0, 'f');
        }
        long sec = Math.DivRem(ms, 1000, out long rem);
        return rem == 0
            ? sec.ToString(CultureInfo.InvariantCulture)
            : sec.ToString(CultureInfo.InvariantCulture) + "." + rem.ToString("000", CultureInfo.InvariantCulture);
    }
}
