using Akka.Configuration;
using TelemetryCluster.Nodes.Hosting;

namespace TelemetryCluster.Nodes.Tests.Hosting;

public sealed class ShutdownPlanTests
{
    // Akka's defaults: 12 phases, 3 of them 10 s (sharding region, cluster-exiting, actor-system-terminate), the
    // others 5 s (default-phase-timeout).
    private static readonly TimeSpan AkkaDefaultSumWithoutDrainPhase = TimeSpan.FromSeconds((8 * 5) + (3 * 10));

    [Fact]
    public void The_drain_phase_outlasts_the_drain_timeout()
    {
        var plan = ShutdownPlan.Compute(TimeSpan.FromSeconds(20), ConfigurationFactory.Empty);
        Assert.Equal(TimeSpan.FromSeconds(20) + ShutdownPlan.DrainGrace, plan.DrainPhaseTimeout);
        Assert.True(plan.DrainPhaseTimeout > plan.DrainTimeout);
    }

    [Fact]
    public void The_host_waits_longer_than_every_phase_together()
    {
        var plan = ShutdownPlan.Compute(TimeSpan.FromSeconds(20), ConfigurationFactory.Empty);
        Assert.Equal(AkkaDefaultSumWithoutDrainPhase + plan.DrainPhaseTimeout, plan.PhasesTotal);
        Assert.Equal(plan.PhasesTotal + ShutdownPlan.HostGrace, plan.HostShutdownTimeout);
    }

    [Fact]
    public void User_phase_timeouts_count_and_a_longer_drain_phase_is_kept()
    {
        var user = ConfigurationFactory.ParseString("""
            akka.coordinated-shutdown.phases.cluster-exiting.timeout = 30s
            akka.coordinated-shutdown.phases.service-unbind.timeout = 2m
            """);
        var plan = ShutdownPlan.Compute(TimeSpan.FromSeconds(20), user);
        Assert.Equal(TimeSpan.FromMinutes(2), plan.DrainPhaseTimeout);
        Assert.Equal(AkkaDefaultSumWithoutDrainPhase + TimeSpan.FromSeconds(20) + TimeSpan.FromMinutes(2), plan.PhasesTotal);
    }

    [Fact]
    public void A_too_short_user_drain_phase_is_raised()
    {
        var user = ConfigurationFactory.ParseString("akka.coordinated-shutdown.phases.service-unbind.timeout = 1s");
        var plan = ShutdownPlan.Compute(TimeSpan.FromSeconds(20), user);
        Assert.Equal(TimeSpan.FromSeconds(20) + ShutdownPlan.DrainGrace, plan.DrainPhaseTimeout);
    }

    [Fact]
    public void The_hocon_sets_the_drain_phase_timeout()
    {
        var plan = ShutdownPlan.Compute(TimeSpan.FromMilliseconds(1500), ConfigurationFactory.Empty);
        var hocon = plan.ToHocon();
        Assert.Equal(plan.DrainPhaseTimeout, hocon.GetTimeSpan($"akka.coordinated-shutdown.phases.{ShutdownPlan.DrainPhase}.timeout"));
    }
}
