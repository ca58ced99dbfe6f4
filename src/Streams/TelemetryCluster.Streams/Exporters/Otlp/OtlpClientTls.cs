using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using TelemetryCluster.Streams.Shared.Tls;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>
/// Client TLS for the exporter's connections from an <see cref="OtlpClientTlsConfig"/>: protocol range, server
/// certificate validation (system roots, or only the configured CA unless <c>include_system_ca_certs_pool</c>, or none
/// with <c>insecure_skip_verify</c>) and the client certificate for mutual TLS (reloaded on an interval).
/// </summary>
internal static class OtlpClientTls
{
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
            EnabledSslProtocols = TlsVersions.Range(config),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(config, roots, certificate, chain, errors),
        };

        if (config.HasClientCertificate)
        {
            var source = new ReloadingCertificate(config, time, LoadClientCertificate);
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
        return TlsTrust.BuildWithRoots(leaf, roots, chain);
    }

    /// <summary>The client certificate from its PEM (loaded again after <see cref="OtlpClientTlsConfig.ReloadInterval"/>).</summary>
    private static X509Certificate2 LoadClientCertificate(string certPem, string keyPem)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);

        // A PKCS#12 round trip gives the key a form every platform's TLS stack accepts for client authentication.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
