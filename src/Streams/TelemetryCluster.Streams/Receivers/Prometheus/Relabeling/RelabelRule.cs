using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Relabeling;

/// <summary>Prometheus relabel actions (names as written in the config, lower case).</summary>
internal enum RelabelAction
{
    Replace,
    Keep,
    Drop,
    KeepEqual,
    DropEqual,
    HashMod,
    LabelMap,
    LabelDrop,
    LabelKeep,
    Lowercase,
    Uppercase,
}

/// <summary>
/// One <c>relabel_configs</c> / <c>metric_relabel_configs</c> entry with Prometheus' semantics: the regex is
/// anchored at both ends, source label values are joined with the separator, and the replacement expands Go-style
/// references (<c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>$$</c>).
/// </summary>
internal sealed record RelabelRule
{
    public const string DefaultRegex = "(.*)";

    public IReadOnlyList<string> SourceLabels { get; init; } = [];

    public string Separator { get; init; } = ";";

    public string? TargetLabel { get; init; }

    /// <summary>The regex as written (unanchored).</summary>
    public string RegexText { get; init; } = DefaultRegex;

    public ulong Modulus { get; init; }

    public string Replacement { get; init; } = "$1";

    public RelabelAction Action { get; init; } = RelabelAction.Replace;

    private Regex? _regex;

    /// <summary>The anchored regex: <c>^(?:…)\z</c>.</summary>
    public Regex Regex => _regex ??= Compile(RegexText);

