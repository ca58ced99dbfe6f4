using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.Prometheus;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

/// <summary>Binds receiver configs from HOCON over the component's embedded defaults.</summary>
internal static class PromConfig
{
    public static readonly PrometheusReceiverFactory Factory = new();

    public static string Defaults => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    public static PrometheusReceiverConfig Bind(string hocon, ConfigErrors errors) =>
        (PrometheusReceiverConfig)Factory.CreateConfig(ComponentConfigReader.Create(hocon, Defaults, "receivers.prometheus", errors));

    public static PrometheusReceiverConfig BindOk(string hocon)
    {
        var errors = new ConfigErrors();
        var config = Bind(hocon, errors);
        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        return config;
    }

    public static IReadOnlyList<string> Errors(string hocon)
    {
        var errors = new ConfigErrors();
        Bind(hocon, errors);
        return [.. errors.Items.Select(e => e.ToString())];
    }
}
