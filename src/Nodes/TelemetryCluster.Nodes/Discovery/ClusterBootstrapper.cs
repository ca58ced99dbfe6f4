using System.Reflection;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Discovery.Config.Hosting;
using Akka.Hosting;
using Akka.Management.Cluster.Bootstrap;

namespace TelemetryCluster.Nodes.Discovery;

/// <summary>
/// Akka Cluster Bootstrap without Akka.Management's HTTP server (its Ceen-based server breaks with the package
/// versions served here — reference/akka.md §1.3/§1.4): bootstrap is configured with <c>autoStart: false</c>, our
/// management endpoint serves <c>/bootstrap/seed-nodes</c>, and once that endpoint listens the node sets its self
/// contact point through the internal <c>ClusterBootstrap.SetSelfContactPoint(Uri)</c> (by reflection — Akka.Management
/// is pinned, and a test fails if the member disappears) and starts bootstrap. <c>AkkaManagement.Start</c> is never
/// called.
/// </summary>
public static class ClusterBootstrapper
{
    /// <summary>The discovery port name; set so that bootstrap does not filter contact points on a fallback port.</summary>
    internal const string PortName = "management";

    /// <summary>Configures bootstrap and its discovery method (DNS or a fixed list) on an Akka.Hosting builder.</summary>
    public static AkkaConfigurationBuilder WithTelemetryClusterBootstrap(this AkkaConfigurationBuilder builder, BootstrapSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);

        var method = settings.Discovery == BootstrapDiscovery.Dns ? DnsServiceDiscovery.MethodName : "config";
        if (settings.Discovery == BootstrapDiscovery.Dns)
        {
            builder.AddHocon(DnsServiceDiscovery.Hocon(settings.ContactPointPort), HoconAddMode.Prepend);
        }
        else
        {
            builder.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
            {
                Services = [new Service { Name = settings.EffectiveServiceName, Endpoints = [.. settings.ConfigEndpoints] }],
            });
        }

        return builder.WithClusterBootstrap(
            new ClusterBootstrapOptions
            {
                ContactPointDiscovery =
                {
                    ServiceName = settings.EffectiveServiceName,
                    PortName = PortName,
                    DiscoveryMethod = method,
                    RequiredContactPointsNr = settings.RequiredContactPoints,
                    StableMargin = settings.StableMargin,
                },
                ContactPoint =
                {
                    // Also keeps bootstrap from asking AkkaManagement for its HTTP port.
                    FallbackPort = settings.ContactPointPort,
                },
            },
            autoStart: false);
    }

    /// <summary>
    /// Sets the self contact point (the URI other nodes reach this node's management endpoint on — it must equal what
    /// discovery returns for this node, host and port) and starts bootstrap.
    /// </summary>
    public static async Task StartAsync(ActorSystem system, Uri selfContactPoint)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(selfContactPoint);
        var bootstrap = ClusterBootstrap.Get(system);
        try
        {
            SetSelfContactPointMethod().Invoke(bootstrap, [selfContactPoint]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }

        await bootstrap.Start().ConfigureAwait(false);
    }

    /// <summary>The internal <c>ClusterBootstrap.SetSelfContactPoint(Uri)</c>; throws when Akka.Management no longer has it.</summary>
    internal static MethodInfo SetSelfContactPointMethod() =>
        typeof(ClusterBootstrap).GetMethod("SetSelfContactPoint", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Uri)])
        ?? throw new MissingMethodException(
            $"{typeof(ClusterBootstrap).FullName}.SetSelfContactPoint(Uri) is gone from Akka.Management {typeof(ClusterBootstrap).Assembly.GetName().Version}: cluster bootstrap cannot be started without Akka.Management's HTTP server");
}
