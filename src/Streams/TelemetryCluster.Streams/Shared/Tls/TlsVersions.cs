using System.Security.Authentication;

namespace TelemetryCluster.Streams.Shared.Tls;

/// <summary>The collector's TLS version names (<c>min_version</c>, <c>max_version</c>) as <see cref="SslProtocols"/>.</summary>
internal static class TlsVersions
{
    public static bool TryParse(string text, out SslProtocols protocols)
    {
#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 stay selectable as min_version for compatibility; the default is 1.2.
        protocols = text.Trim() switch
        {
            "1.0" => SslProtocols.Tls,
            "1.1" => SslProtocols.Tls11,
            "1.2" => SslProtocols.Tls12,
            "1.3" => SslProtocols.Tls13,
            _ => SslProtocols.None,
        };
#pragma warning restore SYSLIB0039
        return protocols != SslProtocols.None;
    }

    /// <summary>Every protocol from min to max (inclusive).</summary>
    public static SslProtocols Range(ITlsSettings settings)
    {
        TryParse(settings.MinVersion, out var min);
        var max = SslProtocols.Tls13;
        if (settings.MaxVersion is not null)
        {
            TryParse(settings.MaxVersion, out max);
        }

#pragma warning disable SYSLIB0039
        SslProtocols[] ordered = [SslProtocols.Tls, SslProtocols.Tls11, SslProtocols.Tls12, SslProtocols.Tls13];
#pragma warning restore SYSLIB0039
        var result = SslProtocols.None;
        foreach (var p in ordered)
        {
            if ((int)p >= (int)min && (int)p <= (int)max)
            {
                result |= p;
            }
        }

        return result;
    }
}
