using TelemetryCluster.Nodes.Cli;

namespace TelemetryCluster.Nodes.Tests.Cli;

public sealed class CommandLineTests
{
    [Fact]
    public void No_arguments_runs_with_the_default_config()
    {
        var run = Assert.IsType<RunCommand>(CommandLine.Parse([]));
        Assert.Empty(run.Config.Files);
        Assert.Empty(run.Config.Sets);
    }

    [Fact]
    public void Options_without_a_command_mean_run()
    {
        var run = Assert.IsType<RunCommand>(CommandLine.Parse(["--config", "a.conf"]));
        Assert.Equal(["a.conf"], run.Config.Files);
    }

    [Fact]
    public void Config_and_set_repeat_and_keep_their_order()
    {
        var run = Assert.IsType<RunCommand>(CommandLine.Parse(
        [
            "run", "--config", "base.conf", "--set", "processors::batch::timeout=2s", "--config=overlay.yaml",
            "--set=receivers::otlp::protocols::grpc::endpoint=0.0.0.0:4317",
        ]));
        Assert.Equal(["base.conf", "overlay.yaml"], run.Config.Files);
        Assert.Equal(["processors::batch::timeout=2s", "receivers::otlp::protocols::grpc::endpoint=0.0.0.0:4317"], run.Config.Sets);
    }

    [Fact]
    public void Set_values_may_contain_equals_signs()
    {
        var run = Assert.IsType<RunCommand>(CommandLine.Parse(["--set", "exporters::debug::verbosity=a=b"]));
        Assert.Equal(["exporters::debug::verbosity=a=b"], run.Config.Sets);
    }

    [Fact]
    public void The_collector_file_scheme_is_accepted()
    {
        var validate = Assert.IsType<ValidateCommand>(CommandLine.Parse(["validate", "--config=file:/etc/otel/config.yaml"]));
        Assert.Equal(["/etc/otel/config.yaml"], validate.Config.Files);
    }

    [Fact]
    public void Validate_takes_the_same_options_as_run()
    {
        var validate = Assert.IsType<ValidateCommand>(CommandLine.Parse(["validate", "--config", "a.conf", "--config", "b.conf", "--set", "x::y=1"]));
        Assert.Equal(["a.conf", "b.conf"], validate.Config.Files);
        Assert.Equal(["x::y=1"], validate.Config.Sets);
    }

    [Theory]
    [InlineData("components")]
    public void Components_takes_no_options(string verb)
    {
        Assert.IsType<ComponentsCommand>(CommandLine.Parse([verb]));
        Assert.IsType<UsageError>(CommandLine.Parse([verb, "--config", "a.conf"]));
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("validate", "--help")]
    [InlineData("components", "-h")]
    public void Help(params string[] args) => Assert.IsType<HelpCommand>(CommandLine.Parse(args));

    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    public void Version(params string[] args) => Assert.IsType<VersionCommand>(CommandLine.Parse(args));

    [Theory]
    [InlineData("unknown command \"serve\"", "serve")]
    [InlineData("--config needs a value", "run", "--config")]
    [InlineData("--config needs a value", "--config=")]
    [InlineData("--set needs a value", "validate", "--set")]
    [InlineData("expected KEY=VALUE", "--set", "processors::batch::timeout")]
    [InlineData("expected KEY=VALUE", "--set", "=2s")]
    [InlineData("unknown option \"--conifg\"", "--conifg", "a.conf")]
    [InlineData("unexpected argument \"a.conf\"", "run", "a.conf")]
    [InlineData("--config needs a file name", "--config", "file:")]
    public void Bad_arguments_are_usage_errors(string expected, params string[] args)
    {
        var error = Assert.IsType<UsageError>(CommandLine.Parse(args));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
