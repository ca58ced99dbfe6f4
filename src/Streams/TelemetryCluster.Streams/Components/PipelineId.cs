using System.Diagnostics.CodeAnalysis;

namespace TelemetryCluster.Streams.Components;

/// <summary>A pipeline identity <c>signal[/name]</c>, e.g. <c>metrics</c> or <c>logs/qelog</c>.</summary>
public readonly record struct PipelineId(Signal Signal, string? Name)
{
    public override string ToString() => Name is null ? Signal.ToConfigName() : $"{Signal.ToConfigName()}/{Name}";

    public static bool TryParse(string? text, out PipelineId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (!ComponentId.TryParse(text, out var raw, out error))
        {
            return false;
        }

        if (!SignalNames.TryParse(raw.Type, out var signal))
        {
            error = $"pipeline \"{text}\": unknown signal \"{raw.Type}\" (valid values: [traces metrics logs])";
            return false;
        }

        id = new PipelineId(signal, raw.Name);
        return true;
    }
}
