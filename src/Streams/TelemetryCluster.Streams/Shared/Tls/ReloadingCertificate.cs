using System.Security.Cryptography.X509Certificates;

namespace TelemetryCluster.Streams.Shared.Tls;

/// <summary>
/// This node's certificate from an <see cref="ITlsSettings"/>: loaded once, or again after
/// <see cref="ITlsSettings.ReloadInterval"/> has passed. <paramref name="load"/> turns the certificate and key PEM
/// into the certificate the TLS stack gets.
/// </summary>
internal sealed class ReloadingCertificate(ITlsSettings settings, TimeProvider time, Func<string, string, X509Certificate2> load)
{
    private readonly Lock _gate = new();
    private X509Certificate2? _certificate;
    private DateTimeOffset _loadedAt;

    public X509Certificate2 Current()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_certificate is null || (settings.ReloadInterval > TimeSpan.Zero && now - _loadedAt >= settings.ReloadInterval))
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
        var certPem = settings.CertPem ?? File.ReadAllText(settings.CertFile!);
        var keyPem = settings.KeyPem ?? File.ReadAllText(settings.KeyFile!);
        return load(certPem, keyPem);
    }
}
