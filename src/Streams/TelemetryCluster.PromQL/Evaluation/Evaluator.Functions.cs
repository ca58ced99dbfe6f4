using System.Text;
using System.Text.RegularExpressions;
using TelemetryCluster.PromQL.Parsing;

namespace TelemetryCluster.PromQL;

internal sealed partial class Evaluator
{
    private static Expr Unwrap(Expr e)
    {
        while (e is ParenExpr p)
        {
            e = p.Inner;
        }
        return e;
    }

    private QueryValue EvalCall(CallExpr c, long t)
    {
        var name = c.Func.Name;
        switch (name)
        {
            case "time":
                return new ScalarValue(t, t / 1000.0);
            case "pi":
                return new ScalarValue(t, Math.PI);
            case "vector":
                return new VectorValue([new Sample(Labels.Empty, t, EvalScalar(c.Args[0], t))]);
            case "scalar":
                {
                    var v = EvalVector(c.Args[0], t);
                    return new ScalarValue(t, v.Count == 1 ? v[0].V : double.NaN);
                }
        }
        int matrixArg = -1;
        for (int i = 0; i < c.Func.ArgTypes.Length; i++)
        {
            if (c.Func.ArgTypes[i] == ValueType.Matrix)
            {
                matrixArg = i;
            }
        }
        if (matrixArg >= 0)
        {
            return EvalRangeFunction(c, matrixArg, t);
        }
        List<Sample> result = name switch
        {
            "absent" => Absent(EvalVector(c.Args[0], t), Unwrap(c.Args[0]) as VectorSelector, t),
            "timestamp" => Timestamp(c, t),
            "sort" => SortBy(EvalVector(c.Args[0], t), descending: false, t),
            "sort_desc" => SortBy(EvalVector(c.Args[0], t), descending: true, t),
            "histogram_quantile" => HistogramQuantile(EvalScalar(c.Args[0], t), EvalVector(c.Args[1], t), t),
            "label_replace" => LabelReplace(c, t),
            "label_join" => LabelJoin(c, t),
            "clamp" => Clamp(EvalVector(c.Args[0], t), EvalScalar(c.Args[1], t), EvalScalar(c.Args[2], t), t),
            "clamp_min" => Simple(EvalVector(c.Args[0], t), t, EvalScalar(c.Args[1], t), static (v, m) => Math.Max(m, v) is var r && (double.IsNaN(v) || double.IsNaN(m)) ? double.NaN : r),
            "clamp_max" => Simple(EvalVector(c.Args[0], t), t, EvalScalar(c.Args[1], t), static (v, m) => Math.Min(m, v) is var r && (double.IsNaN(v) || double.IsNaN(m)) ? double.NaN : r),
            "round" => Round(c, t),
            "minute" or "hour" or "day_of_week" or "day_of_month" or "day_of_year" or "days_in_month" or "month" or "year" => TimeFunc(c, t),
            _ => Simple(EvalVector(c.Args[0], t), t, 0, MathFunc(name)),
        };
        CheckDuplicates(result);
        return new VectorValue(result);
    }

    private static Func<double, double, double> MathFunc(string name) => name switch
    {
        "abs" => static (v, _) => Math.Abs(v),
        "ceil" => static (v, _) => Math.Ceiling(v),
        "floor" => static (v, _) => Math.Floor(v),
        "exp" => static (v, _) => Math.Exp(v),
        "ln" => static (v, _) => Math.Log(v),
        "log2" => static (v, _) => Math.Log2(v),
        "log10" => static (v, _) => Math.Log10(v),
        "sqrt" => static (v, _) => Math.Sqrt(v),
        "sgn" => static (v, _) => v > 0 ? 1 : v < 0 ? -1 : v,
        "acos" => static (v, _) => Math.Acos(v),
        "acosh" => static (v, _) => Math.Acosh(v),
        "asin" => static (v, _) => Math.Asin(v),
        "asinh" => static (v, _) => Math.Asinh(v),
        "atan" => static (v, _) => Math.Atan(v),
        "atanh" => static (v, _) => Math.Atanh(v),
        "cos" => static (v, _) => Math.Cos(v),
        "cosh" => static (v, _) => Math.Cosh(v),
        "sin" => static (v, _) => Math.Sin(v),
        "sinh" => static (v, _) => Math.Sinh(v),
        "tan" => static (v, _) => Math.Tan(v),
        "tanh" => static (v, _) => Math.Tanh(v),
        "deg" => static (v, _) => v * 180 / Math.PI,
        "rad" => static (v, _) => v * Math.PI / 180,
        _ => throw new PromQLExecutionException($"function {name} is not implemented"),
    };

