using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TelemetryCluster.Nodes.Hosting;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Nodes.Partitions;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes;

/// <summary>Registers a TelemetryCluster node (ActorSystem, cluster membership, pipelines, shutdown) in a host.</summary>
public static class NodeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the node: Akka.Hosting's ActorSystem configured from <paramref name="settings"/>, the engine's shared
    /// services (<see cref="ComponentStatusRegistry"/>, <see cref="EngineTelemetry"/>, <see cref="TimeProvider"/>),
    /// a hosted service that starts the pipelines after the ActorSystem, their drain in CoordinatedShutdown, and
    /// <see cref="HostOptions.ShutdownTimeout"/> above the sum of the shutdown phases.
    /// </summary>
    public static IServiceCollection AddTelemetryClusterNode(this IServiceCollection services, PipelineSpec spec, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(settings);

        var plan = ShutdownPlan.Compute(settings.DrainTimeout, settings.Akka);
        var logLevel = NodeLogging.LevelOf(spec);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(spec);
        services.AddSingleton(settings);
        services.AddSingleton(plan);
        services.AddSingleton<NodeLifetime>();
        services.AddSingleton(sp => new ComponentStatusRegistry(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<EngineTelemetry>();
        var partitions = new PipelineHostAccessor();
        services.AddSingleton(partitions);
        services.Configure<HostOptions>(options =>
        {
            options.ShutdownTimeout = plan.HostShutdownTimeout;
            options.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        // Akka.Hosting's hosted service first, so the ActorSystem is up when the pipelines start.
        services.AddAkka(NodeSettings.SystemName, (builder, _) => builder
            .ConfigureNode(settings, plan, logLevel)
            .WithPipelinePartitions(partitions));
        // The management endpoint (and cluster bootstrap) next: up before the pipelines, which may wait for the cluster.
        services.AddTelemetryClusterManagement();
        services.AddSingleton<PipelineHostService>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineHostService>());
        return services;
    }

    /// <summary>
    /// Console logging for a node: one line per entry, UTC timestamps, the level from
    /// <c>service.telemetry.logs.level</c>; ASP.NET Core's per-request logs are kept at warning.
    /// </summary>
    public static ILoggingBuilder AddTelemetryClusterConsole(this ILoggingBuilder logging, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft.AspNetCore", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", level > LogLevel.Information ? level : LogLevel.Information);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        return logging;
    }
}
