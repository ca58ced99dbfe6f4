using TelemetryCluster.Nodes.Cli;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Cli;

/// <summary>The commands in-process (the same commands run as processes in ValidateCommandProcessTests).</summary>
public sealed class NodeProgramTests
{
    [Fact]
    public async Task Validate_prints_every_error_with_its_path_one_per_line()
    {
        var (exitCode, output, error) = await RunAsync("validate", "--config", Path.Combine(TestFiles.BrokenConfigs, "many-errors.conf"));
        Assert.Equal(NodeProgram.Failure, exitCode);
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^configuration is invalid \(\d+ errors\):$", lines[0]);
        Assert.True(lines.Length >= 5, error);
        Assert.All(lines.Skip(1), line => Assert.Matches(@"^  [^ :]+: .+", line));
    }

    [Fact]
    public async Task Validate_reports_warnings_of_a_valid_config()
    {
        var dir = Directory.CreateTempSubdirectory("tc-validate-");
        try
        {
            var file = Path.Combine(dir.FullName, "warn.conf");
            await File.WriteAllTextAsync(file, """
                receivers { otlp { protocols { grpc { endpoint = "${env:TC_TEST_UNSET_VARIABLE:-localhost:4317}" } } } }
                exporters { debug { verbosity = "${env:TC_TEST_UNSET_VERBOSITY}" } }
                service.pipelines.traces { receivers = [otlp], exporters = [debug] }
                """, TestContext.Current.CancellationToken);
            var (exitCode, output, error) = await RunAsync("validate", "--config", file);

            // An unset variable without a default expands to "" (as in the collector), which debug rejects;
            // either way the command must not crash and must say why.
            Assert.True(exitCode is NodeProgram.Success or NodeProgram.Failure, error);
            Assert.True(output.Length + error.Length > 0);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Components_lists_the_registry_per_kind()
    {
        var (exitCode, output, _) = await RunAsync("components");
        Assert.Equal(NodeProgram.Success, exitCode);
        Assert.StartsWith("receivers:", output, StringComparison.Ordinal);
        foreach (var factory in ComponentRegistry.Builtin().All)
        {
            Assert.Contains($"  - name: {factory.Type}", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Components_printer_shows_aliases_and_stability_per_signal()
    {
        using var writer = new StringWriter();
        ComponentsPrinter.Print(
        [
            new FakeFactory("debug", ComponentKind.Exporter, ["logging"], new() { [Signal.Traces] = Stability.Development, [Signal.Logs] = Stability.Beta }, Stability.Development),
            new FakeFactory("health_check", ComponentKind.Extension, [], [], Stability.Beta),
        ], writer);
        Assert.Equal(
            """
            receivers:
              []
            processors:
              []
            exporters:
              - name: debug
                aliases: [logging]
                stability:
                  traces: Development
                  logs: Beta
            extensions:
              - name: health_check
                aliases: []
                stability:
                  extension: Beta

            """.ReplaceLineEndings(Environment.NewLine),
            writer.ToString());
    }

    [Fact]
    public async Task Help_and_version_exit_0()
    {
        var (helpCode, help, _) = await RunAsync("--help");
        Assert.Equal(0, helpCode);
        Assert.Contains("Usage: telemetry-cluster", help, StringComparison.Ordinal);
        var (versionCode, version, _) = await RunAsync("version");
        Assert.Equal(0, versionCode);
        Assert.StartsWith("telemetry-cluster ", version, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_config_is_found_next_to_the_binary_or_above_the_working_directory()
    {
        Assert.Equal(TestFiles.ApplicationConf, DefaultConfig.Locate(AppContext.BaseDirectory, "/"));
        var nested = Path.Combine(AppContext.BaseDirectory, "hocon", "examples");
        Assert.Equal(TestFiles.ApplicationConf, DefaultConfig.Locate("/nonexistent-dir", nested));
        Assert.Null(DefaultConfig.Locate("/nonexistent-dir", "/nonexistent-dir"));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await new NodeProgram(output, error, _ => null).RunAsync(args, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    private sealed record FakeFactory(
        string Type,
        ComponentKind Kind,
        IReadOnlyList<string> Aliases,
        Dictionary<Signal, Stability> SignalTable,
        Stability Stability) : IComponentFactory
    {
        public IReadOnlyDictionary<Signal, Stability> Signals => SignalTable;

        public string DefaultsResource => string.Empty;

        public object CreateConfig(Streams.Config.ComponentConfigReader reader) => new();
    }
}
