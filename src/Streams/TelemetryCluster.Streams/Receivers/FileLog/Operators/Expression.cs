using System.Globalization;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// The documented subset of the collector's <c>expr</c> language used by <c>if</c>, <c>filter.expr</c>,
/// <c>router.routes[].expr</c>, <c>recombine.is_first_entry</c>/<c>is_last_entry</c> and <c>add</c>'s
/// <c>EXPR(...)</c>: field access (<c>body</c>, <c>body.x</c>, <c>attributes.x</c>, <c>attributes["a.b"]</c>,
/// <c>resource.x</c>), string/number/bool literals, <c>nil</c>, list literals (right of <c>in</c>), <c>==</c>
/// <c>!=</c> <c>&lt;</c> <c>&lt;=</c> <c>&gt;</c> <c>&gt;=</c>, <c>matches</c> (regex literal), <c>contains</c>,
/// <c>startsWith</c>, <c>endsWith</c>, <c>in</c>, <c>and</c>/<c>&amp;&amp;</c>, <c>or</c>/<c>||</c>,
/// <c>not</c>/<c>!</c>, parentheses. Anything else is rejected when the config is read.
/// Evaluation never throws: a comparison of values that do not compare is false.
/// </summary>
internal abstract class Expression
{
    public abstract object? Evaluate(LogEntry entry);

    /// <summary>True only when the expression yields the boolean true.</summary>
    public virtual bool IsTrue(LogEntry entry) => Evaluate(entry) is true;

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what and where.</summary>
    public static bool TryParse(string text, TimeSpan regexTimeout, out Expression expression, out string error)
    {
        var parser = new Parser(text, regexTimeout);
        try
        {
            expression = parser.ParseAll();
            error = string.Empty;
            return true;
        }
        catch (FormatException e)
        {
            expression = new Literal(null);
            error = $"invalid expression \"{text}\": {e.Message}";
            return false;
        }
    }

    private sealed class Literal(object? value) : Expression
    {
        public object? Value { get; } = value;

        public override object? Evaluate(LogEntry entry) => Value;
    }

    private sealed class FieldAccess(Field field) : Expression
    {
        public override object? Evaluate(LogEntry entry) => field.TryGet(entry, out var value) ? value : null;
    }

    private sealed class ListLiteral(Expression[] items) : Expression
    {
        public Expression[] Items { get; } = items;

        public override object? Evaluate(LogEntry entry)
        {
            var list = new List<object?>(Items.Length);
            foreach (var item in Items)
            {
                list.Add(item.Evaluate(entry));
            }

            return list;
        }
    }

    private abstract class Predicate : Expression
    {
        public sealed override object? Evaluate(LogEntry entry) => Values.Box(IsTrue(entry));

        public abstract override bool IsTrue(LogEntry entry);
    }

    private sealed class Not(Expression operand) : Predicate
    {
        public override bool IsTrue(LogEntry entry) => !operand.IsTrue(entry);
    }

    private sealed class And(Expression left, Expression right) : Predicate
    {
        public override bool IsTrue(LogEntry entry) => left.IsTrue(entry) && right.IsTrue(entry);
    }

    private sealed class Or(Expression left, Expression right) : Predicate
    {
        public override bool IsTrue(LogEntry entry) => left.IsTrue(entry) || right.IsTrue(entry);
    }

    private sealed class Compare(string op, Expression left, Expression right) : Predicate
    {
        public override bool IsTrue(LogEntry entry)
        {
            var l = left.Evaluate(entry);
            var r = right.Evaluate(entry);
            switch (op)
            {
                case "==":
                    return Values.AreEqual(l, r);
                case "!=":
                    return !Values.AreEqual(l, r);
            }

            if (!Values.TryCompare(l, r, out var order))
            {
                return false;
            }

            return op switch
            {
                "<" => order < 0,
                "<=" => order <= 0,
                ">" => order > 0,
                _ => order >= 0,
            };
        }
    }

    private sealed class StringTest(string op, Expression left, Expression right) : Predicate
    {
        public override bool IsTrue(LogEntry entry)
        {
            if (left.Evaluate(entry) is not string l || right.Evaluate(entry) is not string r)
            {
                return false;
            }

            return op switch
            {
                "contains" => l.Contains(r, StringComparison.Ordinal),
                "startsWith" => l.StartsWith(r, StringComparison.Ordinal),
                _ => l.EndsWith(r, StringComparison.Ordinal),
            };
        }
    }

