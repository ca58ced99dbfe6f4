using System.Globalization;
using System.Text;

namespace TelemetryCluster.PromQL.Parsing;

internal enum Tok
{
    Eof,
    Ident,
    Number,
    Duration,
    String,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Op,
    At,
}

internal readonly record struct Token(Tok Kind, string Text, int Pos, double Number = 0, long DurationMs = 0);

/// <summary>Splits a PromQL query into tokens.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string input)
    {
        var tokens = new List<Token>();
        int i = 0;
        int bracketDepth = 0;
        while (true)
        {
            while (i < input.Length)
            {
                char c = input[i];
                if (c is ' ' or '\t' or '\n' or '\r')
                {
                    i++;
                }
                else if (c == '#')
                {
                    while (i < input.Length && input[i] != '\n')
                    {
                        i++;
                    }
                }
                else
                {
                    break;
                }
            }
            if (i >= input.Length)
            {
                tokens.Add(new Token(Tok.Eof, "", i));
                return tokens;
            }
            int start = i;
            char ch = input[i];
            switch (ch)
            {
                case '(': tokens.Add(new Token(Tok.LParen, "(", i++)); continue;
                case ')': tokens.Add(new Token(Tok.RParen, ")", i++)); continue;
                case '{': tokens.Add(new Token(Tok.LBrace, "{", i++)); continue;
                case '}': tokens.Add(new Token(Tok.RBrace, "}", i++)); continue;
                case '[': tokens.Add(new Token(Tok.LBracket, "[", i++)); bracketDepth++; continue;
                case ']': tokens.Add(new Token(Tok.RBracket, "]", i++)); bracketDepth--; continue;
                case ',': tokens.Add(new Token(Tok.Comma, ",", i++)); continue;
                case '@': tokens.Add(new Token(Tok.At, "@", i++)); continue;
                case '+' or '-' or '*' or '/' or '%' or '^':
                    tokens.Add(new Token(Tok.Op, ch.ToString(), i++));
                    continue;
                case '=':
                    if (Peek(input, i + 1) == '=')
                    {
                        tokens.Add(new Token(Tok.Op, "==", i));
                        i += 2;
                    }
                    else if (Peek(input, i + 1) == '~')
                    {
                        tokens.Add(new Token(Tok.Op, "=~", i));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(Tok.Op, "=", i++));
                    }
                    continue;
                case '!':
                    if (Peek(input, i + 1) == '=')
                    {
                        tokens.Add(new Token(Tok.Op, "!=", i));
                        i += 2;
                        continue;
                    }
                    if (Peek(input, i + 1) == '~')
                    {
                        tokens.Add(new Token(Tok.Op, "!~", i));
                        i += 2;
                        continue;
                    }
                    throw Parser.Error(input, i, "unexpected character after '!': " + Describe(Peek(input, i + 1)));
                case '<' or '>':
                    if (Peek(input, i + 1) == '=')
                    {
                        tokens.Add(new Token(Tok.Op, ch + "=", i));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(Tok.Op, ch.ToString(), i++));
                    }
                    continue;
                case '"' or '\'' or '`':
                    tokens.Add(new Token(Tok.String, ReadString(input, ref i), start));
                    continue;
                case ':' when bracketDepth > 0:
                    // Subquery separator; outside brackets ':' starts a metric name (recording rule style).
                    tokens.Add(new Token(Tok.Colon, ":", i++));
                    continue;
            }
            if (char.IsAsciiDigit(ch) || (ch == '.' && char.IsAsciiDigit(Peek(input, i + 1))))
            {
                tokens.Add(ReadNumberOrDuration(input, ref i));
                continue;
            }
            if (IsIdentStart(ch))
            {
                while (i < input.Length && IsIdentChar(input[i]))
                {
                    i++;
                }
                var word = input[start..i];
                var lower = word.ToLowerInvariant();
                if (lower is "inf" or "nan")
                {
                    tokens.Add(new Token(Tok.Number, word, start, lower == "inf" ? double.PositiveInfinity : double.NaN));
                }
                else
                {
                    tokens.Add(new Token(Tok.Ident, word, start));
                }
                continue;
            }
            throw Parser.Error(input, i, "unexpected character: " + Describe(ch));
        }
    }

    private static string Describe(char c) => c == '\0' ? "end of input" : "'" + c + "'";

    private static char Peek(string s, int i) => i < s.Length ? s[i] : '\0';

    public static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == ':';

    public static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':';

    public static bool IsLabelName(string s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static Token ReadNumberOrDuration(string input, ref int i)
    {
        int start = i;
        // Duration: (digits unit)+ where unit is ms|s|m|h|d|w|y.
        int j = i;
        bool isDuration = false;
        long totalMs = 0;
        int durationEnd = i;
        int lastUnitRank = int.MaxValue;
        bool badOrder = false;
        while (j < input.Length && char.IsAsciiDigit(input[j]))
        {
            int ds = j;
            while (j < input.Length && char.IsAsciiDigit(input[j]))
            {
                j++;
            }
            long unitMs;
            int ulen;
            if (j + 1 < input.Length && input[j] == 'm' && input[j + 1] == 's')
            {
                unitMs = 1;
                ulen = 2;
            }
            else if (j < input.Length && "smhdwy".Contains(input[j], StringComparison.Ordinal))
            {
                unitMs = input[j] switch
                {
                    's' => 1000L,
                    'm' => 60_000L,
                    'h' => 3_600_000L,
                    'd' => 86_400_000L,
                    'w' => 7 * 86_400_000L,
                    _ => 365 * 86_400_000L,
                };
                ulen = 1;
            }
            else
            {
                break;
            }
            if (!long.TryParse(input.AsSpan(ds, j - ds), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw Parser.Error(input, start, "duration out of range");
            }
            try
            {
                totalMs = checked(totalMs + checked(n * unitMs));
            }
            catch (OverflowException)
            {
                throw Parser.Error(input, start, "duration out of range");
            }
            // Units must appear at most once, largest first (y w d h m s ms).
            int rank = unitMs switch
            {
                1 => 0,
                1000L => 1,
                60_000L => 2,
                3_600_000L => 3,
                86_400_000L => 4,
                7 * 86_400_000L => 5,
                _ => 6,
            };
            if (rank >= lastUnitRank)
            {
                badOrder = true;
            }
            lastUnitRank = rank;
            j += ulen;
            durationEnd = j;
            isDuration = true;
        }
        if (isDuration && j != durationEnd)
        {
            int end = j;
            while (end < input.Length && (IsIdentChar(input[end]) && input[end] != ':'))
            {
                end++;
            }
            throw Parser.Error(input, start, $"bad duration syntax: \"{input[start..end]}\"");
        }
        if (isDuration && badOrder)
        {
            throw Parser.Error(input, start, $"not a valid duration string: \"{input[start..j]}\"");
        }
        if (isDuration && (j >= input.Length || input[j] == ':' || (!IsIdentChar(input[j]) && input[j] != '.')))
        {
            i = j;
            return new Token(Tok.Duration, input[start..j], start, 0, totalMs);
        }
        if (i + 1 < input.Length && input[i] == '0' && (input[i + 1] == 'x' || input[i + 1] == 'X'))
        {
            j = i + 2;
            while (j < input.Length && char.IsAsciiHexDigit(input[j]))
            {
                j++;
            }
            if (j == i + 2 || (j < input.Length && IsIdentChar(input[j])))
            {
                throw Parser.Error(input, start, $"bad number or duration syntax: \"{input[start..Math.Min(input.Length, j + 1)]}\"");
            }
            var hex = input[(i + 2)..j];
            i = j;
            if (!long.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hv) || hv < 0)
            {
                throw Parser.Error(input, start, $"error parsing number: strconv.ParseFloat: parsing \"{input[start..j]}\": invalid syntax");
            }
            return new Token(Tok.Number, input[start..j], start, hv);
        }
        j = i;
        while (j < input.Length && char.IsAsciiDigit(input[j]))
        {
            j++;
        }
        if (j < input.Length && input[j] == '.')
        {
            j++;
            while (j < input.Length && char.IsAsciiDigit(input[j]))
            {
                j++;
            }
        }
        if (j < input.Length && (input[j] == 'e' || input[j] == 'E'))
        {
            int k = j + 1;
            if (k < input.Length && (input[k] == '+' || input[k] == '-'))
            {
                k++;
            }
            if (k < input.Length && char.IsAsciiDigit(input[k]))
            {
                while (k < input.Length && char.IsAsciiDigit(input[k]))
                {
                    k++;
                }
                j = k;
            }
        }
        if (j < input.Length && (IsIdentChar(input[j]) || input[j] == '.'))
        {
            int end = j;
            while (end < input.Length && (IsIdentChar(input[end]) || input[end] == '.'))
            {
                end++;
            }
            throw Parser.Error(input, start, $"bad number or duration syntax: \"{input[start..end]}\"");
        }
        var text = input[start..j];
        i = j;
        if (text.Length > 1 && text[0] == '0' && text.All(c => c is >= '0' and <= '7'))
        {
            // Go's ParseInt(s, 0, 64), which Prometheus tries first: a leading 0 means octal.
            return new Token(Tok.Number, text, start, Convert.ToInt64(text, 8));
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsInfinity(v))
        {
            if (double.IsInfinity(v))
            {
                throw Parser.Error(input, start, $"error parsing number: strconv.ParseFloat: parsing \"{text}\": value out of range");
            }
            throw Parser.Error(input, start, $"bad number syntax: \"{text}\"");
        }
        return new Token(Tok.Number, text, start, v);
    }

    private static string ReadString(string input, ref int i)
    {
        char quote = input[i];
        int start = i;
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= input.Length)
            {
                throw Parser.Error(input, start, "unterminated quoted string");
            }
            char c = input[i];
            if (c == quote)
            {
                i++;
                return sb.ToString();
            }
            if (quote == '`')
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (c == '\n')
            {
                throw Parser.Error(input, start, "unterminated quoted string");
            }
            if (c != '\\')
            {
                sb.Append(c);
                i++;
                continue;
            }
            i++;
            if (i >= input.Length)
            {
                throw Parser.Error(input, start, "unterminated quoted string");
            }
            char e = input[i++];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"' when quote == '"': sb.Append('"'); break;
                case '\'' when quote == '\'': sb.Append('\''); break;
                case 'x':
                    sb.Append((char)ReadHex(input, ref i, 2, start));
                    break;
                case 'u':
                    sb.Append(char.ConvertFromUtf32(ReadHex(input, ref i, 4, start)));
                    break;
                case 'U':
                    var cp = ReadHex(input, ref i, 8, start);
                    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    {
                        throw Parser.Error(input, start, "escape sequence is an invalid Unicode code point");
                    }
                    sb.Append(char.ConvertFromUtf32(cp));
                    break;
                case >= '0' and <= '7':
                    int val = e - '0';
                    for (int k = 0; k < 2; k++)
                    {
                        if (i >= input.Length || input[i] < '0' || input[i] > '7')
                        {
                            throw Parser.Error(input, start, "illegal character in escape sequence");
                        }
                        val = (val * 8) + (input[i++] - '0');
                    }
                    if (val > 255)
                    {
                        throw Parser.Error(input, start, "octal escape value > 255");
                    }
                    sb.Append((char)val);
                    break;
                default:
                    throw Parser.Error(input, start, "unknown escape sequence");
            }
        }
    }

    private static int ReadHex(string input, ref int i, int n, int start)
    {
        if (i + n > input.Length)
        {
            throw Parser.Error(input, start, "unterminated quoted string");
        }
        if (!int.TryParse(input.AsSpan(i, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) || v < 0)
        {
            throw Parser.Error(input, start, "illegal character in escape sequence");
        }
        if (n == 4 && v >= 0xD800 && v <= 0xDFFF)
        {
            throw Parser.Error(input, start, "escape sequence is an invalid Unicode code point");
        }
        i += n;
        return v;
    }
}
