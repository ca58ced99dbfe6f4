using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed class RoutingAndRecombineTests
{
    [Fact]
    public void Filter_drops_matching_entries_and_counts_them()
    {
        var pipeline = Valid("""{ type = filter, expr = "body contains \"DEBUG\"" }""").Build(TimeProvider.System);

        var output = Run(pipeline, Line("DEBUG a"), Line("INFO b"), Line("DEBUG c"));

        Assert.Equal("INFO b", Assert.Single(output).Body);
        Assert.Equal(new Dictionary<string, long> { ["filtered:filter"] = 2 }, pipeline.Dropped);
    }

    [Fact]
    public void Filter_drop_ratio_zero_keeps_everything_and_a_half_drops_about_half()
    {
        var none = Valid("""{ type = filter, expr = "true", drop_ratio = 0 }""").Build(TimeProvider.System);
        var half = Valid("""{ type = filter, id = sample, expr = "true", drop_ratio = 0.5 }""").Build(TimeProvider.System);
        var lines = Enumerable.Range(0, 2000).Select(i => Line("l" + i)).ToArray();

        Assert.Equal(2000, Run(none, lines).Count);
        var kept = Run(half, [.. Enumerable.Range(0, 2000).Select(i => Line("l" + i))]).Count;
        Assert.InRange(kept, 800, 1200);
        Assert.Equal(2000 - kept, half.Dropped["filtered:sample"]);
    }

    [Fact]
    public void Router_sends_to_the_first_matching_route_then_default()
    {
        var entries = Run(
            """
            {
              type = router
              routes = [
                { expr = "body startsWith \"{\"", output = json, attributes { format = json } }
                { expr = "body matches \"^\\\\d{4}-\"", output = dated }
              ]
              default = plain
            },
            { type = json_parser, id = json, output = end },
            { type = regex_parser, id = dated, regex = "^(?P<date>\\S+) (?P<rest>.*)$", output = end },
            { type = add, id = plain, field = attributes.plain, value = "true" },
            { type = noop, id = end }
            """,
            """{"k":"v"}""",
            "2026-11-26 started",
            "something else");

        Assert.Equal(3, entries.Count);
        Assert.Equal("v", Attr(entries[0], "k"));
        Assert.Equal("json", Attr(entries[0], "format"));
        Assert.Equal("2026-11-26", Attr(entries[1], "date"));
        Assert.Null(Attr(entries[1], "plain"));
        Assert.Equal("true", Attr(entries[2], "plain"));
    }

    [Fact]
    public void Router_without_default_drops_unrouted_entries_with_a_reason()
    {
        var pipeline = Valid(
                """
                { type = router, id = by_level, routes = [{ expr = "body contains \"ERROR\"", output = errors }] },
                { type = add, id = errors, field = attributes.alert, value = "1" }
                """)
            .Build(TimeProvider.System);

        var output = Run(pipeline, Line("ERROR x"), Line("INFO y"));

        Assert.Equal("ERROR x", Assert.Single(output).Body);
        Assert.Equal(1, pipeline.Dropped["no_route:by_level"]);
    }

    [Fact]
    public void Output_jumps_over_operators_and_a_list_fans_out_copies()
    {
        var entries = Run(
            """
            { type = add, field = attributes.a, value = "1", output = [third, second] },
            { type = add, id = second, field = attributes.b, value = "2", output = last },
            { type = add, id = third, field = attributes.c, value = "3", output = last },
            { type = noop, id = last }
            """,
            "x");

        Assert.Equal(2, entries.Count);
        Assert.Equal("3", Attr(entries[0], "c"));
        Assert.Null(Attr(entries[0], "b"));
        Assert.Equal("2", Attr(entries[1], "b"));
        Assert.Null(Attr(entries[1], "c"));
        Assert.All(entries, e => Assert.Equal("1", Attr(e, "a")));
    }

    [Fact]
    public void Recombine_with_is_first_entry_joins_continuation_lines_per_source()
    {
        var clock = new ManualClock(Start);
        var pipeline = Valid(
                """
                { type = recombine, combine_field = body, is_first_entry = "body matches \"^\\\\d{4}-\"" }
                """)
            .Build(clock);

        var output = Run(
            pipeline,
            Line("2026-11-26 first", "/a.log"),
            Line("  at frame 1", "/a.log"),
            Line("2026-11-26 other file", "/b.log"),
            Line("  at frame 2", "/a.log"),
            Line("2026-11-26 second", "/a.log"));

        Assert.Equal("2026-11-26 first\n  at frame 1\n  at frame 2", Assert.Single(output).Body);
        Assert.Equal("/a.log", Attr(output[0], "log.file.path"));

        output.Clear();
        pipeline.Flush(clock.GetUtcNow(), force: true, output);
        Assert.Equal(["2026-11-26 other file", "2026-11-26 second"], output.Select(e => (string)e.Body!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Recombine_with_is_last_entry_and_combine_with()
    {
        var entries = Run(
            """
            { type = recombine, combine_field = body, is_last_entry = "body endsWith \";\"", combine_with = " " }
            """,
            "SELECT *",
            "FROM t",
            "WHERE x;",
            "DELETE;");

        Assert.Equal(["SELECT * FROM t WHERE x;", "DELETE;"], entries.Select(e => (string)e.Body!));
    }

    [Fact]
    public void Recombine_force_flush_period_emits_a_stale_batch_on_flush()
    {
        var clock = new ManualClock(Start);
        var pipeline = Valid(
                """
                { type = recombine, combine_field = body, is_first_entry = "body startsWith \"START\"", force_flush_period = 2s },
                { type = add, field = attributes.after, value = recombined }
                """)
            .Build(clock);
        var output = Run(pipeline, Line("START a"), Line("more"));
        Assert.Empty(output);

        clock.Advance(TimeSpan.FromSeconds(1.5));
        pipeline.Flush(clock.GetUtcNow(), force: false, output);
        Assert.Empty(output);

        clock.Advance(TimeSpan.FromSeconds(0.5));
        pipeline.Flush(clock.GetUtcNow(), force: false, output);

        var entry = Assert.Single(output);
        Assert.Equal("START a\nmore", entry.Body);
        Assert.Equal("recombined", Attr(entry, "after"));
        output.Clear();
        pipeline.Flush(clock.GetUtcNow() + TimeSpan.FromMinutes(1), force: true, output);
        Assert.Empty(output);
    }

    [Fact]
    public void Recombine_limits_batch_size_and_log_size()
    {
        var bySize = Run(
            """{ type = recombine, combine_field = body, is_first_entry = "body == \"S\"", max_batch_size = 3 }""",
            "S", "1", "2", "3", "4");
        var byBytes = Run(
            """{ type = recombine, combine_field = body, is_first_entry = "body == \"S\"", max_log_size = 10 }""",
            "S", "12345", "6789", "x");

        Assert.Equal("S\n1\n2", Assert.Single(bySize).Body);
        Assert.Equal("S\n12345", Assert.Single(byBytes).Body);
    }

    [Fact]
    public void Recombine_overwrite_with_newest_keeps_the_last_entries_fields()
    {
        var clock = new ManualClock(Start);
        var pipeline = Valid(
                """{ type = recombine, combine_field = body, is_last_entry = "body == \"END\"", overwrite_with = newest }""")
            .Build(clock);
        var first = Line("a");
        first.Attributes["n"] = "first";
        var last = Line("END");
        last.Attributes["n"] = "last";

        var entry = Assert.Single(Run(pipeline, first, last));

        Assert.Equal("a\nEND", entry.Body);
        Assert.Equal("last", Attr(entry, "n"));
    }

    [Fact]
    public void Parsing_after_recombine_sees_the_joined_body()
    {
        var entry = RunOne(
            """
            { type = recombine, combine_field = body, is_last_entry = "true" },
            { type = regex_parser, regex = "^(?P<word>\\w+)" }
            """,
            "hello world");

        Assert.Equal("hello", Attr(entry, "word"));
    }
}
