using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed class TransformerOperatorTests
{
    [Fact]
    public void Add_sets_strings_maps_lists_and_expressions()
    {
        var entries = Run(
            """
            { type = add, id = env, field = attributes.env, value = prod },
            { type = add, id = service, field = "resource[\"service.name\"]", value = checkout },
            { type = add, id = tags, field = attributes.tags, value = [a, b] },
            { type = add, id = meta, field = body.meta, value { team = core, owner { name = x } } },
            { type = add, id = expr, field = attributes.is_health, value = "EXPR(body.meta.team == \"core\")" }
            """,
            "line one",
            "line two");

        Assert.Equal(2, entries.Count);
        var entry = entries[0];
        Assert.Equal("prod", Attr(entry, "env"));
        Assert.Equal("checkout", entry.Resource["service.name"]);
        Assert.Equal(["a", "b"], Assert.IsType<List<object?>>(Attr(entry, "tags")));
        var meta = Assert.IsType<Dictionary<string, object?>>(BodyMap(entry)["meta"]);
        Assert.Equal("core", meta["team"]);
        Assert.Equal("x", Assert.IsType<Dictionary<string, object?>>(meta["owner"])["name"]);
        Assert.Equal(true, Attr(entry, "is_health"));

        // Every entry gets its own copy of a constant map.
        Assert.NotSame(BodyMap(entries[0])["meta"], BodyMap(entries[1])["meta"]);
    }

    [Fact]
    public void Copy_keeps_the_source_and_move_removes_it()
    {
        var entry = RunOne(
            """
            { type = json_parser },
            { type = copy, from = attributes.user, to = resource.user },
            { type = move, from = attributes.msg, to = body },
            { type = move, id = move_dotted, from = "attributes[\"a.b\"]", to = attributes.ab }
            """,
            """{"user":{"id":7},"msg":"hello","a.b":"dotted"}""");

        Assert.Equal("hello", entry.Body);
        Assert.False(entry.Attributes.ContainsKey("msg"));
        Assert.False(entry.Attributes.ContainsKey("a.b"));
        Assert.Equal("dotted", Attr(entry, "ab"));
        var copied = Assert.IsType<Dictionary<string, object?>>(entry.Resource["user"]);
        var original = Assert.IsType<Dictionary<string, object?>>(Attr(entry, "user"));
        Assert.Equal(7.0, copied["id"]);
        Assert.NotSame(original, copied);
    }

    [Fact]
    public void Move_of_a_missing_field_is_an_error_handled_by_on_error()
    {
        var pipeline = (OperatorPipeline)Valid("{ type = move, from = attributes.nope, to = attributes.x, on_error = drop_quiet }").Build(TimeProvider.System);

        Assert.Empty(Run(pipeline, Line("x")));
        Assert.Equal(1, pipeline.Dropped["error:move"]);
    }

    [Fact]
    public void Remove_deletes_fields_and_whole_maps()
    {
        var entry = RunOne(
            """
            { type = regex_parser, regex = "^(?P<a>\\w) (?P<b>\\w)$" },
            { type = remove, field = attributes.a },
            { type = add, field = resource.r, value = 1 },
            { type = remove, id = remove_resource, field = resource },
            { type = remove, id = remove_body, field = body }
            """,
            "x y");

        Assert.Null(entry.Body);
        Assert.False(entry.Attributes.ContainsKey("a"));
        Assert.Equal("y", Attr(entry, "b"));
        Assert.Empty(entry.Resource);
    }

    [Fact]
    public void Retain_keeps_only_listed_fields_per_part()
    {
        var entry = RunOne(
            """
            { type = json_parser, parse_to = body },
            { type = add, field = attributes.keep, value = yes },
            { type = add, id = add2, field = resource.untouched, value = yes },
            { type = retain, fields = [body.a, attributes.keep, "attributes[\"log.file.path\"]"] }
            """,
            """{"a":1,"b":2,"c":3}""");

        Assert.Equal(new Dictionary<string, object?> { ["a"] = 1.0 }, BodyMap(entry));
        Assert.Equal(["keep", "log.file.path"], entry.Attributes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("yes", entry.Resource["untouched"]);
    }

    [Fact]
    public void Flatten_moves_nested_keys_up_one_level()
    {
        var entry = RunOne(
            """
            { type = json_parser, parse_to = body },
            { type = flatten, field = body.k8s }
            """,
            """{"k8s":{"pod":"api-7","ns":"prod"},"msg":"m"}""");

        Assert.Equal(new Dictionary<string, object?> { ["msg"] = "m", ["pod"] = "api-7", ["ns"] = "prod" }, BodyMap(entry));
    }

    [Fact]
    public void Flatten_of_a_non_map_is_an_error()
    {
        var pipeline = (OperatorPipeline)Valid("{ type = flatten, field = body.x }").Build(TimeProvider.System);

        var entry = Assert.Single(Run(pipeline, Line("text")));

        Assert.Equal("text", entry.Body);
        Assert.Equal(1, pipeline.Errors["flatten"]);
    }

    [Theory]
    [InlineData("\\\\x1b\\\\[[0-9;]*m", "", "\u001b[31mred\u001b[0m text", "red text")]
    [InlineData("(?P<user>user=)\\\\w+", "${user}***", "login user=alice ok user=bob", "login user=*** ok user=***")]
    [InlineData("\\\\d", "#", "a1b22", "a#b##")]
    public void Regex_replace_replaces_every_match(string regex, string replacement, string line, string expected)
    {
        var entry = RunOne($$"""{ type = regex_replace, field = body, regex = "{{regex}}", replace_with = "{{replacement}}" }""", line);

        Assert.Equal(expected, entry.Body);
    }

    [Fact]
    public void If_false_passes_the_entry_through_untouched()
    {
        var entries = Run(
            """
            { type = add, field = attributes.matched, value = yes, if = "body startsWith \"ERR\"" }
            """,
            "ERR boom",
            "INFO fine");

        Assert.Equal("yes", Attr(entries[0], "matched"));
        Assert.False(entries[1].Attributes.ContainsKey("matched"));
    }
}