    private static List<Sample> Simple(List<Sample> vec, long t, double arg, Func<double, double, double> f)
    {
        var result = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            result.Add(new Sample(s.Metric.WithoutName(), t, f(s.V, arg)));
        }
        return result;
    }

    private static List<Sample> Clamp(List<Sample> vec, double min, double max, long t)
    {
        if (max < min)
        {
            return [];
        }
        return Simple(vec, t, 0, (v, _) => double.IsNaN(v) || double.IsNaN(min) || double.IsNaN(max) ? double.NaN : Math.Max(min, Math.Min(max, v)));
    }

    private List<Sample> Round(CallExpr c, long t)
    {
        var vec = EvalVector(c.Args[0], t);
        double to = c.Args.Count > 1 ? EvalScalar(c.Args[1], t) : 1;
        double inv = 1 / to;
        return Simple(vec, t, 0, (v, _) => Math.Floor((v * inv) + 0.5) / inv);
    }

    private List<Sample> TimeFunc(CallExpr c, long t)
    {
        var vec = c.Args.Count == 0 ? [new Sample(Labels.Empty, t, t / 1000.0)] : EvalVector(c.Args[0], t);
        var name = c.Func.Name;
        return Simple(vec, t, 0, (v, _) =>
        {
            if (double.IsNaN(v) || double.IsInfinity(v) || v > 253402300799 || v < -62135596800)
            {
                return double.NaN;
            }
            var d = DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(v)).UtcDateTime;
            return name switch
            {
                "minute" => d.Minute,
                "hour" => d.Hour,
                "day_of_week" => (int)d.DayOfWeek,
                "day_of_month" => d.Day,
                "day_of_year" => d.DayOfYear,
                "days_in_month" => DateTime.DaysInMonth(d.Year, d.Month),
                "month" => d.Month,
                _ => d.Year,
            };
        });
    }

    private List<Sample> Timestamp(CallExpr c, long t)
    {
        var arg = Unwrap(c.Args[0]);
        var vec = EvalVector(arg, t);
        bool own = arg is VectorSelector;
        var result = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            result.Add(new Sample(s.Metric.WithoutName(), t, (own ? s.T : t) / 1000.0));
        }
        return result;
    }

    private static List<Sample> SortBy(List<Sample> vec, bool descending, long t)
    {
        var copy = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            copy.Add(s with { T = t });
        }
        // NaN sorts last in both directions, as Prometheus does.
        var ordered = descending
            ? copy.OrderBy(s => double.IsNaN(s.V)).ThenByDescending(s => s.V)
            : copy.OrderBy(s => double.IsNaN(s.V)).ThenBy(s => s.V);
        return [.. ordered];
    }

    private static List<Sample> Absent(List<Sample> vec, VectorSelector? vs, long t)
    {
        if (vec.Count > 0)
        {
            return [];
        }
        return [new Sample(AbsentLabels(vs), t, 1)];
    }

    private static Labels AbsentLabels(VectorSelector? vs)
    {
        if (vs is null)
        {
            return Labels.Empty;
        }
        // Labels fixed by exactly one equality matcher; a label with any other matcher on it is left out.
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in vs.Matchers)
        {
            if (m.Name == Labels.MetricName)
            {
                continue;
            }
            if (m.Type == MatcherType.Equal && !d.ContainsKey(m.Name))
            {
                d[m.Name] = m.Value;
            }
            else
            {
                repeated.Add(m.Name);
            }
        }
        foreach (var r in repeated)
        {
            d.Remove(r);
        }
        return Labels.FromDictionary(d);
    }

    private static List<Sample> HistogramQuantile(double q, List<Sample> vec, long t)
    {
        var groups = new Dictionary<Labels, (Labels Out, List<(double Le, double Count)> Buckets)>();
        var order = new List<Labels>();
        foreach (var s in vec)
        {
            var le = s.Metric.Get("le");
            if (!GoMath.TryParseFloat(le, out var upper))
            {
                continue;
            }
            var key = s.Metric.Drop(LeOnly, alsoName: false);
            if (!groups.TryGetValue(key, out var g))
            {
                g = (s.Metric.Drop(LeOnly, alsoName: true), []);
                groups[key] = g;
                order.Add(key);
            }
            g.Buckets.Add((upper, s.V));
        }
        var result = new List<Sample>(order.Count);
        foreach (var key in order)
        {
            var g = groups[key];
            result.Add(new Sample(g.Out, t, BucketQuantile(q, g.Buckets)));
        }
        return result;
    }

    private static readonly HashSet<string> LeOnly = new(StringComparer.Ordinal) { "le" };

    internal static double BucketQuantile(double q, List<(double Le, double Count)> buckets)
    {
        if (double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        buckets.Sort(static (a, b) => a.Le.CompareTo(b.Le));
        if (!double.IsPositiveInfinity(buckets[^1].Le))
        {
            return double.NaN;
        }
        // Coalesce equal upper bounds.
        var bs = new List<(double Le, double Count)>(buckets.Count);
        foreach (var b in buckets)
        {
            if (bs.Count > 0 && bs[^1].Le == b.Le)
            {
                bs[^1] = (b.Le, bs[^1].Count + b.Count);
            }
            else
            {
                bs.Add(b);
            }
        }
        // Ensure monotonic counts.
        double max = double.NegativeInfinity;
        for (int i = 0; i < bs.Count; i++)
        {
            if (bs[i].Count > max)
            {
                max = bs[i].Count;
            }
            else if (bs[i].Count < max)
            {
                bs[i] = (bs[i].Le, max);
            }
        }
        if (bs.Count < 2)
        {
            return double.NaN;
        }
        double observations = bs[^1].Count;
        if (observations == 0)
        {
            return double.NaN;
        }
        double rank = q * observations;
        int b2 = 0;
        while (b2 < bs.Count - 1 && !(bs[b2].Count >= rank))
        {
            b2++;
        }
        if (b2 == bs.Count - 1)
        {
            return bs[^2].Le;
        }
        if (b2 == 0 && bs[0].Le <= 0)
        {
            return bs[0].Le;
        }
        double bucketStart = 0;
        double bucketEnd = bs[b2].Le;
        double count = bs[b2].Count;
        if (b2 > 0)
        {
            bucketStart = bs[b2 - 1].Le;
            count -= bs[b2 - 1].Count;
            rank -= bs[b2 - 1].Count;
        }
        return bucketStart + ((bucketEnd - bucketStart) * (rank / count));
    }

    private List<Sample> LabelReplace(CallExpr c, long t)
    {
        var vec = EvalVector(c.Args[0], t);
        var dst = ((StringValue)Eval(c.Args[1], t)).V;
        var repl = ((StringValue)Eval(c.Args[2], t)).V;
        var src = ((StringValue)Eval(c.Args[3], t)).V;
        var pattern = ((StringValue)Eval(c.Args[4], t)).V;
        Regex re;
        try
        {
            re = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new PromQLExecutionException($"invalid regular expression in label_replace(): {pattern}");
        }
        if (!Lexer.IsLabelName(dst))
        {
            throw new PromQLExecutionException($"invalid destination label name in label_replace(): {dst}");
        }
        var result = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            var srcVal = s.Metric.Get(src);
            var m = re.Match(srcVal);
            if (m.Success)
            {
                result.Add(new Sample(s.Metric.With(dst, Expand(repl, m, re)), t, s.V));
            }
            else
            {
                result.Add(s with { T = t });
            }
        }
        return result;
    }

    /// <summary>Go regexp.Expand: $1, ${1}, $name, ${name}, $$.</summary>
    private static string Expand(string template, Match m, Regex re)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char ch = template[i];
            if (ch != '$' || i + 1 >= template.Length)
            {
                sb.Append(ch);
                continue;
            }
            if (template[i + 1] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            string name;
            int next;
            if (template[i + 1] == '{')
            {
                int close = template.IndexOf('}', i + 2);
                if (close < 0)
                {
                    sb.Append(ch);
                    continue;
                }
                name = template[(i + 2)..close];
                if (name.Length == 0 || !name.All(x => char.IsAsciiLetterOrDigit(x) || x == '_'))
                {
                    sb.Append(ch);
                    continue;
                }
                next = close + 1;
            }
            else
            {
                int j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
                {
                    j++;
                }
                if (j == i + 1)
                {
                    sb.Append(ch);
                    continue;
                }
                name = template[(i + 1)..j];
                next = j;
            }
            // Go: a name of digits without a leading zero is a group number; otherwise a group name.
            if ((name == "0" || name[0] != '0') && name.Length <= 8 && int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var idx))
            {
                if (idx < m.Groups.Count && m.Groups[idx].Success && re.GroupNumberFromName(idx.ToString(System.Globalization.CultureInfo.InvariantCulture)) == idx)
                {
                    sb.Append(m.Groups[idx].Value);
                }
            }
            else if (!name.All(char.IsAsciiDigit) && re.GroupNumberFromName(name) >= 0 && m.Groups[name].Success)
            {
                sb.Append(m.Groups[name].Value);
            }
            i = next - 1;
        }
        return sb.ToString();
    }

    private List<Sample> LabelJoin(CallExpr c, long t)
    {
        var vec = EvalVector(c.Args[0], t);
        var dst = ((StringValue)Eval(c.Args[1], t)).V;
        var sep = ((StringValue)Eval(c.Args[2], t)).V;
        var srcs = new List<string>();
        for (int i = 3; i < c.Args.Count; i++)
        {
            var l = ((StringValue)Eval(c.Args[i], t)).V;
            if (!Lexer.IsLabelName(l))
            {
                throw new PromQLExecutionException($"invalid source label name in label_join(): {l}");
            }
            srcs.Add(l);
        }
        if (!Lexer.IsLabelName(dst))
        {
            throw new PromQLExecutionException($"invalid destination label name in label_join(): {dst}");
        }
        var result = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            var joined = string.Join(sep, srcs.Select(s.Metric.Get));
            result.Add(new Sample(s.Metric.With(dst, joined), t, s.V));
        }
        return result;
    }

    // ---------------------------------------------------------------- range-vector functions

    private QueryValue EvalRangeFunction(CallExpr c, int matrixArg, long t)
    {
        var arg = Unwrap(c.Args[matrixArg]);
        long rangeMs, offsetMs;
        AtModifier? at;
        VectorSelector? vs = null;
        switch (arg)
        {
            case MatrixSelector ms:
                rangeMs = ms.RangeMs;
                offsetMs = ms.Selector.OffsetMs;
                at = ms.Selector.At;
                vs = ms.Selector;
                break;
            case SubqueryExpr sq:
                rangeMs = sq.RangeMs;
                offsetMs = sq.OffsetMs;
                at = sq.At;
                break;
            default:
                throw new PromQLExecutionException("expected range vector argument");
        }
        double scalarArg = 0, scalarArg2 = 0;
        var name = c.Func.Name;
        if (name == "quantile_over_time")
        {
            scalarArg = EvalScalar(c.Args[0], t);
        }
        else if (name == "predict_linear")
        {
            scalarArg = EvalScalar(c.Args[1], t);
        }
        else if (name == "holt_winters")
        {
            scalarArg = EvalScalar(c.Args[1], t);
            scalarArg2 = EvalScalar(c.Args[2], t);
            if (scalarArg <= 0 || scalarArg >= 1)
            {
                throw new PromQLExecutionException($"invalid smoothing factor. Expected: 0 < sf < 1, got: {GoFloat.Format(scalarArg, 'f')}");
            }
            if (scalarArg2 <= 0 || scalarArg2 >= 1)
            {
                throw new PromQLExecutionException($"invalid trend factor. Expected: 0 < tf < 1, got: {GoFloat.Format(scalarArg2, 'f')}");
            }
        }
        long rangeEnd = Base(at, t) - offsetMs;
        long rangeStart = rangeEnd - rangeMs;
        if (name == "absent_over_time")
        {
            return new VectorValue(((MatrixValue)Eval(arg, t)).Series.Count > 0 ? [] : [new Sample(AbsentLabels(vs), t, 1)]);
        }
        // Plain range selectors stream each series' window through one reused buffer (no matrix per step).
        IEnumerable<(Labels Metric, List<Point> Points)> windows = arg is MatrixSelector sel
            ? Windows(sel.Selector, rangeStart, rangeEnd)
            : ((MatrixValue)Eval(arg, t)).Series.Select(sp => (sp.Metric, sp.Points));
        var result = new List<Sample>();
        foreach (var s in windows)
        {
            var pts = s.Points;
            if (pts.Count == 0)
            {
                continue;
            }
            double? v = name switch
            {
                "rate" => ExtrapolatedRate(pts, rangeStart, rangeEnd, rangeMs, isCounter: true, isRate: true),
                "increase" => ExtrapolatedRate(pts, rangeStart, rangeEnd, rangeMs, isCounter: true, isRate: false),
                "delta" => ExtrapolatedRate(pts, rangeStart, rangeEnd, rangeMs, isCounter: false, isRate: false),
                "irate" => InstantValue(pts, isRate: true),
                "idelta" => InstantValue(pts, isRate: false),
                "deriv" => pts.Count < 2 ? null : LinearRegression(pts, pts[0].T).Slope,
                "predict_linear" => pts.Count < 2 ? null : PredictLinear(pts, t, scalarArg),
                "holt_winters" => HoltWinters(pts, scalarArg, scalarArg2),
                "changes" => Changes(pts),
                "resets" => Resets(pts),
                "avg_over_time" => AvgOverTime(pts),
                "min_over_time" => MinMax(pts, max: false),
                "max_over_time" => MinMax(pts, max: true),
                "sum_over_time" => SumOverTime(pts),
                "count_over_time" => pts.Count,
                "last_over_time" => pts[^1].V,
                "present_over_time" => 1,
                "stddev_over_time" => Math.Sqrt(StdvarOverTime(pts)),
                "stdvar_over_time" => StdvarOverTime(pts),
                "quantile_over_time" => Quantile(scalarArg, pts.Select(p => p.V).ToList()),
                _ => throw new PromQLExecutionException($"function {name} is not implemented"),
            };
            if (v is { } val)
            {
                var metric = name == "last_over_time" ? s.Metric : s.Metric.WithoutName();
                result.Add(new Sample(metric, t, val));
            }
        }
        if (vs?.Name is null)
        {
            // Series of one metric name differ in their other labels, so dropping the name cannot make two equal.
            CheckDuplicates(result);
        }
        return new VectorValue(result);
    }

    private static double? ExtrapolatedRate(List<Point> pts, long rangeStart, long rangeEnd, long rangeMs, bool isCounter, bool isRate)
    {
        if (pts.Count < 2)
        {
            return null;
        }
        double result = pts[^1].V - pts[0].V;
        if (isCounter)
        {
            double prev = pts[0].V;
            for (int i = 1; i < pts.Count; i++)
            {
                if (pts[i].V < prev)
                {
                    result += prev;
                }
                prev = pts[i].V;
            }
        }
        double durationToStart = (pts[0].T - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - pts[^1].T) / 1000.0;
        double sampled = (pts[^1].T - pts[0].T) / 1000.0;
        double avg = sampled / (pts.Count - 1);
        if (isCounter && result > 0 && pts[0].V >= 0)
        {
            double durationToZero = sampled * (pts[0].V / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        double threshold = avg * 1.1;
        double extrapolateTo = sampled;
        extrapolateTo += durationToStart < threshold ? durationToStart : avg / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : avg / 2;
        double factor = extrapolateTo / sampled;
        if (isRate)
        {
            factor /= rangeMs / 1000.0;
        }
        return result * factor;
    }

    private static double? InstantValue(List<Point> pts, bool isRate)
    {
        if (pts.Count < 2)
        {
            return null;
        }
        var last = pts[^1];
        var prev = pts[^2];
        double result = isRate && last.V < prev.V ? last.V : last.V - prev.V;
        long interval = last.T - prev.T;
        if (interval == 0)
        {
            return null;
        }
        if (isRate)
        {
            result /= interval / 1000.0;
        }
        return result;
    }

    private static (double Slope, double Intercept) LinearRegression(List<Point> pts, long interceptTime)
    {
        double n = 0, sumX = 0, sumY = 0, sumXY = 0, sumX2 = 0;
        double initY = pts[0].V;
        bool constY = true;
        for (int i = 0; i < pts.Count; i++)
        {
            var p = pts[i];
            if (constY && i > 0 && p.V != initY)
            {
                constY = false;
            }
            n += 1;
            double x = (p.T - interceptTime) / 1e3;
            sumX += x;
            sumY += p.V;
            sumXY += x * p.V;
            sumX2 += x * x;
        }
        if (constY)
        {
            if (double.IsInfinity(initY))
            {
                return (double.NaN, double.NaN);
            }
            return (0, initY);
        }
        double covXY = sumXY - (sumX * sumY / n);
        double varX = sumX2 - (sumX * sumX / n);
        double slope = covXY / varX;
        double intercept = (sumY / n) - (slope * sumX / n);
        return (slope, intercept);
    }

    private static double PredictLinear(List<Point> pts, long t, double duration)
    {
        var (slope, intercept) = LinearRegression(pts, t);
        return (slope * duration) + intercept;
    }

    private static double? HoltWinters(List<Point> pts, double sf, double tf)
    {
        if (pts.Count < 2)
        {
            return null;
        }
        double s0 = 0, s1 = pts[0].V, b = pts[1].V - pts[0].V;
        for (int i = 1; i < pts.Count; i++)
        {
            double x = sf * pts[i].V;
            b = i - 1 == 0 ? b : (tf * (s1 - s0)) + ((1 - tf) * b);
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        return s1;
    }

    private static double Changes(List<Point> pts)
    {
        int changes = 0;
        double prev = pts[0].V;
        for (int i = 1; i < pts.Count; i++)
        {
            double cur = pts[i].V;
            if (cur != prev && !(double.IsNaN(cur) && double.IsNaN(prev)))
            {
                changes++;
            }
            prev = cur;
        }
        return changes;
    }

    private static double Resets(List<Point> pts)
    {
        int resets = 0;
        double prev = pts[0].V;
        for (int i = 1; i < pts.Count; i++)
        {
            double cur = pts[i].V;
            if (cur < prev)
            {
                resets++;
            }
            prev = cur;
        }
        return resets;
    }

    private static (double Sum, double C) KahanInc(double inc, double sum, double c)
    {
        double t = sum + inc;
        if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += sum - t + inc;
        }
        else
        {
            c += inc - t + sum;
        }
        return (t, c);
    }

    private static double SumOverTime(List<Point> pts)
    {
        double sum = 0, c = 0;
        foreach (var p in pts)
        {
            (sum, c) = KahanInc(p.V, sum, c);
        }
        return double.IsInfinity(sum) ? sum : sum + c;
    }

    private static double AvgOverTime(List<Point> pts)
    {
        double mean = 0, count = 0, c = 0;
        foreach (var p in pts)
        {
            count++;
            if (double.IsInfinity(mean))
            {
                if (double.IsInfinity(p.V) && (mean > 0) == (p.V > 0))
                {
                    continue;
                }
                if (!double.IsInfinity(p.V) && !double.IsNaN(p.V))
                {
                    continue;
                }
            }
            (mean, c) = KahanInc((p.V / count) - (mean / count), mean, c);
        }
        return double.IsInfinity(mean) ? mean : mean + c;
    }

    private static double MinMax(List<Point> pts, bool max)
    {
        double v = pts[0].V;
        foreach (var p in pts)
        {
            if (max ? p.V > v || double.IsNaN(v) : p.V < v || double.IsNaN(v))
            {
                v = p.V;
            }
        }
        return v;
    }

    private static double StdvarOverTime(List<Point> pts)
    {
        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
        foreach (var p in pts)
        {
            count++;
            double delta = p.V - (mean + cMean);
            (mean, cMean) = KahanInc(delta / count, mean, cMean);
            (aux, cAux) = KahanInc(delta * (p.V - (mean + cMean)), aux, cAux);
        }
        return (aux + cAux) / count;
    }
}
