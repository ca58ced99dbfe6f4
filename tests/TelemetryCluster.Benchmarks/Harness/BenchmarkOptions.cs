using System.Globalization;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>What to run and how long; parsed from the command line by <see cref="CommandLine"/>.</summary>
internal sealed record BenchmarkOptions
{
    /// <summary>A workload name, <c>all</c> or <c>smoke</c>.</summary>
    public required string Workload { get; init; }

    /// <summary>Measurement window per phase (BENCHMARKS.md: at least 30 s for rate workloads).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>True when <c>--window</c> was given (workloads with their own default window, e.g. filelog's 60 s, then use it).</summary>
    public bool WindowGiven { get; init; }

    /// <summary>Warm-up before each window; load runs but nothing is measured.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A/B rounds; medians are taken over the rounds.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Closed-loop callers for max-rate phases.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Where to write the raw JSON; null prints it after the tables.</summary>
    public string? JsonPath { get; init; }

    /// <summary>The node's <c>telemetry-cluster.dll</c>; null finds it in the repo's build output.</summary>
    public string? NodePath { get; init; }

    /// <summary>
    /// What plays the "project" side: <c>node</c> (default) or <c>floor</c>, which runs the floor as both A and B
    /// to check the harness itself (ratios should come out ≈ 1.0).
    /// </summary>
    public string ProjectSut { get; init; } = "node";

    /// <summary>
    /// <c>compression</c> of the node's <c>otlp</c> exporter to its sink: <c>gzip</c> (the exporter's and the collector's
    /// default), <c>zstd</c>, <c>snappy</c> or <c>none</c>.
    /// </summary>
    public string ExporterCompression { get; init; } = "gzip";

    /// <summary>Lines of filelog's pre-written (b) file; null = 3 M (smoke 200k).</summary>
    public long? FileLogLines { get; init; }

    /// <summary>HOCON appended to the node's config by filelog (it overrides the same keys), for diagnosis; null = none.</summary>
    public string? NodeHocon { get; init; }

    /// <summary>Series counts of the promql workload (multiples of 50); null = 10k and 100k (smoke: 300).</summary>
    public IReadOnlyList<int>? PromqlSeries { get; init; }

    /// <summary>Smoke mode: short windows, one round, targets reported but not gated.</summary>
    public bool Smoke { get; init; }

    /// <summary>Seconds to wait for a system under test to start and for downstream counts to settle.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        (string number, double scale) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (t[..^2], 0.001),
            _ when t.EndsWith('s') => (t[..^1], 1.0),
            _ when t.EndsWith('m') => (t[..^1], 60.0),
            _ => (t, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new FormatException($"not a duration: '{text}' (use e.g. 30s, 500ms, 2m)");
        }

        return TimeSpan.FromSeconds(value * scale);
    }
}
