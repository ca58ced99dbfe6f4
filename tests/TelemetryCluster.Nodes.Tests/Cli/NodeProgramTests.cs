using Microsoft.Extensions.Logging;
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
    public async Task Validate_prints_the_warnings_of_a_valid_config()
    {
        // The ADOT-style example uses the deprecated `logging` exporter name.
        var (exitCode, output, error) = await RunAsync("validate", "--config", Path.Combine(TestFiles.Examples, "adot-style.yaml"));
        Assert.Equal(NodeProgram.Success, exitCode);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("configuration is valid", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("warning: ", StringComparison.Ordinal) && l.Contains("logging", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("fatal", LogLevel.Critical)]
    [InlineData(null, LogLevel.Information)]
    public void Collector_log_levels_map_to_logging_levels(string? level, LogLevel expected) =>
        Assert.Equal(expected, NodeLogging.Parse(level));

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
