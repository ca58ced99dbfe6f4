using System.Text;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// Go RE2 patterns as .NET regexes: <c>(?P&lt;name&gt;…)</c> becomes <c>(?&lt;name&gt;…)</c>; compiled with
/// <see cref="RegexOptions.Compiled"/> | <see cref="RegexOptions.CultureInvariant"/> and a match timeout.
/// </summary>
internal static class RegexTranslation
{
    /// <summary>The default match timeout: a pathological line costs at most this, then counts as a parse error.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    public static string Translate(string pattern)
    {
        if (!pattern.Contains("(?P<", StringComparison.Ordinal))
        {
            return pattern;
        }

        var builder = new StringBuilder(pattern.Length);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                builder.Append(c).Append(pattern[i + 1]);
                i++;
                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                builder.Append(c);
                continue;
            }

            if (c == '[')
            {
                inClass = true;
                builder.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    builder.Append(']');
                    i++;
                }

                continue;
            }

            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                builder.Append("(?<");
                i += 3;
                continue;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    public static bool TryCompile(string pattern, TimeSpan timeout, out Regex regex, out string error)
    {
        try
        {
            regex = new Regex(Translate(pattern), RegexOptions.Compiled | RegexOptions.CultureInvariant, timeout);
            error = string.Empty;
            return true;
        }
        catch (ArgumentException e)
        {
            regex = null!;
            error = $"invalid regex \"{pattern}\": {e.Message}";
            return false;
        }
    }
}
