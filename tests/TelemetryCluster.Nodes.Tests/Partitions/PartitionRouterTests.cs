using System.Collections.Concurrent;
using Akka.Actor;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Nodes.Partitions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using Xunit;

namespace TelemetryCluster.Nodes.Tests.Partitions;

/// <summary>
/// The receiving side's answer under <c>delivery = accepted</c> when the parts of one batch get different answers:
/// a stand-in region answers per partition, so the router is tested without a cluster.
/// </summary>
public sealed class PartitionRouterTests : IAsyncLifetime
{
    private const int Partitions = 8;
    private static readonly PipelineDefinition Pipeline = new(new PipelineId(Signal.Metrics, null), [], [], []);
    private readonly ActorSystem _system = ActorSystem.Create("router-tests");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task A_part_refused_while_the_others_were_queued_is_offered_again_and_the_batch_accepted()
    {
        var (batch, partitions) = BatchOverPartitions();
        var refused = partitions[^1];
        var region = new RegionScript(refusals: new() { [refused] = 3 });
        var router = Router(region);

        Assert.True(await router.OfferAsync(batch, TestContext.Current.CancellationToken));

        // Every part queued exactly once: the three refusals were retried by the router, not by the client.
        Assert.Equal(partitions.Order(), region.Queued.Keys.Order());
        Assert.All(region.Queued.Values, n => Assert.Equal(1, n));
        Assert.Equal(4, region.Asked[refused]);
    }

    [Fact]
    public async Task A_batch_whose_parts_are_all_refused_is_refused_at_once()
    {
        var (batch, partitions) = BatchOverPartitions();
        var region = new RegionScript(refusals: partitions.ToDictionary(p => p, _ => int.MaxValue));
        var router = Router(region);

        Assert.False(await router.OfferAsync(batch, TestContext.Current.CancellationToken));

        Assert.Empty(region.Queued);
        Assert.All(region.Asked.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_part_that_stays_refused_past_the_retry_delay_refuses_the_batch()
    {
        var (batch, partitions) = BatchOverPartitions();
        var region = new RegionScript(refusals: new() { [partitions[0]] = int.MaxValue });
        var router = Router(region, retryAfter: TimeSpan.FromMilliseconds(300));

        Assert.False(await router.OfferAsync(batch, TestContext.Current.CancellationToken));

        Assert.DoesNotContain(partitions[0], region.Queued.Keys);
        Assert.True(region.Asked[partitions[0]] > 1);
    }

    [Fact]
    public async Task A_part_whose_partition_did_not_answer_is_not_offered_again()
    {
        // An ask that timed out may still be queued (delivered late): offering it again could export it twice.
        var (batch, partitions) = BatchOverPartitions();
        var region = new RegionScript(refusals: new() { [partitions[1]] = 1 }) { Silent = partitions[0] };
        var router = Router(region, askTimeout: TimeSpan.FromMilliseconds(300));

        Assert.False(await router.OfferAsync(batch, TestContext.Current.CancellationToken));

        Assert.Equal(1, region.Asked[partitions[0]]);
        Assert.Equal(1, region.Asked[partitions[1]]);
    }

    [Fact]
    public async Task A_part_sharding_dropped_at_a_hand_off_is_sent_again_at_once()
    {
        // The stand-in region drops the first ask of one partition the way a region does at a shard hand-off.
        var (batch, partitions) = BatchOverPartitions();
        var region = new RegionScript(refusals: []) { DropFirst = partitions[0] };
        var router = Router(region, askTimeout: TimeSpan.FromSeconds(30));
        var started = TimeProvider.System.GetTimestamp();

        Assert.True(await router.OfferAsync(batch, TestContext.Current.CancellationToken));

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the drop is answered long before the ask timeout");
        Assert.Equal(2, region.Asked[partitions[0]]);
        Assert.All(region.Queued.Values, n => Assert.Equal(1, n));
        Assert.Equal(partitions.Order(), region.Queued.Keys.Order());
    }

    private PartitionRouter Router(RegionScript script, TimeSpan? askTimeout = null, TimeSpan? retryAfter = null)
    {
        var engine = new EngineSettings(Delivery.Accepted, Partitions, 16, TimeSpan.FromMilliseconds(50), retryAfter ?? TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5))
        {
            AskTimeout = askTimeout ?? TimeSpan.FromSeconds(10),
        };
        var region = _system.ActorOf(Props.Create(() => new FakeRegion(script)));
        return new PartitionRouter(Pipeline, region, engine, TimeProvider.System, new DroppedPartWatch(_system));
    }

    /// <summary>A request of resources that land on at least three different partitions.</summary>
    private static (TelemetryBatch Batch, List<int> Partitions) BatchOverPartitions()
    {
        var request = new ExportMetricsServiceRequest();
        var partitions = new HashSet<int>();
        for (var i = 0; partitions.Count < 3; i++)
        {
            var resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "svc-" + i } } } };
            if (partitions.Add(BatchPartitioner.PartitionOf(resource, Partitions)))
            {
                request.ResourceMetrics.Add(new ResourceMetrics
                {
                    Resource = resource,
                    ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "m", Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsInt = i } } } } } } },
                });
            }
        }

        return (TelemetryBatch.Create(request, AckSet.Empty), [.. partitions]);
    }

    /// <summary>What the stand-in region answers, and what it saw.</summary>
    private sealed class RegionScript(Dictionary<int, int> refusals)
    {
        /// <summary>A partition that never answers (its asks time out), or -1.</summary>
        public int Silent { get; init; } = -1;

        /// <summary>A partition whose first part is dropped as at a shard hand-off (published as <c>Dropped</c>), or -1.</summary>
        public int DropFirst { get; init; } = -1;

        private int _dropped;

        public bool ShouldDrop(int partition) => partition == DropFirst && Interlocked.Increment(ref _dropped) == 1;

        public ConcurrentDictionary<int, int> Asked { get; } = new();

        public ConcurrentDictionary<int, int> Queued { get; } = new();

        public PartitionReply Answer(int partition)
        {
            var asked = Asked.AddOrUpdate(partition, 1, (_, n) => n + 1);
            if (refusals.TryGetValue(partition, out var refuse) && asked <= refuse)
            {
                return new PartitionReply(AckStatus.Refused, "pipeline partition is full", TimeSpan.FromSeconds(1));
            }

            Queued.AddOrUpdate(partition, 1, (_, n) => n + 1);
            return new PartitionReply(AckStatus.Accepted, null, null);
        }
    }

    private sealed class FakeRegion : ReceiveActor
    {
        public FakeRegion(RegionScript script) =>
            Receive<PartitionBatch>(batch =>
            {
                Assert.True(PartitionBatch.TryParseEntityId(batch.EntityId, out _, out var partition));
                if (script.ShouldDrop(partition))
                {
                    script.Asked.AddOrUpdate(partition, 1, (_, n) => n + 1);
                    Context.System.EventStream.Publish(new Akka.Event.Dropped(batch, "hand-off", Sender, Self));
                    return;
                }

                var answer = script.Answer(partition);
                if (partition != script.Silent)
                {
                    Sender.Tell(answer);
                }
            });
    }
}
