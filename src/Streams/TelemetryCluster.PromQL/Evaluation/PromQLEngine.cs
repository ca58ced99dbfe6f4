using TelemetryCluster.PromQL.Parsing;
using TelemetryCluster.PromQL.Storage;

namespace TelemetryCluster.PromQL;

/// <summary>Engine limits and defaults (Prometheus' flags of the same meaning).</summary>
public sealed record PromQLEngineOptions
{
    /// <summary>--query.lookback-delta.</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>--query.timeout (also the ceiling of a request's timeout parameter).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>--query.max-samples: samples and subquery points a query may touch before it fails with 422.</summary>
    public long MaxSamples { get; init; } = 50_000_000;

    /// <summary>Step of a subquery written without one (`x[5m:]`): Prometheus' global evaluation_interval.</summary>
    public TimeSpan DefaultEvaluationInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Range queries may have at most this many steps.</summary>
    public int MaxPointsPerSeries { get; init; } = 11_000;
}

/// <summary>Parses and evaluates PromQL over a <see cref="SeriesStore"/>.</summary>
public sealed class PromQLEngine(PromQLEngineOptions? options = null, TimeProvider? timeProvider = null)
{
    private readonly PromQLEngineOptions _options = options ?? new PromQLEngineOptions();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public PromQLEngineOptions Options => _options;

    /// <summary>Checks a query's syntax and types; throws <see cref="PromQLParseException"/>.</summary>
    public static ValueType Validate(string query) => Parser.Parse(query).Type;

    /// <summary>Evaluates a query at one instant (ms since the epoch).</summary>
    /// <param name="startedTimestamp">When the request started (<see cref="TimeProvider.GetTimestamp"/>); the timeout counts from it.</param>
    public QueryValue Instant(SeriesStore store, string query, long timeMs, TimeSpan? timeout = null, CancellationToken cancellationToken = default, long? startedTimestamp = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        long started = startedTimestamp ?? _time.GetTimestamp();
        var expr = Parser.Parse(query);
        return Run(store, timeout, started, timeMs, timeMs, cancellationToken, ev =>
        {
            var v = ev.Eval(expr, timeMs);
            if (v is VectorValue vec)
            {
                // Output timestamps of an instant vector are the evaluation time.
                for (int i = 0; i < vec.Samples.Count; i++)
                {
                    vec.Samples[i] = vec.Samples[i] with { T = timeMs };
                }
            }
            return v;
        });
    }

    /// <summary>Evaluates a query over [start, end] every step (all in ms).</summary>
    public MatrixValue Range(SeriesStore store, string query, long startMs, long endMs, long stepMs, TimeSpan? timeout = null, CancellationToken cancellationToken = default, long? startedTimestamp = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        long started = startedTimestamp ?? _time.GetTimestamp();
        var expr = Parser.Parse(query);
        if (expr.Type is not (ValueType.Scalar or ValueType.Vector))
        {
            throw new PromQLParseException($"invalid expression type \"{expr.Type.Name()}\" for range query, must be Scalar or instant Vector", isQueryParameterError: false);
        }
        if (stepMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepMs));
        }
        return (MatrixValue)Run(store, timeout, started, startMs, endMs, cancellationToken, ev =>
        {
            var bySeries = new Dictionary<Labels, SeriesPoints>();
            var order = new List<SeriesPoints>();
            for (long t = startMs; t <= endMs; t += stepMs)
            {
                var v = ev.Eval(expr, t);
                if (v is ScalarValue s)
                {
                    Add(Labels.Empty, t, s.V);
                }
                else
                {
                    foreach (var smp in ((VectorValue)v).Samples)
                    {
                        Add(smp.Metric, t, smp.V);
                    }
                }
            }
            order.Sort(static (a, b) => a.Metric.CompareTo(b.Metric));
            return new MatrixValue(order);

            void Add(Labels l, long t, double val)
            {
                if (!bySeries.TryGetValue(l, out var sp))
                {
                    sp = new SeriesPoints(l, []);
                    bySeries[l] = sp;
                    order.Add(sp);
                }
                sp.Points.Add(new Point(t, val));
                ev.Count(1);
            }
        });
    }

    private QueryValue Run(SeriesStore store, TimeSpan? timeout, long started, long queryStart, long queryEnd, CancellationToken ct, Func<Evaluator, QueryValue> body)
    {
        var limit = timeout is { } t && t > TimeSpan.Zero && t < _options.Timeout ? t : _options.Timeout;
        using var cts = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cts.Token, ct);
        var ev = new Evaluator(store, _options, linked.Token, _time, started, limit) { QueryStart = queryStart, QueryEnd = queryEnd };
        try
        {
            return body(ev);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new PromQLTimeoutException("query timed out in expression evaluation");
        }
    }
}
