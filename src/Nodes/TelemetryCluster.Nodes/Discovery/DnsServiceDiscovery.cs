using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;

namespace TelemetryCluster.Nodes.Discovery;

/// <summary>
/// Service discovery over plain DNS: the A/AAAA records of the looked-up name (in Kubernetes a headless Service
/// with <c>publishNotReadyAddresses: true</c>, so every pod is listed while it starts), each as a contact point on
/// the configured <c>port</c>. Needs no Kubernetes API access. Loaded by Akka.Discovery from
/// <c>akka.discovery.telemetry-dns { class = "...", port = 8558 }</c>; the target's host is the IP address text, which
/// is what the node's self contact point must use (<c>cluster.public-hostname</c> = the pod IP).
/// </summary>
public sealed class DnsServiceDiscovery : ServiceDiscovery
{
    /// <summary>The discovery method name (<c>akka.discovery.telemetry-dns</c>).</summary>
    public const string MethodName = "telemetry-dns";

    private readonly int _port;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>Constructor used by Akka.Discovery: <paramref name="config"/> is <c>akka.discovery.telemetry-dns</c>.</summary>
    public DnsServiceDiscovery(ExtendedActorSystem system, Config config)
        : this(config?.GetInt("port", Management.ManagementSettings.DefaultPort) ?? Management.ManagementSettings.DefaultPort, Dns.GetHostAddressesAsync)
    {
        ArgumentNullException.ThrowIfNull(system);
    }

    internal DnsServiceDiscovery(int port, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        _port = port;
        _resolve = resolve;
    }

    /// <summary>The HOCON that registers this discovery method with the given contact point port.</summary>
    public static string Hocon(int port) => $$"""
        akka.discovery.{{MethodName}} {
          class = "{{typeof(DnsServiceDiscovery).FullName}}, {{typeof(DnsServiceDiscovery).Assembly.GetName().Name}}"
          port = {{port}}
        }
        """;

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        using var timeout = new CancellationTokenSource(resolveTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(lookup.ServiceName, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            // The headless Service has no ready or starting pods yet: nothing to contact, try again later.
            return new Resolved(lookup.ServiceName, []);
        }

        var targets = addresses
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)
            .Distinct()
            .OrderBy(a => a.AddressFamily)
            .ThenBy(a => a.ToString(), StringComparer.Ordinal)
            .Select(a => new ResolvedTarget(a.ToString(), _port, a));
        return new Resolved(lookup.ServiceName, targets);
    }
}
