using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Nodes.Cli;

/// <summary>
/// Prints the built-in component types in the layout of the collector's <c>components</c> command (YAML): per
/// kind, each type with its aliases and its stability per signal (extensions: one stability).
/// </summary>
public static class ComponentsPrinter
{
    private static readonly ComponentKind[] KindOrder = [ComponentKind.Receiver, ComponentKind.Processor, ComponentKind.Exporter, ComponentKind.Extension];
    private static readonly Signal[] SignalOrder = [Signal.Traces, Signal.Metrics, Signal.Logs];

    public static void Print(IEnumerable<IComponentFactory> factories, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(factories);
        ArgumentNullException.ThrowIfNull(output);
        var all = factories.ToList();
        foreach (var kind in KindOrder)
        {
            output.WriteLine($"{kind.SectionName()}:");
            var ofKind = all.Where(f => f.Kind == kind).OrderBy(f => f.Type, StringComparer.Ordinal).ToList();
            if (ofKind.Count == 0)
            {
                output.WriteLine("  []");
                continue;
            }

            foreach (var factory in ofKind)
            {
                output.WriteLine($"  - name: {factory.Type}");
                output.WriteLine($"    aliases: [{string.Join(", ", factory.Aliases)}]");
                output.WriteLine("    stability:");
                if (kind == ComponentKind.Extension || factory.Signals.Count == 0)
                {
                    output.WriteLine($"      extension: {factory.Stability}");
                    continue;
                }

                foreach (var signal in SignalOrder.Where(factory.Signals.ContainsKey))
                {
                    output.WriteLine($"      {signal.ToConfigName()}: {factory.Signals[signal]}");
                }
            }
        }
    }
}
