using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TelemetryCluster.PromQL.Parsing;
using TelemetryCluster.PromQL.Storage;

namespace TelemetryCluster.PromQL.Api;

/// <summary>Options of the Prometheus HTTP query API.</summary>
public sealed record PrometheusQueryApiOptions
{
    /// <summary>When set, requests must carry <c>Authorization: Bearer &lt;token&gt;</c> (or the basic credentials).</summary>
    public string? BearerToken { get; init; }

    /// <summary>When set (with <see cref="BasicPassword"/>), requests may authenticate with HTTP Basic.</summary>
    public string? BasicUsername { get; init; }

    public string? BasicPassword { get; init; }

    public PromQLEngineOptions Engine { get; init; } = new();

    /// <summary>Queries evaluated at once (Prometheus' --query.max-concurrency); further ones wait.</summary>
    public int MaxConcurrency { get; init; } = 20;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Maps Prometheus' /api/v1 query endpoints onto an ASP.NET Core endpoint builder.</summary>
public static class PrometheusQueryApi
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Serves /api/v1/query, query_range, series, labels, label/&lt;name&gt;/values, metadata and status/buildinfo over
    /// the store <paramref name="store"/> returns (read per request).
    /// </summary>
    public static RouteGroupBuilder MapPrometheusQueryApi(this IEndpointRouteBuilder endpoints, Func<SeriesStore> store, PrometheusQueryApiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        var o = options ?? new PrometheusQueryApiOptions();
        var api = new Handlers(store, o);
        var group = endpoints.MapGroup("/api/v1");
        if (o.BearerToken is not null || o.BasicUsername is not null)
        {
            group.AddEndpointFilter(async (ctx, next) =>
            {
                if (!api.Authorized(ctx.HttpContext.Request))
                {
                    ctx.HttpContext.Response.Headers.WWWAuthenticate = o.BasicUsername is not null ? "Basic realm=\"prometheus\"" : "Bearer";
                    return Results.Text("Unauthorized\n", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
                }
                return await next(ctx).ConfigureAwait(false);
            });
        }
        string[] getPost = ["GET", "POST"];
        group.MapMethods("/query", getPost, api.Query);
        group.MapMethods("/query_range", getPost, api.QueryRange);
        group.MapMethods("/series", getPost, api.Series);
        group.MapMethods("/labels", getPost, api.LabelNames);
        group.MapGet("/label/{name}/values", api.LabelValues);
        group.MapGet("/metadata", api.Metadata);
        group.MapGet("/status/buildinfo", api.BuildInfo);
        return group;
    }

    private sealed class ApiError(int status, string type, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Type { get; } = type;
    }

    private static ApiError BadData(string message) => new(400, "bad_data", message);

    private sealed class Handlers(Func<SeriesStore> store, PrometheusQueryApiOptions options)
    {
        private readonly PromQLEngine _engine = new(options.Engine, options.TimeProvider);
        private readonly SemaphoreSlim _gate = new(Math.Max(1, options.MaxConcurrency));

        public bool Authorized(HttpRequest request)
        {
            string auth = request.Headers.Authorization.ToString();
            if (options.BearerToken is { } token && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && FixedEquals(auth[7..].Trim(), token))
            {
                return true;
            }
            if (options.BasicUsername is { } user && auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
                    int colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon >= 0 && FixedEquals(decoded[..colon], user) & FixedEquals(decoded[(colon + 1)..], options.BasicPassword ?? ""))
                    {
                        return true;
                    }
                }
                catch (FormatException)
                {
                    return false;
                }
            }
            return false;
        }

        private static bool FixedEquals(string a, string b) =>
            CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

        public Task Query(HttpContext ctx) => Run(ctx, async p =>
        {
            long started = options.TimeProvider.GetTimestamp();
            var query = p.Get("query") ?? "";
            long t = p.Get("time") is { } ts ? ParseTimeParam(ts, "time") : options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var timeout = ParseTimeout(p);
            var result = await Evaluate(ctx, () => _engine.Instant(store(), query, t, timeout, ctx.RequestAborted, started)).ConfigureAwait(false);
            return w =>
            {
                w.WriteStartObject();
                WriteResult(w, result);
                w.WriteEndObject();
            };
        });

