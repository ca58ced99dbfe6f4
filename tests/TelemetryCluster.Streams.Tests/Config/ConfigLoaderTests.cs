using System.Collections;
using System.Globalization;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly ComponentRegistry _registry = FakeRegistry.Create();

    public void Dispose() => _files.Dispose();

    private const string FullYaml = """
        receivers:
          otlp:
            protocols:
              grpc:
              http:
                endpoint: ${env:POD_IP}:4318
          filelog/app:
            include: [/var/log/app/*.log]
            start_at: beginning
        processors:
          batch:
            timeout: 1s
          batch/unused:
            send_batch_size: 10
        exporters:
          debug:
            verbosity: detailed
          prometheus:
            endpoint: "0.0.0.0:8889"
            const_labels:
              env: prod
          logging/unused: {}
        extensions:
          health_check:
            endpoint: 0.0.0.0:13133
          health_check/unused:
        service:
          extensions: [health_check]
          pipelines:
            metrics:
              receivers: [otlp]
              processors: [batch]
              exporters: [prometheus, debug]
            logs/app:
              receivers: [filelog/app, otlp]
              processors: [batch]
              exporters: [debug]
          telemetry:
            logs:
              level: debug
            metrics:
              address: 0.0.0.0:8888
        """;

    private const string FullHocon = """
        receivers {
          otlp {
            protocols {
              grpc = null
              http { endpoint = "${env:POD_IP}:4318" }
            }
          }
          "filelog/app" {
            include = ["/var/log/app/*.log"]
            start_at = beginning
          }
        }
        processors {
          batch { timeout = 1s }
          "batch/unused" { send_batch_size = 10 }
        }
        exporters {
          debug { verbosity = detailed }
          prometheus {
            endpoint = "0.0.0.0:8889"
            const_labels { env = prod }
          }
          "logging/unused" {}
        }
        extensions {
          health_check { endpoint = "0.0.0.0:13133" }
          "health_check/unused" = null
        }
        service {
          extensions = [health_check]
          pipelines {
            metrics {
              receivers = [otlp]
              processors = [batch]
              exporters = [prometheus, debug]
            }
            "logs/app" {
              receivers = ["filelog/app", otlp]
              processors = [batch]
              exporters = [debug]
            }
          }
          telemetry {
            logs.level = debug
            metrics.address = "0.0.0.0:8888"
          }
        }
        """;

    private static string? Env(string name) => name == "POD_IP" ? "10.1.2.3" : null;

    private PipelineSpec Load(IReadOnlyList<string> files, IReadOnlyList<string>? sets = null, Func<string, string?>? env = null) =>
        ConfigLoader.Load(new ConfigSources(files, sets ?? [], env ?? Env), _registry);

    private IReadOnlyList<ConfigError> Errors(string hocon, string extension = ".conf")
    {
        var e = Assert.Throws<ConfigException>(() => Load([_files.Write(extension, hocon)]));
        return e.Errors;
    }

    [Fact]
    public void Yaml_and_hocon_give_the_same_spec()
    {
        var fromYaml = Load([_files.Write(".yaml", FullYaml)]);
        var fromHocon = Load([_files.Write(".conf", FullHocon)]);
        Assert.Equal(Describe(fromYaml), Describe(fromHocon));
        Assert.Equal(fromYaml.Warnings.Select(StripSource), fromHocon.Warnings.Select(StripSource));
    }

    [Fact]
    public void Full_spec_has_the_used_components_bound()
    {
        var spec = Load([_files.Write(".yml", FullYaml)]);

        Assert.Equal([ComponentId.Parse("otlp"), ComponentId.Parse("filelog/app")], spec.Receivers.Keys);
        Assert.Equal([ComponentId.Parse("batch")], spec.Processors.Keys);
        Assert.Equal([ComponentId.Parse("debug"), ComponentId.Parse("prometheus")], spec.Exporters.Keys);
        Assert.Equal([ComponentId.Parse("health_check")], spec.Extensions.Keys);
        Assert.Equal([ComponentId.Parse("health_check")], spec.ServiceExtensions);

        var otlp = Assert.IsType<OtlpReceiverConfig>(spec.Receivers[ComponentId.Parse("otlp")].Config);
        Assert.Equal("localhost:4317", otlp.GrpcEndpoint);
        Assert.Equal("10.1.2.3:4318", otlp.HttpEndpoint);
        Assert.Equal(4, otlp.MaxRecvMsgSizeMib);
        var fileLog = spec.Receivers[ComponentId.Parse("filelog/app")];
        Assert.Equal("receivers.filelog/app", fileLog.Path);
        Assert.Equal(ComponentKind.Receiver, fileLog.Kind);
        Assert.Equal("file_log", fileLog.Factory.Type);
        var fileLogConfig = Assert.IsType<FileLogConfig>(fileLog.Config);
        Assert.Equal(["/var/log/app/*.log"], fileLogConfig.Include);
        Assert.Equal("beginning", fileLogConfig.StartAt);
        Assert.Equal(1024 * 1024, fileLogConfig.MaxLogSize);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<BatchConfig>(spec.Processors[ComponentId.Parse("batch")].Config).Timeout);
        Assert.Equal("prod", Assert.IsType<PrometheusConfig>(spec.Exporters[ComponentId.Parse("prometheus")].Config).ConstLabels["env"]);

        Assert.Equal(2, spec.Pipelines.Count);
        var logs = spec.Pipelines[1];
        Assert.Equal(new PipelineId(Signal.Logs, "app"), logs.Id);
        Assert.Equal([ComponentId.Parse("filelog/app"), ComponentId.Parse("otlp")], logs.Receivers);
        Assert.Equal([ComponentId.Parse("batch")], logs.Processors);
        Assert.Equal([ComponentId.Parse("debug")], logs.Exporters);

        Assert.Equal(new EngineSettings(Delivery.Accepted, 32, 16, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20)), spec.Engine);
        Assert.Equal(new TelemetrySettings("debug", "normal", "0.0.0.0:8888"), spec.Telemetry);
        Assert.Equal("127.0.0.1", spec.Root.GetString("cluster.hostname"));
        Assert.Equal(4053, spec.Root.GetInt("cluster.port"));
    }

    [Fact]
    public void Unused_components_are_validated_but_not_in_the_spec()
    {
        var spec = Load([_files.Write(".yaml", FullYaml)]);
        Assert.DoesNotContain(ComponentId.Parse("batch/unused"), spec.Processors.Keys);
        Assert.DoesNotContain(ComponentId.Parse("logging/unused"), spec.Exporters.Keys);
        Assert.DoesNotContain(ComponentId.Parse("health_check/unused"), spec.Extensions.Keys);

        // Still validated: a bad key or value in an unused component is an error.
        var errors = Errors(FullHocon + "\nprocessors.\"batch/unused\".send_batch_sise = 1\nexporters.\"logging/unused\".verbosity = loud");
        Assert.Equal(
        [
            "processors.batch/unused.send_batch_sise: unknown key \"send_batch_sise\" (did you mean \"send_batch_size\"?)",
            "exporters.logging/unused.verbosity: invalid value \"loud\" (valid values: [basic normal detailed])",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Type_aliases_work_with_a_deprecation_warning()
    {
        var spec = Load([_files.Write(".yaml", FullYaml)]);
        Assert.Equal(
        [
            "receivers.filelog/app: receiver type \"filelog\" is deprecated; use \"file_log\"",
            "exporters.logging/unused: exporter type \"logging\" is deprecated; use \"debug\"",
        ], spec.Warnings);
    }

    [Fact]
    public void Files_merge_in_order_then_sets_override()
    {
        var first = _files.Write(".conf", FullHocon + """

            processors.batch { timeout = 5s, send_batch_size = 100 }
            cluster { partitions = 8, delivery = exported }
            """);
        var second = _files.Write(".yaml", """
            processors:
              batch:
                timeout: 2s
            exporters:
              debug:
                verbosity: normal
            cluster:
              drain-timeout: 1m30s
            """);
        var spec = Load(
            [first, second],
            ["processors::batch::timeout=3s", "exporters::debug::verbosity=detailed", "cluster.partitions=4", "receivers::otlp::protocols::grpc::endpoint=0.0.0.0:4317"]);

        var batch = Assert.IsType<BatchConfig>(spec.Processors[ComponentId.Parse("batch")].Config);
        Assert.Equal(TimeSpan.FromSeconds(3), batch.Timeout);
        Assert.Equal(100, batch.SendBatchSize);
        Assert.Equal("detailed", Assert.IsType<DebugConfig>(spec.Exporters[ComponentId.Parse("debug")].Config).Verbosity);
        Assert.Equal("0.0.0.0:4317", Assert.IsType<OtlpReceiverConfig>(spec.Receivers[ComponentId.Parse("otlp")].Config).GrpcEndpoint);
        Assert.Equal(4, spec.Engine.Partitions);
        Assert.Equal(Delivery.Exported, spec.Engine.Delivery);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.Engine.DrainTimeout);

        // Without the sets, the second file wins over the first.
        var unset = Load([first, second]);
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<BatchConfig>(unset.Processors[ComponentId.Parse("batch")].Config).Timeout);
        Assert.Equal("normal", Assert.IsType<DebugConfig>(unset.Exporters[ComponentId.Parse("debug")].Config).Verbosity);
        Assert.Equal(8, unset.Engine.Partitions);
    }

    [Theory]
    [InlineData("a::b/2::c=0.0.0.0:4317", "0.0.0.0:4317")]
    [InlineData("a.b/2.c=2s", "2s")]
    [InlineData("a::b/2::c=http://x#y", "http://x#y")]
    [InlineData("a::b/2::c=\"quoted value\"", "quoted value")]
    [InlineData("a::b/2::c = spaced ", "spaced")]
    public void Set_values_are_strings_unless_structured(string set, string expected)
    {
        var errors = new ConfigErrors();
        var tree = ConfigLoader.ParseSet(set, _ => null, errors, []);
        Assert.Empty(errors.Items);
        Assert.Equal(expected, tree!.GetObject().Items["a"].GetObject().Items["b/2"].GetObject().Items["c"].GetString());
    }

    [Fact]
    public void Set_values_can_be_lists_objects_and_null()
    {
        var errors = new ConfigErrors();
        Assert.Equal(["a", "b"], ConfigLoader.ParseSet("x=[a, b]", _ => null, errors, [])!.GetObject().Items["x"].GetStringList());
        Assert.Equal("1", ConfigLoader.ParseSet("x={ y = 1 }", _ => null, errors, [])!.GetObject().Items["x"].GetObject().Items["y"].GetString());
        Assert.Null(ConfigLoader.ParseSet("x=null", _ => null, errors, [])!.GetObject().Items["x"].GetString());
        Assert.Equal("v", ConfigLoader.ParseSet("x=${env:V}", n => n == "V" ? "v" : null, errors, [])!.GetObject().Items["x"].GetString());
        Assert.Empty(errors.Items);
    }

    [Fact]
    public void Bad_sets_are_errors()
    {
        var e = Assert.Throws<ConfigException>(() => Load([_files.Write(".yaml", FullYaml)], ["novalue", "a::::b=1", "x=[1, "]));
        Assert.Equal(["--set", "--set", "--set"], e.Errors.Select(x => x.Path));
        Assert.Contains("expected key=value", e.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("empty path segment", e.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("'[' is never closed", e.Errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adot_config_content_is_used_only_without_files()
    {
        var env = (string name) => name switch { "AOT_CONFIG_CONTENT" => FullYaml, "POD_IP" => "10.9.9.9", _ => null };
        var spec = Load([], env: env);
        Assert.Equal("10.9.9.9:4318", Assert.IsType<OtlpReceiverConfig>(spec.Receivers[ComponentId.Parse("otlp")].Config).HttpEndpoint);

        var withFile = Load([_files.Write(".conf", FullHocon + "\nexporters.debug.verbosity = normal")], env: env);
        Assert.Equal("normal", Assert.IsType<DebugConfig>(withFile.Exporters[ComponentId.Parse("debug")].Config).Verbosity);
    }

    [Fact]
    public void Unset_variables_expand_to_empty_with_a_warning_naming_the_source()
    {
        var file = _files.Write(".yaml", FullYaml);
        var spec = Load([file], env: _ => null);
        Assert.Equal(":4318", Assert.IsType<OtlpReceiverConfig>(spec.Receivers[ComponentId.Parse("otlp")].Config).HttpEndpoint);
        Assert.Contains($"{file}: environment variable \"POD_IP\" is not set; \"${{env:POD_IP}}\" expands to \"\"", spec.Warnings);
    }

    [Fact]
    public void Akka_block_passes_through_and_hocon_substitutions_resolve()
    {
        var spec = Load([_files.Write(".conf", FullHocon + """

            akka {
              loglevel = DEBUG
              actor.provider = cluster
              remote.dot-netty.tcp.port = ${akka.custom-port}
              custom-port = 4999
            }
            """)]);
        Assert.Equal("DEBUG", spec.Root.GetString("akka.loglevel"));
        Assert.Equal("cluster", spec.Root.GetString("akka.actor.provider"));
        Assert.Equal(4999, spec.Root.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public void Load_tree_merges_user_over_reference_without_validation()
    {
        var errors = new ConfigErrors();
        var tree = ConfigLoader.LoadTree(
            new ConfigSources([_files.Write(".conf", "cluster.port = 5000\nakka.loglevel = INFO\nwhatever = 1")], ["cluster::hostname=10.0.0.5"], _ => null),
            errors);
        Assert.Empty(errors.Items);
        Assert.Equal(5000, tree.GetInt("cluster.port"));
        Assert.Equal("10.0.0.5", tree.GetString("cluster.hostname"));
        Assert.Equal(32, tree.GetInt("cluster.partitions"));
        Assert.Equal("INFO", tree.GetString("akka.loglevel"));
        Assert.Equal("info", tree.GetString("service.telemetry.logs.level"));
    }

    [Fact]
    public void Reference_conf_is_embedded_with_the_engine_defaults()
    {
        var reference = ConfigLoader.Reference();
        Assert.Equal("accepted", reference.GetString("cluster.delivery"));
        Assert.Equal(32, reference.GetInt("cluster.partitions"));
        Assert.Equal(16, reference.GetInt("cluster.pipeline-queue-size"));
        Assert.Equal("50ms", reference.GetString("cluster.admission-timeout"));
        Assert.Equal("localhost:8888", reference.GetString("service.telemetry.metrics.address"));
        Assert.Equal("normal", reference.GetString("service.telemetry.metrics.level"));
    }

    [Fact]
    public void Load_text_reads_hocon_and_yaml_from_memory()
    {
        var fromHocon = ConfigLoader.LoadText(FullHocon, _registry, environment: Env);
        var fromYaml = ConfigLoader.LoadText(FullYaml, _registry, yaml: true, environment: Env);
        Assert.Equal(Describe(fromHocon), Describe(fromYaml));
    }

    [Fact]
    public void Telemetry_address_comes_from_a_pull_reader_and_none_turns_it_off()
    {
        const string Readers = """

            service.telemetry.metrics.address = null
            service.telemetry.metrics.readers = [{ pull { exporter { prometheus { host = "0.0.0.0", port = 9999 } } } }]
            """;
        var spec = Load([_files.Write(".conf", FullHocon + Readers)]);
        Assert.Equal("0.0.0.0:9999", spec.Telemetry.MetricsAddress);

        var off = Load([_files.Write(".conf", FullHocon + "\nservice.telemetry.metrics.level = None")]);
        Assert.Equal(new TelemetrySettings("debug", "none", null), off.Telemetry);
    }

    [Fact]
    public void Hocon_include_is_resolved_next_to_the_file()
    {
        var included = _files.Write(".conf", "exporters.debug.verbosity = normal");
        var main = _files.Write(".conf", FullHocon + $"\ninclude \"{Path.GetFileName(included)}\"");
        var spec = Load([main]);
        Assert.Equal("normal", Assert.IsType<DebugConfig>(spec.Exporters[ComponentId.Parse("debug")].Config).Verbosity);
    }

    [Fact]
    public void Every_error_class_is_reported_at_once_with_its_path()
    {
        var errors = Errors("""
            recievers {}
            receivers {
              otlp { protocols { grpc { endpoit = "x" } } }
              "foo/bar" {}
              "/x" {}
              "filelog/app" {
                start_at = middle
                poll_interval = 5
              }
              batch {}
            }
            processors {
              batch { timeout = soon }
              explode {}
            }
            exporters {
              debug {}
              prometheus {}
            }
            extensions { health_check {} }
            service {
              extensions = [health_check, pprof]
              pipelines {
                traces {
                  receivers = [otlp, "otlp/2"]
                  processors = [batch, batch]
                  exporters = [debug]
                }
                logs {
                  receivers = [otlp]
                  exporters = [prometheus]
                }
                metrics { receivers = [otlp] }
                "metrics/x" {
                  receivers = []
                  exporters = [debug]
                }
                spans {
                  receivers = [otlp]
                  exporters = [debug]
                }
                "logs/k" {
                  receivers = [otlp, "foo/bar"]
                  exporters = [batch]
                  procesors = []
                }
              }
              telemetry { logs { level = loud } }
              extensons = []
            }
            cluster {
              partitons = 4
              delivery = maybe
            }
            """);

        Assert.Equal(
        [
            "recievers: unknown top-level key \"recievers\" (did you mean \"receivers\"?)",
            "receivers.otlp.protocols.grpc.endpoit: unknown key \"endpoit\" (did you mean \"endpoint\"?)",
            "receivers.foo/bar: unknown type: \"foo\" for id: \"foo/bar\" (valid values: [file_log otlp])",
            "receivers./x: in \"/x\" the part before / should not be empty",
            "receivers.filelog/app.start_at: invalid value \"middle\" (valid values: [beginning end])",
            "receivers.filelog/app.poll_interval: invalid duration \"5\": missing unit (ns, us, ms, s, m, h; e.g. \"5s\", \"200ms\")",
            "receivers.batch: unknown type: \"batch\" for id: \"batch\" (valid values: [file_log otlp]); \"batch\" is a processor type",
            "processors.batch.timeout: invalid duration \"soon\": expected a number at \"soon\"",
            "processors.explode: invalid configuration: boom",
            "service.extensons: unknown key \"extensons\" (did you mean \"extensions\"?)",
            "service.pipelines.traces: references receiver \"otlp/2\" which is not configured",
            "service.pipelines.traces: references processor \"batch\" multiple times",
            "service.pipelines.logs: exporter \"prometheus\": data type \"logs\" is not supported",
            "service.pipelines.metrics: must have at least one exporter",
            "service.pipelines.metrics/x: must have at least one receiver",
            "service.pipelines.spans: pipeline \"spans\": unknown signal \"spans\" (valid values: [traces metrics logs])",
            "service.pipelines.logs/k.procesors: unknown key \"procesors\" (did you mean \"processors\"?)",
            "service.pipelines.logs/k: references exporter \"batch\" which is not configured (\"batch\" is configured as a receiver and a processor)",
            "service.extensions: references extension \"pprof\" which is not configured",
            "cluster.partitons: unknown key \"partitons\" (did you mean \"partitions\"?)",
            "cluster.delivery: invalid value \"maybe\" (valid values: [accepted exported])",
            "service.telemetry.logs.level: invalid value \"loud\" (valid values: [debug info warn error])",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Empty_config_reports_missing_receivers_exporters_and_pipelines()
    {
        var errors = Errors("# nothing\n", ".yaml");
        Assert.Equal(
        [
            "receivers: no receiver configuration specified in config",
            "exporters: no exporter configuration specified in config",
            "service.pipelines: service must have at least one pipeline",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Unknown_key_without_a_close_match_lists_the_valid_keys()
    {
        var errors = Errors(FullHocon + "\nexporters.debug.colour = red");
        Assert.Equal("exporters.debug.colour: unknown key \"colour\" (valid keys: verbosity, sampling_initial)", Assert.Single(errors).ToString());
    }

    [Fact]
    public void Free_form_maps_accept_any_key()
    {
        var spec = Load([_files.Write(".conf", FullHocon + "\nexporters.prometheus.const_labels { anything = 1, \"with.dot\" = 2 }")]);
        var labels = Assert.IsType<PrometheusConfig>(spec.Exporters[ComponentId.Parse("prometheus")].Config).ConstLabels;
        Assert.Equal("2", labels["with.dot"]);
    }

    [Fact]
    public void Bad_shapes_are_errors_not_crashes()
    {
        var errors = Errors(FullHocon + """

            processors.batch = 5
            cluster = 7
            service.pipelines.metrics.receivers = { a = 1 }
            """);
        string[] expected =
        [
            "processors.batch: expected an object, got \"5\"",
            "service.pipelines.metrics.receivers: expected a list of ids, got an object",
            "service.pipelines.metrics: must have at least one receiver",
            "cluster: expected an object, got \"7\"",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), errors.Select(e => e.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Syntax_errors_and_missing_files_name_the_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"tc-config-{Guid.NewGuid():N}.conf");
        var badYaml = _files.Write(".yaml", "receivers: [1, 2\n");
        var badHocon = _files.Write(".conf", "a = ${not.there}");
        var e = Assert.Throws<ConfigException>(() => Load([missing, badYaml, badHocon]));
        Assert.Equal([missing, badYaml, badHocon], e.Errors.Select(x => x.Path));
        Assert.StartsWith("cannot read config file", e.Errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("yaml: line", e.Errors[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid HOCON", e.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("3 errors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_hocon_that_would_hang_akkas_parser_is_an_error()
    {
        var file = _files.Write(".conf", "a {\n  x = [1, }\n");
        var e = Assert.Throws<ConfigException>(() => Load([file]));
        Assert.Equal(file + ": invalid HOCON: line 2, column 11: unexpected '}' ('[' opened at line 2, column 7 is not closed)", Assert.Single(e.Errors).ToString());
    }

    [Theory]
    [InlineData("a = 1", null)]
    [InlineData("a { b = [1, {c = \"}\"}] } # } ] {\n// [", null)]
    [InlineData("a = ${b.c}\nb.c = 1", null)]
    [InlineData("a = \"\"\"x { \" [\"\"\"", null)]
    [InlineData("a = \"open", "line 1, column 5: unterminated string")]
    [InlineData("a = \"\"\"open", "line 1, column 5: unterminated \"\"\" string")]
    [InlineData("a {\n b = 1", "line 1, column 3: '{' is never closed")]
    [InlineData("a = ]", "line 1, column 5: unexpected ']'")]
    [InlineData("a = ${b", "line 1, column 5: unterminated substitution ${...}")]
    public void Hocon_structure_is_checked_before_parsing(string text, string? problem) => Assert.Equal(problem, HoconText.Check(text));

    [Fact]
    public void Missing_embedded_defaults_are_a_config_error()
    {
        var registry = new ComponentRegistry(FakeRegistry.Factories());
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(new ConfigSources([_files.Write(".yaml", FullYaml)], [], Env), registry));
        Assert.Contains(e.Errors, x => x.Path == "receivers.otlp" && x.Message.Contains("the defaults of receiver type \"otlp\" cannot be loaded", StringComparison.Ordinal));
    }

    private static string StripSource(string warning) => warning[(warning.IndexOf(": ", StringComparison.Ordinal) + 2)..];

    /// <summary>A readable rendering of a spec (records with lists do not compare by content).</summary>
    private static string Describe(PipelineSpec spec)
    {
        var lines = new List<string>();
        foreach (var (name, components) in new[] { ("receiver", spec.Receivers), ("processor", spec.Processors), ("exporter", spec.Exporters), ("extension", spec.Extensions) })
        {
            lines.AddRange(components.Values.Select(c => $"{name} {c.Id} {c.Kind} {c.Factory.Type} {c.Path} {Render(c.Config)}"));
        }

        lines.AddRange(spec.Pipelines.Select(p => $"pipeline {p.Id}: {string.Join(",", p.Receivers)} | {string.Join(",", p.Processors)} | {string.Join(",", p.Exporters)}"));
        lines.Add($"extensions {string.Join(",", spec.ServiceExtensions)}");
        lines.Add(spec.Engine.ToString());
        lines.Add(spec.Telemetry.ToString());
        return string.Join("\n", lines);
    }

    private static string Render(object value) => value switch
    {
        string s => s,
        IDictionary d => "{" + string.Join(",", d.Keys.Cast<object>().Select(k => $"{k}={d[k]}")) + "}",
        IEnumerable e => "[" + string.Join(",", e.Cast<object>().Select(Render)) + "]",
        _ when value.GetType().Namespace == typeof(ConfigLoaderTests).Namespace =>
            value.GetType().Name + "(" + string.Join(",", value.GetType().GetProperties().Where(p => p.Name != "EqualityContract").Select(p => $"{p.Name}={Render(p.GetValue(value) ?? "null")}")) + ")",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
