using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Shared.Tls;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>
/// The <c>otlp</c> receiver's configuration (collector: <c>receiver/otlpreceiver</c>). A protocol is enabled by the
/// presence of its block; a null protocol is disabled. At least one protocol is required.
/// </summary>
public sealed record OtlpReceiverConfig
{
    public OtlpGrpcConfig? Grpc { get; init; }

    public OtlpHttpConfig? Http { get; init; }

    /// <summary>Binds <c>receivers.otlp[/name]</c>; every problem is reported to the reader, nothing is thrown.</summary>
    internal static OtlpReceiverConfig Bind(ComponentConfigReader reader)
    {
        var grpcSet = reader.IsSet("protocols.grpc");
        var httpSet = reader.IsSet("protocols.http");
        if (!grpcSet && !httpSet)
        {
            reader.Error("protocols", "must specify at least one protocol when using the OTLP receiver");
        }

        return new OtlpReceiverConfig
        {
            Grpc = grpcSet ? OtlpGrpcConfig.Bind(reader, "protocols.grpc.") : null,
            Http = httpSet ? OtlpHttpConfig.Bind(reader, "protocols.http.") : null,
        };
    }
}

/// <summary><c>protocols.grpc</c> (the collector's configgrpc ServerConfig with the OTLP receiver's defaults).</summary>
public sealed record OtlpGrpcConfig
{
    public const string DefaultEndpoint = "localhost:4317";

    /// <summary>gRPC's own default receive limit, used when <c>max_recv_msg_size_mib</c> is 0.</summary>
    public const int DefaultMaxRecvMsgSizeMiB = 4;

    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary><c>tcp</c>, <c>tcp4</c>, <c>tcp6</c> or <c>unix</c> (then <see cref="Endpoint"/> is a socket path).</summary>
    public string Transport { get; init; } = "tcp";

    /// <summary>Largest accepted message after decompression, in MiB; 0 = 4 MiB.</summary>
    public int MaxRecvMsgSizeMiB { get; init; }

    /// <summary>HTTP/2 streams per connection; 0 = the server default (100).</summary>
    public int MaxConcurrentStreams { get; init; }

    /// <summary>Accepted for compatibility; Kestrel sizes its own socket buffers.</summary>
    public int ReadBufferSize { get; init; } = 524288;

    /// <summary>Accepted for compatibility; Kestrel sizes its own socket buffers.</summary>
    public int WriteBufferSize { get; init; }

    public OtlpGrpcKeepaliveConfig Keepalive { get; init; } = new();

    /// <summary>Copy request metadata into the batch's <see cref="Data.ClientMetadata"/>.</summary>
    public bool IncludeMetadata { get; init; }

    /// <summary>Null = plaintext (h2c).</summary>
    public OtlpTlsConfig? Tls { get; init; }

    public int MaxRecvMsgSizeBytes => (MaxRecvMsgSizeMiB <= 0 ? DefaultMaxRecvMsgSizeMiB : MaxRecvMsgSizeMiB) * 1024 * 1024;

