namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>
/// Paths in the repository checkout the tests run from: the first ancestor of the test output that holds both
/// <c>hocon/application.conf</c> and <c>tests/clients/js/package.json</c> (the output folder itself has a copy of
/// hocon/, so one marker alone would stop too early).
/// </summary>
internal static class SdkRepo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>The default configuration the node ships with.</summary>
    public static string ApplicationConf => Path.Combine(Root, "hocon", "application.conf");

    /// <summary>The OpenTelemetry JS SDK client (tests/clients/js, see its README.md).</summary>
    public static string JsClient => Path.Combine(Root, "tests", "clients", "js");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "hocon", "application.conf"))
                && File.Exists(Path.Combine(dir.FullName, "tests", "clients", "js", "package.json")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"no repository root (a folder with hocon/application.conf and tests/clients/js/package.json) above {AppContext.BaseDirectory}; "
            + "run the tests from a checkout of the repository");
    }
}
