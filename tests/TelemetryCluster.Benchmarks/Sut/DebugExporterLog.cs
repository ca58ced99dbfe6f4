using System.Globalization;
using System.Text.RegularExpressions;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// Reads the node's <c>debug</c> exporter output (src/Streams/TelemetryCluster.Streams/Exporters/Debug): with
/// <c>verbosity = basic</c> it writes one line per metrics batch,
/// <c>MetricsExporter resource metrics: 1, metrics: 100, data points: 700</c> — plainly on stdout with
/// <c>use_internal_logger = false</c>, or as the message of a log entry otherwise (any console formatter: the
/// first match on a line is taken, so a JSON formatter's repeated message counts once).
/// If the exporter's wording changes, change <see cref="MetricsBatchLine"/> (and its test in README).
/// </summary>
internal static partial class DebugExporterLog
{
    /// <summary>Data points in one debug exporter metrics-batch line; null for any other line.</summary>
    public static long? MetricsDataPoints(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.Contains("MetricsExporter", StringComparison.Ordinal))
        {
            return null;
        }

        var m = MetricsBatchLine().Match(line);
        return m.Success ? long.Parse(m.Groups["dp"].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"MetricsExporter\b.*?\bdata points:\s*(?<dp>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex MetricsBatchLine();
}
