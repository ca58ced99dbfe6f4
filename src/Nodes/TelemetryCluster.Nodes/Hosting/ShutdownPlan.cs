using System.Globalization;
using Akka.Actor;
using Akka.Configuration;

namespace TelemetryCluster.Nodes.Hosting;

/// <summary>
/// The timeouts of a node's graceful stop. The pipelines drain in CoordinatedShutdown phase
/// <see cref="DrainPhase"/>, whose timeout is raised above <c>cluster.drain-timeout</c> (plus <see cref="DrainGrace"/>
/// for stopping receivers and flushing exporters); the host waits for the sum of every phase's timeout plus
/// <see cref="HostGrace"/>, so CoordinatedShutdown always finishes before the generic host gives up.
/// </summary>
public sealed record ShutdownPlan(TimeSpan DrainTimeout, TimeSpan DrainPhaseTimeout, TimeSpan PhasesTotal)
{
    /// <summary>Receivers stop taking data and in-flight batches drain here, before the node leaves the cluster.</summary>
    public const string DrainPhase = CoordinatedShutdown.PhaseServiceUnbind;

    /// <summary>Room in the drain phase beyond the drain itself: stopping receivers, exporter and extension shutdown.</summary>
    public static TimeSpan DrainGrace { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Room for the host beyond CoordinatedShutdown (other hosted services, logger flush).</summary>
    public static TimeSpan HostGrace { get; } = TimeSpan.FromSeconds(5);

    /// <summary><c>HostOptions.ShutdownTimeout</c>: every phase may use its whole timeout and the host still waits.</summary>
    public TimeSpan HostShutdownTimeout => PhasesTotal + HostGrace;

    /// <summary>
    /// Computes the plan from the drain timeout and the effective Akka configuration (the user's <c>akka { }</c>
    /// block over Akka's defaults). A larger drain-phase timeout set by the user is kept.
    /// </summary>
    public static ShutdownPlan Compute(TimeSpan drainTimeout, Config akkaConfig)
    {
        ArgumentNullException.ThrowIfNull(akkaConfig);
        var effective = akkaConfig.WithFallback(ConfigurationFactory.Default());
        var defaultTimeout = effective.GetTimeSpan("akka.coordinated-shutdown.default-phase-timeout", TimeSpan.FromSeconds(5));
        var drainPhase = drainTimeout + DrainGrace;
        var total = TimeSpan.Zero;
        foreach (var (phase, timeout) in PhaseTimeouts(effective, defaultTimeout))
        {
            if (phase == DrainPhase)
            {
                drainPhase = timeout > drainPhase ? timeout : drainPhase;
                total += drainPhase;
            }
            else
            {
                total += timeout;
            }
        }

        return new ShutdownPlan(drainTimeout, drainPhase, total);
    }

    /// <summary>The HOCON that sets the drain phase's timeout (applied over the user's <c>akka { }</c> block).</summary>
    public Config ToHocon() => ConfigurationFactory.ParseString(
        string.Create(
            CultureInfo.InvariantCulture,
            $"akka.coordinated-shutdown.phases.{DrainPhase}.timeout = {(long)Math.Ceiling(DrainPhaseTimeout.TotalMilliseconds)}ms"));

    private static IEnumerable<(string Phase, TimeSpan Timeout)> PhaseTimeouts(Config config, TimeSpan defaultTimeout)
    {
        const string phasesPath = "akka.coordinated-shutdown.phases";
        if (!config.HasPath(phasesPath))
        {
            yield break;
        }

        foreach (var phase in config.GetConfig(phasesPath).Root.GetObject().Items.Keys)
        {
            var timeoutPath = $"{phasesPath}.{phase}.timeout";
            yield return (phase, config.HasPath(timeoutPath) ? config.GetTimeSpan(timeoutPath, defaultTimeout) : defaultTimeout);
        }
    }
}
