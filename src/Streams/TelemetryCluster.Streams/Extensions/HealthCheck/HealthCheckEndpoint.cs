using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>A listen address <c>host:port</c> (IPv6 hosts in brackets). An empty host means every interface.</summary>
internal sealed record HealthCheckEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out HealthCheckEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "endpoint must not be empty (expected host:port, e.g. \"0.0.0.0:13133\")";
            return false;
        }

        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"endpoint \"{text}\" has no port (expected host:port, e.g. \"0.0.0.0:13133\")";
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"endpoint \"{text}\": an IPv6 host must be written in brackets, e.g. \"[::1]:13133\"";
            return false;
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"endpoint \"{text}\": port must be a number from 0 to 65535";
            return false;
        }

        endpoint = new HealthCheckEndpoint(host, port);
        error = null;
        return true;
    }
}
