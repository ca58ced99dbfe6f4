using System.Diagnostics;

namespace TelemetryCluster.Nodes.Tests.Query;

/// <summary>Runs the real Debian <c>promtool</c>; a missing binary fails the test with how to install it.</summary>
internal static class Promtool
{
    public static string Path
    {
        get
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
            {
                var candidate = System.IO.Path.Combine(dir, "promtool");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            Assert.Fail("promtool is not installed: run `sudo apt-get install -y --no-install-recommends prometheus`");
            return string.Empty;
        }
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("promtool did not start");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
