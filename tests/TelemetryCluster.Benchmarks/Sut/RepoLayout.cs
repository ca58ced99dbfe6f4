using System.Reflection;
using TelemetryCluster.Benchmarks.Harness;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>Finds the repository and the node's build output (same Configuration as this benchmark build).</summary>
internal static class RepoLayout
{
    public const string NodeProject = "src/Nodes/TelemetryCluster.Node/TelemetryCluster.Node.csproj";
    public const string NodeAssembly = "telemetry-cluster.dll";

    /// <summary>Debug or Release: the configuration this benchmark was built in.</summary>
    public static string Configuration { get; } =
        typeof(RepoLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The first directory up from <paramref name="start"/> holding Cluster.sln (or any .sln/.slnx) or .git.</summary>
    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))
                || Directory.Exists(Path.Combine(dir.FullName, ".git"))
                || dir.EnumerateFiles("*.sln").Any()
                || dir.EnumerateFiles("*.slnx").Any())
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The repository root, from the build output directory or else the working directory.</summary>
    public static string? Root() => FindRoot(AppContext.BaseDirectory) ?? FindRoot(Environment.CurrentDirectory);

    /// <summary>
    /// The runtime's GC settings the node image sets (<c>ENV DOTNET_GC…=…</c> lines of the repository's Dockerfile),
    /// so a node started here runs as deployed. Empty when the Dockerfile is not found.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NodeRuntimeEnvironment()
    {
        var dockerfile = Root() is { } root ? Path.Combine(root, "Dockerfile") : null;
        if (dockerfile is null || !File.Exists(dockerfile))
        {
            return new Dictionary<string, string>();
        }

        return System.Text.RegularExpressions.Regex
            .Matches(File.ReadAllText(dockerfile), @"^ENV\s+(DOTNET_GC\w+)=(\S+)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
    }

    /// <summary>The node's dll: <paramref name="explicitPath"/> if given, else the repo's build output; throws how to build it.</summary>
    public static string NodeDll(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw new SetupException($"--node {explicitPath}: no such file");
        }

        var root = Root() ?? throw new SetupException(
            "cannot find the repository root (no Cluster.sln or .git above the benchmark); pass --node PATH/telemetry-cluster.dll");
        var candidates = new[]
        {
            Path.Combine(root, "src/Nodes/TelemetryCluster.Node/bin", Configuration),
            Path.Combine(root, "artifacts/bin/TelemetryCluster.Node", Configuration.ToLowerInvariant()),
        };
        foreach (var dir in candidates.Where(Directory.Exists))
        {
            var found = Directory.EnumerateFiles(dir, NodeAssembly, SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/", StringComparison.Ordinal))
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }
        }

        throw new SetupException(
            $"the node is not built ({NodeAssembly} not found under {candidates[0]}). Build it with:\n" +
            $"  dotnet build -c {Configuration} {NodeProject}\n" +
            "or pass --node PATH/telemetry-cluster.dll");
    }

    /// <summary>Source files under src/ newer than <paramref name="dll"/> (a hint that the node build is stale).</summary>
    public static int NewerSources(string dll)
    {
        var root = Root();
        if (root is null || !File.Exists(dll))
        {
            return 0;
        }

        var built = File.GetLastWriteTimeUtc(dll);
        return Directory.EnumerateFiles(Path.Combine(root, "src"), "*.*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".conf", StringComparison.Ordinal)
                || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".proto", StringComparison.Ordinal))
            .Count(f => File.GetLastWriteTimeUtc(f) > built);
    }
}
