using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>TLS and mutual TLS with certificates made for the test (PEM files, as a user would configure).</summary>
public sealed class OtlpTlsTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("otlp-tls-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Grpc_and_http_over_tls()
    {
        using var ca = CreateCa();
        using var server = Issue(ca, "localhost", serverAuth: true);
        var tls = new OtlpTlsConfig { CertFile = WritePem("server.crt", server.ExportCertificatePem()), KeyFile = WritePem("server.key", KeyPem(server)) };
        var config = new OtlpReceiverConfig
        {
            Grpc = OtlpReceiverHarness.LocalGrpc with { Tls = tls },
            Http = OtlpReceiverHarness.LocalHttp with { Tls = tls },
        };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        using var handler = Handler(ca, clientCertificate: null);

        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{h.Receiver.GrpcPort}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        await new MetricsService.MetricsServiceClient(channel).ExportAsync(OtlpRequests.Metrics(2), cancellationToken: Ct);
        using var http = new HttpClient(Handler(ca, clientCertificate: null));
        var content = new ByteArrayContent(OtlpRequests.Metrics(3).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{h.Receiver.HttpPort}/v1/metrics")
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version); // HTTP/2 over TLS (ALPN) on the HTTP endpoint
        Assert.Equal(5, h.Consumer.Items(Signal.Metrics));
    }

    [Fact]
    public async Task Client_ca_requires_a_client_certificate_from_that_ca()
    {
        using var ca = CreateCa();
        using var otherCa = CreateCa();
        using var server = Issue(ca, "localhost", serverAuth: true);
        using var goodClient = Issue(ca, "client", serverAuth: false);
        using var strangerClient = Issue(otherCa, "stranger", serverAuth: false);
        var tls = new OtlpTlsConfig
        {
            CertPem = server.ExportCertificatePem(),
            KeyPem = KeyPem(server),
            ClientCaFile = WritePem("ca.crt", ca.ExportCertificatePem()),
        };
        var config = new OtlpReceiverConfig { Http = OtlpReceiverHarness.LocalHttp with { Tls = tls } };
        await using var h = await OtlpReceiverHarness.StartAsync(akka, config);
        var url = $"https://127.0.0.1:{h.Receiver.HttpPort}/v1/metrics";

        using var good = new HttpClient(Handler(ca, goodClient));
        using var anonymous = new HttpClient(Handler(ca, clientCertificate: null));
        using var stranger = new HttpClient(Handler(ca, strangerClient));

        using var ok = await good.PostAsync(url, Protobuf(), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.PostAsync(url, Protobuf(), Ct));
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.PostAsync(url, Protobuf(), Ct));
        Assert.Equal(1, h.Consumer.Calls);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ByteArrayContent Protobuf()
    {
        var content = new ByteArrayContent(OtlpRequests.Metrics(1).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    private string WritePem(string name, string pem)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, pem);
        return path;
    }

    private static SocketsHttpHandler Handler(X509Certificate2 ca, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return handler;
    }

    private static X509Certificate2 CreateCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=otlp test ca " + Guid.NewGuid().ToString("N")[..8], key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
}
