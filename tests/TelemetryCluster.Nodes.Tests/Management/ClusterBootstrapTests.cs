using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Management.Cluster.Bootstrap;
using TelemetryCluster.Nodes.Discovery;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Testing;
using AkkaDiscovery = Akka.Discovery;

namespace TelemetryCluster.Nodes.Tests.Management;

/// <summary>Akka Cluster Bootstrap through our management endpoint (no Akka.Management HTTP server) and our DNS discovery.</summary>
public sealed class ClusterBootstrapTests
{
    [Fact]
    public async Task Two_nodes_form_one_cluster_through_bootstrap_with_config_discovery()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = FreePorts.Take(2);
        string Config(int port) => ManagementTestNode.Config(
            $$"""
            cluster.bootstrap {
              enabled = true
              discovery = config
              config-endpoints = ["127.0.0.1:{{ports[0]}}", "127.0.0.1:{{ports[1]}}"]
              required-contact-points = 2
              stable-margin = 1s
            }
            """,
            managementPort: port);

        var clock = Stopwatch.StartNew();
        var starting = ports.Select(port => ManagementTestNode.StartAsync(Config(port), ct)).ToList();
        await Task.WhenAll(starting.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        var nodes = starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
        try
        {
            Assert.Equal(2, nodes.Count);
            var (first, second) = (nodes[0], nodes[1]);
            Assert.Equal(new Uri($"http://127.0.0.1:{ports[0]}/"), first.Endpoint.SelfContactPoint);
            Assert.Equal(new Uri($"http://127.0.0.1:{ports[1]}/"), second.Endpoint.SelfContactPoint);

            await ManagementTestNode.WaitUntilAsync(() => first.UpMembers == 2 && second.UpMembers == 2, "a two-node cluster formed by bootstrap", ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"bootstrap formed the cluster in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(first.Cluster.State.Leader, second.Cluster.State.Leader);

            var members = await second.GetJsonAsync("/cluster/members", ct);
            Assert.Equal(2, members.GetProperty("members").GetArrayLength());
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public void The_internal_SetSelfContactPoint_that_bootstrap_without_AkkaManagement_needs_still_exists()
    {
        var method = ClusterBootstrapper.SetSelfContactPointMethod();

        Assert.Equal(typeof(ClusterBootstrap), method.DeclaringType);
        Assert.Equal(typeof(void), method.ReturnType);
        Assert.Equal([typeof(Uri)], method.GetParameters().Select(p => p.ParameterType));
    }

    [Fact]
    public async Task Setting_the_self_contact_point_by_reflection_completes_what_bootstrap_awaits()
    {
        using var system = ActorSystem.Create("bootstrap-reflection", "akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING");
        var bootstrap = ClusterBootstrap.Get(system);
        var uri = new Uri("http://10.0.0.7:8558/");

        ClusterBootstrapper.SetSelfContactPointMethod().Invoke(bootstrap, [uri]);

        // The join decider reads the (internal) SelfContactPoint task to recognise this node among the contact points.
        var property = typeof(ClusterBootstrap).GetProperty("SelfContactPoint", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(property);
        var task = Assert.IsType<Task<Uri>>(property.GetValue(bootstrap), exactMatch: false);
        Assert.Equal(uri, await task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        await system.Terminate();
    }

    [Fact]
    public async Task Dns_discovery_returns_every_address_once_on_the_contact_point_port()
    {
        var discovery = new DnsServiceDiscovery(8558, (name, _) =>
        {
            Assert.Equal("telemetry-cluster-headless.default.svc.cluster.local", name);
            return Task.FromResult(new[]
            {
                IPAddress.Parse("10.0.0.12"),
                IPAddress.Parse("10.0.0.3"),
                IPAddress.Parse("10.0.0.3").MapToIPv6(),
                IPAddress.Parse("fd00::5"),
            });
        });

        var resolved = await discovery.Lookup(new AkkaDiscovery.Lookup("telemetry-cluster-headless.default.svc.cluster.local", "management", "tcp"), TimeSpan.FromSeconds(3));

        Assert.Equal(["10.0.0.12:8558", "10.0.0.3:8558", "fd00::5:8558"], resolved.Addresses.Select(t => $"{t.Host}:{t.Port}"));
        Assert.All(resolved.Addresses, t => Assert.Equal(t.Host, t.Address.ToString()));
    }

    [Fact]
    public async Task Dns_discovery_of_a_name_without_records_is_empty_not_a_failure()
    {
        var discovery = new DnsServiceDiscovery(8558, (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)));

        var resolved = await discovery.Lookup(new AkkaDiscovery.Lookup("nobody-here"), TimeSpan.FromSeconds(3));

        Assert.Empty(resolved.Addresses);
    }

    [Fact]
    public async Task Dns_discovery_loads_through_akka_discovery_and_resolves_real_names()
    {
        using var system = ActorSystem.Create("dns-discovery", ConfigurationFactory.ParseString(DnsServiceDiscovery.Hocon(18558)).WithFallback("akka.loglevel = WARNING"));

        var discovery = AkkaDiscovery.Discovery.Get(system).LoadServiceDiscovery(DnsServiceDiscovery.MethodName);
        var resolved = await Assert.IsType<DnsServiceDiscovery>(discovery).Lookup(new AkkaDiscovery.Lookup("localhost"), TimeSpan.FromSeconds(5));

        Assert.Contains(resolved.Addresses, t => t.Host == "127.0.0.1" && t.Port == 18558);
        await system.Terminate();
    }

    [Fact]
    public void The_self_contact_point_uses_the_advertised_host_when_the_endpoint_listens_everywhere()
    {
        var settings = NodeSettings.FromConfig(ConfigurationFactory.ParseString("""
            cluster {
              hostname = "0.0.0.0"
              public-hostname = "10.1.2.3"
              management.endpoint = "0.0.0.0:8558"
              bootstrap { enabled = true, service-name = "svc" }
            }
            """), TimeSpan.FromSeconds(20));
        Assert.True(settings.UsesBootstrap);
        Assert.False(settings.SelfJoin);
        Assert.Equal(new Uri("http://10.1.2.3:8558/"), ManagementEndpoint.ContactPointFor(settings, 8558));

        var ipv6 = settings with { Management = settings.Management with { Host = "fd00::7" } };
        Assert.Equal(new Uri("http://[fd00::7]:8558/"), ManagementEndpoint.ContactPointFor(ipv6, 8558));

        var nowhere = settings with { PublicHostname = null };
        Assert.Throws<InvalidOperationException>(() => ManagementEndpoint.ContactPointFor(nowhere, 8558));
    }

    [Fact]
    public void Static_seed_nodes_win_over_bootstrap()
    {
        var settings = NodeSettings.FromConfig(ConfigurationFactory.ParseString("""
            cluster {
              seed-nodes = ["10.0.0.1:4053"]
              bootstrap { enabled = true, discovery = config, config-endpoints = ["10.0.0.1:8558"] }
            }
            """), TimeSpan.FromSeconds(20));

        Assert.False(settings.UsesBootstrap);
        Assert.False(settings.SelfJoin);
    }

    [Fact]
    public void Bootstrap_settings_reach_the_akka_configuration()
    {
        var settings = NodeSettings.FromConfig(ConfigLoader.Reference(), TimeSpan.FromSeconds(20)) with
        {
            Bootstrap = BootstrapSettings.Disabled with { Enabled = true, ServiceName = "svc.ns.svc.cluster.local", RequiredContactPoints = 3, StableMargin = TimeSpan.FromSeconds(7) },
        };
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(services, "test");

        builder.WithTelemetryClusterBootstrap(settings.Bootstrap);
        var config = builder.Configuration.Value;

        Assert.Equal("svc.ns.svc.cluster.local", config.GetString("akka.management.cluster.bootstrap.contact-point-discovery.service-name"));
        Assert.Equal(DnsServiceDiscovery.MethodName, config.GetString("akka.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        Assert.Equal(3, config.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("akka.management.cluster.bootstrap.contact-point-discovery.stable-margin"));
        Assert.Equal(8558, config.GetInt("akka.management.cluster.bootstrap.contact-point.fallback-port"));
        Assert.Equal(8558, config.GetInt($"akka.discovery.{DnsServiceDiscovery.MethodName}.port"));
        Assert.StartsWith(typeof(DnsServiceDiscovery).FullName!, config.GetString($"akka.discovery.{DnsServiceDiscovery.MethodName}.class"), StringComparison.Ordinal);
        Assert.False(
            config.HasPath("akka.extensions") && config.GetStringList("akka.extensions").Any(e => e.Contains("ClusterBootstrap", StringComparison.Ordinal)),
            "bootstrap must not auto-start (that starts Akka.Management's HTTP server)");
    }
}
