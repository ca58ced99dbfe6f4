using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>How the <c>endpoint</c> was written; decides TLS together with <c>tls.insecure</c>.</summary>
internal enum OtlpTargetScheme
{
    /// <summary><c>host:port</c> or <c>dns:///host:port</c>: TLS unless <c>tls.insecure = true</c>.</summary>
    None,

    /// <summary><c>http://host:port</c>: plaintext (h2c).</summary>
    Http,

    /// <summary><c>https://host:port</c>: TLS, whatever <c>tls.insecure</c> says.</summary>
    Https,

    /// <summary><c>unix:///path</c> or <c>unix:path</c>: a Unix domain socket; TLS follows <c>tls.insecure</c>.</summary>
    Unix,
}

/// <summary>
/// A parsed exporter <c>endpoint</c> (configgrpc's rules): <c>host:port</c>, <c>http://</c> / <c>https://</c> /
/// <c>dns:///</c> prefixes, IPv6 in brackets, or a <c>unix:</c> socket path. An empty host means <c>localhost</c>.
/// </summary>
internal sealed record OtlpTarget(string Text, OtlpTargetScheme Scheme, string Host, int Port, string? SocketPath)
{
    public const string EmptyEndpointMessage = "requires a non-empty \"endpoint\"";

    public override string ToString() => Text;

    /// <summary>Host and port as written in a URI authority (IPv6 in brackets); <c>localhost</c> for a socket.</summary>
    public string Authority => SocketPath is not null
        ? "localhost"
        : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Whether the connection uses TLS, by the collector's rules (https always, http never, else not insecure or a CA is set).</summary>
    public bool UsesTls(OtlpClientTlsConfig tls) => Scheme switch
    {
        OtlpTargetScheme.Https => true,
        OtlpTargetScheme.Http => false,
        _ => !tls.Insecure || tls.HasCa,
    };

    public static bool TryParse(string? text, [NotNullWhen(true)] out OtlpTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        text = text?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            error = EmptyEndpointMessage;
            return false;
        }

        if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text.StartsWith("unix://", StringComparison.OrdinalIgnoreCase) ? text[7..] : text[5..];
            if (path.Length == 0)
            {
                error = "unix socket path cannot be empty";
                return false;
            }

            target = new OtlpTarget(text, OtlpTargetScheme.Unix, "localhost", 0, path);
            error = null;
            return true;
        }

        var scheme = OtlpTargetScheme.None;
        var rest = text;
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            (scheme, rest) = (OtlpTargetScheme.Http, text[7..]);
        }
        else if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            (scheme, rest) = (OtlpTargetScheme.Https, text[8..]);
        }
        else if (text.StartsWith("dns:", StringComparison.OrdinalIgnoreCase))
        {
            rest = text[4..].TrimStart('/');
        }
        else if (text.Contains("://", StringComparison.Ordinal))
        {
            error = $"endpoint \"{text}\": unsupported scheme (use host:port, http://, https://, dns:/// or unix://)";
            return false;
        }

        if (rest.EndsWith('/'))
        {
            rest = rest[..^1];
        }

        if (rest.Contains('/', StringComparison.Ordinal))
        {
            error = $"endpoint \"{text}\": must be host:port without a path (the OTLP/gRPC paths are fixed)";
            return false;
        }

        if (!TrySplitHostPort(rest, out var host, out var portText, out error))
        {
            error = $"endpoint \"{text}\": {error}";
            return false;
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"endpoint \"{text}\": invalid port \"{portText}\" (expected a number from 1 to 65535)";
            return false;
        }

        if (host.Length == 0)
        {
            host = "localhost";
        }
        else if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic)
        {
            error = $"endpoint \"{text}\": invalid host \"{host}\"";
            return false;
        }

        target = new OtlpTarget(text, scheme, host, port, null);
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
                error = "missing ']' in address";
                return false;
            }

            if (close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = "missing port in address";
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
            error = "missing port in address";
            return false;
        }

        host = text[..colon];
        if (host.Contains(':', StringComparison.Ordinal))
        {
            error = "too many colons in address (write IPv6 addresses as [addr]:port)";
            return false;
        }

        port = text[(colon + 1)..];
        error = null;
        return true;
    }
}
