using System.Net;
using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Exporters.Prometheus;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

/// <summary>
/// Real prometheus exporters on loopback for HTTP tests: an actor system, the engine's telemetry, an HTTP client that
/// does not decompress (so tests see the bytes as sent), and every started exporter shut down at the end.
/// </summary>
public abstract class PrometheusExporterTestBase(string systemName) : IAsyncLifetime
{
    private readonly List<PrometheusExporter> _started = [];

    protected ActorSystem System { get; private set; } = null!;

    protected EngineTelemetry Telemetry { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public virtual ValueTask InitializeAsync()
    {
        System = ActorSystem.Create(systemName, "akka.loglevel = WARNING\nakka.stdout-loglevel = OFF");
        Telemetry = new EngineTelemetry();
        Http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromSeconds(10) };
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var exporter in _started)
        {
            await exporter.ShutdownAsync(CancellationToken.None);
        }

        Http.Dispose();
        Telemetry.Dispose();
        await System.Terminate();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts an exporter on a free loopback port with <see cref="PromTestData.Config"/> changed by <paramref name="change"/>.</summary>
    private protected async Task<PrometheusExporter> StartAsync(Func<PrometheusExporterConfig, PrometheusExporterConfig>? change = null, TimeProvider? time = null)
    {
        var context = new ComponentContext(
            ComponentId.Parse("prometheus"),
            ComponentKind.Exporter,
            NullLoggerFactory.Instance,
            time ?? TimeProvider.System,
            new ComponentStatusRegistry(TimeProvider.System),
            Telemetry,
            System,
            System.Materializer());
        var exporter = new PrometheusExporter(context, PromTestData.Config(change));
        await exporter.StartAsync(TestContext.Current.CancellationToken);
        _started.Add(exporter);
        return exporter;
    }

    private protected static Task Export(PrometheusExporter exporter, ExportMetricsServiceRequest request) =>
        exporter.ExportAsync(TelemetryBatch.Create(request, new AckSet()), TestContext.Current.CancellationToken);
}
