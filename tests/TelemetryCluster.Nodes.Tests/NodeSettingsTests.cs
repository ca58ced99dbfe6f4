using Akka.Configuration;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Tests;

public sealed class NodeSettingsTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(20);

    [Fact]
    public void Reference_defaults_make_a_one_node_cluster_on_loopback()
    {
        var settings = NodeSettings.FromConfig(ConfigLoader.Reference(), Drain);
        Assert.Equal("127.0.0.1", settings.Hostname);
        Assert.Equal(4053, settings.Port);
        Assert.Empty(settings.SeedNodes);
        Assert.True(settings.SelfJoin);
        Assert.Equal(Drain, settings.DrainTimeout);
        Assert.Null(settings.PublicHostname);
        Assert.Null(settings.PublicPort);
    }

    [Fact]
    public void Missing_cluster_block_uses_the_node_defaults()
    {
        var settings = NodeSettings.FromConfig(ConfigurationFactory.Empty, Drain);
        Assert.Equal(NodeSettings.DefaultHostname, settings.Hostname);
        Assert.Equal(NodeSettings.DefaultPort, settings.Port);
        Assert.True(settings.Akka.IsEmpty);
    }

    [Fact]
    public void Reads_hostname_port_and_seeds()
    {
        var settings = NodeSettings.FromConfig(ConfigurationFactory.ParseString("""
            cluster {
              hostname = "10.1.2.3"
              port = 0
              seed-nodes = ["akka.tcp://telemetry-cluster@10.1.2.4:4053", "10.1.2.5:4053"]
            }
            """), Drain);
        Assert.Equal("10.1.2.3", settings.Hostname);
        Assert.Equal(0, settings.Port);
        Assert.Equal(["akka.tcp://telemetry-cluster@10.1.2.4:4053", "akka.tcp://telemetry-cluster@10.1.2.5:4053"], settings.SeedNodes);
        Assert.False(settings.SelfJoin);
    }

    [Fact]
    public void A_port_from_set_arrives_as_text_and_is_accepted()
    {
        var settings = NodeSettings.FromConfig(ConfigurationFactory.ParseString("cluster.port = \"24053\""), Drain);
        Assert.Equal(24053, settings.Port);
    }

    [Fact]
    public void Every_bad_cluster_value_is_reported_with_its_path()
    {
        var error = Assert.Throws<ConfigException>(() => NodeSettings.FromConfig(ConfigurationFactory.ParseString("""
            cluster {
              port = 70000
              seed-nodes = ["akka.tcp://other-system@10.0.0.1:4053", "no-port", ""]
            }
            """), Drain));
        var paths = error.Errors.Select(e => e.Path).ToList();
        Assert.Equal(["cluster.port", "cluster.seed-nodes[0]", "cluster.seed-nodes[1]", "cluster.seed-nodes[2]"], paths);
        Assert.Contains("other-system", error.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_akka_block_is_kept_rooted_at_akka_and_nothing_else()
    {
        var settings = NodeSettings.FromConfig(ConfigurationFactory.ParseString("""
            akka.actor.serialize-messages = on
            akka.cluster.split-brain-resolver.stable-after = 7s
            receivers { otlp {} }
            """), Drain);
        Assert.True(settings.Akka.GetBoolean("akka.actor.serialize-messages"));
        Assert.Equal(TimeSpan.FromSeconds(7), settings.Akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.False(settings.Akka.HasPath("receivers"));
    }

    [Theory]
    [InlineData("10.0.0.1:4053", "akka.tcp://telemetry-cluster@10.0.0.1:4053")]
    [InlineData(" node-0.nodes.svc:4053 ", "akka.tcp://telemetry-cluster@node-0.nodes.svc:4053")]
    [InlineData("akka.tcp://telemetry-cluster@10.0.0.1:4053", "akka.tcp://telemetry-cluster@10.0.0.1:4053")]
    public void Seeds_may_be_addresses_or_host_port(string text, string expected)
    {
        Assert.True(NodeSettings.TryNormalizeSeed(text, out var seed, out _));
        Assert.Equal(expected, seed);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1:")]
    [InlineData("10.0.0.1:99999")]
    [InlineData("http://10.0.0.1:4053")]
    [InlineData("akka.tcp://10.0.0.1:4053")]
    public void Bad_seeds_are_rejected(string text) => Assert.False(NodeSettings.TryNormalizeSeed(text, out _, out _));
}
