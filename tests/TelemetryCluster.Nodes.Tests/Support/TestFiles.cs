namespace TelemetryCluster.Testing;

/// <summary>Files the test project copies to its output: the repository's hocon folder and BrokenConfigs.</summary>
public static class TestFiles
{
    public static string Hocon { get; } = Path.Combine(AppContext.BaseDirectory, "hocon");

    public static string ApplicationConf { get; } = Path.Combine(Hocon, "application.conf");

    public static string Examples { get; } = Path.Combine(Hocon, "examples");

    public static string BrokenConfigs { get; } = Path.Combine(AppContext.BaseDirectory, "BrokenConfigs");

    /// <summary>File names (not paths) in a folder, sorted, for theory data that reads well in test names.</summary>
    public static TheoryData<string> NamesIn(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            data.Add(file!);
        }

        return data;
    }
}
