using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>Settings of the <c>health_check</c> extension; defaults live in <c>defaults.conf</c>.</summary>
internal sealed record HealthCheckConfig(
    HealthCheckEndpoint Endpoint,
    string Path,
    string? HealthyBody,
    string? UnhealthyBody,
    CheckCollectorPipelineConfig CheckCollectorPipeline,
    TimeSpan RecoveryDuration)
{
    /// <summary>Our fixed paths; <c>path</c> may not take one of them.</summary>
    public static IReadOnlyList<string> FixedPaths { get; } = ["/livez", "/readyz", "/status"];

    /// <summary>The same values as <c>defaults.conf</c>, for code and tests that build the extension directly.</summary>
    public static HealthCheckConfig Default { get; } = new(
        new HealthCheckEndpoint("localhost", 13133),
        "/",
        null,
        null,
        new CheckCollectorPipelineConfig(false, TimeSpan.FromMinutes(5), 5),
        TimeSpan.FromSeconds(30));

    public static HealthCheckConfig Bind(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);

        var endpointText = reader.GetString("endpoint");
        if (!HealthCheckEndpoint.TryParse(endpointText, out var endpoint, out var endpointError))
        {
            reader.Error("endpoint", endpointError);
            endpoint = Default.Endpoint;
        }

        var path = reader.GetString("path");
        if (!path.StartsWith('/'))
        {
            reader.Error("path", $"path \"{path}\" must start with \"/\"");
            path = Default.Path;
        }
        else if (FixedPaths.Contains(path, StringComparer.Ordinal))
        {
            reader.Error("path", $"path \"{path}\" is reserved for our own endpoint (/livez, /readyz and /status are always served)");
            path = Default.Path;
        }

        var interval = reader.GetDuration("check_collector_pipeline.interval");
        if (interval <= TimeSpan.Zero)
        {
            reader.Error("check_collector_pipeline.interval", "interval must be greater than 0");
        }

        var pipelineCheck = new CheckCollectorPipelineConfig(
            reader.GetBool("check_collector_pipeline.enabled"),
            interval,
            reader.GetInt("check_collector_pipeline.exporter_failure_threshold", min: 1));

        return new HealthCheckConfig(
            endpoint,
            path,
            reader.GetOptionalString("response_body.healthy"),
            reader.GetOptionalString("response_body.unhealthy"),
            pipelineCheck,
            reader.GetDuration("recovery_duration"));
    }
}

/// <summary>
/// The collector's <c>check_collector_pipeline</c> block. <see cref="Enabled"/> makes the v1 path reflect pipeline
/// health; <see cref="Interval"/> and <see cref="ExporterFailureThreshold"/> are validated but not used (our health
/// comes from component status and <c>recovery_duration</c>, not from failure counts).
/// </summary>
internal sealed record CheckCollectorPipelineConfig(bool Enabled, TimeSpan Interval, int ExporterFailureThreshold);
