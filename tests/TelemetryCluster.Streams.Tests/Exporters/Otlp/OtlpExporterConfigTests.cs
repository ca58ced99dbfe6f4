using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Exporters.Otlp;
using TelemetryCluster.Streams.Tests.Exporters.Debug;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Otlp;

public sealed class OtlpExporterConfigTests
{
    private static readonly OtlpExporterFactory Factory = new();

    private static string Defaults => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    [Fact]
    public void Factory_describes_the_collector_otlp_exporter()
    {
        Assert.Equal("otlp_grpc", Factory.Type);
        Assert.Equal(["otlp"], Factory.Aliases);
        Assert.Equal(ComponentKind.Exporter, Factory.Kind);
        Assert.Equal(Stability.Stable, Factory.Stability);
        Assert.Equal(3, Factory.Signals.Count);
        Assert.All([Signal.Traces, Signal.Metrics, Signal.Logs], s => Assert.Equal(Stability.Stable, Factory.Signals[s]));
        Assert.Single(BuiltinComponents.All.OfType<OtlpExporterFactory>());
    }

    [Fact]
    public void Defaults_are_the_collectors()
    {
        var errors = new ConfigErrors();
        var config = Bind("endpoint = \"collector:4317\"", errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal("collector:4317", config.Endpoint);
        Assert.Equal(OtlpCompression.Gzip, config.Compression);
        Assert.Equal(new OtlpClientTlsConfig(), config.Tls);
        Assert.True(config.UsesTlsFor());
        Assert.Empty(config.Headers);
        Assert.Null(config.Keepalive);
        Assert.Equal(0, config.ReadBufferSize);
        Assert.Equal(512 * 1024, config.WriteBufferSize);
        Assert.False(config.WaitForReady);
        Assert.Equal(string.Empty, config.BalancerName);
        Assert.Null(config.Authority);
        Assert.Equal(new OtlpSendingQueueConfig(), config.SendingQueue);
        Assert.Equal(new OtlpSendingQueueConfig { Enabled = true, NumConsumers = 10, QueueSize = 1000, Sizer = "requests" }, config.SendingQueue);
        Assert.Equal(OtlpExporterConfig.DefaultExporterSettings, config.Exporter);
        Assert.Equal(
            new ExporterSettings(TimeSpan.FromSeconds(5), new RetrySettings(true, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 1.5, 0.5)) { Consumers = 10 },
            ((IExporterConfig)config).Exporter);
    }

    [Fact]
    public void Reads_every_setting()
    {
        var errors = new ConfigErrors();
        var config = Bind(
            """
            endpoint = "https://otlp.example.com:443"
            compression = zstd
            tls { insecure_skip_verify = true, server_name_override = "otlp.internal", min_version = "1.3", reload_interval = 1h }
            headers { "X-Scope-OrgID" = "team-a", authorization = "Bearer x" }
            keepalive { time = 30s, permit_without_stream = true }
            read_buffer_size = 1024
            write_buffer_size = 2048
            wait_for_ready = true
            balancer_name = round_robin
            authority = "gateway:4317"
            timeout = 10s
            retry_on_failure { enabled = false, initial_interval = 1s, max_interval = 2s, max_elapsed_time = 0, multiplier = 2, randomization_factor = 0 }
            sending_queue { enabled = false, num_consumers = 1, queue_size = 5, sizer = items, block_on_overflow = true, wait_for_result = true, batch { flush_timeout = 1s } }
            """,
            errors);

        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
        Assert.Equal(OtlpTargetScheme.Https, config.Target.Scheme);
        Assert.Equal(OtlpCompression.Zstd, config.Compression);
        Assert.True(config.Tls.InsecureSkipVerify);
        Assert.Equal("otlp.internal", config.Tls.ServerNameOverride);
        Assert.Equal("1.3", config.Tls.MinVersion);
        Assert.Equal(TimeSpan.FromHours(1), config.Tls.ReloadInterval);
        Assert.Equal("team-a", config.Headers["x-scope-orgid"]);
        Assert.Equal("Bearer x", config.Headers["authorization"]);
        Assert.Equal(new OtlpKeepaliveConfig { Time = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(10), PermitWithoutStream = true }, config.Keepalive);
        Assert.Equal(1024, config.ReadBufferSize);
        Assert.Equal(2048, config.WriteBufferSize);
        Assert.True(config.WaitForReady);
        Assert.Equal("round_robin", config.BalancerName);
        Assert.Equal("gateway:4317", config.Authority);
        Assert.Equal(new ExporterSettings(TimeSpan.FromSeconds(10), new RetrySettings(false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.Zero, 2, 0)), config.Exporter);
        Assert.Equal(new OtlpSendingQueueConfig { Enabled = false, NumConsumers = 1, QueueSize = 5, Sizer = "items", BlockOnOverflow = true, WaitForResult = true, Batch = true }, config.SendingQueue);
    }

    [Fact]
    public void An_empty_keepalive_block_turns_pings_on_with_the_collector_defaults()
    {
        var errors = new ConfigErrors();
        var config = Bind("endpoint = \"c:4317\"\nkeepalive {}", errors);

        Assert.False(errors.HasErrors);
        Assert.Equal(new OtlpKeepaliveConfig { Time = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(10) }, config.Keepalive);
    }

    [Fact]
    public void Missing_endpoint_names_its_path()
    {
        var errors = new ConfigErrors();
        Bind(string.Empty, errors);

        var error = Assert.Single(errors.Items);
        Assert.Equal("exporters.otlp.endpoint", error.Path);
        Assert.Equal("requires a non-empty \"endpoint\"", error.Message);
    }

    [Theory]
    [InlineData("collector:4317", "None", "collector", 4317, true)]
    [InlineData("dns:///collector:4317", "None", "collector", 4317, true)]
    [InlineData("dns://collector:4317", "None", "collector", 4317, true)]
    [InlineData("http://collector:4317", "Http", "collector", 4317, false)]
    [InlineData("http://collector:4317/", "Http", "collector", 4317, false)]
    [InlineData("https://collector:443", "Https", "collector", 443, true)]
    [InlineData("10.0.0.5:4317", "None", "10.0.0.5", 4317, true)]
    [InlineData("[::1]:4317", "None", "::1", 4317, true)]
    [InlineData(":4317", "None", "localhost", 4317, true)]
    [InlineData("unix:///run/otel.sock", "Unix", "localhost", 0, true)]
    public void Endpoint_forms(string endpoint, string scheme, string host, int port, bool tls)
    {
        Assert.True(OtlpTarget.TryParse(endpoint, out var target, out var error), error);
        Assert.Equal(Enum.Parse<OtlpTargetScheme>(scheme), target.Scheme);
        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
        Assert.Equal(tls, target.UsesTls(new OtlpClientTlsConfig()));
    }

    [Fact]
    public void Insecure_means_plaintext_except_for_https_or_with_a_ca()
    {
        var insecure = new OtlpClientTlsConfig { Insecure = true };
        Assert.False(Target("collector:4317").UsesTls(insecure));
        Assert.True(Target("https://collector:4317").UsesTls(insecure));
        Assert.False(Target("http://collector:4317").UsesTls(new OtlpClientTlsConfig()));
        Assert.True(Target("collector:4317").UsesTls(insecure with { CaPem = "pem" }));
        Assert.Equal("/run/otel.sock", Target("unix:///run/otel.sock").SocketPath);
        Assert.Equal("run/otel.sock", Target("unix:run/otel.sock").SocketPath);
        Assert.Equal("[::1]:4317", Target("[::1]:4317").Authority);
    }

    [Theory]
    [InlineData("collector", "missing port in address")]
    [InlineData("collector:", "invalid port \"\"")]
    [InlineData("collector:0", "invalid port \"0\"")]
    [InlineData("collector:70000", "invalid port \"70000\"")]
    [InlineData("collector:http", "invalid port \"http\"")]
    [InlineData("::1:4317", "too many colons")]
    [InlineData("http://collector:4317/v1/metrics", "without a path")]
    [InlineData("grpc://collector:4317", "unsupported scheme")]
    [InlineData("unix://", "unix socket path cannot be empty")]
    [InlineData("bad host:4317", "invalid host")]
    public void Invalid_endpoints_are_reported_at_the_endpoint_path(string endpoint, string message)
    {
        var errors = new ConfigErrors();
        Bind($"endpoint = \"{endpoint}\"", errors);

        var error = Assert.Single(errors.Items);
        Assert.Equal("exporters.otlp.endpoint", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip", "Gzip")]
    [InlineData("GZIP", "Gzip")]
    [InlineData("zstd", "Zstd")]
    [InlineData("snappy", "Snappy")]
    [InlineData("none", "None")]
    [InlineData("\"\"", "None")]
    public void Compression_values(string value, string expected)
    {
        var errors = new ConfigErrors();
        Assert.Equal(Enum.Parse<OtlpCompression>(expected), Bind($"endpoint = \"c:1\"\ncompression = {value}", errors).Compression);
        Assert.False(errors.HasErrors, string.Join("; ", errors.Items));
    }

    [Theory]
    [InlineData("lz4", "unsupported compression type \"lz4\" (valid values: [gzip zstd snappy none])")]
    [InlineData("gzp", "unsupported compression type \"gzp\" (valid values: [gzip zstd snappy none]) (did you mean \"gzip\"?)")]
    [InlineData("deflate", "unsupported compression type \"deflate\"")]
    public void Bad_compression_names_its_path(string value, string message)
    {
        var errors = new ConfigErrors();
        Bind($"endpoint = \"c:1\"\ncompression = {value}", errors);

        var error = Assert.Single(errors.Items);
        Assert.Equal("exporters.otlp.compression", error.Path);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auth { authenticator = oauth2client }", "auth.authenticator", "authenticator extensions are not supported yet")]
    [InlineData("middlewares = [\"m\"]", "middlewares", "not supported yet")]
    [InlineData("sending_queue { storage = file_storage }", "sending_queue.storage", "persistent sending queue (storage \"file_storage\") is not supported yet")]
    [InlineData("sending_queue { num_consumers = 0 }", "sending_queue.num_consumers", "must be positive")]
    [InlineData("sending_queue { queue_size = 0 }", "sending_queue.queue_size", "must be positive")]
    [InlineData("sending_queue { sizer = pages }", "sending_queue.sizer", "invalid value \"pages\"")]
    [InlineData("sending_queue { batch { flush_timeout = soon } }", "sending_queue.batch.flush_timeout", "soon")]
    [InlineData("balancer_name = random", "balancer_name", "invalid balancer_name: random")]
    [InlineData("tls { cipher_suites = [TLS_AES_128_GCM_SHA256] }", "tls.cipher_suites", "not supported yet")]
    [InlineData("tls { cert_pem = \"x\" }", "tls.key_file", "provide both certificate and key")]
    [InlineData("tls { key_pem = \"x\" }", "tls.cert_file", "provide both certificate and key")]
    [InlineData("tls { min_version = \"1.4\" }", "tls.min_version", "unsupported TLS version \"1.4\"")]
    [InlineData("tls { ca_file = \"/nonexistent/ca.pem\" }", "tls.ca_file", "does not exist")]
    [InlineData("tls { insecure = maybe }", "tls.insecure", "invalid boolean")]
    [InlineData("headers { \"bad key!\" = x }", "headers.bad key!", "invalid gRPC metadata key")]
    [InlineData("headers { x-name = \"caf\u00e9\" }", "headers.x-name", "printable ASCII")]
    [InlineData("headers { grpc-timeout = 1S }", "headers.grpc-timeout", "set by gRPC itself")]
    [InlineData("headers { Content-Type = text }", "headers.Content-Type", "set by gRPC itself")]
    [InlineData("timeout = -1s", "timeout", "must not be negative")]
    [InlineData("retry_on_failure { multiplier = 0.5 }", "retry_on_failure.multiplier", "must be at least 1")]
    [InlineData("keepalive { time = often }", "keepalive.time", "often")]
    public void Invalid_settings_are_reported_with_their_paths(string hocon, string key, string message)
    {
        var errors = new ConfigErrors();
        Bind("endpoint = \"c:4317\"\n" + hocon, errors);

        var error = Assert.Single(errors.Items);
        Assert.Equal("exporters.otlp." + key, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_robin_needs_a_host_name()
    {
        var errors = new ConfigErrors();
        Bind("endpoint = \"unix:///run/otel.sock\"\nbalancer_name = round_robin", errors);

        Assert.Equal("exporters.otlp.balancer_name", Assert.Single(errors.Items).Path);
    }

    [Fact]
    public void Both_type_names_load_with_the_builtin_registry_and_the_old_one_warns()
    {
        var spec = ConfigLoader.LoadText(
            """
            receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:0"
            exporters {
              otlp { endpoint = "downstream:4317", tls.insecure = true }
              "otlp_grpc/backend" { endpoint = "https://backend.example.com:443", compression = zstd }
            }
            service.pipelines {
              metrics { receivers = [otlp], exporters = [otlp, "otlp_grpc/backend"] }
              logs { receivers = [otlp], exporters = [otlp] }
              traces { receivers = [otlp], exporters = ["otlp_grpc/backend"] }
            }
            """,
            ComponentRegistry.Builtin());

        var old = spec.Exporters[ComponentId.Parse("otlp")];
        var renamed = spec.Exporters[ComponentId.Parse("otlp_grpc/backend")];
        Assert.IsType<OtlpExporterFactory>(old.Factory);
        Assert.IsType<OtlpExporterFactory>(renamed.Factory);
        Assert.Equal("downstream:4317", Assert.IsType<OtlpExporterConfig>(old.Config).Endpoint);
        Assert.Equal(OtlpCompression.Zstd, Assert.IsType<OtlpExporterConfig>(renamed.Config).Compression);
        Assert.Equal("exporters.otlp: exporter type \"otlp\" is deprecated; use \"otlp_grpc\"", Assert.Single(spec.Warnings));
    }

    [Fact]
    public void Adot_style_yaml_with_the_otlp_exporter_loads()
    {
        var spec = ConfigLoader.LoadText(
            """
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: 127.0.0.1:0
            processors:
              batch/traces:
                timeout: 1s
                send_batch_size: 50
            exporters:
              otlp:
                endpoint: otel-gateway:4317
                tls:
                  insecure: true
                headers:
                  x-tenant: team-a
                sending_queue:
                  num_consumers: 4
                  queue_size: 100
                retry_on_failure:
                  max_elapsed_time: 60s
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [batch/traces]
                  exporters: [otlp]
            """,
            ComponentRegistry.Builtin(),
            yaml: true);

        var config = Assert.IsType<OtlpExporterConfig>(spec.Exporters[ComponentId.Parse("otlp")].Config);
        Assert.True(config.Tls.Insecure);
        Assert.Equal("team-a", config.Headers["x-tenant"]);
        Assert.Equal(4, config.SendingQueue.NumConsumers);
        Assert.Equal(TimeSpan.FromSeconds(60), config.Exporter.Retry.MaxElapsedTime);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Exporter.Timeout);
    }

    [Fact]
    public void Loader_reports_every_problem_at_once_with_paths()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(
            """
            receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:0"
            exporters.otlp { compression = brotli, auth.authenticator = oauth2client, tls { insecure = true, insecure_skip_verfy = true } }
            service.pipelines.metrics { receivers = [otlp], exporters = [otlp] }
            """,
            ComponentRegistry.Builtin()));

        var errors = e.Errors.Select(x => x.ToString()).ToList();
        Assert.Contains("exporters.otlp.endpoint: requires a non-empty \"endpoint\"", errors);
        Assert.Contains(errors, x => x.StartsWith("exporters.otlp.compression: unsupported compression type \"brotli\"", StringComparison.Ordinal));
        Assert.Contains("exporters.otlp.auth.authenticator: authenticator extensions are not supported yet", errors);
        Assert.Contains(errors, x => x.StartsWith("exporters.otlp.tls.insecure_skip_verfy: unknown key \"insecure_skip_verfy\" (did you mean \"insecure_skip_verify\"?)", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_file_lists_the_exporterhelper_keys_with_the_collector_defaults()
    {
        var defaults = ReadmeHocon.Parse(Defaults).GetObject().Items;
        Assert.Equal("5s", defaults["timeout"].GetString());
        var retry = defaults["retry_on_failure"].GetObject().Items;
        Assert.Equal("true", retry["enabled"].GetString());
        Assert.Equal("5s", retry["initial_interval"].GetString());
        Assert.Equal("30s", retry["max_interval"].GetString());
        Assert.Equal("300s", retry["max_elapsed_time"].GetString());
        Assert.Equal("1.5", retry["multiplier"].GetString());
        Assert.Equal("0.5", retry["randomization_factor"].GetString());
        Assert.Equal("gzip", defaults["compression"].GetString());
        Assert.Empty(defaults["headers"].GetObject().Items);
    }

    [Fact]
    public void Readme_example_parses_and_binds_without_errors()
    {
        var example = ReadmeHocon.Parse(ReadmeHocon.FirstBlock(Path.Combine("Exporters", "Otlp")));
        var defaults = ReadmeHocon.Parse(Defaults);
        var exporters = example.GetObject().Items["exporters"].GetObject().Items;

        Assert.Equal(2, exporters.Count);
        foreach (var (id, section) in exporters)
        {
            Assert.True(ComponentId.TryParse(id, out var componentId, out _));
            Assert.Contains(componentId.Type, new[] { "otlp_grpc", "otlp" });
            Assert.Empty(ReadmeHocon.UnknownKeys(section, defaults));

            var errors = new ConfigErrors();
            var user = new Akka.Configuration.Config(new HoconRoot(section));
            var merged = user.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(Defaults));
            var config = (OtlpExporterConfig)Factory.CreateConfig(new ComponentConfigReader(merged, user, $"exporters.{id}", errors));
            // The example's certificate files do not exist here; nothing else may be wrong.
            Assert.All(errors.Items, e => Assert.Contains("does not exist", e.Message, StringComparison.Ordinal));
            Assert.NotEmpty(config.Endpoint);
        }
    }

    private static OtlpTarget Target(string endpoint) =>
        OtlpTarget.TryParse(endpoint, out var target, out var error) ? target : throw new InvalidOperationException(error);

    private static OtlpExporterConfig Bind(string hocon, ConfigErrors errors) =>
        (OtlpExporterConfig)Factory.CreateConfig(ComponentConfigReader.Create(hocon, Defaults, "exporters.otlp", errors));
}

internal static class OtlpExporterConfigTestExtensions
{
    public static bool UsesTlsFor(this OtlpExporterConfig config) => config.Target.UsesTls(config.Tls);
}
