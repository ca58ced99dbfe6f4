using System.Text;
using Grpc.Core;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Shared.Tls;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>gRPC message compression of the exporter's requests (the collector's <c>compression</c>).</summary>
internal enum OtlpCompression
{
    None,
    Gzip,
    Zstd,
    Snappy,
}

/// <summary>
/// Settings of the <c>otlp_grpc</c> exporter (alias <c>otlp</c>): the collector's configgrpc ClientConfig plus the
/// exporterhelper settings. Defaults (the collector's) live in <c>defaults.conf</c>; the property initializers repeat
/// them for code and tests that build a config directly.
/// </summary>
internal sealed record OtlpExporterConfig : IExporterConfig
{
    /// <summary>The collector's exporterhelper defaults: 5 s per attempt; retries 5 s / 30 s / 300 s / 1.5 / 0.5; 10 consumers.</summary>
    public static ExporterSettings DefaultExporterSettings { get; } = new(
        TimeSpan.FromSeconds(5),
        new RetrySettings(true, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(300), 1.5, 0.5))
    {
        Consumers = 10,
    };

    /// <summary>The endpoint as written (see <see cref="Target"/> for the parsed form).</summary>
    public required string Endpoint { get; init; }

    public OtlpCompression Compression { get; init; } = OtlpCompression.Gzip;

    public OtlpClientTlsConfig Tls { get; init; } = new();

    /// <summary>gRPC metadata sent with every request (keys lower-case).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Null = no keep-alive PINGs (the collector's exporter default).</summary>
    public OtlpKeepaliveConfig? Keepalive { get; init; }

    /// <summary>Accepted for compatibility, not applied.</summary>
    public int ReadBufferSize { get; init; }

    /// <summary>Accepted for compatibility, not applied.</summary>
    public int WriteBufferSize { get; init; } = 512 * 1024;

    public bool WaitForReady { get; init; }

    /// <summary><c>""</c> / <c>pick_first</c> or <c>round_robin</c>.</summary>
    public string BalancerName { get; init; } = string.Empty;

    /// <summary>Overrides the :authority of requests; null = the endpoint's host.</summary>
    public string? Authority { get; init; }

    public OtlpSendingQueueConfig SendingQueue { get; init; } = new();

    /// <summary><c>timeout</c> and <c>retry_on_failure</c>, applied by the engine's exporter kit.</summary>
    public ExporterSettings Exporter { get; init; } = DefaultExporterSettings;

    /// <summary>The parsed <see cref="Endpoint"/>; throws <see cref="FormatException"/> when it is invalid.</summary>
    public OtlpTarget Target => OtlpTarget.TryParse(Endpoint, out var target, out var error) ? target : throw new FormatException(error);

    private static readonly string[] CompressionNames = ["gzip", "zstd", "snappy", "none"];

    private static readonly string[] BalancerNames = ["pick_first", "round_robin"];

    /// <summary>Request headers gRPC itself sets; configuring them would break or be ignored.</summary>
    private static readonly string[] ReservedHeaders = ["te", "content-type", "host"];

    /// <summary>Binds <c>exporters.otlp[_grpc][/name]</c>; every problem is reported to the reader, nothing is thrown.</summary>
    public static OtlpExporterConfig Bind(ComponentConfigReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var endpoint = r.GetString("endpoint").Trim();
        if (!OtlpTarget.TryParse(endpoint, out var target, out var endpointError))
        {
            r.Error("endpoint", endpointError);
        }

        var compression = BindCompression(r);
        var balancer = r.GetString("balancer_name").Trim();
        if (balancer.Length > 0 && !BalancerNames.Contains(balancer, StringComparer.Ordinal))
        {
            r.Error("balancer_name", $"invalid balancer_name: {balancer} (valid values: [pick_first round_robin]){Suggestions.Hint(balancer, BalancerNames)}");
        }
        else if (balancer == "round_robin" && target?.Scheme == OtlpTargetScheme.Unix)
        {
            r.Error("balancer_name", "round_robin needs a host name to resolve; it cannot be used with a unix socket endpoint");
        }

        if (r.GetOptionalString("auth.authenticator") is { Length: > 0 })
        {
            r.Error("auth.authenticator", "authenticator extensions are not supported yet");
        }

        if (r.GetStringList("middlewares").Count > 0)
        {
            r.Error("middlewares", "middlewares are not supported yet");
        }

        return new OtlpExporterConfig
        {
            Endpoint = endpoint,
            Compression = compression,
            Tls = OtlpClientTlsConfig.Bind(r, "tls."),
            Headers = BindHeaders(r),
            Keepalive = r.IsSet("keepalive")
                ? new OtlpKeepaliveConfig
                {
                    Time = r.GetDuration("keepalive.time"),
                    Timeout = r.GetDuration("keepalive.timeout"),
                    PermitWithoutStream = r.GetBool("keepalive.permit_without_stream"),
                }
                : null,
            ReadBufferSize = r.GetInt("read_buffer_size", 0),
            WriteBufferSize = r.GetInt("write_buffer_size", 0),
            WaitForReady = r.GetBool("wait_for_ready"),
            BalancerName = balancer,
            Authority = Empty(r.GetOptionalString("authority")),
            SendingQueue = OtlpSendingQueueConfig.Bind(r, "sending_queue."),
            Exporter = ExporterSettings.Read(r),
        };
    }

