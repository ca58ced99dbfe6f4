using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Nodes.Tests.Hosting;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Partitions;

/// <summary>
/// Two in-process nodes: all data enters node 1, the pipeline partitions are spread over both nodes by sharding,
/// so both nodes' exporters export, and what they export adds up to exactly what was acknowledged — under both
/// delivery modes (cross-node parts go through the partition serializer).
/// </summary>
public sealed class PartitionFanoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    private static string Config(string delivery, string extra = "") => $$"""
        cluster {
          port = 0
          partitions = 8
          delivery = {{delivery}}
          drain-timeout = 10s
          management.enabled = false
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

    [Theory]
    [InlineData("accepted")]
    [InlineData("exported")]
    public async Task Traffic_into_one_node_is_exported_by_partitions_on_both_nodes(string delivery)
    {
        var first = new TestComponents();
        using var firstHost = Build(Config(delivery), first);
        var firstRun = NodeHost.RunAsync(firstHost, TestContext.Current.CancellationToken);
        var consumer = await first.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var firstSystem = firstHost.Services.GetRequiredService<ActorSystem>();
        var seed = Cluster.Get(firstSystem).SelfAddress;

        var second = new TestComponents();
        using var secondHost = Build(Config(delivery, $"cluster.seed-nodes = [\"{seed.Host}:{seed.Port}\"]"), second);
        var secondRun = NodeHost.RunAsync(secondHost, TestContext.Current.CancellationToken);
        await second.Receiver.Started.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await WaitUntil(() => Cluster.Get(firstSystem).State.Members.Count(m => m.Status == MemberStatus.Up) == 2);

        // Shards allocated before node 2's region registered stay on node 1 until the coordinator rebalances, so
        // keep sending (bounded in time) until both nodes have exported.
        long acknowledged = 0;
        var deadline = TimeProvider.System.GetTimestamp();
        for (var round = 0; round < 20 || first.Exporter.Items == 0 || second.Exporter.Items == 0; round++)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(deadline) < Timeout, "both nodes should export within the timeout");
            var outcome = await consumer.ConsumeAsync(Batch(round, resources: 5, points: 3), TestContext.Current.CancellationToken);
            if (outcome.IsAccepted)
            {
                acknowledged += 15;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        // Large parts (one resource, 4000 points ≈ 200 kB) cross nodes too: above remoting's default frame limit.
        for (var i = 0; i < 8; i++)
        {
            var outcome = await consumer.ConsumeAsync(Batch(10_000 + i, resources: 1, points: 4000), TestContext.Current.CancellationToken);
            Assert.True(outcome.IsAccepted, outcome.Reason);
            acknowledged += 4000;
        }

        await WaitUntil(() => first.Exporter.Items + second.Exporter.Items >= acknowledged);
        Assert.True(first.Exporter.Items > 0, "node 1 hosts some partitions");
        Assert.True(second.Exporter.Items > 0, "node 2 hosts some partitions and received parts across the network");

        secondHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await secondRun.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        firstHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Equal(0, await firstRun.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(acknowledged, first.Exporter.Items + second.Exporter.Items);
    }

    private static TelemetryBatch Batch(int round, int resources, int points)
    {
        var request = new ExportMetricsServiceRequest();
        for (var r = 0; r < resources; r++)
        {
            var gauge = new Gauge();
            for (var p = 0; p < points; p++)
            {
                gauge.DataPoints.Add(new NumberDataPoint { AsDouble = p });
            }

            request.ResourceMetrics.Add(new ResourceMetrics
            {
                Resource = new Resource { Attributes = { new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = $"i-{round}-{r}" } } } },
                ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "m", Gauge = gauge } } } },
            });
        }

        return TelemetryBatch.Create(request, AckSet.Of(new Ack()));
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
