using Microsoft.AspNetCore.Routing;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// Extra HTTP routes served next to <c>/metrics</c> on a prometheus exporter's endpoint (the node serves the
/// Prometheus query API, <c>/api/v1/*</c>, there). Like <see cref="IPrometheusViewHub"/>, the node registers one
/// implementation as an Akka extension on its ActorSystem; this project does not know what the routes do. The
/// exporter calls <see cref="Map"/> once per start of its HTTP server, before it listens; its routes come before the
/// exporter's own fallback (404 for any other path). Without the extension the exporter serves <c>/metrics</c> only.
/// </summary>
public interface IPrometheusEndpointRoutes : Akka.Actor.IExtension
{
    /// <summary>
    /// Maps the routes of exporter <paramref name="exporterId"/> onto its HTTP server. <paramref name="endpoints"/>'s
    /// <see cref="IEndpointRouteBuilder.ServiceProvider"/> is that server's (its <c>IHostApplicationLifetime</c> tells
    /// when the exporter stops). Must not map <c>/metrics</c>.
    /// </summary>
    void Map(IEndpointRouteBuilder endpoints, string exporterId);
}
