using System.Reflection;

namespace TelemetryCluster.Testing;

/// <summary>
/// Finds the built node (<c>telemetry-cluster.dll</c>) for process tests, in this order: the
/// <c>TELEMETRY_CLUSTER_NODE_DLL</c> environment variable; the path the test project recorded at build time
/// (assembly metadata <c>TelemetryClusterNodeDll</c>, from the node project's <c>GetTargetPath</c> in the same
/// configuration); <c>src/Nodes/TelemetryCluster.Node/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c> above the test output.
/// </summary>
public static class NodeBinary
{
    public const string EnvironmentVariable = "TELEMETRY_CLUSTER_NODE_DLL";
    public const string MetadataKey = "TelemetryClusterNodeDll";
    public const string FileName = "telemetry-cluster.dll";

    public static string Path { get; } = Locate(Assembly.GetExecutingAssembly());

    /// <summary>The <c>dotnet</c> host to run it with (the one running the tests when known).</summary>
    public static string DotnetHost { get; } = LocateDotnet();

    public static string Locate(Assembly testAssembly)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        var tried = new List<string>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            if (File.Exists(fromEnvironment))
            {
                return System.IO.Path.GetFullPath(fromEnvironment);
            }

            tried.Add($"{EnvironmentVariable}={fromEnvironment}");
        }

        var recorded = testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        if (!string.IsNullOrEmpty(recorded))
        {
            if (File.Exists(recorded))
            {
                return recorded;
            }

            tried.Add(recorded);
        }

        var configuration = testAssembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var relative = System.IO.Path.Combine("src", "Nodes", "TelemetryCluster.Node", "bin", configuration, framework, FileName);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        tried.Add($"<ancestor of {AppContext.BaseDirectory}>/{relative}");
        throw new FileNotFoundException(
            $"{FileName} not found; build src/Nodes/TelemetryCluster.Node (tried: {string.Join("; ", tried)})");
    }

    private static string LocateDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath
            && System.IO.Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return "dotnet";
    }
}
