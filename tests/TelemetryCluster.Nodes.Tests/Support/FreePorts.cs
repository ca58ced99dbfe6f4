using System.Net;
using System.Net.Sockets;

namespace TelemetryCluster.Testing;

/// <summary>Free loopback TCP ports, found by binding 127.0.0.1:0 and releasing the socket.</summary>
public static class FreePorts
{
    /// <summary><paramref name="count"/> distinct ports, all held until every one is chosen.</summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    public static int Take() => Take(1)[0];
}
