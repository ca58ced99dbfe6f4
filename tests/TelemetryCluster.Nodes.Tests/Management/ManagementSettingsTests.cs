using Akka.Configuration;
using TelemetryCluster.Nodes.Discovery;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Nodes.Tests.Hosting;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Tests.Management;

/// <summary>The <c>cluster.management</c>, <c>cluster.bootstrap</c> and <c>cluster.metrics-view</c> keys.</summary>
public sealed class ManagementSettingsTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(20);

    private static NodeSettings Read(string hocon) =>
        NodeSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(ConfigLoader.Reference()), Drain);

    private static IReadOnlyList<string> ErrorPaths(string hocon) =>
        Assert.Throws<ConfigException>(() => Read(hocon)).Errors.Select(e => e.Path).ToList();

    [Fact]
    public void Reference_defaults_serve_management_on_the_node_address_and_leave_bootstrap_off()
    {
        var settings = NodeSettings.FromConfig(ConfigLoader.Reference(), Drain);

        Assert.True(settings.Management.Enabled);
        Assert.Equal("127.0.0.1:8558", settings.Management.Endpoint);
        Assert.False(settings.Bootstrap.Enabled);
        Assert.False(settings.UsesBootstrap);
        Assert.True(settings.SelfJoin);
        Assert.Equal(BootstrapDiscovery.Dns, settings.Bootstrap.Discovery);
        Assert.Equal(2, settings.Bootstrap.RequiredContactPoints);
        Assert.Equal(8558, settings.Bootstrap.ContactPointPort);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Bootstrap.StableMargin);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.MetricsView.ReportInterval);
    }

    [Fact]
    public void The_endpoint_defaults_to_the_public_hostname_and_may_be_set()
    {
        Assert.Equal("10.0.0.9:8558", Read("cluster { hostname = \"0.0.0.0\", public-hostname = \"10.0.0.9\" }").Management.Endpoint);
        var set = Read("cluster.management.endpoint = \"[::1]:9558\"").Management;
        Assert.Equal("::1", set.Host);
        Assert.Equal(9558, set.Port);
        Assert.Equal("[::1]:9558", set.Endpoint);
        Assert.False(Read("cluster.management.enabled = \"false\"").Management.Enabled);
    }

    [Fact]
    public void The_token_comes_from_the_config_else_from_the_environment_and_is_never_printed()
    {
        var errors = new ConfigErrors();
        var environment = new Dictionary<string, string?> { [ManagementSettings.TokenEnvironmentVariable] = "from-env" };

        var fromEnv = ManagementSettings.Read(ConfigLoader.Reference(), "127.0.0.1", name => environment.GetValueOrDefault(name), errors);
        var fromConfig = ManagementSettings.Read(
            ConfigurationFactory.ParseString("cluster.management.token = from-config").WithFallback(ConfigLoader.Reference()), "127.0.0.1", name => environment.GetValueOrDefault(name), errors);
        var none = ManagementSettings.Read(ConfigLoader.Reference(), "127.0.0.1", _ => null, errors);

        Assert.False(errors.HasErrors);
        Assert.Equal("from-env", fromEnv.Token);
        Assert.Equal("from-config", fromConfig.Token);
        Assert.Null(none.Token);
        Assert.DoesNotContain("from-config", fromConfig.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_value_is_reported_with_its_path()
    {
        var paths = ErrorPaths("""
            cluster {
              management { endpoint = "nowhere", enabled = maybe }
              bootstrap {
                discovery = kubernetes
                required-contact-points = 0
                contact-point-port = 70000
                stable-margin = soon
                config-endpoints = ["10.0.0.1:8558", "no-port"]
              }
              metrics-view.report-interval = 1ms
            }
            """);

        Assert.Equal(
            [
                "cluster.management.enabled", "cluster.management.endpoint", "cluster.bootstrap.discovery", "cluster.bootstrap.config-endpoints[1]",
                "cluster.bootstrap.required-contact-points", "cluster.bootstrap.contact-point-port", "cluster.bootstrap.stable-margin",
                "cluster.metrics-view.report-interval",
            ],
            paths);
    }

    [Fact]
    public void Enabled_bootstrap_checks_what_it_needs()
    {
        Assert.Equal(["cluster.bootstrap.service-name"], ErrorPaths("cluster.bootstrap.enabled = on"));
        Assert.Equal(
            ["cluster.bootstrap.contact-point-port"],
            ErrorPaths("cluster.bootstrap { enabled = on, service-name = svc }\ncluster.management.endpoint = \"0.0.0.0:9000\""));
        Assert.Equal(["cluster.bootstrap.config-endpoints"], ErrorPaths("cluster.bootstrap { enabled = on, discovery = config }"));
        Assert.Equal(
            ["cluster.bootstrap.enabled"],
            ErrorPaths("cluster.bootstrap { enabled = on, service-name = svc }\ncluster.management.enabled = off"));
        Assert.Equal(
            ["cluster.management.endpoint"],
            ErrorPaths("cluster.bootstrap { enabled = on, discovery = config, config-endpoints = [\"a:1\"] }\ncluster.management.endpoint = \"127.0.0.1:0\""));

        var ok = Read("cluster.bootstrap { enabled = on, discovery = config, config-endpoints = [\"127.0.0.1:8558\", \"127.0.0.1:8559\"] }");
        Assert.True(ok.UsesBootstrap);
        Assert.Equal(NodeSettings.SystemName, ok.Bootstrap.EffectiveServiceName);
        Assert.Equal(["127.0.0.1:8558", "127.0.0.1:8559"], ok.Bootstrap.ConfigEndpoints);
    }

    [Fact]
    public void The_keys_are_part_of_the_cluster_schema()
    {
        var components = new TestComponents();
        var spec = ConfigLoader.LoadText("""
            cluster {
              management { enabled = true, endpoint = "0.0.0.0:8558", token = "t" }
              bootstrap {
                enabled = false
                service-name = "svc"
                discovery = config
                required-contact-points = 3
                contact-point-port = 8558
                stable-margin = 2s
                config-endpoints = ["127.0.0.1:8558"]
              }
              metrics-view.report-interval = 1s
            }
            receivers { testin {} }
            exporters { record {} }
            service.pipelines.metrics { receivers = [testin], exporters = [record] }
            """, components.Registry);
        Assert.Equal("0.0.0.0:8558", NodeSettings.FromSpec(spec).Management.Endpoint);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText("""
            cluster.management.tokn = "t"
            receivers { testin {} }
            exporters { record {} }
            service.pipelines.metrics { receivers = [testin], exporters = [record] }
            """, components.Registry));
        Assert.Contains(error.Errors, e => e.Path == "cluster.management.tokn");
    }
}
