using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using TelemetryCluster.Nodes.FileClaims;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Nodes.Scrape;
using AkkaLogLevel = Akka.Event.LogLevel;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace TelemetryCluster.Nodes.Hosting;

/// <summary>
/// How a node's ActorSystem is configured through Akka.Hosting: remoting on <c>cluster.hostname:cluster.port</c>,
/// clustering with the configured seed nodes (or a self-join), the keep-majority split brain resolver, strict
/// serialization (unless the user turns <c>serialize-messages</c> on, which is off by default), Akka's logs routed to Microsoft.Extensions.Logging, the
/// user's <c>akka { }</c> block over all of that, and the drain phase's timeout over everything.
/// </summary>
public static class NodeAkkaConfiguration
{
    /// <summary>Settings applied before the user's <c>akka { }</c> block, which may override any of them.</summary>
    internal const string Baseline = """
        akka {
          actor {
            # Local messages are never serialized; tests turn this on to catch cross-node messages without a binding.
            serialize-messages = off
          }
          coordinated-shutdown {
            # The generic host owns the process: never call Environment.Exit from CoordinatedShutdown.
            exit-clr = off
            run-by-clr-shutdown-hook = on
          }
          cluster {
            # A downed or removed node shuts down, and the host exits so the orchestrator restarts it.
            run-coordinated-shutdown-when-down = on
          }
          remote.dot-netty.tcp {
            # A partition's part of a batch travels as one remoting message: allow OTLP-sized requests (gRPC's default
            # limit is 4 MiB; the default frame limit of 128 kB would silently drop large parts), and the merged
            # prometheus view of the MetricsView singleton (up to 200,000 series per node and exporter).
            maximum-frame-size = 134217728b
            # Partitions answer every part with a small reply that the sender's receiver waits for. With batching on,
            # such a reply waits for 30 more writes or the 40 ms flush interval, which made the cross-node hop
            # latency-bound; parts are large anyway, so every write is flushed at once.
            batching.enabled = false
          }
          log-dead-letters-during-shutdown = off
          log-config-on-start = off
        }
        """;

    /// <summary>Applies the node's Akka configuration to an Akka.Hosting builder.</summary>
    public static AkkaConfigurationBuilder ConfigureNode(
        this AkkaConfigurationBuilder builder,
        NodeSettings settings,
        ShutdownPlan plan,
        MelLogLevel logLevel)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(plan);

        builder
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = ToAkka(logLevel);
                loggers.LogConfigOnStart = false;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithRemoting(new RemoteOptions
            {
                HostName = settings.Hostname,
                Port = settings.Port,
                PublicHostName = settings.PublicHostname,
                PublicPort = settings.PublicPort,
            })
            .WithClustering(new ClusterOptions
            {
                SeedNodes = [.. settings.SeedNodes],
                SplitBrainResolver = new KeepMajorityOption(),
            });

        if (!VerifiesSerialization(settings.Akka))
        {
            // Cross-node messages must have an explicit serializer binding: nothing leaves a node as polymorphic
            // JSON by accident. Local messages are not serialized (serialize-messages = off), so they are unaffected.
            // With serialize-messages = on every local message is serialized too, and Akka's own local messages
            // (cluster daemon, system guardian) have no bindings: strict mode is then left off.
            builder.WithStrictSerialization();
        }

        // Management endpoint side: MetricsView singleton + serializer, health reporters, cluster bootstrap (Management/).
        builder.WithTelemetryClusterManagement(settings);

        // Which node scrapes which prometheus receiver target (rendezvous hashing over the Up members; Scrape/).
        builder.WithScrapeTargetOwnership();

        // Which node reads which file of a file_log receiver with cluster.shared_storage (sharded claims; FileClaims/).
        builder.WithFileClaims();

        // Later Prepends win: the baseline, then the user's akka { } block over everything above, then the drain
        // phase's timeout (never below cluster.drain-timeout; ShutdownPlan keeps a longer user value).
        builder
            .AddHocon(ConfigurationFactory.ParseString(Baseline), HoconAddMode.Prepend)
            .AddHocon(settings.Akka, HoconAddMode.Prepend)
            .AddHocon(plan.ToHocon(), HoconAddMode.Prepend);

        if (settings.SelfJoin)
        {
            // No seed nodes: a one-node cluster. Joining after start also works with port 0 (the bound address is
            // known only then).
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        return builder;
    }

    /// <summary>True when the user's <c>akka</c> block turns <c>akka.actor.serialize-messages</c> on.</summary>
    internal static bool VerifiesSerialization(Config akka) =>
        akka.HasPath("akka.actor.serialize-messages") && akka.GetBoolean("akka.actor.serialize-messages");

    internal static AkkaLogLevel ToAkka(MelLogLevel level) => level switch
    {
        MelLogLevel.Trace or MelLogLevel.Debug => AkkaLogLevel.DebugLevel,
        MelLogLevel.Information => AkkaLogLevel.InfoLevel,
        MelLogLevel.Warning => AkkaLogLevel.WarningLevel,
        _ => AkkaLogLevel.ErrorLevel,
    };
}
