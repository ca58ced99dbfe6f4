using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>Settings of the <c>debug</c> exporter; defaults live in <c>defaults.conf</c>.</summary>
internal sealed record DebugExporterConfig(
    DebugVerbosity Verbosity,
    int SamplingInitial,
    int SamplingThereafter,
    bool UseInternalLogger)
{
    /// <summary>The collector's defaults (the same values as <c>defaults.conf</c>), for code that builds the exporter directly.</summary>
    public static DebugExporterConfig Default { get; } = new(DebugVerbosity.Basic, 2, 1, true);

    public static DebugExporterConfig Bind(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var verbosity = reader.GetChoice("verbosity", "basic", "normal", "detailed") switch
        {
            "normal" => DebugVerbosity.Normal,
            "detailed" => DebugVerbosity.Detailed,
            _ => DebugVerbosity.Basic,
        };

        return new DebugExporterConfig(
            verbosity,
            reader.GetInt("sampling_initial", min: 0),
            reader.GetInt("sampling_thereafter", min: 0),
            reader.GetBool("use_internal_logger"));
    }
}
