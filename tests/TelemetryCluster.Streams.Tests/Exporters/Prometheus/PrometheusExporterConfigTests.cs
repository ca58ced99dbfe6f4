using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Exporters.Prometheus;
using TelemetryCluster.Streams.Tests.Exporters.Debug;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

public sealed class PrometheusExporterConfigTests
{
    private static readonly PrometheusExporterFactory Factory = new();

    private static string Defaults => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    [Fact]
    public void Factory_describes_the_collector_prometheus_exporter()
    {
        Assert.Equal("prometheus", Factory.Type);
        Assert.Equal(ComponentKind.Exporter, Factory.Kind);
        Assert.Equal([Signal.Metrics], Factory.Signals.Keys);
        Assert.Contains(BuiltinComponents.All, f => f is PrometheusExporterFactory);
    }

    [Fact]
    public void Defaults_match_the_collector()
    {
        var errors = new ConfigErrors();
        var config = Bind("endpoint = \"0.0.0.0:8889\"", errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal("0.0.0.0", config.Endpoint.Host);
        Assert.Equal(8889, config.Endpoint.Port);
        Assert.Equal(string.Empty, config.Namespace);
        Assert.Empty(config.ConstLabels);
        Assert.False(config.SendTimestamps);
        Assert.Equal(TimeSpan.FromMinutes(5), config.MetricExpiration);
        Assert.False(config.ResourceToTelemetryConversion);
        Assert.False(config.EnableOpenMetrics);
        Assert.False(config.WithoutScopeInfo);
        Assert.True(config.AddMetricSuffixes);
        Assert.Null(config.Strategy);
        Assert.True(config.Suffixes);
        Assert.Null(config.Tls);
    }

    [Fact]
    public void Reads_every_key()
    {
        var errors = new ConfigErrors();
        var config = Bind(
            """
            endpoint = "127.0.0.1:9999"
            namespace = shop
            const_labels { "env.name" = prod, cluster = eu }
            send_timestamps = true
            metric_expiration = 90s
            resource_to_telemetry_conversion { enabled = true }
            enable_open_metrics = true
            without_scope_info = true
            add_metric_suffixes = false
            translation_strategy = UnderscoreEscapingWithSuffixes
            """,
            errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal(9999, config.Endpoint.Port);
        Assert.Equal("shop", config.Namespace);
        Assert.Equal([new PrometheusLabel("cluster", "eu"), new PrometheusLabel("env_name", "prod")], config.ConstLabels);
        Assert.True(config.SendTimestamps);
        Assert.Equal(TimeSpan.FromSeconds(90), config.MetricExpiration);
        Assert.True(config.ResourceToTelemetryConversion);
        Assert.True(config.EnableOpenMetrics);
        Assert.True(config.WithoutScopeInfo);
        Assert.False(config.AddMetricSuffixes);
        Assert.Equal(TranslationStrategy.UnderscoreEscapingWithSuffixes, config.Strategy);
        Assert.True(config.Suffixes, "translation_strategy wins over add_metric_suffixes");
    }

    [Fact]
    public void Add_metric_suffixes_false_turns_suffixes_off_without_a_strategy()
    {
        var errors = new ConfigErrors();
        Assert.False(Bind("endpoint = \"localhost:8889\"\nadd_metric_suffixes = false", errors).Suffixes);
        Assert.False(errors.HasErrors);
    }

    [Theory]
    [InlineData("", "exporters.prometheus.endpoint")]
    [InlineData("endpoint = \"nohost\"", "exporters.prometheus.endpoint")]
    [InlineData("endpoint = \"localhost:8889\"\ntranslation_strategy = UnderscoreEscaping", "exporters.prometheus.translation_strategy")]
    [InlineData("endpoint = \"localhost:8889\"\nmetric_expiration = 0s", "exporters.prometheus.metric_expiration")]
    [InlineData("endpoint = \"localhost:8889\"\nsend_timestamps = maybe", "exporters.prometheus.send_timestamps")]
    [InlineData("endpoint = \"localhost:8889\"\ntls { cert_file = /nonexistent.pem, key_file = /nonexistent.key }", "exporters.prometheus.tls.cert_file")]
    [InlineData("endpoint = \"localhost:8889\"\nconst_labels { \"a.b\" = x, \"a-b\" = y }", "exporters.prometheus.const_labels.a-b")]
    public void Bad_values_are_errors_with_their_paths(string hocon, string path)
    {
        var errors = new ConfigErrors();
        Bind(hocon, errors);
        Assert.Contains(path, errors.Items.Select(e => e.Path));
    }

    [Fact]
    public void Readme_example_parses_and_uses_only_known_keys()
    {
        var example = ReadmeHocon.Parse(ReadmeHocon.FirstBlock(Path.Combine("Exporters", "Prometheus")));
        var defaults = ReadmeHocon.Parse(Defaults);
        var exporters = example.GetObject().Items["exporters"].GetObject().Items;

        Assert.NotEmpty(exporters);
        foreach (var (id, section) in exporters)
        {
            Assert.True(ComponentId.TryParse(id, out var componentId, out _));
            Assert.Equal("prometheus", componentId.Type);
            Assert.Empty(ReadmeHocon.UnknownKeys(section, defaults));

            var errors = new ConfigErrors();
            var user = new Akka.Configuration.Config(new HoconRoot(section));
            var merged = user.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(Defaults));
            Factory.CreateConfig(new ComponentConfigReader(merged, user, $"exporters.{id}", errors));
            Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        }
    }

    private static PrometheusExporterConfig Bind(string hocon, ConfigErrors errors) =>
        (PrometheusExporterConfig)Factory.CreateConfig(ComponentConfigReader.Create(hocon, Defaults, "exporters.prometheus", errors));
}
