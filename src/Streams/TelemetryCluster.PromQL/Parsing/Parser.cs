namespace TelemetryCluster.PromQL.Parsing;

/// <summary>Recursive-descent PromQL parser with Prometheus 2.x type checks.</summary>
internal sealed class Parser
{
    private static readonly Dictionary<string, AggOp> AggOps = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sum"] = AggOp.Sum,
        ["avg"] = AggOp.Avg,
        ["min"] = AggOp.Min,
        ["max"] = AggOp.Max,
        ["count"] = AggOp.Count,
        ["group"] = AggOp.Group,
        ["stddev"] = AggOp.Stddev,
        ["stdvar"] = AggOp.Stdvar,
        ["topk"] = AggOp.Topk,
        ["bottomk"] = AggOp.Bottomk,
        ["quantile"] = AggOp.Quantile,
        ["count_values"] = AggOp.CountValues,
    };

    private readonly string _input;
    private readonly List<Token> _tokens;
    private int _pos;
    private int _depth;

    private Parser(string input)
    {
        _input = input;
        _tokens = Lexer.Tokenize(input);
    }

    public static Expr Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var p = new Parser(input);
        if (p.Cur.Kind == Tok.Eof)
        {
            throw Error(input, 0, "no expression found in input");
        }
        var e = p.ParseExpr(0);
        if (p.Cur.Kind != Tok.Eof)
        {
            throw p.Unexpected("");
        }
        return e;
    }

    public static PromQLParseException Error(string input, int pos, string msg)
    {
        int line = 1, col = 1;
        for (int i = 0; i < pos && i < input.Length; i++)
        {
            if (input[i] == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }
        return new PromQLParseException($"{line}:{col}: parse error: {msg}");
    }

    private Token Cur => _tokens[_pos];

    private Token Next() => _tokens[_pos++];

    private PromQLParseException Err(string msg)
    {
        if (Cur.Kind == Tok.Eof)
        {
            // Like Prometheus' lexer: an open bracket at the end of input is the error to report.
            var open = OpenAtEnd();
            if (open is not null)
            {
                msg = open;
            }
        }
        return Error(_input, Cur.Pos, msg);
    }

    private string? OpenAtEnd()
    {
        int parens = 0, brackets = 0, braces = 0;
        foreach (var t in _tokens)
        {
            switch (t.Kind)
            {
                case Tok.LParen: parens++; break;
                case Tok.RParen: parens--; break;
                case Tok.LBracket: brackets++; break;
                case Tok.RBracket: brackets--; break;
                case Tok.LBrace: braces++; break;
                case Tok.RBrace: braces--; break;
            }
        }
        return braces > 0 ? "unexpected end of input inside braces" : brackets > 0 ? "unclosed left bracket" : parens > 0 ? "unclosed left parenthesis" : null;
    }

    private PromQLParseException Err(int pos, string msg) => Error(_input, pos, msg);

    private PromQLParseException Unexpected(string context)
    {
        var t = Cur;
        string what = t.Kind switch
        {
            Tok.Eof => "end of input",
            Tok.Ident => "identifier \"" + t.Text + "\"",
            Tok.Number => "number \"" + t.Text + "\"",
            Tok.Duration => "duration \"" + t.Text + "\"",
            Tok.String => "string",
            _ => "\"" + t.Text + "\"",
        };
        if (t.Kind == Tok.RParen && context.Length == 0)
        {
            return Err("unexpected right parenthesis ')'");
        }
        return Err("unexpected " + what + (context.Length > 0 ? " in " + context : ""));
    }

    private bool IsKeyword(string kw) => Cur.Kind == Tok.Ident && string.Equals(Cur.Text, kw, StringComparison.OrdinalIgnoreCase);

    private bool IsOp(string op) => Cur.Kind == Tok.Op && Cur.Text == op;

    private void Expect(Tok kind, string context)
    {
        if (Cur.Kind != kind)
        {
            if (kind == Tok.RParen && Cur.Kind == Tok.Eof)
            {
                throw Err("unclosed left parenthesis");
            }
            if (kind == Tok.RBracket && Cur.Kind == Tok.Eof)
            {
                throw Err("unclosed left bracket");
            }
            throw Unexpected(context);
        }
        _pos++;
    }

    // Binary operator precedence (higher binds tighter); ^ is right-associative.
    private bool TryBinOp(out BinOp op, out int prec)
    {
        op = default;
        prec = 0;
        var t = Cur;
        if (t.Kind == Tok.Op)
        {
            switch (t.Text)
            {
                case "+": op = BinOp.Add; prec = 4; return true;
                case "-": op = BinOp.Sub; prec = 4; return true;
                case "*": op = BinOp.Mul; prec = 5; return true;
                case "/": op = BinOp.Div; prec = 5; return true;
                case "%": op = BinOp.Mod; prec = 5; return true;
                case "^": op = BinOp.Pow; prec = 7; return true;
                case "==": op = BinOp.Eq; prec = 3; return true;
                case "!=": op = BinOp.Ne; prec = 3; return true;
                case ">": op = BinOp.Gt; prec = 3; return true;
                case "<": op = BinOp.Lt; prec = 3; return true;
                case ">=": op = BinOp.Ge; prec = 3; return true;
                case "<=": op = BinOp.Le; prec = 3; return true;
                default: return false;
            }
        }
        if (t.Kind == Tok.Ident)
        {
            switch (t.Text.ToLowerInvariant())
            {
                case "and": op = BinOp.And; prec = 2; return true;
                case "unless": op = BinOp.Unless; prec = 2; return true;
                case "or": op = BinOp.Or; prec = 1; return true;
                case "atan2": op = BinOp.Atan2; prec = 5; return true;
            }
        }
        return false;
    }

    private Expr ParseExpr(int minPrec)
    {
        if (++_depth > 200)
        {
            throw Err("expression nested too deeply");
        }
        var lhs = ParseUnary();
        while (TryBinOp(out var op, out var prec) && prec >= minPrec)
        {
            int opPos = Cur.Pos;
            _pos++;
            bool returnBool = false;
            if (IsKeyword("bool"))
            {
                _pos++;
                returnBool = true;
            }
            VectorMatching? matching = null;
            bool explicitMatching = false;
            if (IsKeyword("on") || IsKeyword("ignoring"))
            {
                matching = new VectorMatching { On = IsKeyword("on") };
                _pos++;
                matching.MatchingLabels = new HashSet<string>(ParseLabelList(), StringComparer.Ordinal);
                explicitMatching = true;
                if (IsKeyword("group_left") || IsKeyword("group_right"))
                {
                    matching.Card = IsKeyword("group_left") ? Cardinality.ManyToOne : Cardinality.OneToMany;
                    _pos++;
                    if (Cur.Kind == Tok.LParen)
                    {
                        matching.Include = ParseLabelList();
                    }
                }
            }
            else if (IsKeyword("group_left") || IsKeyword("group_right"))
            {
                throw Unexpected("binary expression");
            }
            Expr rhs = op == BinOp.Pow ? ParseExpr(prec) : ParseExpr(prec + 1);
            lhs = BuildBinary(op, opPos, lhs, rhs, matching, explicitMatching, returnBool);
        }
        _depth--;
        return lhs;
    }

    private Expr BuildBinary(BinOp op, int pos, Expr lhs, Expr rhs, VectorMatching? matching, bool explicitMatching, bool returnBool)
    {
        var lt = lhs.Type;
        var rt = rhs.Type;
        if (lt is not (ValueType.Scalar or ValueType.Vector) || rt is not (ValueType.Scalar or ValueType.Vector))
        {
            throw Err(pos, "binary expression must contain only scalar and instant vector types");
        }
        bool comparison = BinaryExpr.IsComparison(op);
        if (returnBool && !comparison)
        {
            throw Err(pos, "bool modifier can only be used on comparison operators");
        }
        if (comparison && lt == ValueType.Scalar && rt == ValueType.Scalar && !returnBool)
        {
            throw Err(pos, "comparisons between scalars must use BOOL modifier");
        }
        bool setOp = BinaryExpr.IsSetOp(op);
        if (setOp && (lt == ValueType.Scalar || rt == ValueType.Scalar))
        {
            throw Err(pos, $"set operator \"{OpName(op)}\" not allowed in binary scalar expression");
        }
        if (explicitMatching && (lt != ValueType.Vector || rt != ValueType.Vector))
        {
            throw Err(pos, "vector matching only allowed between instant vectors");
        }
        if (lt == ValueType.Vector && rt == ValueType.Vector)
        {
            matching ??= new VectorMatching();
            if (setOp)
            {
                if (matching.Card is Cardinality.ManyToOne or Cardinality.OneToMany)
                {
                    throw Err(pos, $"no grouping allowed for \"{OpName(op)}\" operation");
                }
                matching.Card = Cardinality.ManyToMany;
            }
            foreach (var l in matching.Include)
            {
                if (matching.On && matching.MatchingLabels.Contains(l))
                {
                    throw Err(pos, $"label \"{l}\" must not occur in ON and GROUP clause at once");
                }
            }
        }
        else
        {
            matching = null;
        }
        return new BinaryExpr(op, lhs, rhs, matching, returnBool);
    }

    private static string OpName(BinOp op) => op switch
    {
        BinOp.And => "and",
        BinOp.Or => "or",
        _ => "unless",
    };

    private Expr ParseUnary()
    {
        if (IsOp("-") || IsOp("+"))
        {
            bool neg = Cur.Text == "-";
            int pos = Cur.Pos;
            _pos++;
            // Unary binds like multiplication: tighter than + -, looser than ^.
            var inner = ParseUnaryOperand();
            if (inner.Type is not (ValueType.Scalar or ValueType.Vector))
            {
                throw Err(pos, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{inner.Type.Name()}\"");
            }
            if (inner is NumberLiteral nl)
            {
                return new NumberLiteral(neg ? -nl.Value : nl.Value);
            }
            return new UnaryExpr(neg, inner);
        }
        return ParsePow();
    }

    private Expr ParseUnaryOperand()
    {
        if (IsOp("-") || IsOp("+"))
        {
            return ParseUnary();
        }
        return ParsePow();
    }

    private Expr ParsePow()
    {
        var lhs = ParsePostfix();
        if (IsOp("^"))
        {
            int pos = Cur.Pos;
            _pos++;
            bool returnBool = false;
            if (IsKeyword("bool"))
            {
                throw Err("bool modifier can only be used on comparison operators");
            }
            VectorMatching? matching = null;
            bool explicitMatching = false;
            if (IsKeyword("on") || IsKeyword("ignoring"))
            {
                matching = new VectorMatching { On = IsKeyword("on") };
                _pos++;
                matching.MatchingLabels = new HashSet<string>(ParseLabelList(), StringComparer.Ordinal);
                explicitMatching = true;
                if (IsKeyword("group_left") || IsKeyword("group_right"))
                {
                    matching.Card = IsKeyword("group_left") ? Cardinality.ManyToOne : Cardinality.OneToMany;
                    _pos++;
                    if (Cur.Kind == Tok.LParen)
                    {
                        matching.Include = ParseLabelList();
                    }
                }
            }
            var rhs = ParseUnaryOperand();
            return BuildBinary(BinOp.Pow, pos, lhs, rhs, matching, explicitMatching, returnBool);
        }
        return lhs;
    }

    private Expr ParsePostfix()
    {
        var e = ParsePrimary();
        while (true)
        {
            if (Cur.Kind == Tok.LBracket)
            {
                int pos = Cur.Pos;
                _pos++;
                if (Cur.Kind != Tok.Duration)
                {
                    if (Cur.Kind == Tok.Eof)
                    {
                        throw Err("unclosed left bracket");
                    }
                    throw Unexpected("range or subquery, expected duration");
                }
                long range = Next().DurationMs;
                if (Cur.Kind == Tok.Colon)
                {
                    _pos++;
                    long step = 0;
                    if (Cur.Kind == Tok.Duration)
                    {
                        step = Next().DurationMs;
                        if (step == 0)
                        {
                            throw Err(pos, "zero step in subquery");
                        }
                    }
                    Expect(Tok.RBracket, "subquery selector");
                    if (e.Type != ValueType.Vector)
                    {
                        throw Err(pos, $"subquery is only allowed on instant vector, got {e.Type.Name()} instead");
                    }
                    if (range == 0)
                    {
                        throw Err(pos, "duration must be greater than 0");
                    }
                    e = new SubqueryExpr(e, range, step);
                }
                else
                {
                    Expect(Tok.RBracket, "range selector");
                    if (e is not VectorSelector vs)
                    {
                        throw Err(pos, "ranges only allowed for vector selectors");
                    }
                    if (vs.OffsetMs != 0)
                    {
                        throw Err(pos, "no offset modifiers allowed before range");
                    }
                    if (vs.At is not null)
                    {
                        throw Err(pos, "no @ modifiers allowed before range");
                    }
                    if (range == 0)
                    {
                        throw Err(pos, "duration must be greater than 0");
                    }
                    e = new MatrixSelector(vs, range);
                }
                continue;
            }
            if (Cur.Kind == Tok.At)
            {
                int pos = Cur.Pos;
                _pos++;
                var at = ParseAt();
                switch (e)
                {
                    case VectorSelector v when v.At is null:
                        v.At = at;
                        break;
                    case MatrixSelector m when m.Selector.At is null:
                        m.Selector.At = at;
                        break;
                    case SubqueryExpr s when s.At is null:
                        s.At = at;
                        break;
                    case VectorSelector or MatrixSelector or SubqueryExpr:
                        throw Err(pos, "@ <timestamp> may not be set multiple times");
                    default:
                        throw Err(pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
                }
                continue;
            }
            if (IsKeyword("offset"))
            {
                int pos = Cur.Pos;
                _pos++;
                // Debian's 2.42 accepts negative offsets (looking ahead of the evaluation time).
                bool negative = false;
                if (IsOp("-"))
                {
                    negative = true;
                    _pos++;
                }
                if (Cur.Kind != Tok.Duration)
                {
                    throw Unexpected("offset, expected duration");
                }
                if (Cur.DurationMs == 0)
                {
                    throw Err("duration must be greater than 0");
                }
                long off = negative ? -Next().DurationMs : Next().DurationMs;
                switch (e)
                {
                    case VectorSelector v when v.OffsetMs == 0:
                        v.OffsetMs = off;
                        break;
                    case MatrixSelector m when m.Selector.OffsetMs == 0:
                        m.Selector.OffsetMs = off;
                        break;
                    case SubqueryExpr s when s.OffsetMs == 0:
                        s.OffsetMs = off;
                        break;
                    case VectorSelector or MatrixSelector or SubqueryExpr:
                        throw Err(pos, "offset may not be set multiple times");
                    default:
                        throw Err(pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
                }
                continue;
            }
            return e;
        }
    }

    private AtModifier ParseAt()
    {
        if (Cur.Kind == Tok.Ident && Cur.Text is "start" or "end" && _tokens[_pos + 1].Kind == Tok.LParen && _tokens[_pos + 2].Kind == Tok.RParen)
        {
            var kind = Cur.Text == "start" ? AtKind.Start : AtKind.End;
            _pos += 3;
            return new AtModifier(kind, 0);
        }
        double sign = 1;
        if (IsOp("-") || IsOp("+"))
        {
            sign = Cur.Text == "-" ? -1 : 1;
            _pos++;
        }
        if (Cur.Kind != Tok.Number)
        {
            throw Unexpected("@, expected timestamp");
        }
        double v = sign * Next().Number;
        double ms = Math.Round(v * 1000);
        if (double.IsNaN(v) || double.IsInfinity(v) || ms > long.MaxValue / 2 || ms < long.MinValue / 2)
        {
            throw Err($"timestamp out of bounds for @ modifier: {GoFloat.Format(v, 'f')}");
        }
        return new AtModifier(AtKind.Fixed, (long)ms);
    }

    private Expr ParsePrimary()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case Tok.Number:
                _pos++;
                return new NumberLiteral(t.Number);
            case Tok.String:
                _pos++;
                return new StringLiteral(t.Text);
            case Tok.LParen:
                {
                    _pos++;
                    if (Cur.Kind == Tok.RParen)
                    {
                        throw Err("unexpected right parenthesis ')'");
                    }
                    var inner = ParseExpr(0);
                    Expect(Tok.RParen, "paren expression");
                    return new ParenExpr(inner);
                }
            case Tok.LBrace:
                return ParseSelector(null, t.Pos);
            case Tok.Ident:
                return ParseIdentExpr();
            case Tok.Eof:
                throw Err("unexpected end of input");
            case Tok.Duration:
                throw Err($"unexpected duration \"{t.Text}\"");
            default:
                throw Unexpected("");
        }
    }

    private Expr ParseIdentExpr()
    {
        var t = Next();
        if (AggOps.TryGetValue(t.Text, out var agg) && (Cur.Kind == Tok.LParen || IsKeyword("by") || IsKeyword("without")))
        {
            return ParseAggregate(agg, t);
        }
        if (Cur.Kind == Tok.LParen)
        {
            if (!Functions.All.TryGetValue(t.Text, out var fn))
            {
                throw Err(t.Pos, $"unknown function with name \"{t.Text}\"");
            }
            return ParseCall(fn, t.Pos);
        }
        // Prometheus accepts most keywords (sum, by, offset, and, …) as metric names in this position.
        if (t.Text.ToLowerInvariant() is "bool" or "ignoring" or "group_left" or "group_right")
        {
            _pos--;
            throw Unexpected("");
        }
        return ParseSelector(t.Text, t.Pos);
    }

    private Expr ParseCall(FunctionDef fn, int pos)
    {
        Expect(Tok.LParen, "function call");
        var args = new List<Expr>();
        if (Cur.Kind != Tok.RParen)
        {
            while (true)
            {
                args.Add(ParseExpr(0));
                if (Cur.Kind == Tok.Comma)
                {
                    _pos++;
                    if (Cur.Kind == Tok.RParen)
                    {
                        throw Unexpected("function call");
                    }
                    continue;
                }
                break;
            }
        }
        Expect(Tok.RParen, "function call");
        int min = fn.ArgTypes.Length - (fn.Variadic > 0 ? fn.Variadic : 0);
        if (fn.Variadic > 0 && fn.Name is "minute" or "hour" or "day_of_week" or "day_of_month" or "day_of_year" or "days_in_month" or "month" or "year")
        {
            min = 0;
        }
        int max = fn.Variadic < 0 ? int.MaxValue : fn.ArgTypes.Length;
        if (fn.Variadic > 0 && fn.Name == "round")
        {
            min = 1;
        }
        if (args.Count < min || args.Count > max)
        {
            string expected = fn.Variadic == 0 ? fn.ArgTypes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : fn.Variadic < 0 ? "at least " + fn.ArgTypes.Length : "at most " + max;
            if (fn.Variadic > 0 && args.Count < min)
            {
                expected = "at least " + min;
            }
            throw Err(pos, $"expected {expected} argument(s) in call to \"{fn.Name}\", got {args.Count}");
        }
        for (int i = 0; i < args.Count; i++)
        {
            var want = i < fn.ArgTypes.Length ? fn.ArgTypes[i] : fn.ArgTypes[^1];
            var got = args[i].Type;
            if (got != want)
            {
                throw Err(pos, $"expected type {want.Name()} in call to function \"{fn.Name}\", got {got.Name()}");
            }
        }
        return new CallExpr(fn, args);
    }

    private Expr ParseAggregate(AggOp op, Token opTok)
    {
        HashSet<string>? grouping = null;
        bool without = false;
        if (IsKeyword("by") || IsKeyword("without"))
        {
            without = IsKeyword("without");
            _pos++;
            grouping = new HashSet<string>(ParseLabelList(), StringComparer.Ordinal);
        }
        if (Cur.Kind != Tok.LParen)
        {
            throw Unexpected("aggregation");
        }
        _pos++;
        var args = new List<Expr>();
        if (Cur.Kind != Tok.RParen)
        {
            while (true)
            {
                args.Add(ParseExpr(0));
                if (Cur.Kind == Tok.Comma)
                {
                    _pos++;
                    if (Cur.Kind == Tok.RParen)
                    {
                        throw Unexpected("aggregation");
                    }
                    continue;
                }
                break;
            }
        }
        Expect(Tok.RParen, "aggregation");
        if (IsKeyword("by") || IsKeyword("without"))
        {
            if (grouping is not null)
            {
                throw Unexpected("aggregation");
            }
            without = IsKeyword("without");
            _pos++;
            grouping = new HashSet<string>(ParseLabelList(), StringComparer.Ordinal);
        }
        bool hasParam = op is AggOp.Topk or AggOp.Bottomk or AggOp.Quantile or AggOp.CountValues;
        int want = hasParam ? 2 : 1;
        if (args.Count != want)
        {
            if (args.Count == 0)
            {
                throw Err(opTok.Pos, "no arguments for aggregate expression provided");
            }
            throw Err(opTok.Pos, $"wrong number of arguments for aggregate expression provided, expected {want}, got {args.Count}");
        }
        Expr? param = hasParam ? args[0] : null;
        var inner = args[^1];
        if (inner.Type != ValueType.Vector)
        {
            throw Err(opTok.Pos, $"expected type instant vector in aggregation expression, got {inner.Type.Name()}");
        }
        if (param is not null)
        {
            var pt = op == AggOp.CountValues ? ValueType.String : ValueType.Scalar;
            if (param.Type != pt)
            {
                throw Err(opTok.Pos, $"expected type {pt.Name()} in aggregation parameter, got {param.Type.Name()}");
            }
        }
        return new AggregateExpr(op, inner, param, grouping ?? new HashSet<string>(StringComparer.Ordinal), without);
    }

    private List<string> ParseLabelList()
    {
        if (Cur.Kind != Tok.LParen)
        {
            throw Unexpected("grouping opts, expected \"(\"");
        }
        _pos++;
        var list = new List<string>();
        while (Cur.Kind != Tok.RParen)
        {
            if (Cur.Kind != Tok.Ident || !Lexer.IsLabelName(Cur.Text))
            {
                if (Cur.Kind == Tok.Eof)
                {
                    throw Err("unclosed left parenthesis");
                }
                throw Unexpected("grouping opts, expected label");
            }
            list.Add(Next().Text);
            if (Cur.Kind == Tok.Comma)
            {
                _pos++;
            }
            else if (Cur.Kind != Tok.RParen)
            {
                throw Unexpected("grouping opts, expected \")\" or \",\"");
            }
        }
        _pos++;
        return list;
    }

    private Expr ParseSelector(string? name, int pos)
    {
        var matchers = new List<Matcher>();
        if (name is not null)
        {
            matchers.Add(new Matcher(MatcherType.Equal, Labels.MetricName, name));
        }
        if (Cur.Kind == Tok.LBrace)
        {
            _pos++;
            while (Cur.Kind != Tok.RBrace)
            {
                if (Cur.Kind != Tok.Ident || !Lexer.IsLabelName(Cur.Text))
                {
                    if (Cur.Kind == Tok.Eof)
                    {
                        throw Err("unexpected end of input inside braces");
                    }
                    throw Unexpected("label matching, expected label");
                }
                var ln = Next().Text;
                if (Cur.Kind != Tok.Op || Cur.Text is not ("=" or "!=" or "=~" or "!~"))
                {
                    throw Unexpected("label matching, expected one of \"=\", \"!=\", \"=~\" or \"!~\"");
                }
                var opText = Next().Text;
                if (Cur.Kind != Tok.String)
                {
                    throw Unexpected("label matching, expected string");
                }
                var value = Next().Text;
                var type = opText switch
                {
                    "=" => MatcherType.Equal,
                    "!=" => MatcherType.NotEqual,
                    "=~" => MatcherType.Regex,
                    _ => MatcherType.NotRegex,
                };
                try
                {
                    matchers.Add(new Matcher(type, ln, value));
                }
                catch (PromQLParseException ex)
                {
                    throw Err(pos, ex.Message);
                }
                if (Cur.Kind == Tok.Comma)
                {
                    _pos++;
                }
                else if (Cur.Kind != Tok.RBrace)
                {
                    if (Cur.Kind == Tok.Eof)
                    {
                        throw Err("unexpected end of input inside braces");
                    }
                    throw Unexpected("label matching, expected \",\" or \"}\"");
                }
            }
            _pos++;
        }
        if (name is not null)
        {
            foreach (var m in matchers.Skip(1))
            {
                if (m.Name == Labels.MetricName)
                {
                    throw Err(pos, $"metric name must not be set twice: \"{name}\" or \"{m.Value}\"");
                }
            }
        }
        bool anyNonEmpty = false;
        foreach (var m in matchers)
        {
            if (!m.Matches(""))
            {
                anyNonEmpty = true;
                break;
            }
        }
        if (!anyNonEmpty)
        {
            throw Err(pos, "vector selector must contain at least one non-empty matcher");
        }
        string? exact = null;
        foreach (var m in matchers)
        {
            if (m.Name == Labels.MetricName && m.Type == MatcherType.Equal)
            {
                exact = m.Value;
            }
        }
        return new VectorSelector(exact, matchers);
    }
}