    private static OtlpCompression BindCompression(ComponentConfigReader r)
    {
        var text = r.GetString("compression").Trim();
        switch (text.ToLowerInvariant())
        {
            case "gzip":
                return OtlpCompression.Gzip;
            case "zstd":
                return OtlpCompression.Zstd;
            case "snappy":
                return OtlpCompression.Snappy;
            case "none" or "":
                return OtlpCompression.None;
            default:
                r.Error("compression", $"unsupported compression type \"{text}\" (valid values: [gzip zstd snappy none]){Suggestions.Hint(text, CompressionNames)}");
                return OtlpCompression.Gzip;
        }
    }

    /// <summary>Header keys must be valid gRPC metadata keys; values of non-binary keys printable ASCII.</summary>
    private static Dictionary<string, string> BindHeaders(ComponentConfigReader r)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in r.GetStringMap("headers"))
        {
            var path = $"headers.{key}";
            try
            {
                var entry = ToMetadataEntry(key, value);
                if (entry.Key.StartsWith("grpc-", StringComparison.Ordinal) || ReservedHeaders.Contains(entry.Key, StringComparer.Ordinal))
                {
                    r.Error(path, $"\"{entry.Key}\" is set by gRPC itself and cannot be configured");
                    continue;
                }

                if (!entry.IsBinary && value.Any(c => c is < ' ' or > '~'))
                {
                    r.Error(path, "a header value must be printable ASCII (use a key ending in -bin for binary values)");
                    continue;
                }

                headers[entry.Key] = value;
            }
            catch (ArgumentException e)
            {
                r.Error(path, $"invalid gRPC metadata key \"{key}\": {e.Message}");
            }
        }

        return headers;
    }

    /// <summary>One metadata entry; a <c>-bin</c> key carries the UTF-8 bytes of the value, as grpc-go sends a string there.</summary>
    internal static Metadata.Entry ToMetadataEntry(string key, string value) =>
        key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase)
            ? new Metadata.Entry(key, Encoding.UTF8.GetBytes(value))
            : new Metadata.Entry(key, value);

    internal static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary><c>tls</c> of a client (the collector's configtls ClientConfig).</summary>
internal sealed record OtlpClientTlsConfig : ITlsSettings
{
    /// <summary>Plaintext for a <c>host:port</c> endpoint (unless a CA is set, as in the collector).</summary>
    public bool Insecure { get; init; }

    public bool InsecureSkipVerify { get; init; }

    public string? CaFile { get; init; }

    public string? CaPem { get; init; }

    public bool IncludeSystemCaCertsPool { get; init; }

    public string? CertFile { get; init; }

    public string? CertPem { get; init; }

    public string? KeyFile { get; init; }

    public string? KeyPem { get; init; }

    public string? ServerNameOverride { get; init; }

    /// <summary><c>1.0</c>, <c>1.1</c>, <c>1.2</c> (default) or <c>1.3</c>.</summary>
    public string MinVersion { get; init; } = "1.2";

    /// <summary>Null = the highest the platform supports.</summary>
    public string? MaxVersion { get; init; }

    /// <summary>Re-read the client certificate at most this often (0 = load once).</summary>
    public TimeSpan ReloadInterval { get; init; }

    public bool HasCa => CaFile is not null || CaPem is not null;

    public bool HasClientCertificate => (CertFile ?? CertPem) is not null;

    internal static OtlpClientTlsConfig Bind(ComponentConfigReader r, string p)
    {
        var config = new OtlpClientTlsConfig
        {
            Insecure = r.GetBool(p + "insecure"),
            InsecureSkipVerify = r.GetBool(p + "insecure_skip_verify"),
            CaFile = OtlpExporterConfig.Empty(r.GetOptionalString(p + "ca_file")),
            CaPem = OtlpExporterConfig.Empty(r.GetOptionalString(p + "ca_pem")),
            IncludeSystemCaCertsPool = r.GetBool(p + "include_system_ca_certs_pool"),
            CertFile = OtlpExporterConfig.Empty(r.GetOptionalString(p + "cert_file")),
            CertPem = OtlpExporterConfig.Empty(r.GetOptionalString(p + "cert_pem")),
            KeyFile = OtlpExporterConfig.Empty(r.GetOptionalString(p + "key_file")),
            KeyPem = OtlpExporterConfig.Empty(r.GetOptionalString(p + "key_pem")),
            ServerNameOverride = OtlpExporterConfig.Empty(r.GetOptionalString(p + "server_name_override")),
            MinVersion = r.GetString(p + "min_version").Trim(),
            MaxVersion = OtlpExporterConfig.Empty(r.GetOptionalString(p + "max_version")),
            ReloadInterval = r.GetDuration(p + "reload_interval"),
        };

        TlsConfigChecks.EitherFileOrPem(r, p, "cert_file", config.CertFile, "cert_pem", config.CertPem);
        TlsConfigChecks.EitherFileOrPem(r, p, "key_file", config.KeyFile, "key_pem", config.KeyPem);
        TlsConfigChecks.EitherFileOrPem(r, p, "ca_file", config.CaFile, "ca_pem", config.CaPem);

        var hasCert = (config.CertFile ?? config.CertPem) is not null;
        var hasKey = (config.KeyFile ?? config.KeyPem) is not null;
        if (hasCert != hasKey)
        {
            r.Error(p + (hasCert ? "key_file" : "cert_file"), "for a client certificate provide both certificate and key, or neither");
        }

        TlsConfigChecks.CheckProtocol(r, p, config);
        TlsConfigChecks.FilesExist(r, p, ("ca_file", config.CaFile), ("cert_file", config.CertFile), ("key_file", config.KeyFile));

        return config;
    }
}

/// <summary><c>keepalive</c>: HTTP/2 PINGs on the exporter's connections.</summary>
internal sealed record OtlpKeepaliveConfig
{
    /// <summary>PING after this much inactivity; 0 = no PINGs.</summary>
    public TimeSpan Time { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Close the connection when a PING is not answered within this time.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>PING also while no request is in flight.</summary>
    public bool PermitWithoutStream { get; init; }
}

/// <summary>
/// <c>sending_queue</c> (exporterhelper). Accepted for compatibility: the engine's bounded pipeline queue takes its
/// role (see README.md). A persistent queue (<c>storage</c>) is not supported and is a config error.
/// </summary>
internal sealed record OtlpSendingQueueConfig
{
    public bool Enabled { get; init; } = true;

    public int NumConsumers { get; init; } = 10;

    public int QueueSize { get; init; } = 1000;

    /// <summary><c>requests</c>, <c>items</c> or <c>bytes</c>.</summary>
    public string Sizer { get; init; } = "requests";

    public bool BlockOnOverflow { get; init; }

    public bool WaitForResult { get; init; }

    /// <summary>True when the user wrote a <c>batch</c> block (batching in the exporter; not applied).</summary>
    public bool Batch { get; init; }

    internal static OtlpSendingQueueConfig Bind(ComponentConfigReader r, string p)
    {
        var config = new OtlpSendingQueueConfig
        {
            Enabled = r.GetBool(p + "enabled"),
            NumConsumers = r.GetInt(p + "num_consumers"),
            QueueSize = r.GetInt(p + "queue_size"),
            Sizer = r.GetChoice(p + "sizer", "requests", "items", "bytes"),
            BlockOnOverflow = r.GetBool(p + "block_on_overflow"),
            WaitForResult = r.GetBool(p + "wait_for_result"),
            Batch = r.IsSet(p + "batch"),
        };

        if (config.Enabled && config.NumConsumers <= 0)
        {
            r.Error(p + "num_consumers", "`num_consumers` must be positive");
        }

        if (config.Enabled && config.QueueSize <= 0)
        {
            r.Error(p + "queue_size", "`queue_size` must be positive");
        }

        if (r.GetOptionalString(p + "storage") is { Length: > 0 } storage)
        {
            r.Error(p + "storage", $"a persistent sending queue (storage \"{storage}\") is not supported yet");
        }

        if (config.Batch)
        {
            // Read the keys so that bad values are still reported with their paths.
            _ = r.GetDuration(p + "batch.flush_timeout");
            _ = r.GetLong(p + "batch.min_size", 0);
            _ = r.GetLong(p + "batch.max_size", 0);
            _ = r.GetChoice(p + "batch.sizer", "items", "bytes", "requests");
        }

        return config;
    }
}
