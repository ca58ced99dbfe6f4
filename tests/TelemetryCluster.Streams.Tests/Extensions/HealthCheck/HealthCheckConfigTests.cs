using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Extensions.HealthCheck;
using TelemetryCluster.Streams.Tests.Exporters.Debug;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Extensions.HealthCheck;

public sealed class HealthCheckConfigTests
{
    private static readonly HealthCheckExtensionFactory Factory = new();

    private static string Defaults => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    [Fact]
    public void Factory_describes_the_collector_health_check_extension()
    {
        Assert.Equal("health_check", Factory.Type);
        Assert.Empty(Factory.Aliases);
        Assert.Equal(ComponentKind.Extension, Factory.Kind);
        Assert.Equal(Stability.Beta, Factory.Stability);
        Assert.Empty(Factory.Signals);
    }

    [Fact]
    public void Defaults_are_embedded_and_match_the_collector()
    {
        var errors = new ConfigErrors();
        var config = Bind(string.Empty, errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal(HealthCheckConfig.Default, config);
        Assert.Equal(new HealthCheckEndpoint("localhost", 13133), config.Endpoint);
        Assert.Equal("/", config.Path);
        Assert.Null(config.HealthyBody);
        Assert.Null(config.UnhealthyBody);
        Assert.Equal(new CheckCollectorPipelineConfig(false, TimeSpan.FromMinutes(5), 5), config.CheckCollectorPipeline);
        Assert.Equal(TimeSpan.FromSeconds(30), config.RecoveryDuration);
    }

    [Fact]
    public void Reads_every_setting()
    {
        var errors = new ConfigErrors();
        var config = Bind("""
            endpoint = "0.0.0.0:13134"
            path = "/health/status"
            response_body { healthy = "up", unhealthy = "down" }
            check_collector_pipeline { enabled = true, interval = "1m", exporter_failure_threshold = 3 }
            recovery_duration = 0s
            """, errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal(
            new HealthCheckConfig(
                new HealthCheckEndpoint("0.0.0.0", 13134),
                "/health/status",
                "up",
                "down",
                new CheckCollectorPipelineConfig(true, TimeSpan.FromMinutes(1), 3),
                TimeSpan.Zero),
            config);
    }

    [Theory]
    [InlineData("endpoint = \"13133\"", "health_check.endpoint")]
    [InlineData("endpoint = \"localhost:99999\"", "health_check.endpoint")]
    [InlineData("endpoint = \"::1:13133\"", "health_check.endpoint")]
    [InlineData("path = \"health\"", "health_check.path")]
    [InlineData("path = \"/status\"", "health_check.path")]
    [InlineData("path = \"/livez\"", "health_check.path")]
    [InlineData("check_collector_pipeline.interval = 0s", "health_check.check_collector_pipeline.interval")]
    [InlineData("check_collector_pipeline.exporter_failure_threshold = 0", "health_check.check_collector_pipeline.exporter_failure_threshold")]
    [InlineData("recovery_duration = -1s", "health_check.recovery_duration")]
    public void Reports_bad_values_with_their_paths(string hocon, string path)
    {
        var errors = new ConfigErrors();
        Bind(hocon, errors);

        Assert.Contains(path, errors.Items.Select(e => e.Path));
    }

    [Theory]
    [InlineData("localhost:13133", "localhost", 13133)]
    [InlineData("0.0.0.0:13133", "0.0.0.0", 13133)]
    [InlineData(":13133", "", 13133)]
    [InlineData("[::1]:0", "::1", 0)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    public void Parses_endpoints(string text, string host, int port)
    {
        Assert.True(HealthCheckEndpoint.TryParse(text, out var endpoint, out var error), error);
        Assert.Equal(new HealthCheckEndpoint(host, port), endpoint);
    }

    [Fact]
    public void Readme_example_parses_and_uses_only_known_keys()
    {
        var example = ReadmeHocon.Parse(ReadmeHocon.FirstBlock(Path.Combine("Extensions", "HealthCheck")));
        var defaults = ReadmeHocon.Parse(Defaults);
        var extensions = example.GetObject().Items["extensions"].GetObject().Items;

        Assert.NotEmpty(extensions);
        foreach (var (id, section) in extensions)
        {
            Assert.True(ComponentId.TryParse(id, out var componentId, out _));
            Assert.Equal("health_check", componentId.Type);
            Assert.Empty(ReadmeHocon.UnknownKeys(section, defaults));

            var errors = new ConfigErrors();
            var user = new Akka.Configuration.Config(new HoconRoot(section));
            var merged = user.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(Defaults));
            Factory.CreateConfig(new ComponentConfigReader(merged, user, $"extensions.{id}", errors));
            Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        }
    }

    private static HealthCheckConfig Bind(string hocon, ConfigErrors errors) =>
        (HealthCheckConfig)Factory.CreateConfig(ComponentConfigReader.Create(hocon, Defaults, "health_check", errors));
}
