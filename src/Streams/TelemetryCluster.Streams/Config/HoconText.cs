using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Safe parsing of user HOCON. Akka's parser is lenient (it accepts an unterminated string or object silently) and
/// loops forever on some malformed input (<c>a = [1, }</c>), so user text is first checked for balanced brackets and
/// terminated strings, and the parse itself runs with a time limit.
/// </summary>
internal static class HoconText
{
    private static readonly TimeSpan ParseLimit = TimeSpan.FromSeconds(10);

    /// <summary>Parses after <see cref="Check"/>; throws <see cref="FormatException"/> on malformed text.</summary>
    public static HoconValue Parse(string text, Func<string, HoconRoot>? include = null)
    {
        if (Check(text) is { } problem)
        {
            throw new FormatException(problem);
        }

        HoconValue? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = ConfigurationFactory.ParseString(text, include).Root;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "hocon-parse",
        };
        thread.Start();
        if (!thread.Join(ParseLimit))
        {
            throw new FormatException($"the HOCON parser did not finish within {ParseLimit.TotalSeconds:0}s (malformed list or object?)");
        }

        if (failure is not null)
        {
            throw failure is FormatException ? failure : new FormatException(failure.Message, failure);
        }

        return result!;
    }

    /// <summary>A description of the first structural problem (unbalanced brackets, unterminated string), or null.</summary>
    public static string? Check(string text)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        var line = 1;
        var lineStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var column = i - lineStart + 1;
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
                i++;
                continue;
            }

            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    return $"line {line}, column {column}: unterminated \"\"\" string";
                }

                for (var k = i; k < end; k++)
                {
                    if (text[k] == '\n')
                    {
                        line++;
                        lineStart = k + 1;
                    }
                }

                i = end + 3;
                while (i < text.Length && text[i] == '"')
                {
                    i++;
                }

                continue;
            }

            if (c == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\n')
                    {
                        return $"line {line}, column {column}: unterminated string";
                    }

                    i += text[i] == '\\' ? 2 : 1;
                }

                if (i >= text.Length)
                {
                    return $"line {line}, column {column}: unterminated string";
                }

                i++;
                continue;
            }

            if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOf('}', i + 2);
                var newline = text.IndexOf('\n', i + 2);
                if (end < 0 || (newline >= 0 && newline < end))
                {
                    return $"line {line}, column {column}: unterminated substitution ${{...}}";
                }

                i = end + 1;
                continue;
            }

            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line, column));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        return $"line {line}, column {column}: unexpected '{c}'";
                    }

                    var top = open.Pop();
                    if (top.Bracket != expected)
                    {
                        return $"line {line}, column {column}: unexpected '{c}' ('{top.Bracket}' opened at line {top.Line}, column {top.Column} is not closed)";
                    }

                    break;
            }

            i++;
        }

        if (open.Count > 0)
        {
            var top = open.Peek();
            return $"line {top.Line}, column {top.Column}: '{top.Bracket}' is never closed";
        }

        return null;
    }
}