    /// <summary>The parsed <see cref="Endpoint"/>; throws <see cref="FormatException"/> when it is invalid.</summary>
    public OtlpEndpoint ParsedEndpoint =>
        OtlpEndpoint.TryParse(Endpoint, Transport, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    internal static OtlpGrpcConfig Bind(ComponentConfigReader r, string p)
    {
        var transport = r.GetChoice(p + "transport", "tcp", "tcp4", "tcp6", "unix");
        var endpoint = r.GetString(p + "endpoint");
        if (!OtlpEndpoint.TryParse(endpoint, transport, out _, out var endpointError))
        {
            r.Error(p + "endpoint", endpointError);
            endpoint = DefaultEndpoint;
            transport = "tcp";
        }

        if (r.GetOptionalString(p + "auth.authenticator") is { Length: > 0 })
        {
            r.Error(p + "auth.authenticator", "authenticator extensions are not supported yet");
        }

        if (r.GetStringList(p + "middlewares").Count > 0)
        {
            r.Error(p + "middlewares", "middlewares are not supported yet");
        }

        return new OtlpGrpcConfig
        {
            Endpoint = endpoint,
            Transport = transport,
            MaxRecvMsgSizeMiB = r.GetInt(p + "max_recv_msg_size_mib", 0, 2047),
            MaxConcurrentStreams = r.GetInt(p + "max_concurrent_streams", 0),
            ReadBufferSize = r.GetInt(p + "read_buffer_size", 0),
            WriteBufferSize = r.GetInt(p + "write_buffer_size", 0),
            Keepalive = new OtlpGrpcKeepaliveConfig
            {
                MaxConnectionIdle = r.GetDuration(p + "keepalive.server_parameters.max_connection_idle"),
                MaxConnectionAge = r.GetDuration(p + "keepalive.server_parameters.max_connection_age"),
                MaxConnectionAgeGrace = r.GetDuration(p + "keepalive.server_parameters.max_connection_age_grace"),
                Time = r.GetDuration(p + "keepalive.server_parameters.time"),
                Timeout = r.GetDuration(p + "keepalive.server_parameters.timeout"),
                MinTime = r.GetDuration(p + "keepalive.enforcement_policy.min_time"),
                PermitWithoutStream = r.GetBool(p + "keepalive.enforcement_policy.permit_without_stream"),
            },
            IncludeMetadata = r.GetBool(p + "include_metadata"),
            Tls = OtlpTlsConfig.Bind(r, p + "tls"),
        };
    }
}

/// <summary><c>protocols.grpc.keepalive</c>; zero durations keep the server's defaults.</summary>
public sealed record OtlpGrpcKeepaliveConfig
{
    /// <summary>Idle connection lifetime (Kestrel keep-alive timeout); 0 = server default (130 s).</summary>
    public TimeSpan MaxConnectionIdle { get; init; }

    /// <summary>Not supported by Kestrel; a non-zero value is logged as ignored.</summary>
    public TimeSpan MaxConnectionAge { get; init; }

    /// <summary>Not supported by Kestrel; a non-zero value is logged as ignored.</summary>
    public TimeSpan MaxConnectionAgeGrace { get; init; }

    /// <summary>Server keep-alive ping interval (HTTP/2 PING); 0 = off.</summary>
    public TimeSpan Time { get; init; }

    /// <summary>How long to wait for a ping's answer before closing; 0 = server default (20 s).</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>Accepted for compatibility (Kestrel has no client-ping enforcement policy).</summary>
    public TimeSpan MinTime { get; init; }

    /// <summary>Accepted for compatibility (Kestrel has no client-ping enforcement policy).</summary>
    public bool PermitWithoutStream { get; init; }
}

/// <summary><c>protocols.http</c> (the collector's confighttp ServerConfig plus the OTLP URL paths).</summary>
public sealed record OtlpHttpConfig
{
    public const string DefaultEndpoint = "localhost:4318";
    public const long DefaultMaxRequestBodySize = 20 * 1024 * 1024;

    /// <summary>The collector's default list: identity, gzip, zstd, zlib, snappy, deflate, lz4, x-snappy-framed.</summary>
    public static IReadOnlyList<string> DefaultCompressionAlgorithms { get; } =
        ["", "gzip", "zstd", "zlib", "snappy", "deflate", "lz4", "x-snappy-framed"];

    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>Largest request body, compressed and after decompression; larger → 400.</summary>
    public long MaxRequestBodySize { get; init; } = DefaultMaxRequestBodySize;

    public bool IncludeMetadata { get; init; }

    /// <summary>Headers added to every response.</summary>
    public IReadOnlyDictionary<string, string> ResponseHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>Accepted <c>Content-Encoding</c> values; <c>""</c> allows uncompressed bodies.</summary>
    public IReadOnlyList<string> CompressionAlgorithms { get; init; } = DefaultCompressionAlgorithms;

    /// <summary>Null (or no allowed origins) = CORS off.</summary>
    public OtlpCorsConfig? Cors { get; init; }

    public string TracesUrlPath { get; init; } = "/v1/traces";

