using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed class OperatorConfigErrorTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // Bad regexes.
        { """{ type = regex_parser, regex = "^(?P<a>[a-z" }""", "operators[0].regex", "invalid regex" },
        { """{ type = regex_parser, regex = "^[a-z]+$" }""", "operators[0].regex", "no named capture groups" },
        { """{ type = noop }, { type = regex_replace, field = body, regex = "(" }""", "operators[1].regex", "invalid regex" },

        // Bad time layouts and zones.
        { """{ type = regex_parser, regex = "(?P<t>.*)", timestamp { parse_from = attributes.t, layout = "%Y-%Q" } }""", "operators[0].timestamp.layout", "unsupported directive %Q" },
        { """{ type = time_parser, parse_from = body, layout = "%Y-%m-%d %" }""", "operators[0].layout", "lone %" },
        { """{ type = time_parser, parse_from = body, layout_type = epoch, layout = "minutes" }""", "operators[0].layout", "invalid epoch layout" },
        { """{ type = time_parser, parse_from = body, layout_type = gotime, layout = "yyyy-MM-dd" }""", "operators[0].layout", "no date or time element" },
        { """{ type = time_parser, parse_from = body, layout_type = java, layout = "x" }""", "operators[0].layout_type", "valid values" },
        { """{ type = time_parser, parse_from = body, layout = "%Y", location = "Mars/Olympus" }""", "operators[0].location", "unknown time zone" },
        { """{ type = time_parser, parse_from = body }""", "operators[0].layout", "missing required key" },

        // Unknown operator types and keys.
        { """{ type = regex_parsr, regex = "(?P<a>.)" }""", "operators[0].type", "did you mean \"regex_parser\"" },
        { """{ type = grok_parser }""", "operators[0].type", "unknown operator type" },
        { """{ type = regex_parser, regexp = "(?P<a>.)", regex = "(?P<a>.)" }""", "operators[0].regexp", "did you mean \"regex\"" },
        { """{ type = regex_parser, regex = "(?P<t>.)", timestamp { parse_from = attributes.t, layout = "%Y", formt = x } }""", "operators[0].timestamp.formt", "unknown key" },
        { """{ type = router, routes = [{ expr = "true", output = noop, outptu = x }] }, { type = noop }""", "operators[0].routes[0].outptu", "unknown key" },
        { """{ type = router, output = noop, routes = [{ expr = "true", output = noop }] }, { type = noop }""", "operators[0].output", "unknown key" },

        // Missing required keys.
        { """{ type = regex_parser }""", "operators[0].regex", "missing required key" },
        { """{ regex = "(?P<a>.)" }""", "operators[0].type", "missing required key" },
        { """{ type = time_parser, layout = "%Y" }""", "operators[0].parse_from", "missing required key" },
        { """{ type = regex_parser, regex = "(?P<s>.)", severity { } }""", "operators[0].severity.parse_from", "missing required key" },
        { """{ type = filter }""", "operators[0].expr", "missing required key" },
        { """{ type = add, value = x }""", "operators[0].field", "missing required key" },
        { """{ type = add, field = body }""", "operators[0].value", "missing required key" },
        { """{ type = copy, from = body }""", "operators[0].to", "missing required key" },
        { """{ type = router }""", "operators[0].routes", "missing required key" },
        { """{ type = router, routes = [{ expr = "true" }] }""", "operators[0].routes[0].output", "missing required key" },
        { """{ type = recombine, combine_field = body }""", "operators[0].is_first_entry", "exactly one of" },
        { """{ type = csv_parser }""", "operators[0].header", "exactly one of header and header_attribute" },
        { """{ type = retain }""", "operators[0].fields", "missing required key" },

        // Bad values.
        { """{ type = noop, on_error = ignore }""", "operators[0].on_error", "valid values" },
        { """{ type = regex_parser, regex = "(?P<a>.)", parse_from = "log.message" }""", "operators[0].parse_from", "\"log\" is not body, attributes or resource" },
        { """{ type = copy, from = "attributes[a.b]", to = body }""", "operators[0].from", "quoted key" },
        { """{ type = filter, expr = "true", drop_ratio = 1.5 }""", "operators[0].drop_ratio", "between 0.0 and 1.0" },
        { """{ type = severity_parser, parse_from = body, mapping { loud = ["!!"] } }""", "operators[0].mapping.loud", "unknown severity" },
        { """{ type = severity_parser, parse_from = body, preset = syslog }""", "operators[0].preset", "valid values" },
        { """{ type = severity_parser, parse_from = body, mapping { error = { min = 5 } } }""", "operators[0].mapping.error", "min and max" },
        { """{ type = flatten, field = body }""", "operators[0].field", "cannot flatten" },
        { """{ type = key_value_parser, delimiter = "=", pair_delimiter = "=" }""", "operators[0].pair_delimiter", "differ" },
        { """{ type = recombine, combine_field = body, is_first_entry = "true", overwrite_with = middle }""", "operators[0].overwrite_with", "valid values" },
        { """{ type = recombine, combine_field = body, is_first_entry = "true", max_batch_size = 0 }""", "operators[0].max_batch_size", "at least 1" },

        // Expressions outside the documented subset.
        { """{ type = noop, if = "len(body) > 3" }""", "operators[0].if", "unsupported name \"len\"" },
        { """{ type = filter, expr = "attributes.a + 1 == 2" }""", "operators[0].expr", "unsupported syntax" },
        { """{ type = router, routes = [{ expr = "true", output = noop }, { expr = "body ~= 'x'", output = noop }] }, { type = noop }""", "operators[0].routes[1].expr", "invalid expression" },
        { """{ type = recombine, combine_field = body, is_last_entry = "body matches \"(\"" }""", "operators[0].is_last_entry", "invalid regex" },
        { """{ type = add, field = body, value = "EXPR(env(\"X\"))" }""", "operators[0].value", "unsupported name \"env\"" },

        // The graph.
        { """{ type = noop, output = nowhere }""", "operators[0].output", "not an operator id" },
        { """{ type = router, routes = [{ expr = "true", output = ghost }] }""", "operators[0].routes[0].output", "not an operator id" },
        { """{ type = router, routes = [{ expr = "true", output = a }], default = ghost }, { type = noop, id = a }""", "operators[0].default", "not an operator id" },
        { """{ type = noop }, { type = noop }""", "operators[1].id", "duplicate operator id \"noop\"" },
        { """{ type = noop, id = a, output = b }, { type = noop, id = b, output = a }""", "operators[1].output", "cycle" },
        { """{ type = noop, id = "" }""", "operators[0].id", "must not be empty" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_operator_config_is_an_error_at_its_path(string operators, string path, string message)
    {
        var (_, errors) = Read(operators);

        var error = Assert.Single(errors, e => e.Path == $"{Section}.{path}");
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_index_in_the_path_is_the_operators_position()
    {
        var error = SingleError(
            """
            { type = json_parser },
            { type = move, from = body, to = attributes.raw },
            { type = regex_parser, parse_from = attributes.raw, regex = "(?P<x>[)" }
            """);

        Assert.Equal("receivers.filelog.operators[2].regex", error.Path);
    }

    [Fact]
    public void Every_error_of_the_list_is_reported_at_once()
    {
        var (_, errors) = Read(
            """
            { type = regex_parser, regex = "(" },
            { type = bogus },
            { type = time_parser, parse_from = body, layout = "%Q" },
            { type = filter, expr = "a +" }
            """);

        Assert.Equal(
            ["operators[0].regex", "operators[1].type", "operators[2].layout", "operators[3].expr"],
            errors.Select(e => e.Path[(Section.Length + 1)..]));
    }

    [Fact]
    public void A_missing_or_empty_operators_key_is_an_empty_pass_through_pipeline()
    {
        var errors = new ConfigErrors();
        var absent = OperatorPipelineSpec.Read(ComponentConfigReader.Create("include = [x]", "", Section, errors));
        var empty = OperatorPipelineSpec.Read(ComponentConfigReader.Create("operators = []", "operators = []", Section, errors));
        var entry = Line("as is");

        Assert.Empty(errors.Items);
        Assert.Equal(0, absent.Count);
        Assert.Equal(0, empty.Count);
        Assert.Same(entry, Assert.Single(Run(empty.Build(TimeProvider.System), entry)));
    }

    [Fact]
    public void Ids_default_to_the_type_and_each_build_has_its_own_state()
    {
        var spec = Valid(
            """
            { type = recombine, combine_field = body, is_first_entry = "body startsWith \"S\"" },
            { type = noop, id = "the-end" }
            """);
        var clock = new ManualClock(Start);
        var a = spec.Build(clock);
        var b = spec.Build(clock);

        Run(a, Line("S a1"), Line("a2"));
        var fromB = Run(b, Line("S b1"));
        var flushedA = new List<LogEntry>();
        a.Flush(clock.GetUtcNow(), true, flushedA);

        Assert.Equal(["recombine", "the-end"], spec.Ids);
        Assert.Empty(fromB);
        Assert.Equal("S a1\na2", Assert.Single(flushedA).Body);
    }
}
