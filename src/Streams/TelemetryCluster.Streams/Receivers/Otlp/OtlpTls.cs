using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using TelemetryCluster.Streams.Shared.Tls;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>Builds Kestrel HTTPS options from an <see cref="OtlpTlsConfig"/>; certificates reload on an interval.</summary>
internal static class OtlpTls
{
    public static HttpsConnectionAdapterOptions CreateHttpsOptions(OtlpTlsConfig config, TimeProvider time)
    {
        var source = new ReloadingCertificate(config, time, (certPem, keyPem) => X509Certificate2.CreateFromPem(certPem, keyPem));
        _ = source.Current(); // fail at start, with the loader's message, rather than at the first handshake
        var options = new HttpsConnectionAdapterOptions
        {
            SslProtocols = TlsVersions.Range(config),
            ServerCertificateSelector = (_, _) => source.Current(),
            CheckCertificateRevocation = false,
            ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate,
        };

        if (config.ClientCaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(config.ClientCaFile);
            options.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
            options.ClientCertificateValidation = (certificate, _, _) => TlsTrust.BuildWithRoots(certificate, roots);
        }

        return options;
    }
}
