using System.Text;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// The collector's environment expansion: <c>${env:VAR}</c>, <c>${VAR}</c>, <c>${env:VAR:-default}</c> (the default
/// applies when VAR is unset or empty) and <c>$$</c> for a literal <c>$</c>. VAR matches
/// <c>[A-Za-z_][A-Za-z0-9_]*</c>. Anything else inside <c>${...}</c> is left as written: a dotted <c>${a.b}</c> is a
/// HOCON substitution; another scheme (<c>${file:...}</c>) is not supported and yields a warning. An unset variable
/// expands to the empty string with a warning.
/// </summary>
public static class EnvExpansion
{
    /// <summary>Expands a plain string (a YAML scalar, a <c>--set</c> value).</summary>
    public static string Expand(string text, Func<string, string?> environment, ICollection<string> warnings) =>
        Run(text, environment, warnings, hocon: false);

    /// <summary>
    /// Expands HOCON text before parsing. Knows HOCON strings and comments: a value expanded inside a
    /// <c>"quoted string"</c> is escaped so that quotes or backslashes in it cannot break the file; a value expanded
    /// outside quotes is inserted as is when it holds only letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, and as a
    /// quoted string otherwise (so an unset variable becomes <c>""</c> and <c>host:port</c> stays one string); nothing
    /// is expanded inside comments (a commented-out <c>${env:X}</c> neither expands nor warns).
    /// </summary>
    public static string ExpandHocon(string text, Func<string, string?> environment, ICollection<string> warnings) =>
        Run(text, environment, warnings, hocon: true);

    /// <summary>True for names of the form <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsVariableName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name[1..])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private enum State
    {
        Outside,
        Quoted,
        TripleQuoted,
    }

    private static string Run(string text, Func<string, string?> environment, ICollection<string> warnings, bool hocon)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var state = State.Outside;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (hocon)
            {
                switch (state)
                {
                    case State.Outside when c == '#' || (c == '/' && At(text, i, "//")):
                        var end = text.IndexOf('\n', i);
                        end = end < 0 ? text.Length : end;
                        output.Append(text, i, end - i);
                        i = end;
                        continue;
                    case State.Outside when At(text, i, "\"\"\""):
                        state = State.TripleQuoted;
                        output.Append("\"\"\"");
                        i += 3;
                        continue;
                    case State.Outside when c == '"':
                        state = State.Quoted;
                        output.Append(c);
                        i++;
                        continue;
                    case State.TripleQuoted when At(text, i, "\"\"\""):
                        state = State.Outside;
                        output.Append("\"\"\"");
                        i += 3;
                        continue;
                    case State.Quoted when c == '\\' && i + 1 < text.Length:
                        output.Append(c).Append(text[i + 1]);
                        i += 2;
                        continue;
                    case State.Quoted when c is '"' or '\n':
                        state = State.Outside;
                        output.Append(c);
                        i++;
                        continue;
                }
            }

            if (c != '$' || i + 1 >= text.Length)
            {
                output.Append(c);
                i++;
                continue;
            }

            if (text[i + 1] == '$')
            {
                output.Append('$');
                i += 2;
                continue;
            }

            if (text[i + 1] != '{')
            {
                output.Append(c);
                i++;
                continue;
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }

            var reference = text.Substring(i + 2, close - i - 2);
            var expanded = Resolve(reference, environment, warnings);
            if (expanded is null)
            {
                output.Append(text, i, close + 1 - i);
            }
            else if (state == State.Quoted)
            {
                var quoted = HoconTree.Quote(expanded);
                output.Append(quoted, 1, quoted.Length - 2);
            }
            else if (hocon && state == State.Outside && !IsSafeUnquoted(expanded))
            {
                // An empty or special value spliced into unquoted HOCON would change the structure (`a = \n b = 1`).
                output.Append(HoconTree.Quote(expanded));
            }
            else
            {
                output.Append(expanded);
            }

            i = close + 1;
        }

        return output.ToString();
    }

    /// <summary>The expansion of the text between <c>${</c> and <c>}</c>, or null to leave it as written.</summary>
    private static string? Resolve(string reference, Func<string, string?> environment, ICollection<string> warnings)
    {
        var body = reference.Trim();
        if (body.StartsWith("env:", StringComparison.Ordinal))
        {
            return Variable(reference, body[4..], environment, warnings);
        }

        if (IsVariableName(body.Split(":-", 2)[0]))
        {
            return Variable(reference, body, environment, warnings);
        }

        var colon = body.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && IsScheme(body[..colon]))
        {
            warnings.Add($"config source \"${{{reference}}}\": scheme \"{body[..colon]}\" is not supported (only env); left as written");
        }

        return null;
    }

    private static string? Variable(string reference, string spec, Func<string, string?> environment, ICollection<string> warnings)
    {
        var parts = spec.Split(":-", 2);
        var name = parts[0].Trim();
        if (!IsVariableName(name))
        {
            warnings.Add($"\"${{{reference}}}\": \"{name}\" is not a valid environment variable name; left as written");
            return null;
        }

        var value = environment(name);
        if (parts.Length == 2)
        {
            return string.IsNullOrEmpty(value) ? parts[1] : value;
        }

        if (value is null)
        {
            warnings.Add($"environment variable \"{name}\" is not set; \"${{{reference}}}\" expands to \"\"");
            return string.Empty;
        }

        return value;
    }

    private static bool IsSafeUnquoted(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static bool IsScheme(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    private static bool At(string text, int index, string token) =>
        string.CompareOrdinal(text, index, token, 0, token.Length) == 0;
}