    public string MetricsUrlPath { get; init; } = "/v1/metrics";

    public string LogsUrlPath { get; init; } = "/v1/logs";

    /// <summary>Deadline for reading the request body; 0 = none.</summary>
    public TimeSpan ReadTimeout { get; init; }

    /// <summary>Deadline for the request headers; 0 = server default (30 s).</summary>
    public TimeSpan ReadHeaderTimeout { get; init; }

    /// <summary>Deadline for the whole request from the end of its headers to the end of the response; 0 = none.</summary>
    public TimeSpan WriteTimeout { get; init; }

    /// <summary>Keep-alive idle timeout; 0 = server default (130 s).</summary>
    public TimeSpan IdleTimeout { get; init; }

    public bool KeepAlivesEnabled { get; init; } = true;

    /// <summary>Null = plaintext.</summary>
    public OtlpTlsConfig? Tls { get; init; }

    public OtlpEndpoint ParsedEndpoint =>
        OtlpEndpoint.TryParse(Endpoint, "tcp", out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    /// <summary>Adds the leading <c>/</c> the collector adds to a configured URL path.</summary>
    public static string NormalizePath(string path) => path.StartsWith('/') ? path : "/" + path;

    internal static OtlpHttpConfig Bind(ComponentConfigReader r, string p)
    {
        var endpoint = r.GetString(p + "endpoint");
        if (!OtlpEndpoint.TryParse(endpoint, "tcp", out _, out var endpointError))
        {
            r.Error(p + "endpoint", endpointError);
            endpoint = DefaultEndpoint;
        }

        var maxBody = r.GetByteSize(p + "max_request_body_size");
        if (maxBody <= 0)
        {
            maxBody = DefaultMaxRequestBodySize;
        }

        var algorithms = r.GetStringList(p + "compression_algorithms").Select(a => a.Trim()).ToList();
        foreach (var algorithm in algorithms)
        {
            if (!OtlpHttpDecompression.IsKnown(algorithm))
            {
                r.Error(p + "compression_algorithms", $"unsupported compression algorithm \"{algorithm}\" (valid values: [\"\" gzip zstd zlib deflate snappy x-snappy-framed lz4])");
            }
        }

        if (r.GetOptionalString(p + "auth.authenticator") is { Length: > 0 })
        {
            r.Error(p + "auth.authenticator", "authenticator extensions are not supported yet");
        }

        if (r.GetStringList(p + "middlewares").Count > 0)
        {
            r.Error(p + "middlewares", "middlewares are not supported yet");
        }

        var traces = BindPath(r, p + "traces_url_path");
        var metrics = BindPath(r, p + "metrics_url_path");
        var logs = BindPath(r, p + "logs_url_path");
        if (traces == metrics || traces == logs || metrics == logs)
        {
            r.Error(p + "traces_url_path", $"the traces, metrics and logs URL paths must differ (got {traces}, {metrics}, {logs})");
        }

        OtlpCorsConfig? cors = null;
        if (r.IsSet(p + "cors"))
        {
            cors = new OtlpCorsConfig
            {
                AllowedOrigins = r.GetStringList(p + "cors.allowed_origins"),
                AllowedHeaders = r.GetStringList(p + "cors.allowed_headers"),
                ExposedHeaders = r.GetStringList(p + "cors.exposed_headers"),
                MaxAge = r.GetInt(p + "cors.max_age", 0),
            };
        }

        return new OtlpHttpConfig
        {
            Endpoint = endpoint,
            MaxRequestBodySize = maxBody,
            IncludeMetadata = r.GetBool(p + "include_metadata"),
            ResponseHeaders = r.GetStringMap(p + "response_headers"),
            CompressionAlgorithms = algorithms,
            Cors = cors,
            TracesUrlPath = traces,
            MetricsUrlPath = metrics,
            LogsUrlPath = logs,
            ReadTimeout = r.GetDuration(p + "read_timeout"),
            ReadHeaderTimeout = r.GetDuration(p + "read_header_timeout"),
            WriteTimeout = r.GetDuration(p + "write_timeout"),
            IdleTimeout = r.GetDuration(p + "idle_timeout"),
            KeepAlivesEnabled = r.GetBool(p + "keep_alives_enabled"),
            Tls = OtlpTlsConfig.Bind(r, p + "tls"),
        };
    }

    private static string BindPath(ComponentConfigReader r, string key)
    {
        var path = NormalizePath(r.GetString(key).Trim());
        if (!Uri.TryCreate("http://localhost" + path, UriKind.Absolute, out var uri) || uri.AbsolutePath != path
            || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
        {
            r.Error(key, $"invalid HTTP URL path \"{path}\"");
        }

        return path;
    }
}

/// <summary><c>protocols.http.cors</c>: the collector's CORS settings (credentials are allowed, as there).</summary>
public sealed record OtlpCorsConfig
{
    /// <summary>Origins allowed to send cross-origin requests; one <c>*</c> wildcard per entry; <c>*</c> alone = any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Request headers allowed besides Accept, Content-Type, X-Requested-With and Origin; <c>*</c> = any.</summary>
    public IReadOnlyList<string> AllowedHeaders { get; init; } = [];

    public IReadOnlyList<string> ExposedHeaders { get; init; } = [];

    /// <summary>Preflight cache lifetime in seconds; 0 = no Access-Control-Max-Age header.</summary>
    public int MaxAge { get; init; }

    public bool Enabled => AllowedOrigins.Count > 0;
}

/// <summary>
/// <c>tls</c> of a server (the collector's configtls ServerConfig): certificate and key as files or inline PEM,
/// optional client CA for mutual TLS, minimum/maximum TLS version, periodic reload.
/// </summary>
public sealed record OtlpTlsConfig : ITlsSettings
{
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    public string? CertPem { get; init; }

    public string? KeyPem { get; init; }

    /// <summary>When set, clients must present a certificate issued by one of these CAs (mutual TLS).</summary>
    public string? ClientCaFile { get; init; }

    /// <summary><c>1.0</c>, <c>1.1</c>, <c>1.2</c> (default) or <c>1.3</c>.</summary>
    public string MinVersion { get; init; } = "1.2";

    /// <summary>Empty = the highest the platform supports.</summary>
    public string? MaxVersion { get; init; }

    /// <summary>Re-read certificate files at most this often (0 = load once).</summary>
    public TimeSpan ReloadInterval { get; init; }

    internal static OtlpTlsConfig? Bind(ComponentConfigReader r, string key)
    {
        if (!r.IsSet(key))
        {
            return null;
        }

        var p = key + ".";
        var config = new OtlpTlsConfig
        {
            CertFile = Empty(r.GetOptionalString(p + "cert_file")),
            KeyFile = Empty(r.GetOptionalString(p + "key_file")),
            CertPem = Empty(r.GetOptionalString(p + "cert_pem")),
            KeyPem = Empty(r.GetOptionalString(p + "key_pem")),
            ClientCaFile = Empty(r.GetOptionalString(p + "client_ca_file")),
            MinVersion = Empty(r.GetOptionalString(p + "min_version")) ?? "1.2",
            MaxVersion = Empty(r.GetOptionalString(p + "max_version")),
            ReloadInterval = r.GetDuration(p + "reload_interval"),
        };

        if ((config.CertFile is null && config.CertPem is null) || (config.KeyFile is null && config.KeyPem is null))
        {
            r.Error(key, "for TLS provide both a certificate (cert_file or cert_pem) and a key (key_file or key_pem)");
        }

        TlsConfigChecks.EitherFileOrPem(r, p, "cert_file", config.CertFile, "cert_pem", config.CertPem);
        TlsConfigChecks.EitherFileOrPem(r, p, "key_file", config.KeyFile, "key_pem", config.KeyPem);

        TlsConfigChecks.CheckProtocol(r, p, config);
        TlsConfigChecks.FilesExist(r, p, ("cert_file", config.CertFile), ("key_file", config.KeyFile), ("client_ca_file", config.ClientCaFile));

        return config;
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
