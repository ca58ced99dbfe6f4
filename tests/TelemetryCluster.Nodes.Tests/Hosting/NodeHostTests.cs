using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Hosting;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Hosting;

/// <summary>The node wiring in-process: Akka.Hosting, cluster membership, pipeline start, drain in CoordinatedShutdown.</summary>
public sealed class NodeHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string Config(string extra = "") => $$"""
        cluster {
          port = 0
          drain-timeout = 10s
        }
        receivers { testin {} }
        exporters { record {} }
        service {
          pipelines {
            metrics { receivers = [testin], exporters = [record] }
          }
        }
        {{extra}}
        """;

    [Fact]
    public async Task A_node_without_seeds_forms_a_one_node_cluster_and_runs_its_pipelines()
    {
        var components = new TestComponents();
        using var host = Build(Config(), components);
        var run = NodeHost.RunAsync(host, TestContext.Current.CancellationToken);
        var consumer = await components.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var system = host.Services.GetRequiredService<ActorSystem>();
        await WaitUntil(() => Cluster.Get(system).SelfMember.Status == MemberStatus.Up);
        Assert.Equal(NodeSettings.SystemName, system.Name);
        Assert.Equal(ServiceState.Running, host.Services.GetRequiredService<ComponentStatusRegistry>().Service.State);

        var outcome = await consumer.ConsumeAsync(Batch(7), TestContext.Current.CancellationToken);
        Assert.True(outcome.IsAccepted, outcome.Reason);

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await run.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(7, components.Exporter.Items);
        Assert.True(system.WhenTerminated.IsCompleted);
        Assert.Equal(ServiceState.Stopped, host.Services.GetRequiredService<ComponentStatusRegistry>().Service.State);
    }

    [Fact]
    public async Task Stopping_drains_accepted_batches_through_the_exporters_before_the_node_leaves_the_cluster()
    {
        var components = new TestComponents();
        using var host = Build(Config("exporters.record.delay = 100ms"), components);
        var run = NodeHost.RunAsync(host, TestContext.Current.CancellationToken);
        var consumer = await components.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var system = host.Services.GetRequiredService<ActorSystem>();
        await WaitUntil(() => Cluster.Get(system).SelfMember.Status == MemberStatus.Up);

        var statusWhileExporting = new List<MemberStatus>();
        var stateWhileExporting = new List<ServiceState>();
        var registry = host.Services.GetRequiredService<ComponentStatusRegistry>();
        components.Exporter.OnExport = _ =>
        {
            lock (statusWhileExporting)
            {
                statusWhileExporting.Add(Cluster.Get(system).SelfMember.Status);
                stateWhileExporting.Add(registry.Service.State);
            }
        };

        // delivery = accepted: each batch is acknowledged once queued; the slow exporter keeps most of them queued.
        const int batches = 8;
        for (var i = 0; i < batches; i++)
        {
            var outcome = await consumer.ConsumeAsync(Batch(5), TestContext.Current.CancellationToken);
            Assert.True(outcome.IsAccepted, outcome.Reason);
        }

        Assert.True(components.Exporter.Items < batches * 5, "the exporter should still have work when the stop starts");
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await run.WaitAsync(Timeout, TestContext.Current.CancellationToken));

        Assert.Equal(batches * 5, components.Exporter.Items);
        Assert.True(components.Receiver.Stopped.Task.IsCompleted);
        Assert.True(components.Exporter.ShutDown.Task.IsCompleted);
        lock (statusWhileExporting)
        {
            // The drain ran in service-unbind: the node was still an Up member while the last batches went out.
            Assert.All(statusWhileExporting, status => Assert.Equal(MemberStatus.Up, status));
            Assert.Contains(ServiceState.Draining, stateWhileExporting);
        }
    }

    [Fact]
    public async Task Pipelines_that_fail_to_start_stop_the_node_with_exit_code_1()
    {
        var components = new TestComponents();
        using var host = Build(Config("receivers.testin.fail_on_start = true"), components);
        var exitCode = await NodeHost.RunAsync(host, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains("address already in use", host.Services.GetRequiredService<NodeLifetime>().Failure, StringComparison.Ordinal);
        var system = host.Services.GetRequiredService<ActorSystem>();
        await system.WhenTerminated.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(components.Exporter.ShutDown.Task.IsCompleted, "the exporters that did start are shut down");
    }

    [Fact]
    public async Task A_coordinated_shutdown_nobody_asked_for_drains_and_exits_with_1()
    {
        var components = new TestComponents();
        using var host = Build(Config(), components);
        var run = NodeHost.RunAsync(host, TestContext.Current.CancellationToken);
        var consumer = await components.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True((await consumer.ConsumeAsync(Batch(3), TestContext.Current.CancellationToken)).IsAccepted);

        // What happens when the split brain resolver downs this node.
        var system = host.Services.GetRequiredService<ActorSystem>();
        _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterDowningReason.Instance);

        Assert.Equal(1, await run.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(3, components.Exporter.Items);
    }

    [Fact]
    public async Task Two_nodes_form_a_cluster_through_a_seed_node_with_strict_serialization()
    {
        var first = new TestComponents();
        using var firstHost = Build(Config(), first);
        var firstRun = NodeHost.RunAsync(firstHost, TestContext.Current.CancellationToken);
        await first.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var firstSystem = firstHost.Services.GetRequiredService<ActorSystem>();
        await WaitUntil(() => Cluster.Get(firstSystem).SelfMember.Status == MemberStatus.Up);
        var seed = Cluster.Get(firstSystem).SelfAddress;
        Assert.False(firstSystem.Settings.Config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));

        var second = new TestComponents();
        using var secondHost = Build(Config($"cluster.seed-nodes = [\"{seed.Host}:{seed.Port}\"]"), second);
        var secondRun = NodeHost.RunAsync(secondHost, TestContext.Current.CancellationToken);
        await second.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var secondSystem = secondHost.Services.GetRequiredService<ActorSystem>();

        await WaitUntil(() => Cluster.Get(firstSystem).State.Members.Count(m => m.Status == MemberStatus.Up) == 2
            && Cluster.Get(secondSystem).State.Members.Count(m => m.Status == MemberStatus.Up) == 2);

        // The second node leaves gracefully; the first sees it go and keeps running.
        secondHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await secondRun.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        await WaitUntil(() => Cluster.Get(firstSystem).State.Members.Count == 1);

        firstHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await firstRun.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Local_pipeline_messages_pass_with_serialize_messages_on()
    {
        var components = new TestComponents();
        using var host = Build(Config("akka.actor.serialize-messages = on"), components);
        var run = NodeHost.RunAsync(host, TestContext.Current.CancellationToken);
        var consumer = await components.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var system = host.Services.GetRequiredService<ActorSystem>();
        Assert.True(system.Settings.SerializeAllMessages);

        // Akka's own local messages have no serializer bindings, so strict mode stays off while every message is
        // serialized.
        Assert.True(system.Settings.Config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));
        await WaitUntil(() => Cluster.Get(system).SelfMember.Status == MemberStatus.Up);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await consumer.ConsumeAsync(Batch(4), TestContext.Current.CancellationToken)).IsAccepted);
        }

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await run.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(12, components.Exporter.Items);
    }

    [Fact]
    public async Task The_users_akka_block_overrides_the_node_defaults()
    {
        var components = new TestComponents();
        using var host = Build(Config("""
            akka.actor.serialization-settings.allow-unregistered-types = true
            akka.cluster.split-brain-resolver.stable-after = 7s
            """), components);
        var run = NodeHost.RunAsync(host, TestContext.Current.CancellationToken);
        await components.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;

        Assert.True(config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));
        Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.False(config.GetBoolean("akka.actor.serialize-messages"));
        Assert.StartsWith("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"), StringComparison.Ordinal);
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(
            host.Services.GetRequiredService<ShutdownPlan>().DrainPhaseTimeout,
            config.GetTimeSpan("akka.coordinated-shutdown.phases.service-unbind.timeout"));

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await run.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void The_host_shutdown_timeout_covers_every_coordinated_shutdown_phase()
    {
        var components = new TestComponents();
        using var host = Build(Config(), components);
        var plan = host.Services.GetRequiredService<ShutdownPlan>();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value;
        Assert.Equal(plan.HostShutdownTimeout, options.ShutdownTimeout);
        Assert.True(options.ShutdownTimeout > plan.PhasesTotal);
        Assert.Equal(TimeSpan.FromSeconds(10) + ShutdownPlan.DrainGrace, plan.DrainPhaseTimeout);
    }

    [Fact]
    public void Start_failures_are_described_without_the_wrapper_exceptions()
    {
        var error = new AggregateException(new AggregateException(
            new InvalidOperationException("Failed to bind to [127.0.0.1:4053]. See InnerException for details.", new IOException("Address already in use"))));
        Assert.Equal("Failed to bind to [127.0.0.1:4053]: Address already in use", NodeHost.Describe(error));
    }

    private static IHost Build(string hocon, TestComponents components)
    {
        var spec = ConfigLoader.LoadText(hocon, components.Registry);
        var builder = NodeHost.CreateBuilder(spec);
        builder.Logging.ClearProviders();
        if (TestContext.Current.TestOutputHelper is { } output)
        {
            builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        }

        return builder.Build();
    }

    private static TelemetryBatch Batch(int points) => TelemetryBatch.Create(Otlp.Metrics(points), AckSet.Of(new Ack()));

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
