using System.Text;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>The collector's <c>translation_strategy</c> values.</summary>
public enum TranslationStrategy
{
    /// <summary>Names escaped to <c>[a-zA-Z0-9_:]</c>, unit and type suffixes added (the default).</summary>
    UnderscoreEscapingWithSuffixes,

    /// <summary>Names escaped, no suffixes.</summary>
    UnderscoreEscapingWithoutSuffixes,

    /// <summary>UTF-8 names kept, suffixes added. We serve text 0.0.4 and OpenMetrics 1.0 only, which need escaped names, so names are escaped as with <see cref="UnderscoreEscapingWithSuffixes"/>.</summary>
    NoUTF8EscapingWithSuffixes,

    /// <summary>Names as sent, no suffixes; escaped as with <see cref="UnderscoreEscapingWithoutSuffixes"/> for the same reason.</summary>
    NoTranslation,
}

/// <summary>What kind of OTLP metric a name is built for (decides <c>_total</c> and <c>_ratio</c>).</summary>
internal enum NameKind
{
    Gauge,
    MonotonicCounter,
    Other,
}

/// <summary>
/// OTLP → Prometheus names as the collector's prometheus exporter builds them (prometheus/otlptranslator):
/// metric names split on every character outside <c>[a-zA-Z0-9:]</c> and joined with <c>_</c>; the unit appended
/// as words (<c>s</c> → <c>seconds</c>, <c>By/s</c> → <c>bytes_per_second</c>, <c>{…}</c> dropped, unknown units
/// sanitised, a word already in the name not repeated); <c>_total</c> for monotonic counters (moved to the end);
/// <c>_ratio</c> for gauges with unit <c>1</c>; the namespace prefixed; a leading digit gets <c>_</c>. Label names:
/// every character outside <c>[a-zA-Z0-9_]</c> becomes <c>_</c>, a leading digit gets <c>key_</c>.
/// </summary>
internal static class PrometheusNaming
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["1"] = string.Empty,
        ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    };

    /// <summary>Whether names get unit and type suffixes under <paramref name="strategy"/>.</summary>
    public static bool WithSuffixes(TranslationStrategy strategy) =>
        strategy is TranslationStrategy.UnderscoreEscapingWithSuffixes or TranslationStrategy.NoUTF8EscapingWithSuffixes;

    /// <summary>The Prometheus metric (family) name; <paramref name="unitSuffix"/> is the unit part that was appended (for OpenMetrics <c># UNIT</c>), or empty.</summary>
    public static string MetricName(string name, string unit, NameKind kind, string @namespace, bool suffixes, out string unitSuffix)
    {
        var tokens = new List<string>(8);
        Split(name, tokens);
        unitSuffix = string.Empty;
        if (suffixes)
        {
            var (main, per) = UnitWords(unit);
            var unitTokens = new List<string>(3);
            if (main.Length > 0 && !tokens.Contains(main))
            {
                tokens.Add(main);
                unitTokens.Add(main);
            }

            if (per.Length > 0 && !tokens.Contains(per))
            {
                tokens.Add("per");
                tokens.Add(per);
                unitTokens.Add("per");
                unitTokens.Add(per);
            }

            unitSuffix = string.Join('_', unitTokens);
            if (kind == NameKind.MonotonicCounter)
            {
                tokens.RemoveAll(static t => t == "total");
                tokens.Add("total");
            }
            else if (kind == NameKind.Gauge && unit == "1")
            {
                tokens.RemoveAll(static t => t == "ratio");
                tokens.Add("ratio");
            }
        }

        var joined = string.Join('_', tokens);
        var ns = Namespace(@namespace);
        if (ns.Length > 0)
        {
            joined = joined.Length == 0 ? ns : ns + "_" + joined;
        }

        if (joined.Length == 0)
        {
            return joined;
        }

        return char.IsAsciiDigit(joined[0]) ? "_" + joined : joined;
    }

    /// <summary>The namespace as the prefix token: sanitised like a name (empty stays empty).</summary>
    public static string Namespace(string @namespace)
    {
        if (@namespace.Length == 0)
        {
            return string.Empty;
        }

        var tokens = new List<string>(2);
        Split(@namespace, tokens);
        return string.Join('_', tokens);
    }

    /// <summary>The main unit word and the "per" word of an OTLP unit (both possibly empty).</summary>
    public static (string Main, string Per) UnitWords(string unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return (string.Empty, string.Empty);
        }

        var slash = unit.IndexOf('/', StringComparison.Ordinal);
        var mainText = (slash < 0 ? unit : unit[..slash]).Trim();
        var perText = slash < 0 ? string.Empty : unit[(slash + 1)..].Trim();
        var main = string.Empty;
        if (mainText.Length > 0 && !mainText.Contains('{', StringComparison.Ordinal) && !mainText.Contains('}', StringComparison.Ordinal))
        {
            main = Units.TryGetValue(mainText, out var word) ? word : CleanUnit(mainText);
        }

        var per = string.Empty;
        if (perText.Length > 0 && !perText.Contains('{', StringComparison.Ordinal) && !perText.Contains('}', StringComparison.Ordinal))
        {
            per = PerUnits.TryGetValue(perText, out var word) ? word : CleanUnit(perText);
        }

        return (main, per);
    }

    /// <summary>A label name: characters outside <c>[a-zA-Z0-9_]</c> become <c>_</c>; a leading digit gets <c>key_</c>; empty stays empty.</summary>
    public static string LabelName(string key)
    {
        if (key.Length == 0)
        {
            return key;
        }

        var clean = true;
        foreach (var c in key)
        {
            if (!IsLabelChar(c))
            {
                clean = false;
                break;
            }
        }

        var name = key;
        if (!clean)
        {
            var builder = new StringBuilder(key.Length);
            foreach (var rune in key.EnumerateRunes())
            {
                builder.Append(rune.IsAscii && IsLabelChar((char)rune.Value) ? (char)rune.Value : '_');
            }

            name = builder.ToString();
        }

        return char.IsAsciiDigit(name[0]) ? "key_" + name : name;
    }

    /// <summary>Whether <paramref name="name"/> is a valid legacy metric name <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsValidMetricName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static void Split(string text, List<string> tokens)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var keep = i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == ':');
            if (keep)
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                tokens.Add(text[start..i]);
                start = -1;
            }
        }
    }

    private static string CleanUnit(string unit)
    {
        var tokens = new List<string>(2);
        Split(unit, tokens);
        return string.Join('_', tokens);
    }
}
