using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TelemetryCluster.Streams.Shared.Hosting;

/// <summary>Kestrel listen options for a collector-style <c>host:port</c> endpoint.</summary>
internal static class KestrelListen
{
    /// <summary>The collector's "every interface" hosts: empty, <c>0.0.0.0</c> or <c>::</c>.</summary>
    public static bool IsAnyInterface(string host) => host.Length == 0 || host == "0.0.0.0" || host == "::";

    /// <summary>
    /// Collector host rules: <paramref name="anyInterface"/> = every interface; <c>localhost</c> = loopback (IPv4 only
    /// with port 0, which Kestrel cannot bind on both loopbacks); an IP literal = that address; a name = its first
    /// address. A name without addresses fails with <paramref name="noAddressMessage"/> (which names the endpoint).
    /// </summary>
    public static async Task<Action<KestrelServerOptions>> ResolveAsync(
        string host,
        int port,
        bool anyInterface,
        Func<string> noAddressMessage,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(noAddressMessage);
        if (anyInterface)
        {
            return o => o.ListenAnyIP(port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return port == 0 ? o => o.Listen(IPAddress.Loopback, 0) : o => o.ListenLocalhost(port);
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return o => o.Listen(address, port);
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new InvalidOperationException(noAddressMessage());
        }

        var first = addresses[0];
        return o => o.Listen(first, port);
    }
}
