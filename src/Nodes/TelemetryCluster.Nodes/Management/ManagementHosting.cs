using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Discovery;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Nodes.Query;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// Wires the cluster surfaces into a node: the management endpoint (<see cref="ManagementEndpoint"/>), cluster
/// bootstrap, the MetricsView singleton with its proxy, every node's health reporter, and the
/// <see cref="Streams.Extensions.HealthCheck.IClusterStatusSource"/> that health_check's <c>/status?cluster</c> reads, and
/// the <see cref="Streams.Exporters.Prometheus.IPrometheusViewHub"/> through which every node's prometheus exporter
/// serves the cluster-merged /metrics, and the <see cref="Streams.Exporters.Prometheus.IPrometheusEndpointRoutes"/> that
/// serves the Prometheus query API (<c>cluster.query</c>) next to it.
/// </summary>
public static class ManagementHosting
{
    /// <summary>The singleton's name (manager <c>/user/metrics-view</c>, proxy <c>/user/metrics-view-proxy</c>).</summary>
    public const string MetricsViewName = "metrics-view";

    /// <summary>The Akka side: serializer, singleton + proxy, reporters, status source, and bootstrap when used.</summary>
    public static AkkaConfigurationBuilder WithTelemetryClusterManagement(this AkkaConfigurationBuilder builder, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);

        builder
            .WithCustomSerializer(MetricsViewSerializer.Name, [typeof(IMetricsViewMessage)], system => new MetricsViewSerializer(system))
            .WithSingleton<MetricsViewMarker>(MetricsViewName, (_, _, _) => MetricsViewActor.Props(), new ClusterSingletonOptions(), createProxyToo: true)
            .StartActors(async (system, registry, resolver) =>
            {
                var time = resolver.GetService<TimeProvider>();
                system.ActorOf(MemberUpTracker.Props(resolver.GetService<MemberUpTimes>()), "member-up-tracker");
                system.RegisterExtension(new ClusterStatusSourceId(resolver.GetService<MetricsViewClient>()));
                system.RegisterExtension(new PrometheusViewHubId(new PrometheusViewHub(registry, settings, system)));
                if (settings.Query.Enabled)
                {
                    system.RegisterExtension(new PrometheusEndpointRoutesId(
                        new PrometheusQueryRoutes(system, settings.Query, time, resolver.GetService<ILoggerFactory>())));
                }

                var view = await registry.GetAsync<MetricsViewMarker>().ConfigureAwait(false);
                system.ActorOf(
                    NodeHealthReporter.Props(view, resolver.GetService<ComponentStatusRegistry>(), time, settings.MetricsView.ReportInterval),
                    "node-health-reporter");
            });

        if (settings.UsesBootstrap)
        {
            builder.WithTelemetryClusterBootstrap(settings.Bootstrap);
        }

        return builder;
    }

    /// <summary>The DI side: the services the actors and routes use, and the endpoint's hosted service.</summary>
    /// <remarks>Register after <c>AddAkka</c> (the endpoint starts once the ActorSystem is up) and before the pipelines.</remarks>
    public static IServiceCollection AddTelemetryClusterManagement(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MemberUpTimes>();
        services.AddSingleton<MetricsViewClient>();
        services.AddSingleton<ManagementEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagementEndpoint>());
        return services;
    }
}
