namespace TelemetryCluster.Streams.Components;

/// <summary>Component stability levels as the collector publishes them.</summary>
public enum Stability
{
    Development,
    Alpha,
    Beta,
    Stable,
    Deprecated,
}
