using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using TelemetryCluster.Benchmarks.Measure;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>The machine and software a run was measured on (printed above the tables and in the JSON).</summary>
internal sealed record EnvironmentInfo(
    string StartedUtc,
    int Nproc,
    string CpuModel,
    string Kernel,
    string Dotnet,
    string Os,
    string Gc,
    long ClockTicksPerSecond,
    IReadOnlyDictionary<string, string> Peers)
{
    public static async Task<EnvironmentInfo> CaptureAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var peers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Grpc.AspNetCore.Server (floor)"] = AssemblyVersion(typeof(Grpc.AspNetCore.Server.GrpcServiceOptions).Assembly),
            ["Grpc.Net.Client (load generator)"] = AssemblyVersion(typeof(Grpc.Net.Client.GrpcChannel).Assembly),
            ["Google.Protobuf"] = AssemblyVersion(typeof(Google.Protobuf.IMessage).Assembly),
        };
        return new EnvironmentInfo(
            time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            Environment.ProcessorCount,
            await CpuModelAsync(cancellationToken).ConfigureAwait(false),
            ReadFirstLine("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription,
            $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
            RuntimeInformation.OSDescription,
            GCSettings.IsServerGC ? "server (benchmark + floor)" : "workstation (benchmark + floor)",
            ProcFs.ClockTicksPerSecond,
            peers);
    }

    public EnvironmentInfo WithPeers(IEnumerable<KeyValuePair<string, string>> more)
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Peers.Concat(more))
        {
            all[k] = v;
        }

        return this with { Peers = all };
    }

    private static string AssemblyVersion(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? a.GetName().Version?.ToString() ?? "?";

    private static async Task<string> CpuModelAsync(CancellationToken cancellationToken)
    {
        try
        {
            var psi = new ProcessStartInfo("lscpu") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.Environment["LC_ALL"] = "C";
            using var p = Process.Start(psi);
            if (p is not null)
            {
                var text = await p.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("Model name:", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line["Model name:".Length..].Trim();
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no lscpu: fall back to /proc/cpuinfo
        }

        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo") : [];
        var model = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return model is null ? "?" : model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string? ReadFirstLine(string path) =>
        File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
}
