using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Components;

/// <summary>
/// A component type: its name(s), kind, signals and stability, its defaults (which are also its schema) and the
/// binding of a config section into its immutable config record. One folder per component holds the factory,
/// the config record, the stage(s), telemetry and a README.
/// </summary>
public interface IComponentFactory
{
    /// <summary>The canonical type name (collector spelling, e.g. <c>otlp</c>, <c>batch</c>, <c>debug</c>).</summary>
    string Type { get; }

    /// <summary>Other accepted type names (older or newer collector spellings, e.g. <c>logging</c> for <c>debug</c>).</summary>
    IReadOnlyList<string> Aliases { get; }

    ComponentKind Kind { get; }

    /// <summary>Signals the component supports, with the stability for each. Empty for extensions.</summary>
    IReadOnlyDictionary<Signal, Stability> Signals { get; }

    /// <summary>Stability of the component as a whole (extensions; for the others the best signal's).</summary>
    Stability Stability { get; }

    /// <summary>
    /// The embedded defaults file of the component (HOCON), relative to the assembly root, e.g.
    /// <c>Processors/Batch/defaults.conf</c>. Every key a user may set must appear here; an object written as
    /// <c>{}</c> accepts any keys (maps such as <c>headers</c>).
    /// </summary>
    string DefaultsResource { get; }

    /// <summary>Binds and validates the merged (user over defaults) section. Errors go to the reader, never thrown.</summary>
    object CreateConfig(ComponentConfigReader reader);
}