        public Task QueryRange(HttpContext ctx) => Run(ctx, async p =>
        {
            long started = options.TimeProvider.GetTimestamp();
            long start = ParseTimeParam(p.Get("start") ?? "", "start");
            long end = ParseTimeParam(p.Get("end") ?? "", "end");
            if (end < start)
            {
                throw BadData("invalid parameter \"end\": end timestamp must not be before start time");
            }
            var stepText = p.Get("step") ?? "";
            long stepMs = (long)(ParseDuration(stepText, "step") / TimeSpan.TicksPerMillisecond);
            if (ParseDuration(stepText, "step") <= 0)
            {
                throw BadData("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
            }
            if (stepMs <= 0 || (end - start) / stepMs > options.Engine.MaxPointsPerSeries)
            {
                throw BadData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
            }
            var query = p.Get("query") ?? "";
            var timeout = ParseTimeout(p);
            var result = await Evaluate(ctx, () => _engine.Range(store(), query, start, end, stepMs, timeout, ctx.RequestAborted, started)).ConfigureAwait(false);
            return w =>
            {
                w.WriteStartObject();
                WriteResult(w, result);
                w.WriteEndObject();
            };
        });

        public Task Series(HttpContext ctx) => Run(ctx, p =>
        {
            var matchers = p.GetAll("match[]");
            if (matchers.Count == 0)
            {
                throw BadData("no match[] parameter provided");
            }
            var (mint, maxt) = TimeRange(p);
            var series = MatchingSeries(matchers, mint, maxt);
            Action<Utf8JsonWriter> body = w =>
            {
                w.WriteStartArray();
                foreach (var s in series)
                {
                    WriteLabels(w, s.Labels);
                }
                w.WriteEndArray();
            };
            return Task.FromResult(body);
        });

        public Task LabelNames(HttpContext ctx) => Run(ctx, p =>
        {
            var (mint, maxt) = TimeRange(p);
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var s in MatchingSeries(p.GetAll("match[]"), mint, maxt))
            {
                foreach (var l in s.Labels.List)
                {
                    names.Add(l.Name);
                }
            }
            return Task.FromResult(StringArray(names));
        });

