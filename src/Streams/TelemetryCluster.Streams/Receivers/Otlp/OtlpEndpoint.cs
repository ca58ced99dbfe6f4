using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>What kind of address a server endpoint listens on.</summary>
public enum OtlpListenKind
{
    /// <summary><c>localhost</c>: the loopback interface (127.0.0.1 and, where available, [::1]).</summary>
    Loopback,

    /// <summary><c>0.0.0.0</c>, <c>::</c> or an empty host: every interface.</summary>
    Any,

    /// <summary>A literal IP address.</summary>
    Address,

    /// <summary>A host name other than <c>localhost</c>, resolved when the server starts.</summary>
    HostName,

    /// <summary>A Unix domain socket path (<c>transport: unix</c>).</summary>
    UnixSocket,
}

/// <summary>
/// A parsed server endpoint with the collector's rules: <c>host:port</c> (IPv6 in brackets), <c>localhost</c> means
/// loopback, <c>0.0.0.0</c>, <c>::</c> or an empty host mean every interface, port 0 asks the OS for a free port.
/// The transport (<c>tcp</c>, <c>tcp4</c>, <c>tcp6</c>, <c>unix</c>) narrows the address family or makes the
/// endpoint a socket path.
/// </summary>
public sealed record OtlpEndpoint(string Text, string Transport, OtlpListenKind Kind, IPAddress? Address, string? Host, int Port, string? SocketPath)
{
    public override string ToString() => Text;

    public static bool TryParse(string? text, string transport, [NotNullWhen(true)] out OtlpEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        text = text?.Trim() ?? string.Empty;
        if (string.Equals(transport, "unix", StringComparison.Ordinal))
        {
            if (text.Length == 0)
            {
                error = "a unix socket endpoint must be a file path";
                return false;
            }

            endpoint = new OtlpEndpoint(text, transport, OtlpListenKind.UnixSocket, null, null, 0, text);
            error = null;
            return true;
        }

        if (!TrySplitHostPort(text, out var host, out var portText, out error))
        {
            return false;
        }

        if (portText.Length == 0 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"address \"{text}\": invalid port \"{portText}\" (expected a number from 0 to 65535)";
            return false;
        }

        if (host.Length == 0 || host is "0.0.0.0" or "::")
        {
            var any = transport switch
            {
                "tcp4" => IPAddress.Any,
                "tcp6" => IPAddress.IPv6Any,
                _ => null,
            };
            endpoint = new OtlpEndpoint(text, transport, any is null ? OtlpListenKind.Any : OtlpListenKind.Address, any, null, port, null);
            return true;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            var loopback = transport switch
            {
                "tcp4" => IPAddress.Loopback,
                "tcp6" => IPAddress.IPv6Loopback,
                _ => null,
            };
            endpoint = new OtlpEndpoint(text, transport, loopback is null ? OtlpListenKind.Loopback : OtlpListenKind.Address, loopback, null, port, null);
            return true;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            endpoint = new OtlpEndpoint(text, transport, OtlpListenKind.Address, address, null, port, null);
            return true;
        }

        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            error = $"address \"{text}\": invalid host \"{host}\"";
            return false;
        }

        endpoint = new OtlpEndpoint(text, transport, OtlpListenKind.HostName, null, host, port, null);
        return true;
    }

    /// <summary>Go's <c>net.SplitHostPort</c>: <c>host:port</c>, <c>[v6]:port</c>, <c>:port</c>.</summary>
    private static bool TrySplitHostPort(string text, out string host, out string port, [NotNullWhen(false)] out string? error)
    {
        host = string.Empty;
        port = string.Empty;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"address \"{text}\": missing ']' in address";
                return false;
            }

            if (close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"address \"{text}\": missing port in address";
                return false;
            }

            host = text[1..close];
            port = text[(close + 2)..];
            error = null;
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"address \"{text}\": missing port in address";
            return false;
        }

        host = text[..colon];
        if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"address \"{text}\": too many colons in address (write IPv6 addresses as [addr]:port)";
            return false;
        }

        port = text[(colon + 1)..];
        error = null;
        return true;
    }
}
