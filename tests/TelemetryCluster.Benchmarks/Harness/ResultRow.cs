using System.Globalization;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>How a row's figure is judged.</summary>
internal enum TargetKind
{
    /// <summary>Informational row: no target.</summary>
    None,

    /// <summary>project / baseline ≤ value.</summary>
    RatioAtMost,

    /// <summary>project / baseline ≥ value.</summary>
    RatioAtLeast,

    /// <summary>project ≤ value (in the row's unit).</summary>
    ProjectAtMost,
}

internal sealed record Target(TargetKind Kind, double Value)
{
    public static Target None { get; } = new(TargetKind.None, 0);

    public static Target RatioAtMost(double v) => new(TargetKind.RatioAtMost, v);

    public static Target RatioAtLeast(double v) => new(TargetKind.RatioAtLeast, v);

    public static Target ProjectAtMost(double v) => new(TargetKind.ProjectAtMost, v);

    public string Describe(string unit) => Kind switch
    {
        TargetKind.RatioAtMost => string.Create(CultureInfo.InvariantCulture, $"≤ {Value:0.0#}×"),
        TargetKind.RatioAtLeast => string.Create(CultureInfo.InvariantCulture, $"≥ {Value:0.0#}×"),
        TargetKind.ProjectAtMost => $"≤ {Units.Format(Value, unit)}",
        _ => "—",
    };

    /// <summary>null when there is no target or the figure is not a number.</summary>
    public bool? IsMet(double project, double ratio) => Kind switch
    {
        TargetKind.RatioAtMost when double.IsFinite(ratio) => ratio <= Value,
        TargetKind.RatioAtLeast when double.IsFinite(ratio) => ratio >= Value,
        TargetKind.ProjectAtMost when double.IsFinite(project) => project <= Value,
        _ => null,
    };
}

/// <summary>
/// One line of a workload's table: medians over the rounds for the project (A) and the baseline (B), the ratio
/// A/B, the target and the published anchor (context from other hardware, never the gate).
/// </summary>
internal sealed record ResultRow(
    string Workload,
    string Unit,
    IReadOnlyList<double> ProjectRounds,
    IReadOnlyList<double> BaselineRounds,
    Target Target,
    string Anchor)
{
    public double Project => Stats.Median(ProjectRounds);

    public double Baseline => Stats.Median(BaselineRounds);

    public double Ratio => Baseline > 0 ? Project / Baseline : double.NaN;

    public bool? Met => Target.IsMet(Project, Ratio);
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var finite = values.Where(double.IsFinite).Order().ToArray();
        if (finite.Length == 0)
        {
            return double.NaN;
        }

        var mid = finite.Length / 2;
        return finite.Length % 2 == 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
    }
}

/// <summary>Units used in rows and their human formatting.</summary>
internal static class Units
{
    public const string Cores = "core";
    public const string MiB = "MiB";
    public const string DataPointsPerSecond = "dp/s";
    public const string Microseconds = "µs";
    public const string LinesPerSecond = "lines/s";

    public const string Milliseconds = "ms";

    public static string Format(double value, string unit)
    {
        if (!double.IsFinite(value))
        {
            return "n/a";
        }

        var c = CultureInfo.InvariantCulture;
        return unit switch
        {
            Cores => value.ToString("0.000", c) + " core",
            MiB => value.ToString("0.0", c) + " MiB",
            DataPointsPerSecond when value >= 1e6 => (value / 1e6).ToString("0.00", c) + " M dp/s",
            DataPointsPerSecond when value >= 1e3 => (value / 1e3).ToString("0.0", c) + " k dp/s",
            DataPointsPerSecond => value.ToString("0", c) + " dp/s",
            LinesPerSecond when value >= 1e6 => (value / 1e6).ToString("0.00", c) + " M lines/s",
            LinesPerSecond when value >= 1e3 => (value / 1e3).ToString("0.0", c) + " k lines/s",
            LinesPerSecond => value.ToString("0", c) + " lines/s",

            Milliseconds when value >= 100 => value.ToString("0", c) + " ms",
            Milliseconds when value >= 10 => value.ToString("0.0", c) + " ms",
            Milliseconds => value.ToString("0.00", c) + " ms",
            _ => value.ToString("0.###", c) + " " + unit,
        };
    }
}