        public Task LabelValues(HttpContext ctx, string name) => Run(ctx, p =>
        {
            if (!Lexer.IsLabelName(name))
            {
                throw BadData($"invalid label name: \"{name}\"");
            }
            var (mint, maxt) = TimeRange(p);
            var values = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var s in MatchingSeries(p.GetAll("match[]"), mint, maxt))
            {
                var v = s.Labels.Get(name);
                if (v.Length > 0)
                {
                    values.Add(v);
                }
            }
            return Task.FromResult(StringArray(values));
        });

        public Task Metadata(HttpContext ctx) => Run(ctx, p =>
        {
            int limit = -1;
            if (p.Get("limit") is { Length: > 0 } ls && !int.TryParse(ls, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            {
                throw BadData("limit must be a number");
            }
            var metric = p.Get("metric");
            var md = store().Metadata.Where(kv => string.IsNullOrEmpty(metric) || kv.Key == metric).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            if (limit >= 0)
            {
                md = md.Take(limit).ToList();
            }
            Action<Utf8JsonWriter> body = w =>
            {
                w.WriteStartObject();
                foreach (var kv in md)
                {
                    w.WriteStartArray(kv.Key);
                    w.WriteStartObject();
                    w.WriteString("type", kv.Value.Type);
                    w.WriteString("help", kv.Value.Help);
                    w.WriteString("unit", kv.Value.Unit);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            };
            return Task.FromResult(body);
        });

        public Task BuildInfo(HttpContext ctx) => Run(ctx, _ =>
        {
            var version = typeof(PrometheusQueryApi).Assembly.GetName().Version?.ToString() ?? "0.0.0";
            Action<Utf8JsonWriter> body = w =>
            {
                w.WriteStartObject();
                // The API level we implement (clients such as Grafana pick features by this version).
                w.WriteString("version", "2.42.0");
                w.WriteString("revision", "telemetrycluster-" + version);
                w.WriteString("branch", "telemetrycluster");
                w.WriteString("buildUser", "telemetrycluster");
                w.WriteString("buildDate", "");
                w.WriteString("goVersion", "dotnet" + Environment.Version.ToString(2));
                w.WriteEndObject();
            };
            return Task.FromResult(body);
        });

        private static Action<Utf8JsonWriter> StringArray(IEnumerable<string> items) => w =>
        {
            w.WriteStartArray();
            foreach (var i in items)
            {
                w.WriteStringValue(i);
            }
            w.WriteEndArray();
        };

        private List<MemSeries> MatchingSeries(IReadOnlyList<string> matchers, long mint, long maxt)
        {
            var s = store();
            var selectors = new List<VectorSelector>();
            foreach (var m in matchers)
            {
                Expr e;
                try
                {
                    e = Parser.Parse(m);
                }
                catch (PromQLParseException ex)
                {
                    throw BadData($"invalid parameter \"match[]\": {ex.Message}");
                }
                if (e is not VectorSelector vs || vs.OffsetMs != 0)
                {
                    throw BadData("invalid parameter \"match[]\": 1:1: parse error: expected vector selector");
                }
                selectors.Add(vs);
            }
            var result = new List<MemSeries>();
            foreach (var series in s.Candidates(null))
            {
                if (selectors.Count > 0 && !selectors.Any(vs => vs.Matchers.All(m => m.Matches(series.Labels.Get(m.Name)))))
                {
                    continue;
                }
                if (series.HasSamplesIn(mint, maxt))
                {
                    result.Add(series);
                }
            }
            result.Sort(static (a, b) => a.Labels.CompareTo(b.Labels));
            return result;
        }

        private static (long Min, long Max) TimeRange(Params p)
        {
            long mint = p.Get("start") is { Length: > 0 } s ? ParseTimeParam(s, "start") : long.MinValue;
            long maxt = p.Get("end") is { Length: > 0 } e ? ParseTimeParam(e, "end") : long.MaxValue;
            return (mint, maxt);
        }

        private TimeSpan? ParseTimeout(Params p)
        {
            if (p.Get("timeout") is not { Length: > 0 } s)
            {
                return null;
            }
            long ticks = ParseDuration(s, "timeout");
            return TimeSpan.FromTicks(Math.Max(1, ticks));
        }

        private async Task<T> Evaluate<T>(HttpContext ctx, Func<T> run)
        {
            await _gate.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
            try
            {
                return run();
            }
            catch (PromQLParseException e)
            {
                throw BadData(e.IsQueryParameterError ? $"invalid parameter \"query\": {e.Message}" : e.Message);
            }
            catch (PromQLExecutionException e)
            {
                throw new ApiError(422, "execution", e.Message);
            }
            catch (PromQLTimeoutException e)
            {
                throw new ApiError(503, "timeout", e.Message);
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                throw new ApiError(422, "execution", "regular expression match timed out");
            }
            finally
            {
                _gate.Release();
            }
        }

        private static async Task Run(HttpContext ctx, Func<Params, Task<Action<Utf8JsonWriter>>> handler)
        {
            int status = 200;
            Action<Utf8JsonWriter> write;
            try
            {
                var p = await Params.ReadAsync(ctx.Request).ConfigureAwait(false);
                var data = await handler(p).ConfigureAwait(false);
                write = w =>
                {
                    w.WriteStartObject();
                    w.WriteString("status", "success");
                    w.WritePropertyName("data");
                    data(w);
                    w.WriteEndObject();
                };
            }
            catch (ApiError e)
            {
                status = e.Status;
                write = ErrorBody(e.Type, e.Message);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug of ours: answer like Prometheus' internal error instead of dropping the connection.
                status = 500;
                write = ErrorBody("internal", e.Message);
            }
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                write(w);
            }
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = buffer.Length;
            await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ctx.RequestAborted).ConfigureAwait(false);
        }

        private static Action<Utf8JsonWriter> ErrorBody(string type, string message) => w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "error");
            w.WriteString("errorType", type);
            w.WriteString("error", message);
            w.WriteEndObject();
        };
    }

    private static void WriteResult(Utf8JsonWriter w, QueryValue value)
    {
        switch (value)
        {
            case VectorValue v:
                w.WriteString("resultType", "vector");
                w.WriteStartArray("result");
                foreach (var s in v.Samples)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("metric");
                    WriteLabels(w, s.Metric);
                    w.WriteStartArray("value");
                    w.WriteRawValue(GoFloat.FormatTimestamp(s.T), skipInputValidation: true);
                    w.WriteStringValue(GoFloat.FormatSample(s.V));
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case MatrixValue m:
                w.WriteString("resultType", "matrix");
                w.WriteStartArray("result");
                foreach (var s in m.Series)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("metric");
                    WriteLabels(w, s.Metric);
                    w.WriteStartArray("values");
                    foreach (var pt in s.Points)
                    {
                        w.WriteStartArray();
                        w.WriteRawValue(GoFloat.FormatTimestamp(pt.T), skipInputValidation: true);
                        w.WriteStringValue(GoFloat.FormatSample(pt.V));
                        w.WriteEndArray();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case ScalarValue s:
                w.WriteString("resultType", "scalar");
                w.WriteStartArray("result");
                w.WriteRawValue(GoFloat.Format(s.T / 1000.0, 'f'), skipInputValidation: true);
                w.WriteStringValue(double.IsNaN(s.V) || double.IsInfinity(s.V) ? GoFloat.FormatSample(s.V) : GoFloat.Format(s.V, 'f'));
                w.WriteEndArray();
                break;
            case StringValue s:
                w.WriteString("resultType", "string");
                w.WriteStartArray("result");
                w.WriteRawValue(GoFloat.Format(s.T / 1000.0, 'f'), skipInputValidation: true);
                w.WriteStringValue(s.V);
                w.WriteEndArray();
                break;
        }
    }

    private static void WriteLabels(Utf8JsonWriter w, Labels labels)
    {
        w.WriteStartObject();
        foreach (var l in labels.List)
        {
            w.WriteString(l.Name, l.Value);
        }
        w.WriteEndObject();
    }

    /// <summary>Prometheus' parseTime: float seconds (ms precision) or RFC3339.</summary>
    internal static long ParseTimeParam(string s, string param)
    {
        if (TryParseGoFloat(s, out var f))
        {
            if (double.IsNaN(f) || double.IsInfinity(f) || Math.Abs(f) > 9.2e15)
            {
                throw BadData($"invalid parameter \"{param}\": Invalid time value for '{param}': cannot parse \"{s}\" to a valid timestamp");
            }
            double sec = Math.Truncate(f);
            double frac = Math.Round((f - sec) * 1000) / 1000;
            return ((long)sec * 1000) + (long)(frac * 1000);
        }
        if (s.Length >= 20 && DateTimeOffset.TryParseExact(s, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var dto) && (s.EndsWith('Z') || s[^6] is '+' or '-'))
        {
            return dto.ToUnixTimeMilliseconds();
        }
        throw BadData($"invalid parameter \"{param}\": Invalid time value for '{param}': cannot parse \"{s}\" to a valid timestamp");
    }

    private static bool TryParseGoFloat(string s, out double f)
    {
        f = 0;
        if (s.Length == 0)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-'))
            {
                return GoMath.TryParseFloat(s, out f) && (double.IsNaN(f) || double.IsInfinity(f));
            }
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out f);
    }

    /// <summary>Prometheus' parseDuration: float seconds or a Prometheus duration; returns ticks.</summary>
    internal static long ParseDuration(string s, string param)
    {
        if (TryParseGoFloat(s, out var f) && !double.IsNaN(f))
        {
            double ticks = f * TimeSpan.TicksPerSecond;
            if (double.IsInfinity(ticks) || ticks > long.MaxValue || ticks < long.MinValue)
            {
                throw BadData($"invalid parameter \"{param}\": cannot parse \"{s}\" to a valid duration. It overflows int64");
            }
            return (long)ticks;
        }
        if (s.Length > 0 && char.IsAsciiDigit(s[0]))
        {
            try
            {
                var tokens = Lexer.Tokenize(s);
                if (tokens.Count == 2 && tokens[0].Kind == Tok.Duration)
                {
                    return tokens[0].DurationMs * TimeSpan.TicksPerMillisecond;
                }
            }
            catch (PromQLParseException)
            {
                // fall through to the error below
            }
        }
        throw BadData($"invalid parameter \"{param}\": cannot parse \"{s}\" to a valid duration");
    }

    /// <summary>Request parameters: form body values win over the query string (Go's FormValue).</summary>
    private sealed class Params
    {
        private readonly IQueryCollection _query;
        private readonly IFormCollection? _form;

        private Params(IQueryCollection query, IFormCollection? form)
        {
            _query = query;
            _form = form;
        }

        public static async Task<Params> ReadAsync(HttpRequest request)
        {
            IFormCollection? form = null;
            if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            {
                try
                {
                    form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw BadData("error parsing form values: " + e.Message);
                }
            }
            return new Params(request.Query, form);
        }

        public string? Get(string name)
        {
            if (_form is not null && _form.TryGetValue(name, out var fv) && fv.Count > 0)
            {
                return fv[0];
            }
            return _query.TryGetValue(name, out var qv) && qv.Count > 0 ? qv[0] : null;
        }

        public IReadOnlyList<string> GetAll(string name)
        {
            var list = new List<string>();
            if (_form is not null && _form.TryGetValue(name, out var fv))
            {
                list.AddRange(fv.Where(x => x is not null)!);
            }
            if (_query.TryGetValue(name, out var qv))
            {
                list.AddRange(qv.Where(x => x is not null)!);
            }
            return list;
        }
    }
}
