using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

/// <summary>The loader over the real builtin components, with an ADOT-style collector YAML.</summary>
public sealed class BuiltinConfigTests
{
    private const string AdotYaml = """
        extensions:
          health_check:
            endpoint: 0.0.0.0:13133
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 0.0.0.0:4317
              http:
        processors:
          batch/metrics:
            timeout: 60s
        exporters:
          logging:
            verbosity: detailed
        service:
          extensions: [health_check]
          pipelines:
            metrics:
              receivers: [otlp]
              processors: [batch/metrics]
              exporters: [logging]
            traces:
              receivers: [otlp]
              exporters: [logging]
        """;

    [Fact]
    public void Adot_style_yaml_loads_with_the_builtin_components()
    {
        var spec = ConfigLoader.LoadText(AdotYaml, ComponentRegistry.Builtin(), yaml: true);
        Assert.Equal([ComponentId.Parse("otlp")], spec.Receivers.Keys);
        Assert.Equal([ComponentId.Parse("batch/metrics")], spec.Processors.Keys);
        Assert.Equal([ComponentId.Parse("logging")], spec.Exporters.Keys);
        Assert.Equal("debug", spec.Exporters[ComponentId.Parse("logging")].Factory.Type);
        Assert.Equal([ComponentId.Parse("health_check")], spec.ServiceExtensions);
        Assert.Equal(2, spec.Pipelines.Count);
        Assert.Contains(spec.Warnings, w => w.StartsWith("exporters.logging: exporter type \"logging\" is deprecated", StringComparison.Ordinal));
    }

    [Fact]
    public void Builtin_components_report_unknown_keys_with_their_full_path()
    {
        var yaml = AdotYaml.Replace("endpoint: 0.0.0.0:4317", "endpoint: 0.0.0.0:4317\n        max_recv_msg_size: 4", StringComparison.Ordinal);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, ComponentRegistry.Builtin(), yaml: true));
        Assert.Equal(
            "receivers.otlp.protocols.grpc.max_recv_msg_size: unknown key \"max_recv_msg_size\" (did you mean \"max_recv_msg_size_mib\"?)",
            Assert.Single(e.Errors).ToString());
    }
}
