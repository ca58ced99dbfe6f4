using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>Builds Kestrel HTTPS options from an <see cref="OtlpTlsConfig"/>; certificates reload on an interval.</summary>
internal static class OtlpTls
{
    public static bool TryParseVersion(string text, out SslProtocols protocols)
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
    public static SslProtocols Range(OtlpTlsConfig config)
    {
        TryParseVersion(config.MinVersion, out var min);
        var max = SslProtocols.Tls13;
        if (config.MaxVersion is not null)
        {
            TryParseVersion(config.MaxVersion, out max);
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

    public static HttpsConnectionAdapterOptions CreateHttpsOptions(OtlpTlsConfig config, TimeProvider time)
    {
        var source = new CertificateSource(config, time);
        _ = source.Current(); // fail at start, with the loader's message, rather than at the first handshake
        var options = new HttpsConnectionAdapterOptions
        {
            SslProtocols = Range(config),
            ServerCertificateSelector = (_, _) => source.Current(),
            CheckCertificateRevocation = false,
            ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate,
        };

        if (config.ClientCaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(config.ClientCaFile);
            options.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
            options.ClientCertificateValidation = (certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
        }

        return options;
    }

    /// <summary>Loads the certificate once, or again after <see cref="OtlpTlsConfig.ReloadInterval"/> has passed.</summary>
    private sealed class CertificateSource(OtlpTlsConfig config, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private X509Certificate2? _certificate;
        private DateTimeOffset _loadedAt;

        public X509Certificate2 Current()
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_certificate is null || (config.ReloadInterval > TimeSpan.Zero && now - _loadedAt >= config.ReloadInterval))
                {
                    try
                    {
                        _certificate = Load();
                        _loadedAt = now;
                    }
                    catch (Exception) when (_certificate is not null)
                    {
                        // A half-written file during rotation: keep serving the previous certificate and retry later.
                        _loadedAt = now;
                    }
                }

                return _certificate;
            }
        }

        private X509Certificate2 Load()
        {
            var certPem = config.CertPem ?? File.ReadAllText(config.CertFile!);
            var keyPem = config.KeyPem ?? File.ReadAllText(config.KeyFile!);
            return X509Certificate2.CreateFromPem(certPem, keyPem);
        }
    }
}
