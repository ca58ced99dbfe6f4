using System.Text.RegularExpressions;

namespace TelemetryCluster.PromQL.Parsing;

internal enum MatcherType
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

internal sealed class Matcher
{
    private readonly Regex? _regex;

    public Matcher(MatcherType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        if (type is MatcherType.Regex or MatcherType.NotRegex)
        {
            _regex = RegexCache.Anchored(value);
        }
    }

    public MatcherType Type { get; }

    public string Name { get; }

    public string Value { get; }

    public bool Matches(string v) => Type switch
    {
        MatcherType.Equal => string.Equals(v, Value, StringComparison.Ordinal),
        MatcherType.NotEqual => !string.Equals(v, Value, StringComparison.Ordinal),
        MatcherType.Regex => _regex!.IsMatch(v),
        _ => !_regex!.IsMatch(v),
    };

    public override string ToString() => Name + Type switch
    {
        MatcherType.Equal => "=",
        MatcherType.NotEqual => "!=",
        MatcherType.Regex => "=~",
        _ => "!~",
    } + Labels.Quote(Value);
}

internal static class RegexCache
{
    /// <summary>RE2-style fully anchored regex; NonBacktracking keeps matching linear (no catastrophic patterns).</summary>
    public static Regex Anchored(string pattern)
    {
        try
        {
            return new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new PromQLParseException($"error parsing regexp: {e.Message}");
        }
    }
}

/// <summary>The @ modifier: a fixed time (ms) or the range query's start()/end().</summary>
internal enum AtKind
{
    Fixed,
    Start,
    End,
}

internal sealed record AtModifier(AtKind Kind, long Ms);

internal abstract class Expr
{
    public abstract ValueType Type { get; }
}

internal sealed class NumberLiteral(double value) : Expr
{
    public double Value { get; } = value;

    public override ValueType Type => ValueType.Scalar;
}

internal sealed class StringLiteral(string value) : Expr
{
    public string Value { get; } = value;

    public override ValueType Type => ValueType.String;
}

internal sealed class VectorSelector(string? name, List<Matcher> matchers) : Expr
{
    public string? Name { get; } = name;

    public List<Matcher> Matchers { get; } = matchers;

    public long OffsetMs { get; set; }

    public AtModifier? At { get; set; }

    public override ValueType Type => ValueType.Vector;
}

internal sealed class MatrixSelector(VectorSelector selector, long rangeMs) : Expr
{
    public VectorSelector Selector { get; } = selector;

    public long RangeMs { get; } = rangeMs;

    public override ValueType Type => ValueType.Matrix;
}

internal sealed class SubqueryExpr(Expr inner, long rangeMs, long stepMs) : Expr
{
    public Expr Inner { get; } = inner;

    public long RangeMs { get; } = rangeMs;

    /// <summary>0 = the default evaluation interval.</summary>
    public long StepMs { get; } = stepMs;

    public long OffsetMs { get; set; }

    public AtModifier? At { get; set; }

    public override ValueType Type => ValueType.Matrix;
}

internal sealed class ParenExpr(Expr inner) : Expr
{
    public Expr Inner { get; } = inner;

    public override ValueType Type => Inner.Type;
}

internal sealed class UnaryExpr(bool negate, Expr inner) : Expr
{
    public bool Negate { get; } = negate;

    public Expr Inner { get; } = inner;

    public override ValueType Type => Inner.Type;
}

internal enum BinOp
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
}

internal enum Cardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

internal sealed class VectorMatching
{
    public Cardinality Card { get; set; }

    public bool On { get; set; }

    public HashSet<string> MatchingLabels { get; set; } = new(StringComparer.Ordinal);

    public List<string> Include { get; set; } = [];
}

internal sealed class BinaryExpr(BinOp op, Expr lhs, Expr rhs, VectorMatching? matching, bool returnBool) : Expr
{
    public BinOp Op { get; } = op;

    public Expr Lhs { get; } = lhs;

    public Expr Rhs { get; } = rhs;

    public VectorMatching? Matching { get; } = matching;

    public bool ReturnBool { get; } = returnBool;

    public override ValueType Type => Lhs.Type == ValueType.Scalar && Rhs.Type == ValueType.Scalar ? ValueType.Scalar : ValueType.Vector;

    public static bool IsComparison(BinOp op) => op is BinOp.Eq or BinOp.Ne or BinOp.Gt or BinOp.Lt or BinOp.Ge or BinOp.Le;

    public static bool IsSetOp(BinOp op) => op is BinOp.And or BinOp.Or or BinOp.Unless;
}

internal enum AggOp
{
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Group,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    Quantile,
    CountValues,
}

internal sealed class AggregateExpr(AggOp op, Expr inner, Expr? param, HashSet<string> grouping, bool without) : Expr
{
    public AggOp Op { get; } = op;

    public Expr Inner { get; } = inner;

    public Expr? Param { get; } = param;

    public HashSet<string> Grouping { get; } = grouping;

    public bool Without { get; } = without;

    public override ValueType Type => ValueType.Vector;
}

internal sealed class CallExpr(FunctionDef func, List<Expr> args) : Expr
{
    public FunctionDef Func { get; } = func;

    public List<Expr> Args { get; } = args;

    public override ValueType Type => Func.ReturnType;
}

/// <summary>A function's signature. Variadic: -1 = any number of extra args of the last type; n &gt; 0 = up to n optional.</summary>
internal sealed record FunctionDef(string Name, ValueType[] ArgTypes, int Variadic, ValueType ReturnType);
