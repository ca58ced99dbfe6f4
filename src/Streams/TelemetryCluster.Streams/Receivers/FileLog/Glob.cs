using System.Text;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// One doublestar glob on full paths (the collector's syntax): <c>*</c> matches within one path segment, <c>?</c> one
/// character, <c>[abc]</c>/<c>[!a-z]</c> a class, <c>{a,b}</c> alternatives, <c>**</c> as a whole segment any number
/// of directories. Compiled once to a regular expression; <see cref="BaseDirectory"/> is the part before the first
/// wildcard, where enumeration starts.
/// </summary>
internal sealed class Glob
{
    private readonly Regex _regex;

    private Glob(string pattern, Regex regex, string baseDirectory, int? maxDepth)
    {
        Pattern = pattern;
        _regex = regex;
        BaseDirectory = baseDirectory;
        MaxDepth = maxDepth;
    }

    public string Pattern { get; }

    /// <summary>The directory enumeration starts in (no wildcard above it).</summary>
    public string BaseDirectory { get; }

    /// <summary>Directory levels below <see cref="BaseDirectory"/> a match can be at; null = any (<c>**</c>).</summary>
    public int? MaxDepth { get; }

    public bool IsMatch(string path) => _regex.IsMatch(path);

    /// <summary>Parses a glob; relative patterns are taken from the working directory. False with a reason when invalid.</summary>
    public static bool TryParse(string pattern, out Glob? glob, out string? error)
    {
        glob = null;
        error = null;
        if (string.IsNullOrWhiteSpace(pattern))
        {
            error = "empty pattern";
            return false;
        }

        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(Directory.GetCurrentDirectory(), pattern);
        var regex = new StringBuilder("^");
        var braces = 0;
        var i = 0;
        while (i < full.Length)
        {
            var c = full[i];
            switch (c)
            {
                case '*':
                    if (i + 1 < full.Length && full[i + 1] == '*')
                    {
                        var segmentStart = i == 0 || full[i - 1] == '/';
                        var segmentEnd = i + 2 == full.Length || full[i + 2] == '/';
                        if (!segmentStart || !segmentEnd)
                        {
                            // "a**b" behaves as two single stars, as in doublestar.
                            regex.Append("[^/]*");
                            i += 2;
                            break;
                        }

                        if (i + 2 == full.Length)
                        {
                            regex.Append(".*");
                            i += 2;
                        }
                        else
                        {
                            regex.Append("(?:[^/]+/)*");
                            i += 3;
                        }

                        break;
                    }

                    regex.Append("[^/]*");
                    i++;
                    break;
                case '?':
                    regex.Append("[^/]");
                    i++;
                    break;
                case '[':
                    {
                        var close = full.IndexOf(']', i + 2 <= full.Length ? Math.Min(i + 2, full.Length) : full.Length);
                        if (close < 0)
                        {
                            error = $"unclosed character class '[' at position {i} in \"{pattern}\"";
                            return false;
                        }

                        var body = full[(i + 1)..close];
                        var negate = body.StartsWith('!') || body.StartsWith('^');
                        if (negate)
                        {
                            body = body[1..];
                        }

                        if (body.Length == 0)
                        {
                            error = $"empty character class at position {i} in \"{pattern}\"";
                            return false;
                        }

                        regex.Append('[').Append(negate ? "^/" : string.Empty);
                        foreach (var ch in body)
                        {
                            regex.Append(ch is '\\' or '[' or ']' or '^' ? "\\" + ch : ch.ToString());
                        }

                        regex.Append(']');
                        i = close + 1;
                        break;
                    }

                case '{':
                    braces++;
                    regex.Append("(?:");
                    i++;
                    break;
                case '}':
                    if (braces == 0)
                    {
                        error = $"unmatched '}}' at position {i} in \"{pattern}\"";
                        return false;
                    }

                    braces--;
                    regex.Append(')');
                    i++;
                    break;
                case ',' when braces > 0:
                    regex.Append('|');
                    i++;
                    break;
                case '\\':
                    if (i + 1 >= full.Length)
                    {
                        error = $"trailing escape in \"{pattern}\"";
                        return false;
                    }

                    regex.Append(Regex.Escape(full[i + 1].ToString()));
                    i += 2;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    i++;
                    break;
            }
        }

        if (braces != 0)
        {
            error = $"unclosed '{{' in \"{pattern}\"";
            return false;
        }

        regex.Append('$');
        var (baseDirectory, maxDepth) = Split(full);
        glob = new Glob(pattern, new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Compiled), baseDirectory, maxDepth);
        return true;
    }

    private static (string BaseDirectory, int? MaxDepth) Split(string full)
    {
        var segments = full.Split('/');
        var fixedCount = 0;
        while (fixedCount < segments.Length - 1 && segments[fixedCount].IndexOfAny(['*', '?', '[', '{', '\\']) < 0)
        {
            fixedCount++;
        }

        var baseDirectory = string.Join('/', segments, 0, fixedCount);
        if (baseDirectory.Length == 0)
        {
            baseDirectory = "/";
        }

        var rest = segments.Skip(fixedCount).ToArray();
        int? depth = rest.Any(s => s.Contains("**", StringComparison.Ordinal)) ? null : rest.Length - 1;
        return (baseDirectory, depth);
    }
}
