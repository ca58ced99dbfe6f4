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

    public static Regex Compile(string text) =>
        new("^(?:" + text + ")\\z", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

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

                    var target = Expand(TargetLabel!, match);
                    if (!IsValidLabelName(target))
                    {
                        return true;
                    }

                    var result = Expand(Replacement, match);
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
                            (added ??= []).Add((Expand(Replacement, match), value));
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
    public static string Expand(string template, Match match)
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

            sb.Append(GroupValue(match, name));
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

    private static string GroupValue(Match match, string name)
    {
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            // Group 0 is the whole anchored match; our wrapper (?:…) adds no capturing group.
            return number < match.Groups.Count && match.Groups[number].Success ? match.Groups[number].Value : string.Empty;
        }

        var group = match.Groups[name];
        return group.Success && !int.TryParse(group.Name, out _) ? group.Value : string.Empty;
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
