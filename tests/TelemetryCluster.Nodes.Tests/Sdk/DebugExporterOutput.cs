using System.Globalization;
using System.Text.RegularExpressions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>Items per signal: metric data points, log records, spans.</summary>
public readonly record struct SignalCounts(long DataPoints, long LogRecords, long Spans)
{
    public static SignalCounts Zero => default;

    public static SignalCounts Of(Signal signal, long items) => signal switch
    {
        Signal.Metrics => new SignalCounts(items, 0, 0),
        Signal.Logs => new SignalCounts(0, items, 0),
        Signal.Traces => new SignalCounts(0, 0, items),
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, null),
    };

    public static SignalCounts operator +(SignalCounts a, SignalCounts b) =>
        new(a.DataPoints + b.DataPoints, a.LogRecords + b.LogRecords, a.Spans + b.Spans);

    public static SignalCounts operator -(SignalCounts a, SignalCounts b) =>
        new(a.DataPoints - b.DataPoints, a.LogRecords - b.LogRecords, a.Spans - b.Spans);

    public long this[Signal signal] => signal switch
    {
        Signal.Metrics => DataPoints,
        Signal.Logs => LogRecords,
        Signal.Traces => Spans,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, null),
    };
}

/// <summary>
/// Reads the node's <c>debug</c> exporter output (src/Streams/TelemetryCluster.Streams/Exporters/Debug/DebugExporter.cs).
/// With <c>use_internal_logger = false</c> it writes to standard output, at every verbosity, exactly one summary line
/// per exported batch (every batch when <c>sampling_thereafter = 1</c>):
/// <code>
/// MetricsExporter resource metrics: 2, metrics: 3, data points: 5
/// LogsExporter resource logs: 1, log records: 3
/// TracesExporter resource spans: 2, spans: 3
/// </code>
/// The pattern is anchored on both ends, so a console-logger line that merely contains the text (with
/// <c>use_internal_logger = true</c>) and the per-item lines of <c>verbosity = normal</c> never count.
/// If the exporter's wording changes, change <see cref="SummaryLine"/>.
/// </summary>
internal static partial class DebugExporterOutput
{
    /// <summary>The items of one summary line, or null for any other line.</summary>
    public static SignalCounts? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var m = SummaryLine().Match(line);
        if (!m.Success)
        {
            return null;
        }

        var signal = m.Groups["metrics"].Success ? Signal.Metrics : m.Groups["logs"].Success ? Signal.Logs : Signal.Traces;
        var items = long.Parse(m.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        return SignalCounts.Of(signal, items);
    }

    /// <summary>Sums the summary lines on standard output.</summary>
    public static SignalCounts Sum(IEnumerable<OutputLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var sum = SignalCounts.Zero;
        foreach (var line in lines)
        {
            if (line.Stream == OutputStream.Stdout && Parse(line.Text) is { } counts)
            {
                sum += counts;
            }
        }

        return sum;
    }

    [GeneratedRegex(
        @"^(?:(?<metrics>MetricsExporter resource metrics: \d+, metrics: \d+, data points: )|(?<logs>LogsExporter resource logs: \d+, log records: )|(?<traces>TracesExporter resource spans: \d+, spans: ))(?<n>\d+)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex SummaryLine();
}
