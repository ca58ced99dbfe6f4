using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>
/// Client TLS for the exporter's connections from an <see cref="OtlpClientTlsConfig"/>: protocol range, server
/// certificate validation (system roots, or only the configured CA unless <c>include_system_ca_certs_pool</c>, or none
/// with <c>insecure_skip_verify</c>) and the client certificate for mutual TLS (reloaded on an interval).
/// </summary>
internal static class OtlpClientTls
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
    public static SslProtocols Range(OtlpClientTlsConfig config)
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

    /// <summary>
    /// The SSL options of the exporter's handler. Loads the CA and the client certificate now, so that a bad file
    /// fails the exporter's start with the loader's message rather than every export.
    /// </summary>
    public static SslClientAuthenticationOptions CreateOptions(OtlpClientTlsConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        var roots = LoadRoots(config);
        var options = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = Range(config),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(config, roots, certificate, chain, errors),
        };

        if (config.HasClientCertificate)
        {
            var source = new ClientCertificateSource(config, time);
            _ = source.Current();
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => source.Current();
        }

        return options;
    }

    private static X509Certificate2Collection? LoadRoots(OtlpClientTlsConfig config)
    {
        if (!config.HasCa)
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        if (config.CaFile is not null)
        {
            roots.ImportFromPemFile(config.CaFile);
        }
        else
        {
            roots.ImportFromPem(config.CaPem);
        }

        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"tls: no certificate found in {(config.CaFile is null ? "ca_pem" : $"ca_file \"{config.CaFile}\"")}");
        }

        return roots;
    }

    private static bool Validate(OtlpClientTlsConfig config, X509Certificate2Collection? roots, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (config.InsecureSkipVerify)
        {
            return true;
        }

        if (roots is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (config.IncludeSystemCaCertsPool && errors == SslPolicyErrors.None)
        {
            return true;
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }

    /// <summary>Loads the client certificate once, or again after <see cref="OtlpClientTlsConfig.ReloadInterval"/> has passed.</summary>
    private sealed class ClientCertificateSource(OtlpClientTlsConfig config, TimeProvider time)
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
                        // A half-written file during rotation: keep the previous certificate and try again later.
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
            using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);

            // A PKCS#12 round trip gives the key a form every platform's TLS stack accepts for client authentication.
            return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }
    }
}
