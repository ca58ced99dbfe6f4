namespace TelemetryCluster.Nodes.Cli;

/// <summary>Finds <c>hocon/application.conf</c>, the configuration used when no <c>--config</c> is given.</summary>
public static class DefaultConfig
{
    public static readonly string RelativePath = Path.Combine("hocon", "application.conf");

    /// <summary>
    /// Next to the executable first (the build copies the hocon folder there), then in the parent folders of the
    /// executable and of the working directory (a <c>dotnet run</c> from a source checkout). Null when not found.
    /// </summary>
    public static string? Locate(string baseDirectory, string currentDirectory)
    {
        foreach (var start in new[] { baseDirectory, currentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    public static string? Locate() => Locate(AppContext.BaseDirectory, Environment.CurrentDirectory);
}
