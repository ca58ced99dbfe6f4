namespace TelemetryCluster.PromQL.Parsing;

internal static class Functions
{
    private const ValueType S = ValueType.Scalar;
    private const ValueType V = ValueType.Vector;
    private const ValueType M = ValueType.Matrix;
    private const ValueType Str = ValueType.String;

    public static readonly IReadOnlyDictionary<string, FunctionDef> All = Build();

    private static Dictionary<string, FunctionDef> Build()
    {
        var d = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);
        void Add(string name, ValueType[] args, ValueType ret, int variadic = 0) => d[name] = new FunctionDef(name, args, variadic, ret);
        foreach (var n in new[]
        {
            "abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "acos", "acosh", "asin", "asinh", "atan",
            "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad", "absent", "timestamp", "sort", "sort_desc",
        })
        {
            Add(n, [V], V);
        }
        foreach (var n in new[]
        {
            "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "avg_over_time", "min_over_time",
            "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "stddev_over_time", "stdvar_over_time",
            "present_over_time", "absent_over_time",
        })
        {
            Add(n, [M], V);
        }
        foreach (var n in new[] { "minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year" })
        {
            Add(n, [V], V, 1);
        }
        Add("quantile_over_time", [S, M], V);
        Add("predict_linear", [M, S], V);
        Add("holt_winters", [M, S, S], V);
        Add("clamp", [V, S, S], V);
        Add("clamp_min", [V, S], V);
        Add("clamp_max", [V, S], V);
        Add("round", [V, S], V, 1);
        Add("histogram_quantile", [S, V], V);
        Add("label_replace", [V, Str, Str, Str, Str], V);
        Add("label_join", [V, Str, Str, Str], V, -1);
        Add("vector", [S], V);
        Add("scalar", [V], S);
        Add("time", [], S);
        Add("pi", [], S);
        return d;
    }
}
