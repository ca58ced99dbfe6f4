using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TelemetryCluster.Streams.Shared.Tls;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

/// <summary>HTTP clients for scrapes and for the Kubernetes API: TLS trust from <c>ca_file</c>, client certificates, auth headers.</summary>
internal static class ScrapeHttp
{
    /// <summary>What Prometheus 2.42 sends: OpenMetrics preferred, text 0.0.4 accepted.</summary>
    public const string Accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    public static HttpClient CreateClient(HttpClientAuth auth, bool followRedirects = true)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            AllowAutoRedirect = followRedirects,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
            UseCookies = false,
        };

        var roots = auth.CaFile is null ? null : LoadPem(auth.CaFile);
        if (auth.InsecureSkipVerify || roots is not null || auth.ServerName is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (auth.InsecureSkipVerify)
                {
                    return true;
                }

                if (certificate is not X509Certificate2 cert)
                {
                    return false;
                }

                var nameOk = auth.ServerName is { } name ? cert.MatchesHostname(name) : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
                if (!nameOk)
                {
                    return false;
                }

                return roots is null
                    ? (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                    : TlsTrust.BuildWithRoots(cert, roots, chain);
            };
        }

        if (auth.CertFile is not null && auth.KeyFile is not null)
        {
            var client = X509Certificate2.CreateFromPemFile(auth.CertFile, auth.KeyFile);
            handler.SslOptions.ClientCertificates = [client];
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Adds basic or <c>Authorization</c> credentials; files are read on every request (rotated tokens).</summary>
    public static void ApplyAuth(HttpRequestMessage request, HttpClientAuth auth)
    {
        if (auth.HasBasic)
        {
            var password = auth.BasicPasswordFile is not null ? ReadSecret(auth.BasicPasswordFile) : auth.BasicPassword ?? string.Empty;
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.BasicUsername}:{password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
        }
        else if (auth.HasAuthorization)
        {
            var credentials = auth.CredentialsFile is not null ? ReadSecret(auth.CredentialsFile) : auth.Credentials!;
            request.Headers.TryAddWithoutValidation("Authorization", $"{auth.AuthorizationType} {credentials}");
        }
    }

    private static string ReadSecret(string path) => File.ReadAllText(path).Trim();

    private static X509Certificate2Collection LoadPem(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection;
    }
}
