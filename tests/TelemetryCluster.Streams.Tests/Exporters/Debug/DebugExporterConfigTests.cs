using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Exporters.Debug;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Debug;

public sealed class DebugExporterConfigTests
{
    private static readonly DebugExporterFactory Factory = new();

    private static string Defaults => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    [Fact]
    public void Factory_describes_the_collector_debug_exporter()
    {
        Assert.Equal("debug", Factory.Type);
        Assert.Equal(["logging"], Factory.Aliases);
        Assert.Equal(ComponentKind.Exporter, Factory.Kind);
        Assert.Equal(Stability.Development, Factory.Stability);
        Assert.Equal(3, Factory.Signals.Count);
        Assert.All([Signal.Traces, Signal.Metrics, Signal.Logs], s => Assert.Equal(Stability.Development, Factory.Signals[s]));
    }

    [Fact]
    public void Defaults_are_embedded_and_match_the_collector()
    {
        var errors = new ConfigErrors();
        var config = Bind(string.Empty, errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal(DebugExporterConfig.Default, config);
        Assert.Equal(new DebugExporterConfig(DebugVerbosity.Basic, 2, 1, true), config);
    }

    [Theory]
    [InlineData("verbosity = detailed", "Detailed")]
    [InlineData("verbosity = normal", "Normal")]
    [InlineData("verbosity = Basic", "Basic")]
    public void Reads_verbosity(string hocon, string expected)
    {
        var errors = new ConfigErrors();
        Assert.Equal(Enum.Parse<DebugVerbosity>(expected), Bind(hocon, errors).Verbosity);
        Assert.False(errors.HasErrors);
    }

    [Fact]
    public void Reads_sampling_and_logger_settings()
    {
        var errors = new ConfigErrors();
        var config = Bind("sampling_initial = 5\nsampling_thereafter = 200\nuse_internal_logger = false", errors);

        Assert.False(errors.HasErrors);
        Assert.Equal(new DebugExporterConfig(DebugVerbosity.Basic, 5, 200, false), config);
    }

    [Fact]
    public void Reports_bad_values_with_their_paths()
    {
        var errors = new ConfigErrors();
        Bind("verbosity = loud\nsampling_initial = -1\nsampling_thereafter = -5", errors);

        var paths = errors.Items.Select(e => e.Path).ToList();
        Assert.Contains("exporters.debug.verbosity", paths);
        Assert.Contains("exporters.debug.sampling_initial", paths);
        Assert.Contains("exporters.debug.sampling_thereafter", paths);
    }

    [Fact]
    public void Readme_example_parses_and_uses_only_known_keys()
    {
        var example = ReadmeHocon.Parse(ReadmeHocon.FirstBlock(Path.Combine("Exporters", "Debug")));
        var defaults = ReadmeHocon.Parse(Defaults);
        var exporters = example.GetObject().Items["exporters"].GetObject().Items;

        Assert.NotEmpty(exporters);
        foreach (var (id, section) in exporters)
        {
            Assert.True(ComponentId.TryParse(id, out var componentId, out _));
            Assert.Contains(componentId.Type, new[] { "debug", "logging" });
            Assert.Empty(ReadmeHocon.UnknownKeys(section, defaults));

            var errors = new ConfigErrors();
            var user = new Akka.Configuration.Config(new HoconRoot(section));
            var merged = user.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(Defaults));
            Factory.CreateConfig(new ComponentConfigReader(merged, user, $"exporters.{id}", errors));
            Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        }
    }

    private static DebugExporterConfig Bind(string hocon, ConfigErrors errors) =>
        (DebugExporterConfig)Factory.CreateConfig(ComponentConfigReader.Create(hocon, Defaults, "exporters.debug", errors));
}
