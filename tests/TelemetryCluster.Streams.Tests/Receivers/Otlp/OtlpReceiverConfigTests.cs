using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Exporters.Debug;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

public sealed partial class OtlpReceiverConfigTests
{
    private static readonly OtlpReceiverFactory Factory = new();

    private static string Defaults => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    [Fact]
    public void Factory_describes_the_collector_otlp_receiver()
    {
        Assert.Equal("otlp", Factory.Type);
        Assert.Empty(Factory.Aliases);
        Assert.Equal(ComponentKind.Receiver, Factory.Kind);
        Assert.Equal(Stability.Stable, Factory.Stability);
        Assert.Equal(3, Factory.Signals.Count);
        Assert.All([Signal.Traces, Signal.Metrics, Signal.Logs], s => Assert.Equal(Stability.Stable, Factory.Signals[s]));
    }

    [Fact]
    public void Empty_protocol_blocks_enable_the_collector_defaults()
    {
        var errors = new ConfigErrors();
        var config = Bind("protocols {\n grpc {}\n http {}\n}", errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal(new OtlpGrpcConfig(), config.Grpc);
        Assert.Equal("localhost:4317", config.Grpc!.Endpoint);
        Assert.Equal(4 * 1024 * 1024, config.Grpc.MaxRecvMsgSizeBytes);
        Assert.Equal(524288, config.Grpc.ReadBufferSize);
        Assert.Null(config.Grpc.Tls);

        var http = config.Http!;
        Assert.Equal("localhost:4318", http.Endpoint);
        Assert.Equal(20971520, http.MaxRequestBodySize);
        Assert.Equal(OtlpHttpConfig.DefaultCompressionAlgorithms, http.CompressionAlgorithms);
        Assert.Equal(("/v1/traces", "/v1/metrics", "/v1/logs"), (http.TracesUrlPath, http.MetricsUrlPath, http.LogsUrlPath));
        Assert.Empty(http.ResponseHeaders);
        Assert.Null(http.Cors);
        Assert.Null(http.Tls);
        Assert.True(http.KeepAlivesEnabled);
        Assert.Equal(TimeSpan.Zero, http.ReadHeaderTimeout);
        Assert.Equal(OtlpListenKind.Loopback, http.ParsedEndpoint.Kind);
    }

    [Fact]
    public void Null_protocol_block_enables_it_like_yaml_grpc_colon()
    {
        var errors = new ConfigErrors();
        var config = Bind("protocols { grpc = null }", errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal("localhost:4317", config.Grpc?.Endpoint);
        Assert.Null(config.Http);
    }

    [Theory]
    [InlineData("")]
    [InlineData("protocols {}")]
    public void No_protocol_is_an_error(string hocon)
    {
        var errors = new ConfigErrors();
        Bind(hocon, errors);

        var error = Assert.Single(errors.Items);
        Assert.Equal("receivers.otlp.protocols", error.Path);
        Assert.Equal("must specify at least one protocol when using the OTLP receiver", error.Message);
    }

    [Fact]
    public void Reads_every_setting()
    {
        const string hocon = """
            protocols {
              grpc {
                endpoint = "0.0.0.0:14317"
                transport = tcp4
                max_recv_msg_size_mib = 16
                max_concurrent_streams = 50
                include_metadata = true
                keepalive.server_parameters { time = 30s, timeout = 5s, max_connection_idle = 1m }
              }
              http {
                endpoint = "[::1]:14318"
                max_request_body_size = 1MiB
                include_metadata = true
                response_headers { "X-Served-By" = tc }
                compression_algorithms = [gzip, zstd]
                cors { allowed_origins = ["https://*.example.com"], allowed_headers = ["X-Tenant"], max_age = 60 }
                traces_url_path = "t"
                metrics_url_path = "/m"
                logs_url_path = "/l"
                read_timeout = 2s
                read_header_timeout = 3s
                write_timeout = 4s
                idle_timeout = 5s
                keep_alives_enabled = false
              }
            }
            """;
        var errors = new ConfigErrors();
        var config = Bind(hocon, errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        var grpc = config.Grpc!;
        Assert.Equal(("0.0.0.0:14317", "tcp4", 16, 50, true), (grpc.Endpoint, grpc.Transport, grpc.MaxRecvMsgSizeMiB, grpc.MaxConcurrentStreams, grpc.IncludeMetadata));
        Assert.Equal(16 * 1024 * 1024, grpc.MaxRecvMsgSizeBytes);
        Assert.Equal(System.Net.IPAddress.Any, grpc.ParsedEndpoint.Address);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)), (grpc.Keepalive.Time, grpc.Keepalive.Timeout, grpc.Keepalive.MaxConnectionIdle));

        var http = config.Http!;
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, http.ParsedEndpoint.Address);
        Assert.Equal(1024 * 1024, http.MaxRequestBodySize);
        Assert.True(http.IncludeMetadata);
        Assert.Equal("tc", http.ResponseHeaders["X-Served-By"]);
        Assert.Equal(["gzip", "zstd"], http.CompressionAlgorithms);
        Assert.Equal(["https://*.example.com"], http.Cors!.AllowedOrigins);
        Assert.Equal(["X-Tenant"], http.Cors.AllowedHeaders);
        Assert.Equal(60, http.Cors.MaxAge);
        Assert.Equal(("/t", "/m", "/l"), (http.TracesUrlPath, http.MetricsUrlPath, http.LogsUrlPath));
        Assert.Equal(TimeSpan.FromSeconds(2), http.ReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), http.ReadHeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), http.WriteTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), http.IdleTimeout);
        Assert.False(http.KeepAlivesEnabled);
    }

    [Fact]
    public void Zero_max_request_body_size_means_the_default()
    {
        var errors = new ConfigErrors();
        Assert.Equal(OtlpHttpConfig.DefaultMaxRequestBodySize, Bind("protocols.http.max_request_body_size = 0", errors).Http!.MaxRequestBodySize);
        Assert.False(errors.HasErrors);
    }

    [Fact]
    public void Reports_bad_values_with_their_paths()
    {
        const string hocon = """
            protocols {
              grpc { endpoint = "localhost", transport = quic, max_recv_msg_size_mib = -1 }
              http {
                endpoint = "[::1:4318"
                compression_algorithms = [gzip, br]
                traces_url_path = "/same"
                metrics_url_path = "same"
                auth.authenticator = oidc
              }
            }
            """;
        var errors = new ConfigErrors();
        Bind(hocon, errors);

        var paths = errors.Items.Select(e => e.Path).ToList();
        Assert.Contains("receivers.otlp.protocols.grpc.endpoint", paths);
        Assert.Contains("receivers.otlp.protocols.grpc.transport", paths);
        Assert.Contains("receivers.otlp.protocols.grpc.max_recv_msg_size_mib", paths);
        Assert.Contains("receivers.otlp.protocols.http.endpoint", paths);
        Assert.Contains("receivers.otlp.protocols.http.compression_algorithms", paths);
        Assert.Contains("receivers.otlp.protocols.http.traces_url_path", paths);
        Assert.Contains("receivers.otlp.protocols.http.auth.authenticator", paths);
        Assert.Contains(errors.Items, e => e.Message.Contains("missing port", StringComparison.Ordinal));
    }

    [Fact]
    public void Tls_without_certificate_is_an_error()
    {
        var errors = new ConfigErrors();
        var config = Bind("protocols.grpc.tls { min_version = \"1.3\" }", errors);

        Assert.Contains(errors.Items, e => e.Path == "receivers.otlp.protocols.grpc.tls" && e.Message.Contains("cert_file", StringComparison.Ordinal));
        Assert.NotNull(config.Grpc!.Tls);
    }

    [Fact]
    public void Tls_files_must_exist()
    {
        var errors = new ConfigErrors();
        Bind("protocols.http.tls { cert_file = /nonexistent/cert.pem, key_file = /nonexistent/key.pem, min_version = \"1.4\" }", errors);

        var paths = errors.Items.Select(e => e.Path).ToList();
        Assert.Contains("receivers.otlp.protocols.http.tls.cert_file", paths);
        Assert.Contains("receivers.otlp.protocols.http.tls.key_file", paths);
        Assert.Contains("receivers.otlp.protocols.http.tls.min_version", paths);
    }

    [Fact]
    public void Readme_example_parses_and_binds_without_errors()
    {
        var readme = File.ReadAllText(Path.Combine(StreamsProjectDir(), "Receivers", "Otlp", "README.md"));
        var match = HoconBlock().Match(readme);
        Assert.True(match.Success, "README.md has no ```hocon block");
        var root = ConfigurationFactory.ParseString(match.Groups["body"].Value).Root;
        var receivers = root.GetObject().Items["receivers"].GetObject().Items;

        Assert.NotEmpty(receivers);
        foreach (var (id, section) in receivers)
        {
            var errors = new ConfigErrors();
            var user = new Akka.Configuration.Config(new HoconRoot(section));
            var merged = user.WithFallback(ConfigurationFactory.ParseString(Defaults));
            var config = (OtlpReceiverConfig)Factory.CreateConfig(new ComponentConfigReader(merged, user, $"receivers.{id}", errors));

            Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
            Assert.NotNull(config.Grpc);
            Assert.NotNull(config.Http);
        }
    }

    [Fact]
    public void An_adot_yaml_config_loads_unchanged()
    {
        const string yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: 0.0.0.0:4317
                  http:
                    endpoint: 0.0.0.0:4318
                    cors:
                      allowed_origins: ["http://localhost:3000"]
            exporters:
              debug:
                verbosity: basic
            service:
              pipelines:
                metrics:
                  receivers: [otlp]
                  exporters: [debug]
            """;
        var registry = new ComponentRegistry([Factory, new DebugExporterFactory()]);

        var spec = ConfigLoader.LoadText(yaml, registry, yaml: true);

        var config = (OtlpReceiverConfig)spec.Receivers[ComponentId.Parse("otlp")].Config;
        Assert.Equal("0.0.0.0:4317", config.Grpc!.Endpoint);
        Assert.Equal(OtlpListenKind.Any, config.Grpc.ParsedEndpoint.Kind);
        Assert.Equal(["http://localhost:3000"], config.Http!.Cors!.AllowedOrigins);
    }

    [Fact]
    public void Yaml_protocol_without_value_enables_defaults_and_unknown_keys_are_errors()
    {
        const string yaml = """
            receivers:
              otlp:
                protocols:
                  http:
                  grpc:
                    endpont: 0.0.0.0:4317
            exporters:
              debug:
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [debug]
            """;
        var registry = new ComponentRegistry([Factory, new DebugExporterFactory()]);

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, registry, yaml: true));

        Assert.Contains(e.Errors, error => error.Path.Contains("protocols.grpc.endpont", StringComparison.Ordinal));
    }

    private static OtlpReceiverConfig Bind(string hocon, ConfigErrors errors) =>
        (OtlpReceiverConfig)Factory.CreateConfig(ComponentConfigReader.Create(hocon, Defaults, "receivers.otlp", errors));

    [GeneratedRegex("```hocon\\s*\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();

    private static string StreamsProjectDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Streams", "TelemetryCluster.Streams");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("cannot find src/Streams/TelemetryCluster.Streams above " + AppContext.BaseDirectory);
    }
}
