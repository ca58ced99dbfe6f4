using System.Diagnostics;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

/// <summary>Runs the real Debian <c>promtool</c> (2.42); a missing binary fails the test with how to install it.</summary>
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

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, byte[]? stdin, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            if (stdin is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken);
            }

            process.StandardInput.Close();
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
