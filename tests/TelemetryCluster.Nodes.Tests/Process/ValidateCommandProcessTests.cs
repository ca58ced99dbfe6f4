using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Process;

/// <summary><c>telemetry-cluster validate</c> and <c>components</c> as real processes.</summary>
public sealed class ValidateCommandProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Examples => TestFiles.NamesIn(TestFiles.Examples);

    public static TheoryData<string> BrokenConfigs => TestFiles.NamesIn(TestFiles.BrokenConfigs);

    [Fact]
    public async Task The_default_config_is_valid()
    {
        // No --config: hocon/application.conf next to the executable.
        var (exitCode, node) = await RunAsync("validate");
        Assert.True(exitCode == 0, node.Describe());
        Assert.Contains(node.Lines, l => l.Text == "configuration is valid");
    }

    [Fact]
    public async Task The_default_config_is_valid_when_named_explicitly_with_overrides()
    {
        var (exitCode, node) = await RunAsync(
            "validate", "--config", TestFiles.ApplicationConf,
            "--set", "processors::batch::timeout=2s",
            "--set", "receivers::otlp::protocols::grpc::endpoint=127.0.0.1:0");
        Assert.True(exitCode == 0, node.Describe());
    }

    [Fact]
    public void There_are_examples_and_broken_configs()
    {
        Assert.True(Examples.Count >= 3, "hocon/examples should hold at least otlp-debug.conf, adot-style.yaml and delivery-exported.conf");
        Assert.True(BrokenConfigs.Count >= 10);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_is_valid(string example)
    {
        var (exitCode, node) = await RunAsync("validate", "--config", Path.Combine(TestFiles.Examples, example));
        Assert.True(exitCode == 0, node.Describe());
        Assert.Contains(node.Lines, l => l.Text == "configuration is valid");
    }

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public async Task Every_broken_config_fails_naming_the_offending_path(string broken)
    {
        var file = Path.Combine(TestFiles.BrokenConfigs, broken);
        var expectations = File.ReadLines(file)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("# expect:", StringComparison.Ordinal))
            .Select(l => l["# expect:".Length..].Trim())
            .ToList();
        Assert.NotEmpty(expectations);

        var (exitCode, node) = await RunAsync("validate", "--config", file);
        Assert.True(exitCode == 1, node.Describe());
        var errors = node.Lines.Where(l => l.Stream == OutputStream.Stderr).Select(l => l.Text).ToList();
        Assert.StartsWith("configuration is invalid", errors.FirstOrDefault() ?? string.Empty, StringComparison.Ordinal);
        foreach (var expected in expectations)
        {
            Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"expected \"{expected}\" in the errors.\n{node.Describe()}");
        }

        Assert.DoesNotContain(node.Lines, l => l.Text == "configuration is valid");
    }

    [Fact]
    public async Task A_missing_file_is_an_error_naming_the_file()
    {
        var missing = Path.Combine(AppContext.BaseDirectory, "does-not-exist.conf");
        var (exitCode, node) = await RunAsync("validate", "--config", missing);
        Assert.True(exitCode == 1, node.Describe());
        Assert.Contains(node.Lines, l => l.Stream == OutputStream.Stderr && l.Text.Contains("does-not-exist.conf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_command_line_exits_2_with_usage_help()
    {
        var (exitCode, node) = await RunAsync("validate", "--conifg", "x.conf");
        Assert.True(exitCode == 2, node.Describe());
        Assert.Contains(node.Lines, l => l.Stream == OutputStream.Stderr && l.Text.Contains("unknown option \"--conifg\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Components_lists_every_builtin_type()
    {
        var (exitCode, node) = await RunAsync("components");
        Assert.True(exitCode == 0, node.Describe());
        var text = node.Output;
        foreach (var name in new[] { "otlp", "batch", "debug", "health_check" })
        {
            Assert.Contains($"  - name: {name}", text, StringComparison.Ordinal);
        }

        Assert.Contains("aliases: [logging]", text, StringComparison.Ordinal);
        Assert.Contains("      metrics: ", text, StringComparison.Ordinal);
        Assert.Contains("      extension: ", text, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, NodeProcess Node)> RunAsync(params string[] args)
    {
        var node = NodeProcess.StartNode(args);
        try
        {
            var exitCode = await node.WaitForExitAsync(Timeout, TestContext.Current.CancellationToken);
            return (exitCode, node);
        }
        finally
        {
            node.Dispose();
        }
    }
}