    private sealed class Matches(Expression left, Regex regex) : Predicate
    {
        public override bool IsTrue(LogEntry entry)
        {
            if (left.Evaluate(entry) is not string text)
            {
                return false;
            }

            try
            {
                return regex.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }

    private sealed class In(Expression left, Expression right) : Predicate
    {
        public override bool IsTrue(LogEntry entry)
        {
            var needle = left.Evaluate(entry);
            if (right is ListLiteral list)
            {
                foreach (var item in list.Items)
                {
                    if (Values.AreEqual(needle, item.Evaluate(entry)))
                    {
                        return true;
                    }
                }

                return false;
            }

            switch (right.Evaluate(entry))
            {
                case Dictionary<string, object?> map:
                    return needle is string key && map.ContainsKey(key);
                case List<object?> items:
                    foreach (var item in items)
                    {
                        if (Values.AreEqual(needle, item))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }
    }

    private sealed class Parser(string text, TimeSpan regexTimeout)
    {
        private static readonly string[] Symbols = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ","];
        private int _position;

        public Expression ParseAll()
        {
            var expression = ParseOr();
            SkipSpace();
            if (_position < text.Length)
            {
                throw Unsupported();
            }

            return expression;
        }

        private Expression ParseOr()
        {
            var left = ParseAnd();
            while (TryWord("or") || TrySymbol("||"))
            {
                left = new Or(left, ParseAnd());
            }

            return left;
        }

        private Expression ParseAnd()
        {
            var left = ParseNot();
            while (TryWord("and") || TrySymbol("&&"))
            {
                left = new And(left, ParseNot());
            }

            return left;
        }

        private Expression ParseNot()
        {
            SkipSpace();
            if (TryWord("not") || (PeekSymbol("!") && !PeekSymbol("!=") && TrySymbol("!")))
            {
                return new Not(ParseNot());
            }

            return ParseComparison();
        }

        private Expression ParseComparison()
        {
            var left = ParsePrimary();
            foreach (var op in (string[])["==", "!=", "<=", ">=", "<", ">"])
            {
                if (TrySymbol(op))
                {
                    return new Compare(op, left, ParsePrimary());
                }
            }

            if (TryWord("contains") || TryWord("startsWith") || TryWord("endsWith"))
            {
                var op = _lastWord;
                return new StringTest(op, left, ParsePrimary());
            }

            if (TryWord("matches"))
            {
                var start = _position;
                var pattern = ParsePrimary();
                if (pattern is not Literal { Value: string regexText })
                {
                    throw new FormatException($"\"matches\" needs a string literal pattern at {start}");
                }

                if (!RegexTranslation.TryCompile(regexText, regexTimeout, out var regex, out var regexError))
                {
                    throw new FormatException(regexError);
                }

                return new Matches(left, regex);
            }

            if (TryWord("in"))
            {
                return new In(left, ParsePrimary());
            }

            return left;
        }

        private Expression ParsePrimary()
        {
            SkipSpace();
            if (_position >= text.Length)
            {
                throw new FormatException("unexpected end of expression");
            }

            var c = text[_position];
            if (TrySymbol("("))
            {
                var inner = ParseOr();
                if (!TrySymbol(")"))
                {
                    throw new FormatException($"expected \")\" at {_position}");
                }

                return inner;
            }

            if (TrySymbol("["))
            {
                var items = new List<Expression>();
                if (!TrySymbol("]"))
                {
                    do
                    {
                        items.Add(ParsePrimary());
                    }
                    while (TrySymbol(","));

                    if (!TrySymbol("]"))
                    {
                        throw new FormatException($"expected \"]\" at {_position}");
                    }
                }

                return new ListLiteral([.. items]);
            }

            if (c is '"' or '\'')
            {
                if (!FieldSyntax.TryReadQuoted(text, ref _position, out var value, out var error))
                {
                    throw new FormatException(error);
                }

                return new Literal(value);
            }

            if (char.IsAsciiDigit(c) || (c == '-' && _position + 1 < text.Length && char.IsAsciiDigit(text[_position + 1])))
            {
                return ParseNumber();
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = _position;
                var word = FieldSyntax.ReadIdentifier(text, ref _position);
                switch (word)
                {
                    case "true":
                        return new Literal(Values.True);
                    case "false":
                        return new Literal(Values.False);
                    case "nil":
                        return new Literal(null);
                }

                if (!FieldSyntax.IsRootName(word))
                {
                    _position = start;
                    throw new FormatException(
                        $"unsupported name \"{word}\" at {start} (fields start with body, attributes or resource; functions are not supported)");
                }

                _position = start;
                if (!FieldSyntax.TryParse(text, ref _position, out var field, out var fieldError))
                {
                    throw new FormatException(fieldError);
                }

                return new FieldAccess(field);
            }

            throw Unsupported();
        }

        private Literal ParseNumber()
        {
            var start = _position;
            if (text[_position] == '-')
            {
                _position++;
            }

            while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] is '.' or '_' or 'e' or 'E'))
            {
                _position++;
            }

            var token = text[start.._position].Replace("_", string.Empty, StringComparison.Ordinal);
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return new Literal(integer);
            }

            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            {
                return new Literal(real);
            }

            throw new FormatException($"invalid number \"{token}\" at {start}");
        }

        private string _lastWord = string.Empty;

        private bool TryWord(string word)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0)
            {
                return false;
            }

            var end = _position + word.Length;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            {
                return false;
            }

            _position = end;
            _lastWord = word;
            return true;
        }

        private bool PeekSymbol(string symbol)
        {
            SkipSpace();
            return string.CompareOrdinal(text, _position, symbol, 0, symbol.Length) == 0;
        }

        private bool TrySymbol(string symbol)
        {
            if (!PeekSymbol(symbol))
            {
                return false;
            }

            _position += symbol.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private FormatException Unsupported()
        {
            SkipSpace();
            var rest = text[_position..];
            var token = rest.Length > 12 ? rest[..12] + "…" : rest;
            foreach (var symbol in Symbols)
            {
                if (rest.StartsWith(symbol, StringComparison.Ordinal))
                {
                    return new FormatException($"unexpected \"{symbol}\" at {_position}");
                }
            }

            return new FormatException(
                $"unsupported syntax \"{token}\" at {_position} (supported: fields, literals, == != < <= > >=, matches, contains, " +
                "startsWith, endsWith, in, and/&&, or/||, not/!, parentheses, nil)");
        }
    }
}
