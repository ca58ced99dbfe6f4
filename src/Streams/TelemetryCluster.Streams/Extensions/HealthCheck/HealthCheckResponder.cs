using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>An HTTP answer: status code, content type and body.</summary>
internal readonly record struct HealthResponse(int StatusCode, string? ContentType, ReadOnlyMemory<byte> Body);

/// <summary>
/// Computes the answers of the health endpoints from the registry (no HTTP here, so the rules are testable alone):
/// the collector-compatible v1 <c>path</c>, <c>/livez</c>, <c>/readyz</c> and the v2-like <c>/status</c>.
/// </summary>
internal sealed class HealthCheckResponder(HealthCheckConfig config, ComponentStatusRegistry registry, TimeProvider time, DateTimeOffset startTime)
{
    public const string JsonContentType = "application/json";
    public const string TextContentType = "text/plain; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="cluster">For <c>/status?cluster</c>: the cluster view (see <see cref="IClusterStatusSource"/>), written as <c>"cluster"</c>.</param>
    public HealthResponse Respond(string path, IQueryCollection query, object? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        return path switch
        {
            "/livez" => Live(),
            "/readyz" => Ready(),
            "/status" => Status(query, cluster),
            _ when MatchesV1Path(path) => V1(),
            _ => new HealthResponse(StatusCodes.Status404NotFound, TextContentType, "404 page not found\n"u8.ToArray()),
        };
    }

    private bool MatchesV1Path(string path) =>
        string.Equals(path, config.Path, StringComparison.Ordinal)
        || (config.Path.EndsWith('/') && path.StartsWith(config.Path, StringComparison.Ordinal));

    /// <summary>The collector's v1 answer (plus a 500 while a pipeline is unhealthy when check_collector_pipeline is on).</summary>
    private HealthResponse V1()
    {
        var service = registry.Service;
        if (service.State != ServiceState.Running || service.ReadySince is not { } readySince)
        {
            return NotAvailable(StatusCodes.Status503ServiceUnavailable);
        }

        if (config.CheckCollectorPipeline.Enabled && !Collector(service).Healthy)
        {
            return NotAvailable(StatusCodes.Status500InternalServerError);
        }

        if (config.HealthyBody is { } healthy)
        {
            return new HealthResponse(StatusCodes.Status200OK, TextContentType, Encoding.UTF8.GetBytes(healthy));
        }

        var now = time.GetUtcNow();
        return new HealthResponse(StatusCodes.Status200OK, JsonContentType, Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "Server available");
            w.WriteString("upSince", GoFormat.Rfc3339(readySince));
            w.WriteString("uptime", GoFormat.Duration(now - readySince));
            w.WriteEndObject();
        }));
    }

    private HealthResponse NotAvailable(int statusCode)
    {
        if (config.UnhealthyBody is { } unhealthy)
        {
            return new HealthResponse(statusCode, TextContentType, Encoding.UTF8.GetBytes(unhealthy));
        }

        return new HealthResponse(statusCode, JsonContentType, Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "Server not available");
            w.WriteString("upSince", GoFormat.Rfc3339(DateTimeOffset.MinValue));
            w.WriteString("uptime", string.Empty);
            w.WriteEndObject();
        }));
    }

    /// <summary>Liveness: up unless stopped — a draining node is still alive and must not be restarted.</summary>
    private HealthResponse Live()
    {
        var state = registry.Service.State;
        var live = state != ServiceState.Stopped;
        return new HealthResponse(live ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, JsonContentType, Json(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("live", live);
            w.WriteString("state", StateName(state));
            w.WriteEndObject();
        }));
    }

    /// <summary>Readiness: can take traffic, i.e. running (not starting, draining or stopped).</summary>
    private HealthResponse Ready()
    {
        var state = registry.Service.State;
        var ready = state == ServiceState.Running;
        return new HealthResponse(ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, JsonContentType, Json(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ready", ready);
            w.WriteString("state", StateName(state));
            w.WriteEndObject();
        }));
    }

    private HealthResponse Status(IQueryCollection query, object? cluster)
    {
        var service = registry.Service;
        var collector = Collector(service);
        var scope = query.TryGetValue("pipeline", out var pipelineValues) ? pipelineValues.ToString() : string.Empty;
        var node = scope.Length == 0 ? collector : HealthAggregator.Scope(scope, collector);
        if (node is null)
        {
            return new HealthResponse(StatusCodes.Status404NotFound, JsonContentType, Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("error", $"unknown pipeline \"{scope}\"");
                w.WriteEndObject();
            }));
        }

        var verbose = query.TryGetValue("verbose", out var verboseValues) && verboseValues.ToString() != "false";
        var code = service.State != ServiceState.Running
            ? StatusCodes.Status503ServiceUnavailable
            : node.Healthy ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;

        return new HealthResponse(code, JsonContentType, Json(w => WriteNode(w, node, verbose, includeStartTime: true, cluster)));
    }

    private HealthNode Collector(ServiceStateEntry service) =>
        HealthAggregator.Collector(service, registry.Snapshot(), time.GetUtcNow(), config.RecoveryDuration);

    private void WriteNode(Utf8JsonWriter w, HealthNode node, bool verbose, bool includeStartTime, object? cluster = null)
    {
        w.WriteStartObject();
        if (includeStartTime)
        {
            w.WriteString("start_time", GoFormat.Rfc3339(startTime));
        }

        w.WriteBoolean("healthy", node.Healthy);
        w.WriteString("status", HealthAggregator.StatusName(node.Status));
        if (!string.IsNullOrEmpty(node.Error))
        {
            w.WriteString("error", node.Error);
        }

        w.WriteString("status_time", GoFormat.Rfc3339(node.Time));
        if (verbose && node.Components.Count > 0)
        {
            w.WritePropertyName("components");
            w.WriteStartObject();
            foreach (var (key, child) in node.Components.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(key);
                WriteNode(w, child, verbose, includeStartTime: false);
            }

            w.WriteEndObject();
        }

        if (cluster is not null)
        {
            w.WritePropertyName("cluster");
            JsonSerializer.Serialize(w, cluster, cluster.GetType());
        }

        w.WriteEndObject();
    }

    private static string StateName(ServiceState state) => state switch
    {
        ServiceState.Starting => "starting",
        ServiceState.Running => "running",
        ServiceState.Draining => "draining",
        ServiceState.Stopped => "stopped",
        _ => "unknown",
    };

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
