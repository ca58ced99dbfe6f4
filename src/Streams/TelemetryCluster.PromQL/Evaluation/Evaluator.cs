using System.Globalization;
using TelemetryCluster.PromQL.Parsing;
using TelemetryCluster.PromQL.Storage;

namespace TelemetryCluster.PromQL;

/// <summary>Evaluates an expression tree at single instants (range queries call it per step).</summary>
internal sealed partial class Evaluator
{
    private readonly SeriesStore _store;
    private readonly long _lookbackMs;
    private readonly long _maxSamples;
    private readonly long _defaultIntervalMs;
    private readonly CancellationToken _ct;
    private readonly Dictionary<VectorSelector, List<MemSeries>> _selected = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SubqueryExpr, Dictionary<long, QueryValue>> _subqueryCache = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<AggregateExpr, Dictionary<Labels, Labels>> _groupKeys = new(ReferenceEqualityComparer.Instance);
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _timeout;
    private long _samples;
    private int _checks;

    /// <summary>start() and end() of the @ modifier: the range query's bounds (both the eval time for instant queries).</summary>
    public long QueryStart { get; init; }

    public long QueryEnd { get; init; }

    private long Base(AtModifier? at, long t) => at is null ? t : at.Kind switch
    {
        AtKind.Fixed => at.Ms,
        AtKind.Start => QueryStart,
        _ => QueryEnd,
    };

    public Evaluator(SeriesStore store, PromQLEngineOptions options, CancellationToken ct, TimeProvider time, long started, TimeSpan timeout)
    {
        _time = time;
        _started = started;
        _timeout = timeout;
        _store = store;
        _lookbackMs = (long)options.LookbackDelta.TotalMilliseconds;
        _maxSamples = options.MaxSamples;
        _defaultIntervalMs = Math.Max(1, (long)options.DefaultEvaluationInterval.TotalMilliseconds);
        _ct = ct;
    }

    public void Count(long n)
    {
        _samples += n;
        if (_samples > _maxSamples)
        {
            throw new PromQLExecutionException("query processing would load too many samples into memory in query execution");
        }
    }

    /// <summary>Throws on cancellation or when the query's deadline has passed.</summary>
    private void CheckDeadline()
    {
        _ct.ThrowIfCancellationRequested();
        if ((_checks++ & 63) == 0 && _time.GetElapsedTime(_started) >= _timeout)
        {
            throw new PromQLTimeoutException("query timed out in expression evaluation");
        }
    }

    public QueryValue Eval(Expr e, long t)
    {
        CheckDeadline();
        switch (e)
        {
            case NumberLiteral n:
                return new ScalarValue(t, n.Value);
            case StringLiteral s:
                return new StringValue(t, s.Value);
            case ParenExpr p:
                return Eval(p.Inner, t);
            case VectorSelector vs:
                return new VectorValue(SelectInstant(vs, t));
            case MatrixSelector ms:
                {
                    long end = Base(ms.Selector.At, t) - ms.Selector.OffsetMs;
                    return new MatrixValue(SelectRange(ms.Selector, end - ms.RangeMs, end));
                }
            case SubqueryExpr sq:
                return new MatrixValue(EvalSubquery(sq, t));
            case UnaryExpr u:
                return EvalUnary(u, t);
            case BinaryExpr b:
                return EvalBinary(b, t);
            case AggregateExpr a:
                return EvalAggregate(a, t);
            case CallExpr c:
                return EvalCall(c, t);
            default:
                throw new PromQLExecutionException("unhandled expression " + e.GetType().Name);
        }
    }

    private double EvalScalar(Expr e, long t) => Eval(e, t) switch
    {
        ScalarValue s => s.V,
        _ => throw new PromQLExecutionException("expected scalar"),
    };

    private List<Sample> EvalVector(Expr e, long t) => Eval(e, t) switch
    {
        VectorValue v => v.Samples,
        _ => throw new PromQLExecutionException("expected instant vector"),
    };

