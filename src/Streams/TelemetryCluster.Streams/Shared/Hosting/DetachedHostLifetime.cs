using Microsoft.Extensions.Hosting;

namespace TelemetryCluster.Streams.Shared.Hosting;

/// <summary>
/// The host lifetime of an embedded Kestrel server: the node owns the process (signals, shutdown order), so the
/// embedded host neither waits for nor reacts to process signals (Ctrl+C/SIGTERM) and prints no "Application started".
/// </summary>
internal sealed class DetachedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
