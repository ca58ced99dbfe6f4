using System.Globalization;
using System.Text.Json;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>
/// The OpenTelemetry JS SDK client in tests/clients/js (see its README.md): <c>node send.mjs --signal … --endpoint
/// http://127.0.0.1:PORT --count N</c> sends exactly N items over OTLP/gRPC with the SDK's own providers and
/// exporters, exits 0 only when every export succeeded, and prints a JSON summary as its last stdout line.
/// </summary>
internal static class JsClient
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private static readonly Version MinimumNode = new(20, 6);
    private static readonly Lazy<Prerequisites> LazyPrerequisites = new(CheckPrerequisites);

    /// <summary>
    /// Fails (never skips) when <c>node</c> or the client's <c>node_modules</c> are missing, saying how to install them.
    /// </summary>
    public static string RequireInstalled()
    {
        var p = LazyPrerequisites.Value;
        if (p.Problem is { } problem)
        {
            Assert.Fail(problem);
        }

        return p.Node!;
    }

    public static async Task<JsRun> SendAsync(string signal, Uri endpoint, int count, int batches, string serviceName, CancellationToken cancellationToken)
    {
        var node = RequireInstalled();
        await using var process = NodeProcess.Start(
            node,
            [
                "send.mjs",
                "--signal", signal,
                "--endpoint", endpoint.GetLeftPart(UriPartial.Authority),
                "--count", count.ToString(CultureInfo.InvariantCulture),
                "--batches", batches.ToString(CultureInfo.InvariantCulture),
                "--service-name", serviceName,
            ],
            workingDirectory: SdkRepo.JsClient);
        var exitCode = await process.WaitForExitAsync(RunTimeout, cancellationToken);
        var last = process.Lines.LastOrDefault(l => l.Stream == OutputStream.Stdout)?.Text;
        JsonElement? summary = null;
        if (last is not null)
        {
            try
            {
                summary = JsonDocument.Parse(last).RootElement.Clone();
            }
            catch (JsonException)
            {
                // reported through Summary == null
            }
        }

        return new JsRun(exitCode, summary, process.Describe());
    }

    private static Prerequisites CheckPrerequisites()
    {
        const string InstallNode = "install Node.js 20.6 or later and npm (Debian/Ubuntu: `apt-get install nodejs npm`), "
            + "then run `cd tests/clients/js && npm ci` in the repository";
        const string InstallModules = "run `cd tests/clients/js && npm ci` in the repository (CI does this in .ci/run)";

        var node = FindOnPath("node");
        if (node is null)
        {
            return new Prerequisites(null, $"The OpenTelemetry JS SDK tests need the `node` binary, which is not on PATH: {InstallNode}.");
        }

        var version = NodeVersion(node);
        if (version is null || version < MinimumNode)
        {
            return new Prerequisites(null, $"The OpenTelemetry JS SDK tests need Node.js {MinimumNode} or later; {node} is {version?.ToString() ?? "of unknown version"}: {InstallNode}.");
        }

        // Every dependency package.json lists must be installed (npm ci installs exactly the lock file).
        var missing = new List<string>();
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(SdkRepo.JsClient, "package.json"))))
        {
            foreach (var dependency in manifest.RootElement.GetProperty("dependencies").EnumerateObject())
            {
                if (!File.Exists(Path.Combine(SdkRepo.JsClient, "node_modules", dependency.Name, "package.json")))
                {
                    missing.Add(dependency.Name);
                }
            }
        }

        if (missing.Count > 0)
        {
            return new Prerequisites(null, $"The OpenTelemetry JS SDK client in {SdkRepo.JsClient} is not installed "
                + $"(missing in node_modules: {string.Join(", ", missing)}): {InstallModules}.");
        }

        return new Prerequisites(node, null);
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? program + ".exe" : program);
            if (!File.Exists(candidate))
            {
                continue;
            }

            if (OperatingSystem.IsWindows()
                || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    private static Version? NodeVersion(string node)
    {
        using var process = NodeProcess.Start(node, ["--version"]);
        try
        {
            process.WaitForExitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            return null;
        }

        var text = process.Lines.FirstOrDefault(l => l.Stream == OutputStream.Stdout)?.Text.Trim().TrimStart('v');
        return Version.TryParse(text, out var version) ? version : null;
    }

    private sealed record Prerequisites(string? Node, string? Problem);
}

/// <summary>One run of send.mjs: exit code, the parsed JSON summary (last stdout line) and the full output.</summary>
internal sealed record JsRun(int ExitCode, JsonElement? Summary, string Output)
{
    public long Sent => Summary?.GetProperty("sent").GetInt64() ?? -1;

    public bool Ok => Summary?.GetProperty("ok").GetBoolean() ?? false;
}
