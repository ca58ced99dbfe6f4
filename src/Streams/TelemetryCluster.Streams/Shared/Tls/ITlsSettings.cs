namespace TelemetryCluster.Streams.Shared.Tls;

/// <summary>
/// The part of a <c>tls</c> section that the collector's configtls ClientConfig and ServerConfig share: this node's own
/// certificate and key (file or inline PEM), the TLS version range and the reload interval.
/// </summary>
internal interface ITlsSettings
{
    string? CertFile { get; }

    string? CertPem { get; }

    string? KeyFile { get; }

    string? KeyPem { get; }

    /// <summary><c>1.0</c>, <c>1.1</c>, <c>1.2</c> or <c>1.3</c>.</summary>
    string MinVersion { get; }

    /// <summary>Null = the highest the platform supports.</summary>
    string? MaxVersion { get; }

    /// <summary>Re-read the certificate at most this often (0 = load once).</summary>
    TimeSpan ReloadInterval { get; }
}
