using TelemetryCluster.Streams.Components;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

/// <summary>The collector's ID rule <c>type[/name]</c> as a table.</summary>
public sealed class ComponentIdTests
{
    [Theory]
    [InlineData("otlp", "otlp", null)]
    [InlineData("otlp/2", "otlp", "2")]
    [InlineData(" otlp / 2 ", "otlp", "2")]
    [InlineData("file_log/app.log-1", "file_log", "app.log-1")]
    [InlineData("a/b/c", "a", "b/c")]
    [InlineData("otlp/ünïcødé", "otlp", "ünïcødé")]
    [InlineData("A1_", "A1_", null)]
    public void Valid_ids_split_on_the_first_slash_and_trim(string text, string type, string? name)
    {
        Assert.True(ComponentId.TryParse(text, out var id, out var error), error);
        Assert.Equal(new ComponentId(type, name), id);
    }

    [Fact]
    public void Type_may_have_63_characters_but_not_64()
    {
        var ok = "t" + new string('x', 62);
        Assert.True(ComponentId.TryParse(ok, out _, out _));
        Assert.False(ComponentId.TryParse(ok + "x", out _, out var error));
        Assert.Contains("invalid character(s) in type", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "id must not be empty")]
    [InlineData("   ", "id must not be empty")]
    [InlineData("/x", "in \"/x\" the part before / should not be empty")]
    [InlineData("x/", "in \"x/\" the part after / should not be empty")]
    [InlineData("x/ ", "in \"x/ \" the part after / should not be empty")]
    [InlineData("1otlp", "invalid character(s) in type \"1otlp\"")]
    [InlineData("ot-lp", "invalid character(s) in type \"ot-lp\"")]
    [InlineData("otlp/a b", "invalid character ' ' in name of \"otlp/a b\"")]
    [InlineData("otlp/a$b", "invalid character '$' in name of \"otlp/a$b\"")]
    [InlineData("otlp/a\tb", "invalid character")]
    public void Invalid_ids_say_why(string text, string expected)
    {
        Assert.False(ComponentId.TryParse(text, out _, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_is_limited_to_1024_characters()
    {
        Assert.True(ComponentId.TryParse("x/" + new string('n', 1024), out _, out _));
        Assert.False(ComponentId.TryParse("x/" + new string('n', 1025), out _, out var error));
        Assert.Contains("longer than 1024", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("traces", Signal.Traces, null)]
    [InlineData("logs/app", Signal.Logs, "app")]
    public void Pipeline_ids_are_signal_slash_name(string text, Signal signal, string? name)
    {
        Assert.True(PipelineId.TryParse(text, out var id, out _));
        Assert.Equal(new PipelineId(signal, name), id);
        Assert.Equal(text, id.ToString());
    }

    [Fact]
    public void Pipeline_id_with_unknown_signal_is_rejected()
    {
        Assert.False(PipelineId.TryParse("spans/x", out _, out var error));
        Assert.Equal("pipeline \"spans/x\": unknown signal \"spans\" (valid values: [traces metrics logs])", error);
    }
}
