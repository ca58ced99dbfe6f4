using System.Collections.Concurrent;
using Akka.Actor;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.PromQL.Api;
using TelemetryCluster.PromQL.Storage;
using TelemetryCluster.Streams.Exporters.Prometheus;

namespace TelemetryCluster.Nodes.Query;

/// <summary>
/// The node's <see cref="IPrometheusEndpointRoutes"/> (an Akka extension on the ActorSystem): on every prometheus
/// exporter's endpoint it maps the Prometheus query API (<c>/api/v1/*</c>) over that exporter's
/// <see cref="QueryReplica"/>, which follows the cluster-merged view while the exporter's server runs.
/// </summary>
public sealed class PrometheusQueryRoutes : IPrometheusEndpointRoutes
{
    private readonly ActorSystem _system;
    private readonly QuerySettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<string, QueryReplica> _replicas = new(StringComparer.Ordinal);

    public PrometheusQueryRoutes(ActorSystem system, QuerySettings settings, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        _system = system;
        _settings = settings;
        _time = time;
        _loggers = loggers;
        system.WhenTerminated.ContinueWith(_ => StopAll(), TaskScheduler.Default);
    }

    /// <summary>The replica of exporter <paramref name="exporterId"/>, once its endpoint was mapped.</summary>
    public QueryReplica? Replica(string exporterId) => _replicas.TryGetValue(exporterId, out var replica) ? replica : null;

    public void Map(IEndpointRouteBuilder endpoints, string exporterId)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(exporterId);

        // One replica per exporter id for the node's life: a restarted exporter continues where it stopped.
        var replica = _replicas.GetOrAdd(exporterId, id => new QueryReplica(
            id,
            new SeriesStore(_settings.StoreOptions),
            () => _system.TryGetExtension<IPrometheusViewHub>(out var hub) ? hub : null,
            _settings.FollowInterval,
            _settings.StaleAfter,
            _time,
            _loggers.CreateLogger(typeof(PrometheusQueryRoutes).FullName + "." + id)));
        var lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(replica.Start);
        lifetime.ApplicationStopping.Register(() => _ = replica.StopAsync());
        endpoints.MapPrometheusQueryApi(() => replica.Store, _settings.ApiOptions(_time));
    }

    private void StopAll()
    {
        foreach (var replica in _replicas.Values)
        {
            _ = replica.StopAsync();
        }
    }
}

/// <summary>Registers a <see cref="PrometheusQueryRoutes"/> as the ActorSystem's <see cref="IPrometheusEndpointRoutes"/> extension.</summary>
internal sealed class PrometheusEndpointRoutesId(PrometheusQueryRoutes routes) : ExtensionIdProvider<IPrometheusEndpointRoutes>
{
    public override IPrometheusEndpointRoutes CreateExtension(ExtendedActorSystem system) => routes;
}
