using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TelemetryCluster.Benchmarks.Harness;

internal enum WorkloadStatus
{
    Ok,
    CorrectnessFailed,
    SetupError,
}

/// <summary>What one workload produced; rows are empty unless <see cref="Status"/> is Ok.</summary>
internal sealed record WorkloadOutcome(
    string Name,
    WorkloadStatus Status,
    string? Message,
    IReadOnlyList<ResultRow> Rows,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, object> Raw);

internal sealed record BenchmarkReport(
    EnvironmentInfo Environment,
    BenchmarkOptions Options,
    IReadOnlyList<WorkloadOutcome> Workloads);

/// <summary>Markdown tables (one per workload) and the raw JSON.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Markdown(BenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var e = report.Environment;
        var o = report.Options;
        var sb = new StringBuilder();
        sb.AppendLine("## Environment").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        sb.AppendLine(c, $"| date | {e.StartedUtc} |");
        sb.AppendLine(c, $"| nproc | {e.Nproc} |");
        sb.AppendLine(c, $"| CPU (lscpu model name) | {e.CpuModel} |");
        sb.AppendLine(c, $"| kernel (uname -r) | {e.Kernel} |");
        sb.AppendLine(c, $"| .NET | {e.Dotnet}, GC {e.Gc} |");
        foreach (var (k, v) in e.Peers)
        {
            sb.AppendLine(c, $"| {k} | {v} |");
        }

        sb.AppendLine(c,
            $"| run | {(o.Smoke ? "smoke, " : "")}{o.Rounds} round(s) A,B alternating, warm-up {o.Warmup.TotalSeconds:0.#} s, window {o.Window.TotalSeconds:0.#} s, concurrency {o.Concurrency} |");

        foreach (var w in report.Workloads)
        {
            sb.AppendLine().AppendLine(c, $"### {w.Name}").AppendLine();
            if (w.Status != WorkloadStatus.Ok)
            {
                var what = w.Status == WorkloadStatus.CorrectnessFailed ? "correctness check failed" : "could not run";
                sb.AppendLine(c, $"**No figures: {what}.**").AppendLine().AppendLine("```").AppendLine(w.Message).AppendLine("```");
                continue;
            }

            sb.AppendLine("| workload | project | baseline | ratio | target | published anchor |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var r in w.Rows)
            {
                var ratio = double.IsFinite(r.Ratio) ? r.Ratio.ToString("0.00", c) + "×" : "n/a";
                sb.AppendLine(c,
                    $"| {r.Workload} | {Units.Format(r.Project, r.Unit)} | {Units.Format(r.Baseline, r.Unit)} | {ratio} | {TargetCell(r, o.Smoke)} | {r.Anchor} |");
            }

            if (w.Notes.Count > 0)
            {
                sb.AppendLine();
                foreach (var n in w.Notes)
                {
                    sb.AppendLine(c, $"- {n}");
                }
            }
        }

        return sb.ToString();
    }

    public static string ToJson(BenchmarkReport report) => JsonSerializer.Serialize(report, Json);

    private static string TargetCell(ResultRow r, bool smoke)
    {
        var text = r.Target.Describe(r.Unit);
        return r.Met switch
        {
            null => text,
            _ when smoke => text + (r.Met == true ? " (met; smoke: not gated)" : " (missed; smoke: not gated)"),
            true => text + " ✓ met",
            false => text + " ✗ **missed**",
        };
    }
}
