using System.Net;
using System.Net.Sockets;

namespace TelemetryCluster.Benchmarks.Processes;

internal static class FreePort
{
    /// <summary>A loopback TCP port free right now (the OS picks it; a small race with other binders remains).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
