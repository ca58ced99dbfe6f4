using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Extensions.HealthCheck;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Extensions.HealthCheck;

public sealed class HealthAggregatorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PipelineId Metrics = new(Signal.Metrics, null);
    private static readonly ServiceStateEntry Running = new(ServiceState.Running, T0, T0);

    [Theory]
    [InlineData(new[] { ComponentStatus.Ok, ComponentStatus.Ok }, ComponentStatus.Ok)]
    [InlineData(new[] { ComponentStatus.Ok, ComponentStatus.Starting }, ComponentStatus.Starting)]
    [InlineData(new[] { ComponentStatus.Starting, ComponentStatus.RecoverableError }, ComponentStatus.RecoverableError)]
    [InlineData(new[] { ComponentStatus.RecoverableError, ComponentStatus.PermanentError }, ComponentStatus.PermanentError)]
    [InlineData(new[] { ComponentStatus.PermanentError, ComponentStatus.FatalError, ComponentStatus.Ok }, ComponentStatus.FatalError)]
    [InlineData(new[] { ComponentStatus.Stopped, ComponentStatus.Stopped }, ComponentStatus.Stopped)]
    [InlineData(new[] { ComponentStatus.Stopped, ComponentStatus.Ok }, ComponentStatus.Stopping)]
    [InlineData(new[] { ComponentStatus.Stopping, ComponentStatus.Starting }, ComponentStatus.Stopping)]
    public void Pipeline_status_follows_the_priority(ComponentStatus[] statuses, ComponentStatus expected)
    {
        var entries = statuses.Select((s, i) => Entry(new ComponentId("c", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), s, T0)).ToList();

        var collector = HealthAggregator.Collector(Running, entries, T0, TimeSpan.FromSeconds(30));

        Assert.Equal(expected, HealthAggregator.Scope("metrics", collector)!.Status);
        Assert.Equal(expected, collector.Status);
    }

    [Fact]
    public void Error_aggregate_keeps_the_earliest_error_and_its_time()
    {
        var entries = new[]
        {
            Entry(new ComponentId("otlp", "a"), ComponentStatus.RecoverableError, T0.AddSeconds(10), "later"),
            Entry(new ComponentId("otlp", "b"), ComponentStatus.RecoverableError, T0.AddSeconds(5), "first"),
            Entry(new ComponentId("debug", null), ComponentStatus.Ok, T0.AddSeconds(20)),
        };

        var pipeline = HealthAggregator.Scope("metrics", HealthAggregator.Collector(Running, entries, T0.AddSeconds(12), TimeSpan.FromSeconds(6)))!;

        Assert.Equal("first", pipeline.Error);
        Assert.Equal(T0.AddSeconds(5), pipeline.Time);
        Assert.False(pipeline.Healthy);
        Assert.False(pipeline.Components["exporter:otlp/b"].Healthy);
        Assert.True(pipeline.Components["exporter:otlp/a"].Healthy);
    }

    [Fact]
    public void Service_lifecycle_replaces_a_non_error_status_but_not_an_error()
    {
        var draining = new ServiceStateEntry(ServiceState.Draining, T0.AddMinutes(1), null);
        var ok = new[] { Entry(new ComponentId("debug", null), ComponentStatus.Ok, T0) };
        var failed = new[] { Entry(new ComponentId("debug", null), ComponentStatus.FatalError, T0, "boom") };

        var okNode = HealthAggregator.Collector(draining, ok, T0.AddMinutes(1), TimeSpan.Zero);
        var failedNode = HealthAggregator.Collector(draining, failed, T0.AddMinutes(1), TimeSpan.Zero);

        Assert.Equal(ComponentStatus.Stopping, okNode.Status);
        Assert.Equal(T0.AddMinutes(1), okNode.Time);
        Assert.Equal(ComponentStatus.FatalError, failedNode.Status);
        Assert.Equal("boom", failedNode.Error);
    }

    [Fact]
    public void Extensions_form_their_own_scope()
    {
        var entries = new[]
        {
            new ComponentStatusEntry(null, new ComponentId("health_check", null), ComponentKind.Extension, ComponentStatus.Ok, null, T0),
        };

        var collector = HealthAggregator.Collector(Running, entries, T0, TimeSpan.Zero);

        Assert.NotNull(HealthAggregator.Scope("extensions", collector));
        Assert.True(collector.Components["extensions"].Components.ContainsKey("extension:health_check"));
        Assert.Null(HealthAggregator.Scope("metrics", collector));
    }

    [Fact]
    public void No_components_while_running_is_ok()
    {
        var collector = HealthAggregator.Collector(Running, [], T0, TimeSpan.Zero);

        Assert.Equal(ComponentStatus.Ok, collector.Status);
        Assert.True(collector.Healthy);
        Assert.Empty(collector.Components);
    }

    private static ComponentStatusEntry Entry(ComponentId id, ComponentStatus status, DateTimeOffset since, string? error = null) =>
        new(Metrics, id, ComponentKind.Exporter, status, error, since);
}
