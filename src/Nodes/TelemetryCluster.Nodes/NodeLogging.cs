using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes;

/// <summary>Maps <c>service.telemetry.logs.level</c> to Microsoft.Extensions.Logging.</summary>
public static class NodeLogging
{
    /// <summary>The minimum level for a loaded spec.</summary>
    public static LogLevel LevelOf(PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Parse(spec.Telemetry.LogLevel);
    }

    /// <summary>
    /// The collector's level names (<c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c>, plus <c>dpanic</c>,
    /// <c>panic</c>, <c>fatal</c> as critical), case-insensitive; unknown names mean <c>info</c> (the loader
    /// rejects them before this runs).
    /// </summary>
    public static LogLevel Parse(string? level) => level?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "dpanic" or "panic" or "fatal" or "critical" => LogLevel.Critical,
        "none" or "off" => LogLevel.None,
        _ => LogLevel.Information,
    };
}