    /// <summary>
    /// Compiles an RE2-style pattern with .NET: <c>(?P&lt;name&gt;…)</c> becomes <c>(?&lt;name&gt;…)</c>, and the whole is
    /// anchored at both ends (Go's <c>$</c> without multiline matches only at the very end, hence <c>\z</c>).
    /// </summary>
    public static Regex Compile(string text) =>
        new("^(?:" + text.Replace("(?P<", "(?<", StringComparison.Ordinal) + ")\\z", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The .NET group of each capturing group in pattern order (Go numbers groups by position, .NET numbers unnamed
    /// groups first): entry k-1 is the .NET name or number of Go's group k.
    /// </summary>
    internal static string[] CaptureOrder(string pattern)
    {
        var order = new List<string>();
        var unnamed = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                i++;
                continue;
            }

            if (c == '[')
            {
                i++;
                if (i < pattern.Length && pattern[i] == '^')
                {
                    i++;
                }

                if (i < pattern.Length && pattern[i] == ']')
                {
                    i++;
                }

                while (i < pattern.Length && pattern[i] != ']')
                {
                    if (pattern[i] == '\\')
                    {
                        i++;
                    }

                    i++;
                }

                continue;
            }

            if (c != '(')
            {
                continue;
            }

            if (i + 1 < pattern.Length && pattern[i + 1] == '?')
            {
                var rest = pattern.AsSpan(i + 2);
                int start;
                char close;
                if (rest.StartsWith("P<"))
                {
                    (start, close) = (i + 4, '>');
                }
                else if (rest.StartsWith("<") && rest.Length > 1 && rest[1] is not ('=' or '!'))
                {
                    (start, close) = (i + 3, '>');
                }
                else if (rest.StartsWith("'"))
                {
                    (start, close) = (i + 3, '\'');
                }
                else
                {
                    continue; // non-capturing group, lookaround or flags
                }

                var end = pattern.IndexOf(close, start);
                if (end > start)
                {
                    order.Add(pattern[start..end]);
                }

                continue;
            }

            unnamed++;
            order.Add(unnamed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return [.. order];
    }

    private string[]? _captureOrder;

    private string[] Captures => _captureOrder ??= CaptureOrder(RegexText);

    public static bool TryParseAction(string text, out RelabelAction action)
    {
        action = text.ToLowerInvariant() switch
        {
            "replace" => RelabelAction.Replace,
            "keep" => RelabelAction.Keep,
            "drop" => RelabelAction.Drop,
            "keepequal" => RelabelAction.KeepEqual,
            "dropequal" => RelabelAction.DropEqual,
            "hashmod" => RelabelAction.HashMod,
            "labelmap" => RelabelAction.LabelMap,
            "labeldrop" => RelabelAction.LabelDrop,
            "labelkeep" => RelabelAction.LabelKeep,
            "lowercase" => RelabelAction.Lowercase,
            "uppercase" => RelabelAction.Uppercase,
            _ => (RelabelAction)(-1),
        };
        return (int)action >= 0;
    }

    /// <summary>Applies the rules in order; false when a rule drops the label set.</summary>
    public static bool Apply(IReadOnlyList<RelabelRule> rules, Dictionary<string, string> labels)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (!rules[i].Apply(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Applies this rule; false when it drops the label set.</summary>
    public bool Apply(Dictionary<string, string> labels)
    {
        switch (Action)
        {
            case RelabelAction.Keep:
                return Regex.IsMatch(SourceValue(labels));
            case RelabelAction.Drop:
                return !Regex.IsMatch(SourceValue(labels));
            case RelabelAction.KeepEqual:
                return SourceValue(labels) == Get(labels, TargetLabel!);
            case RelabelAction.DropEqual:
                return SourceValue(labels) != Get(labels, TargetLabel!);
            case RelabelAction.Replace:
                {
                    var value = SourceValue(labels);
                    var match = Regex.Match(value);
                    if (!match.Success)
                    {
                        return true;
                    }

                    var target = Expand(TargetLabel!, match, Captures);
                    if (!IsValidLabelName(target))
                    {
                        return true;
                    }

                    var result = Expand(Replacement, match, Captures);
                    if (result.Length == 0)
                    {
                        labels.Remove(target);
                    }
                    else
                    {
                        labels[target] = result;
                    }

                    return true;
                }

            case RelabelAction.Lowercase:
                labels[TargetLabel!] = SourceValue(labels).ToLowerInvariant();
                return true;
            case RelabelAction.Uppercase:
                labels[TargetLabel!] = SourceValue(labels).ToUpperInvariant();
                return true;
            case RelabelAction.HashMod:
                {
                    var hash = MD5.HashData(Encoding.UTF8.GetBytes(SourceValue(labels)));
                    var sum = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash.AsSpan(8));
                    labels[TargetLabel!] = (sum % Modulus).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return true;
                }

            case RelabelAction.LabelMap:
                {
                    List<(string, string)>? added = null;
                    foreach (var (name, value) in labels)
                    {
                        var match = Regex.Match(name);
                        if (match.Success)
                        {
                            (added ??= []).Add((Expand(Replacement, match, Captures), value));
                        }
                    }

                    if (added is not null)
                    {
                        foreach (var (name, value) in added)
                        {
                            labels[name] = value;
                        }
                    }

                    return true;
                }

            case RelabelAction.LabelDrop:
            case RelabelAction.LabelKeep:
                {
                    List<string>? removed = null;
                    var keep = Action == RelabelAction.LabelKeep;
                    foreach (var name in labels.Keys)
                    {
                        if (Regex.IsMatch(name) != keep)
                        {
                            (removed ??= []).Add(name);
                        }
                    }

                    if (removed is not null)
                    {
                        foreach (var name in removed)
                        {
                            labels.Remove(name);
                        }
                    }

                    return true;
                }

            default:
                return true;
        }
    }

    private string SourceValue(Dictionary<string, string> labels)
    {
        if (SourceLabels.Count == 1)
        {
            return Get(labels, SourceLabels[0]);
        }

        var sb = new StringBuilder();
        for (var i = 0; i < SourceLabels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(Separator);
            }

            sb.Append(Get(labels, SourceLabels[i]));
        }

        return sb.ToString();
    }

    private static string Get(Dictionary<string, string> labels, string name) =>
        labels.TryGetValue(name, out var value) ? value : string.Empty;

    /// <summary>Go's <c>Regexp.Expand</c>: <c>$name</c> takes the longest run of <c>[A-Za-z0-9_]</c>; unknown groups expand to "".</summary>
    public static string Expand(string template, Match match, string[] captures)
    {
        if (!template.Contains('$', StringComparison.Ordinal))
        {
            return template;
        }

        var sb = new StringBuilder(template.Length + 16);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                continue;
            }

            var next = template[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            string name;
            if (next == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close < 0)
                {
                    sb.Append(c);
                    continue;
                }

                name = template[(i + 2)..close];
                if (name.Length == 0 || !IsNameRun(name))
                {
                    sb.Append(c);
                    continue;
                }

                i = close;
            }
            else
            {
                var end = i + 1;
                while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_'))
                {
                    end++;
                }

                if (end == i + 1)
                {
                    sb.Append(c);
                    continue;
                }

                name = template[(i + 1)..end];
                i = end - 1;
            }

            sb.Append(GroupValue(match, name, captures));
        }

        return sb.ToString();
    }

    private static bool IsNameRun(string s)
    {
        foreach (var ch in s)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string GroupValue(Match match, string name, string[] captures)
    {
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            if (number == 0)
            {
                return match.Value; // the wrapper (?:…) adds no capturing group
            }

            if (number > captures.Length)
            {
                return string.Empty;
            }

            var positional = match.Groups[captures[number - 1]];
            return positional.Success ? positional.Value : string.Empty;
        }

        var group = match.Groups[name];
        return group.Success && group.Name == name ? group.Value : string.Empty;
    }

    /// <summary><c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsValidLabelName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        for (var i = 1; i < name.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(name[i]) || name[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
