using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed class ParserOperatorTests
{
    // HOCON triple-quoted strings take the regex verbatim (no escaping), as a YAML single-quoted string would.
    private const string TestbedRegex = """"{ type = regex_parser, regex = """^(?P<time>\d{4}-\d{2}-\d{2}) (?P<sev>[A-Z0-9]*) (?P<msg>.*)$""" }"""";

    private const string TestbedLine =
        "2026-11-26 INFO3 Load Generator Counter #7 batch_index=batch_2 item_index=item_5 a=test b=5 c=3 d=true";

    [Fact]
    public void Regex_parser_puts_named_groups_into_attributes_and_keeps_the_body()
    {
        var entry = RunOne(TestbedRegex, TestbedLine);

        Assert.Equal(TestbedLine, entry.Body);
        Assert.Equal("2026-11-26", Attr(entry, "time"));
        Assert.Equal("INFO3", Attr(entry, "sev"));
        Assert.Equal("Load Generator Counter #7 batch_index=batch_2 item_index=item_5 a=test b=5 c=3 d=true", Attr(entry, "msg"));
        Assert.Equal("/var/log/app.log", Attr(entry, "log.file.path"));
        Assert.Null(entry.Timestamp);
        Assert.Equal(0, entry.Severity);
    }

    [Theory]
    [InlineData("body", "body")]
    [InlineData("attributes.parsed", "attributes.parsed")]
    [InlineData("attributes[\\\"dotted.key\\\"]", "attributes.dotted.key")]
    [InlineData("resource", "resource")]
    [InlineData("body.nested", "body.nested")]
    public void Regex_parser_writes_to_parse_to(string parseTo, string where)
    {
        var entry = RunOne($$"""{ type = regex_parser, regex = "^(?P<k>\\w+)=(?P<v>\\w+)$", parse_to = "{{parseTo}}" }""", "key=value");

        var parsed = where switch
        {
            "body" => BodyMap(entry),
            "attributes.parsed" => Assert.IsType<Dictionary<string, object?>>(Attr(entry, "parsed")),
            "attributes.dotted.key" => Assert.IsType<Dictionary<string, object?>>(Attr(entry, "dotted.key")),
            "resource" => entry.Resource,
            _ => Assert.IsType<Dictionary<string, object?>>(BodyMap(entry)["nested"]),
        };
        Assert.Equal("key", parsed["k"]);
        Assert.Equal("value", parsed["v"]);
    }

    [Fact]
    public void Regex_parser_reads_parse_from_and_copies_the_original_to_preserve_to()
    {
        var entry = RunOne(
            """
            { type = move, from = body, to = attributes.raw },
            { type = regex_parser, parse_from = attributes.raw, regex = "^(?P<a>\\d+)-(?P<b>\\d+)$", preserve_to = attributes.original, body = attributes.b }
            """,
            "12-34");

        Assert.Equal("12", Attr(entry, "a"));
        Assert.Equal("34", Attr(entry, "b"));
        Assert.Equal("12-34", Attr(entry, "original"));
        Assert.Equal("34", entry.Body);
    }

    [Theory]
    [InlineData(null, 1, 0, "a line that does not match")]
    [InlineData("send", 1, 0, "a line that does not match")]
    [InlineData("send_quiet", 1, 0, "a line that does not match")]
    [InlineData("drop", 0, 1, "a line that does not match")]
    [InlineData("drop_quiet", 0, 1, "a line that does not match")]
    public void Regex_parser_mismatch_follows_on_error(string? onError, int sent, long dropped, string line)
    {
        var config = $$"""{ type = regex_parser, regex = "^(?P<n>\\d+)$" {{(onError is null ? "" : $", on_error = {onError}")}} }""";
        var pipeline = (OperatorPipeline)Valid(config).Build(new ManualClock(Start));

        var output = Run(pipeline, Line(line), Line("42"));

        Assert.Equal(sent + 1, output.Count);
        Assert.Equal("42", Attr(output[^1], "n"));
        if (sent == 1)
        {
            Assert.Equal(line, output[0].Body);
            Assert.Null(Attr(output[0], "n"));
        }

        Assert.Equal(dropped, pipeline.Dropped.GetValueOrDefault("error:regex_parser"));
        Assert.Equal(1, pipeline.Errors["regex_parser"]);
        Assert.Contains("does not match", pipeline.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_errors_when_parse_from_is_missing_or_not_a_string()
    {
        var pipeline = (OperatorPipeline)Valid("""{ type = regex_parser, parse_from = attributes.missing, regex = "(?P<x>.)", on_error = drop }""")
            .Build(new ManualClock(Start));
        var mapBody = Line("x");
        mapBody.Body = new Dictionary<string, object?> { ["a"] = "b" };
        var mapPipeline = (OperatorPipeline)Valid("""{ type = regex_parser, regex = "(?P<x>.)", on_error = drop }""").Build(new ManualClock(Start));

        Assert.Empty(Run(pipeline, Line("x")));
        Assert.Empty(Run(mapPipeline, mapBody));
        Assert.Equal(1, pipeline.Dropped["error:regex_parser"]);
        Assert.Contains("missing the expected parse_from", pipeline.LastError, StringComparison.Ordinal);
        Assert.Contains("cannot be parsed as regex", mapPipeline.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Regex_parser_with_embedded_timestamp_and_severity()
    {
        var entry = RunOne(
            """
            {
              type = regex_parser
              regex = "^(?P<time>\\d{4}-\\d{2}-\\d{2}) (?P<sev>[A-Z0-9]*) (?P<msg>.*)$"
              timestamp { parse_from = attributes.time, layout = "%Y-%m-%d" }
              severity { parse_from = attributes.sev }
            }
            """,
            TestbedLine);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), entry.Timestamp);
        Assert.Equal(11, entry.Severity);
        Assert.Equal("INFO3", entry.SeverityText);
    }

    [Fact]
    public void Embedded_operations_run_independently_and_an_error_goes_to_on_error()
    {
        var config = """
            {
              type = regex_parser, regex = "^(?P<time>\\S+) (?P<sev>\\S+)$", on_error = send
              timestamp { parse_from = attributes.time, layout_type = gotime, layout = "2006-01-02" }
              severity { parse_from = attributes.sev }
            }
            """;
        var pipeline = (OperatorPipeline)Valid(config).Build(new ManualClock(Start));

        var entry = Assert.Single(Run(pipeline, Line("not-a-date error")));

        Assert.Null(entry.Timestamp);
        Assert.Equal(17, entry.Severity);
        Assert.Equal("error", entry.SeverityText);
        Assert.Equal("not-a-date", Attr(entry, "time"));
        Assert.Equal(1, pipeline.Errors["regex_parser"]);
        Assert.Contains("timestamp", pipeline.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedded_operations_do_not_run_when_the_parse_failed()
    {
        var entry = RunOne(
            """{ type = regex_parser, regex = "^(?P<sev>\\d+)$", severity { parse_from = body } }""",
            "warn");

        Assert.Equal(0, entry.Severity);
        Assert.Null(entry.SeverityText);
    }

    [Fact]
    public void Embedded_trace_and_scope_name()
    {
        var entry = RunOne(
            """
            {
              type = regex_parser
              regex = "^(?P<trace_id>[0-9a-f]{32}) (?P<span_id>[0-9a-f]{16}) (?P<trace_flags>[0-9a-f]{2}) (?P<scope>\\S+)$"
              trace { }
              scope_name { parse_from = attributes.scope }
            }
            """,
            "0123456789abcdef0123456789abcdef 0123456789abcdef 01 my.scope");

        Assert.Equal(Convert.FromHexString("0123456789abcdef0123456789abcdef"), entry.TraceId);
        Assert.Equal(Convert.FromHexString("0123456789abcdef"), entry.SpanId);
        Assert.Equal(1u, entry.TraceFlags);
        Assert.Equal("my.scope", entry.ScopeName);
    }

    [Fact]
    public void Trace_parser_with_custom_fields_and_a_bad_id()
    {
        var config = """
            { type = json_parser },
            {
              type = trace_parser, on_error = drop
              trace_id { parse_from = attributes.tid }
              span_id { parse_from = attributes.sid }
            }
            """;
        var pipeline = (OperatorPipeline)Valid(config).Build(new ManualClock(Start));

        var output = Run(
            pipeline,
            Line("""{"tid":"4bf92f3577b34da6a3ce929d0e0e4736","sid":"00f067aa0ba902b7"}"""),
            Line("""{"tid":"xyz","sid":"00f067aa0ba902b7"}"""));

        var entry = Assert.Single(output);
        Assert.Equal(Convert.FromHexString("4bf92f3577b34da6a3ce929d0e0e4736"), entry.TraceId);
        Assert.Equal(Convert.FromHexString("00f067aa0ba902b7"), entry.SpanId);
        Assert.Equal(1, pipeline.Dropped["error:trace_parser"]);
    }

    [Theory]
    [InlineData(false, """{"a":1,"b":"x","c":{"d":[1,2.5,true,null]}}""")]
    [InlineData(true, """{"a":1,"b":"x","c":{"d":[1,2.5,true,null]}}""")]
    public void Json_parser_maps_objects_numbers_and_arrays(bool parseInts, string line)
    {
        var entry = RunOne($$"""{ type = json_parser, parse_ints = {{(parseInts ? "true" : "false")}} }""", line);

        Assert.Equal(parseInts ? 1L : (object)1.0, Attr(entry, "a"));
        Assert.Equal("x", Attr(entry, "b"));
        var c = Assert.IsType<Dictionary<string, object?>>(Attr(entry, "c"));
        var d = Assert.IsType<List<object?>>(c["d"]);
        Assert.Equal([parseInts ? 1L : (object)1.0, 2.5, true, null], d);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":")]
    public void Json_parser_rejects_non_objects(string line)
    {
        var pipeline = (OperatorPipeline)Valid("{ type = json_parser, on_error = drop }").Build(new ManualClock(Start));

        Assert.Empty(Run(pipeline, Line(line)));
        Assert.Equal(1, pipeline.Dropped["error:json_parser"]);
    }

    [Fact]
    public void Key_value_parser_splits_on_whitespace_and_respects_quotes()
    {
        var entry = RunOne("{ type = key_value_parser }", "batch_index=batch_2 msg=\"hello world\" empty= q='x y'");

        Assert.Equal("batch_2", Attr(entry, "batch_index"));
        Assert.Equal("hello world", Attr(entry, "msg"));
        Assert.Equal(string.Empty, Attr(entry, "empty"));
        Assert.Equal("x y", Attr(entry, "q"));
    }

    [Fact]
    public void Key_value_parser_with_custom_delimiters_and_a_pair_without_delimiter()
    {
        var entry = RunOne("""{ type = key_value_parser, delimiter = ":", pair_delimiter = "|", parse_to = body }""", "a:1|b: two |c:3");
        var pipeline = (OperatorPipeline)Valid("{ type = key_value_parser, on_error = drop }").Build(new ManualClock(Start));

        Assert.Equal(new Dictionary<string, object?> { ["a"] = "1", ["b"] = "two", ["c"] = "3" }, BodyMap(entry));
        Assert.Empty(Run(pipeline, Line("a=1 broken")));
        Assert.Contains("'broken'", pipeline.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,\"two, quoted\",3", "1", "two, quoted", "3")]
    [InlineData("1,\"say \"\"hi\"\"\",", "1", "say \"hi\"", "")]
    public void Csv_parser_maps_fields_onto_the_header(string line, string a, string b, string c)
    {
        var entry = RunOne("""{ type = csv_parser, header = "a,b,c" }""", line);

        Assert.Equal(a, Attr(entry, "a"));
        Assert.Equal(b, Attr(entry, "b"));
        Assert.Equal(c, Attr(entry, "c"));
    }

    [Fact]
    public void Csv_parser_delimiters_dynamic_header_and_field_count()
    {
        var tab = RunOne("""{ type = csv_parser, header = "x|y", header_delimiter = "|", delimiter = "\t" }""", "1\t2");
        var ignore = RunOne("""{ type = csv_parser, header = "x,y", ignore_quotes = true }""", "\"a,b");
        var dynamic = new LogEntry { Body = "1;2" };
        dynamic.Attributes["hdr"] = "p;q";
        var dynamicOut = Assert.Single(Run(Valid("""{ type = csv_parser, header_attribute = hdr, delimiter = ";" }""").Build(TimeProvider.System), dynamic));
        var pipeline = (OperatorPipeline)Valid("""{ type = csv_parser, header = "a,b", on_error = drop }""").Build(TimeProvider.System);

        Assert.Equal("1", Attr(tab, "x"));
        Assert.Equal("2", Attr(tab, "y"));
        Assert.Equal("\"a", Attr(ignore, "x"));
        Assert.Equal("1", Attr(dynamicOut, "p"));
        Assert.Equal("2", Attr(dynamicOut, "q"));
        Assert.Empty(Run(pipeline, Line("1,2,3")));
        Assert.Contains("wrong number of fields", pipeline.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Time_parser_and_severity_parser_as_operators()
    {
        var entry = RunOne(
            """
            { type = regex_parser, regex = "^(?P<ts>\\d+) (?P<level>\\w+)" },
            { type = time_parser, parse_from = attributes.ts, layout_type = epoch, layout = ms },
            { type = severity_parser, parse_from = attributes.level, overwrite_text = true }
            """,
            "1764140400123 warning");

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764140400123), entry.Timestamp);
        Assert.Equal(13, entry.Severity);
        Assert.Equal("WARN", entry.SeverityText);
    }

    [Fact]
    public void Regex_parser_allocates_only_the_captured_strings_on_the_testbed_line()
    {
        var spec = Valid(TestbedRegex);
        var pipeline = spec.Build(TimeProvider.System);
        var output = new List<LogEntry>(1);
        var entries = new LogEntry[2000];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = Line(TestbedLine);

            // The attribute map already has room for the captures (the receiver's entry).
            entries[i].Attributes.EnsureCapacity(8);
        }

        for (var i = 0; i < 100; i++)
        {
            output.Clear();
            pipeline.Process(entries[i], output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < entries.Length; i++)
        {
            output.Clear();
            pipeline.Process(entries[i], output);
        }

        var perEntry = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(entries.Length - 100);

        // Exactly the three captured strings (64-bit string: 22 + 2 bytes per char, 8-byte aligned); nothing else.
        static long StringBytes(string s) => (22 + (2L * s.Length) + 7) / 8 * 8;
        var captures = StringBytes("2026-11-26") + StringBytes("INFO3") + StringBytes(TestbedLine[17..]);
        Assert.True(perEntry <= captures, $"regex_parser allocated {perEntry:F0} bytes per entry; the captures are {captures}");
        Assert.Equal("INFO3", Attr(entries[^1], "sev"));
    }
}