    private List<MemSeries> Select(VectorSelector vs)
    {
        if (_selected.TryGetValue(vs, out var list))
        {
            return list;
        }
        list = [];
        if (vs.Name is not null)
        {
            // The name's series in label order; an equality matcher narrows them to its postings (the shortest wins).
            if (_store.Index(vs.Name) is { } index)
            {
                var sorted = index.Sorted;
                int[]? best = null;
                foreach (var m in vs.Matchers)
                {
                    if (m.Type == MatcherType.Equal && m.Value.Length > 0 && !string.Equals(m.Name, Labels.MetricName, StringComparison.Ordinal))
                    {
                        var positions = index.Postings(m.Name, m.Value);
                        if (best is null || positions.Length < best.Length)
                        {
                            best = positions;
                        }
                    }
                }
                if (best is null)
                {
                    foreach (var s in sorted)
                    {
                        if (MatchesAll(s, vs.Matchers))
                        {
                            list.Add(s);
                        }
                    }
                }
                else
                {
                    foreach (var i in best)
                    {
                        var s = sorted[i];
                        if (MatchesAll(s, vs.Matchers))
                        {
                            list.Add(s);
                        }
                    }
                }
            }
            _selected[vs] = list;
            return list;
        }
        foreach (var s in _store.Candidates(null))
        {
            if (MatchesAll(s, vs.Matchers))
            {
                list.Add(s);
            }
        }
        list.Sort(static (a, b) => a.Labels.CompareTo(b.Labels));
        _selected[vs] = list;
        return list;
    }

