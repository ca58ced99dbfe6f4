using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

/// <summary>An operators list from an existing collector YAML file reads the same as HOCON.</summary>
public sealed class OperatorYamlTests
{
    private static (OperatorPipelineSpec Spec, IReadOnlyList<ConfigError> Errors) ReadYaml(string yaml)
    {
        var root = YamlConfig.Parse(yaml);
        var filelog = root.Root.GetObject().Items["receivers"].GetObject().Items["filelog"];
        var section = new Akka.Configuration.Config(new HoconRoot(filelog));
        var errors = new ConfigErrors();
        var spec = OperatorPipelineSpec.Read(new ComponentConfigReader(section, section, Section, errors));
        return (spec, errors.Items);
    }

    [Fact]
    public void Collector_yaml_operators_run_unchanged()
    {
        var (spec, errors) = ReadYaml(
            """
            receivers:
              filelog:
                include: [/var/log/app/*.log]
                operators:
                  - type: regex_parser
                    regex: '^(?P<time>\d{4}-\d{2}-\d{2}) (?P<sev>[A-Z0-9]*) (?P<msg>.*)$'
                    timestamp:
                      parse_from: attributes.time
                      layout: '%Y-%m-%d'
                    severity:
                      parse_from: attributes.sev
                  - type: key_value_parser
                    parse_from: attributes.msg
                    parse_to: attributes["kv"]
                    on_error: send_quiet
                  - type: move
                    from: attributes["log.file.name"]
                    to: resource["log.file.name"]
                  - type: recombine
                    combine_field: body
                    combine_with: " | "
                    is_last_entry: 'body endsWith "d=true"'
            """);

        Assert.Empty(errors);
        var entry = Assert.Single(Run(
            spec.Build(new ManualClock(Start)),
            Line("2026-11-26 INFO3 Load Generator Counter #7 batch_index=batch_2 item_index=item_5 a=test b=5 c=3 d=true")));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), entry.Timestamp);
        Assert.Equal(11, entry.Severity);
        Assert.Equal("app.log", entry.Resource["log.file.name"]);
        Assert.False(entry.Attributes.ContainsKey("log.file.name"));
    }

    [Fact]
    public void Yaml_errors_name_the_operator_path()
    {
        var (_, errors) = ReadYaml(
            """
            receivers:
              filelog:
                operators:
                  - type: json_parser
                  - type: regex_parser
                    regex: '^(?P<a>\d+'
            """);

        Assert.Equal("receivers.filelog.operators[1].regex", Assert.Single(errors).Path);
    }

    [Fact]
    public void Recombine_keeps_a_whitespace_combine_with_from_yaml()
    {
        var (spec, errors) = ReadYaml(
            """
            receivers:
              filelog:
                operators:
                  - type: recombine
                    combine_field: body
                    combine_with: " | "
                    is_last_entry: 'body == "end"'
            """);

        Assert.Empty(errors);
        Assert.Equal("a | end", Assert.Single(Run(spec.Build(new ManualClock(Start)), Line("a"), Line("end"))).Body);
    }
}
