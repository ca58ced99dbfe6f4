namespace TelemetryCluster.Streams.Components;

/// <summary>The four kinds of component, named as the collector's top-level config keys (singular).</summary>
public enum ComponentKind
{
    Receiver,
    Processor,
    Exporter,
    Extension,
}

public static class ComponentKindNames
{
    /// <summary>The top-level config key that holds components of this kind (<c>receivers</c>, ...).</summary>
    public static string SectionName(this ComponentKind kind) => kind switch
    {
        ComponentKind.Receiver => "receivers",
        ComponentKind.Processor => "processors",
        ComponentKind.Exporter => "exporters",
        ComponentKind.Extension => "extensions",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string DisplayName(this ComponentKind kind) => kind switch
    {
        ComponentKind.Receiver => "receiver",
        ComponentKind.Processor => "processor",
        ComponentKind.Exporter => "exporter",
        ComponentKind.Extension => "extension",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