    private static bool MatchesAll(MemSeries s, List<Matcher> matchers)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(s.Labels.Get(m.Name)))
            {
                return false;
            }
        }
        return true;
    }

    private List<Sample> SelectInstant(VectorSelector vs, long t)
    {
        long refT = Base(vs.At, t) - vs.OffsetMs;
        var series = Select(vs);
        var result = new List<Sample>(series.Count);
        foreach (var s in series)
        {
            if (s.Latest(refT - _lookbackMs, refT, out var st, out var v) && !SeriesStore.IsStaleNaN(v))
            {
                result.Add(new Sample(s.Labels, st, v));
            }
        }
        Count(result.Count);
        return result;
    }

    private List<SeriesPoints> SelectRange(VectorSelector vs, long mint, long maxt)
    {
        var series = Select(vs);
        var result = new List<SeriesPoints>();
        foreach (var s in series)
        {
            var pts = new List<Point>();
            if (s.CopyRange(mint, maxt, pts) > 0)
            {
                Count(pts.Count);
                result.Add(new SeriesPoints(s.Labels, pts));
            }
        }
        CheckDeadline();
        return result;
    }

    private readonly List<Point> _window = [];

    /// <summary>Each matching series' samples in [mint, maxt], in one buffer reused from series to series.</summary>
    private IEnumerable<(Labels Metric, List<Point> Points)> Windows(VectorSelector vs, long mint, long maxt)
    {
        foreach (var s in Select(vs))
        {
            _window.Clear();
            if (s.CopyRange(mint, maxt, _window) > 0)
            {
                Count(_window.Count);
                yield return (s.Labels, _window);
            }
        }
        CheckDeadline();
    }

    private List<SeriesPoints> EvalSubquery(SubqueryExpr sq, long t)
    {
        long step = sq.StepMs > 0 ? sq.StepMs : _defaultIntervalMs;
        long end = Base(sq.At, t) - sq.OffsetMs;
        long from = end - sq.RangeMs;
        long start = step * (from / step);
        if (start < from)
        {
            start += step;
        }
        if (!_subqueryCache.TryGetValue(sq, out var cache))
        {
            cache = [];
            _subqueryCache[sq] = cache;
        }
        long steps = end >= start ? ((end - start) / step) + 1 : 0;
        if (cache.Count == 0)
        {
            // A runaway subquery (x[30d:1ms]) fails at once instead of grinding through the sample budget.
            Count(steps);
        }
        else if (cache.Count > steps + 16)
        {
            // Range queries move forward: forget inner results that fell out of the window.
            foreach (var old in cache.Keys.Where(k => k < start).ToList())
            {
                cache.Remove(old);
            }
        }
        var bySeries = new Dictionary<Labels, SeriesPoints>();
        var order = new List<SeriesPoints>();
        for (long ts = start; ts <= end; ts += step)
        {
            // The inner expression at an aligned time does not depend on the outer step: a range query's
            // consecutive steps reuse it, as Prometheus evaluates a subquery once over the whole range.
            if (!cache.TryGetValue(ts, out var v))
            {
                if (cache.Count > 0)
                {
                    Count(1);
                }
                v = Eval(sq.Inner, ts);
                cache[ts] = v;
            }
            if (v is ScalarValue s)
            {
                Add(Labels.Empty, ts, s.V);
            }
            else
            {
                foreach (var smp in ((VectorValue)v).Samples)
                {
                    Add(smp.Metric, ts, smp.V);
                }
            }
        }
        return order;

        void Add(Labels l, long ts, double val)
        {
            if (!bySeries.TryGetValue(l, out var sp))
            {
                sp = new SeriesPoints(l, []);
                bySeries[l] = sp;
                order.Add(sp);
            }
            sp.Points.Add(new Point(ts, val));
            Count(1);
        }
    }

    private QueryValue EvalUnary(UnaryExpr u, long t)
    {
        var v = Eval(u.Inner, t);
        if (!u.Negate)
        {
            return v;
        }
        if (v is ScalarValue s)
        {
            return new ScalarValue(t, -s.V);
        }
        var vec = ((VectorValue)v).Samples;
        var outList = new List<Sample>(vec.Count);
        foreach (var smp in vec)
        {
            outList.Add(new Sample(smp.Metric.WithoutName(), t, -smp.V));
        }
        CheckDuplicates(outList);
        return new VectorValue(outList);
    }

    private static void CheckDuplicates(List<Sample> v)
    {
        if (v.Count < 2)
        {
            return;
        }
        var seen = new HashSet<Labels>();
        foreach (var s in v)
        {
            if (!seen.Add(s.Metric))
            {
                throw new PromQLExecutionException("vector cannot contain metrics with the same labelset");
            }
        }
    }

    // ---------------------------------------------------------------- binary operators

    // As in Prometheus 2.42, atan2 keeps the metric name.
    private static bool DropsName(BinOp op) => op is BinOp.Add or BinOp.Sub or BinOp.Mul or BinOp.Div or BinOp.Mod or BinOp.Pow;

    private static (double Value, bool Keep) ElemBinop(BinOp op, double l, double r) => op switch
    {
        BinOp.Add => (l + r, true),
        BinOp.Sub => (l - r, true),
        BinOp.Mul => (l * r, true),
        BinOp.Div => (l / r, true),
        BinOp.Mod => (GoMath.Mod(l, r), true),
        BinOp.Pow => (GoMath.Pow(l, r), true),
        BinOp.Atan2 => (Math.Atan2(l, r), true),
        BinOp.Eq => (l, l == r),
        BinOp.Ne => (l, l != r),
        BinOp.Gt => (l, l > r),
        BinOp.Lt => (l, l < r),
        BinOp.Ge => (l, l >= r),
        BinOp.Le => (l, l <= r),
        _ => throw new PromQLExecutionException("operator not allowed here"),
    };

    private QueryValue EvalBinary(BinaryExpr b, long t)
    {
        var lv = Eval(b.Lhs, t);
        var rv = Eval(b.Rhs, t);
        if (lv is ScalarValue ls && rv is ScalarValue rs)
        {
            var (val, keep) = ElemBinop(b.Op, ls.V, rs.V);
            if (b.ReturnBool)
            {
                val = keep ? 1 : 0;
            }
            return new ScalarValue(t, val);
        }
        List<Sample> result;
        if (lv is VectorValue lvec && rv is VectorValue rvec)
        {
            result = b.Op switch
            {
                BinOp.And => And(lvec.Samples, rvec.Samples, b.Matching!, t),
                BinOp.Or => Or(lvec.Samples, rvec.Samples, b.Matching!, t),
                BinOp.Unless => Unless(lvec.Samples, rvec.Samples, b.Matching!, t),
                _ => VectorBinop(b, lvec.Samples, rvec.Samples, t),
            };
        }
        else
        {
            bool swap = lv is ScalarValue;
            var vec = swap ? ((VectorValue)rv).Samples : ((VectorValue)lv).Samples;
            double scalar = swap ? ((ScalarValue)lv).V : ((ScalarValue)rv).V;
            result = new List<Sample>(vec.Count);
            foreach (var s in vec)
            {
                double l = s.V, r = scalar;
                if (swap)
                {
                    (l, r) = (r, l);
                }
                var (val, keep) = ElemBinop(b.Op, l, r);
                if (BinaryExpr.IsComparison(b.Op) && swap)
                {
                    val = r;
                }
                if (b.ReturnBool)
                {
                    val = keep ? 1 : 0;
                    keep = true;
                }
                if (keep)
                {
                    var metric = DropsName(b.Op) || b.ReturnBool ? s.Metric.WithoutName() : s.Metric;
                    result.Add(new Sample(metric, t, val));
                }
            }
        }
        CheckDuplicates(result);
        return new VectorValue(result);
    }

    private static List<Sample> And(List<Sample> lhs, List<Sample> rhs, VectorMatching m, long t)
    {
        var sigs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rhs)
        {
            sigs.Add(r.Metric.MatchKey(m.On, m.MatchingLabels));
        }
        var result = new List<Sample>();
        foreach (var l in lhs)
        {
            if (sigs.Contains(l.Metric.MatchKey(m.On, m.MatchingLabels)))
            {
                result.Add(l with { T = t });
            }
        }
        return result;
    }

    private static List<Sample> Or(List<Sample> lhs, List<Sample> rhs, VectorMatching m, long t)
    {
        var sigs = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Sample>(lhs.Count + rhs.Count);
        foreach (var l in lhs)
        {
            sigs.Add(l.Metric.MatchKey(m.On, m.MatchingLabels));
            result.Add(l with { T = t });
        }
        foreach (var r in rhs)
        {
            if (!sigs.Contains(r.Metric.MatchKey(m.On, m.MatchingLabels)))
            {
                result.Add(r with { T = t });
            }
        }
        return result;
    }

    private static List<Sample> Unless(List<Sample> lhs, List<Sample> rhs, VectorMatching m, long t)
    {
        var sigs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rhs)
        {
            sigs.Add(r.Metric.MatchKey(m.On, m.MatchingLabels));
        }
        var result = new List<Sample>();
        foreach (var l in lhs)
        {
            if (!sigs.Contains(l.Metric.MatchKey(m.On, m.MatchingLabels)))
            {
                result.Add(l with { T = t });
            }
        }
        return result;
    }

    private static List<Sample> VectorBinop(BinaryExpr b, List<Sample> lhs, List<Sample> rhs, long t)
    {
        var m = b.Matching!;
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            // Nothing can match; like Prometheus, no duplicate check on the other side.
            return [];
        }
        if (m.Card == Cardinality.OneToMany)
        {
            (lhs, rhs) = (rhs, lhs);
        }
        var rightSigs = new Dictionary<string, Sample>(StringComparer.Ordinal);
        foreach (var rs in rhs)
        {
            var sig = rs.Metric.MatchKey(m.On, m.MatchingLabels);
            if (rightSigs.TryGetValue(sig, out var dup))
            {
                var side = m.Card == Cardinality.OneToMany ? "left" : "right";
                var matched = m.On ? rs.Metric.Keep(m.MatchingLabels) : rs.Metric.Drop(m.MatchingLabels, alsoName: true);
                throw new PromQLExecutionException(
                    $"found duplicate series for the match group {matched} on the {side} hand-side of the operation: [{rs.Metric}, {dup.Metric}];many-to-many matching not allowed: matching labels must be unique on one side");
            }
            rightSigs[sig] = rs;
        }
        var matchedSigs = new Dictionary<string, HashSet<Labels>?>(StringComparer.Ordinal);
        var result = new List<Sample>();
        foreach (var ls in lhs)
        {
            var sig = ls.Metric.MatchKey(m.On, m.MatchingLabels);
            if (!rightSigs.TryGetValue(sig, out var rs))
            {
                continue;
            }
            double vl = ls.V, vr = rs.V;
            if (m.Card == Cardinality.OneToMany)
            {
                (vl, vr) = (vr, vl);
            }
            var (value, keep) = ElemBinop(b.Op, vl, vr);
            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
            }
            else if (!keep)
            {
                continue;
            }
            var metric = ResultMetric(ls.Metric, rs.Metric, b.Op, m);
            if (b.ReturnBool)
            {
                metric = metric.WithoutName();
            }
            bool exists = matchedSigs.TryGetValue(sig, out var inserted);
            if (m.Card == Cardinality.OneToOne)
            {
                if (exists)
                {
                    throw new PromQLExecutionException("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
                matchedSigs[sig] = null;
            }
            else
            {
                if (!exists)
                {
                    inserted = [];
                    matchedSigs[sig] = inserted;
                }
                else if (inserted!.Contains(metric))
                {
                    throw new PromQLExecutionException("multiple matches for labels: grouping labels must ensure unique matches");
                }
                inserted!.Add(metric);
            }
            result.Add(new Sample(metric, t, value));
        }
        return result;
    }

    private static Labels ResultMetric(Labels lhs, Labels rhs, BinOp op, VectorMatching m)
    {
        var d = lhs.ToDictionary();
        if (DropsName(op))
        {
            d.Remove(Labels.MetricName);
        }
        if (m.Card == Cardinality.OneToOne)
        {
            if (m.On)
            {
                foreach (var k in d.Keys.ToList())
                {
                    if (!m.MatchingLabels.Contains(k))
                    {
                        d.Remove(k);
                    }
                }
            }
            else
            {
                foreach (var k in m.MatchingLabels)
                {
                    d.Remove(k);
                }
            }
        }
        foreach (var ln in m.Include)
        {
            var v = rhs.Get(ln);
            if (v.Length > 0)
            {
                d[ln] = v;
            }
            else
            {
                d.Remove(ln);
            }
        }
        return Labels.FromDictionary(d);
    }

    // ---------------------------------------------------------------- aggregations

    private sealed class Group(Labels labels)
    {
        public Labels Labels { get; } = labels;

        public double Value;
        public double Mean;
        public double Count;
        public List<Sample>? Samples;
        public List<double>? Values;
    }

    private QueryValue EvalAggregate(AggregateExpr a, long t)
    {
        double param = 0;
        string? valueLabel = null;
        if (a.Param is not null)
        {
            if (a.Op == AggOp.CountValues)
            {
                valueLabel = ((StringValue)Eval(a.Param, t)).V;
                if (!Lexer.IsLabelName(valueLabel))
                {
                    throw new PromQLExecutionException($"invalid label name \"{valueLabel}\"");
                }
            }
            else
            {
                param = EvalScalar(a.Param, t);
            }
        }
        var vec = EvalVector(a.Inner, t);
        var grouping = a.Grouping;
        if (a.Op == AggOp.CountValues && !a.Without)
        {
            grouping = new HashSet<string>(grouping, StringComparer.Ordinal) { valueLabel! };
        }
        long k = 0;
        if (a.Op is AggOp.Topk or AggOp.Bottomk)
        {
            k = GoMath.ToInt64(param);
            if (k < 1)
            {
                return new VectorValue([]);
            }
        }
        var groups = new Dictionary<Labels, Group>();
        var order = new List<Group>();
        foreach (var s in vec)
        {
            var metric = s.Metric;
            if (a.Op == AggOp.CountValues)
            {
                metric = metric.With(valueLabel!, GoFloat.Format(s.V, 'f'));
            }
            Labels key;
            if (a.Op == AggOp.CountValues)
            {
                key = a.Without ? metric.Drop(grouping, alsoName: true) : metric.Keep(grouping);
            }
            else
            {
                // The same series gets the same group at every step: keep its grouping labels.
                if (!_groupKeys.TryGetValue(a, out var keys))
                {
                    keys = [];
                    _groupKeys[a] = keys;
                }
                if (!keys.TryGetValue(metric, out key!))
                {
                    key = a.Without ? metric.Drop(grouping, alsoName: true) : metric.Keep(grouping);
                    if (keys.Count < 100_000)
                    {
                        keys[metric] = key;
                    }
                }
            }
            if (!groups.TryGetValue(key, out var g))
            {
                g = new Group(key) { Value = s.V, Mean = s.V, Count = 1 };
                switch (a.Op)
                {
                    case AggOp.Count or AggOp.Group or AggOp.CountValues:
                        g.Value = 1;
                        break;
                    case AggOp.Stddev or AggOp.Stdvar:
                        g.Value = 0;
                        break;
                    case AggOp.Topk or AggOp.Bottomk:
                        g.Samples = [new Sample(s.Metric, t, s.V)];
                        break;
                    case AggOp.Quantile:
                        g.Values = [s.V];
                        break;
                }
                groups[key] = g;
                order.Add(g);
                continue;
            }
            switch (a.Op)
            {
                case AggOp.Sum:
                    g.Value += s.V;
                    break;
                case AggOp.Avg:
                    g.Count++;
                    if (double.IsInfinity(g.Mean))
                    {
                        if (double.IsInfinity(s.V) && (g.Mean > 0) == (s.V > 0))
                        {
                            break;
                        }
                        if (!double.IsInfinity(s.V) && !double.IsNaN(s.V))
                        {
                            break;
                        }
                    }
                    g.Mean += (s.V / g.Count) - (g.Mean / g.Count);
                    break;
                case AggOp.Group:
                    break;
                case AggOp.Count or AggOp.CountValues:
                    g.Value++;
                    break;
                case AggOp.Max:
                    if (g.Value < s.V || double.IsNaN(g.Value))
                    {
                        g.Value = s.V;
                    }
                    break;
                case AggOp.Min:
                    if (g.Value > s.V || double.IsNaN(g.Value))
                    {
                        g.Value = s.V;
                    }
                    break;
                case AggOp.Stddev or AggOp.Stdvar:
                    g.Count++;
                    double delta = s.V - g.Mean;
                    g.Mean += delta / g.Count;
                    g.Value += delta * (s.V - g.Mean);
                    break;
                case AggOp.Topk or AggOp.Bottomk:
                    g.Samples!.Add(new Sample(s.Metric, t, s.V));
                    break;
                case AggOp.Quantile:
                    g.Values!.Add(s.V);
                    break;
            }
        }
        var result = new List<Sample>(order.Count);
        foreach (var g in order)
        {
            switch (a.Op)
            {
                case AggOp.Avg:
                    result.Add(new Sample(g.Labels, t, g.Mean));
                    break;
                case AggOp.Stdvar:
                    result.Add(new Sample(g.Labels, t, g.Value / g.Count));
                    break;
                case AggOp.Stddev:
                    result.Add(new Sample(g.Labels, t, Math.Sqrt(g.Value / g.Count)));
                    break;
                case AggOp.Quantile:
                    result.Add(new Sample(g.Labels, t, Quantile(param, g.Values!)));
                    break;
                case AggOp.Topk or AggOp.Bottomk:
                    var list = g.Samples!;
                    bool top = a.Op == AggOp.Topk;
                    list.Sort((x, y) =>
                    {
                        bool xn = double.IsNaN(x.V), yn = double.IsNaN(y.V);
                        if (xn || yn)
                        {
                            return xn == yn ? 0 : xn ? 1 : -1;
                        }
                        return top ? y.V.CompareTo(x.V) : x.V.CompareTo(y.V);
                    });
                    for (int i = 0; i < list.Count && i < k; i++)
                    {
                        result.Add(list[i]);
                    }
                    break;
                default:
                    result.Add(new Sample(g.Labels, t, g.Value));
                    break;
            }
        }
        return new VectorValue(result);
    }

    /// <summary>Prometheus' quantile: linear interpolation between closest ranks.</summary>
    internal static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q))
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
        values.Sort(static (a, b) => a < b || (double.IsNaN(a) && !double.IsNaN(b)) ? -1 : b < a || (double.IsNaN(b) && !double.IsNaN(a)) ? 1 : 0);
        double n = values.Count;
        double rank = q * (n - 1);
        double lower = Math.Max(0, Math.Floor(rank));
        double upper = Math.Min(n - 1, lower + 1);
        double weight = rank - Math.Floor(rank);
        return (values[(int)lower] * (1 - weight)) + (values[(int)upper] * weight);
    }

    internal static string FormatLabelValue(double v) => v.ToString(CultureInfo.InvariantCulture);
}
