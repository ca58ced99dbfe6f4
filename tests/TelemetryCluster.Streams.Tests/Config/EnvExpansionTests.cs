using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

public sealed class EnvExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["HOST"] = "10.0.0.1",
        ["EMPTY"] = "",
        ["QUOTE"] = "say \"hi\" \\ ok",
        ["_X1"] = "x",
    };

    private static string? Env(string name) => Vars.TryGetValue(name, out var v) ? v : null;

    [Theory]
    [InlineData("${env:HOST}:4317", "10.0.0.1:4317")]
    [InlineData("${HOST}", "10.0.0.1")]
    [InlineData("${_X1}", "x")]
    [InlineData("${ env:HOST }", "10.0.0.1")]
    [InlineData("${env:MISSING:-0.0.0.0}:1", "0.0.0.0:1")]
    [InlineData("${env:HOST:-nope}", "10.0.0.1")]
    [InlineData("${env:EMPTY:-fallback}", "fallback")]
    [InlineData("${MISSING:-d}", "d")]
    [InlineData("$$", "$")]
    [InlineData("cost $$5", "cost $5")]
    [InlineData("$${env:HOST}", "${env:HOST}")]
    [InlineData("${a.b}", "${a.b}")]
    [InlineData("${?a.b}", "${?a.b}")]
    [InlineData("$5 and $HOST", "$5 and $HOST")]
    [InlineData("unterminated ${env:HOST", "unterminated ${env:HOST")]
    [InlineData("no dollars", "no dollars")]
    public void Expands_like_the_collector(string text, string expected)
    {
        var warnings = new List<string>();
        Assert.Equal(expected, EnvExpansion.Expand(text, Env, warnings));
        Assert.Empty(warnings);
    }

    [Fact]
    public void Unset_variable_is_empty_with_a_warning()
    {
        var warnings = new List<string>();
        Assert.Equal("a::b", EnvExpansion.Expand("a:${env:MISSING}:b", Env, warnings));
        Assert.Equal("environment variable \"MISSING\" is not set; \"${env:MISSING}\" expands to \"\"", Assert.Single(warnings));
    }

    [Fact]
    public void Other_schemes_are_left_with_a_warning()
    {
        var warnings = new List<string>();
        Assert.Equal("${file:/etc/x}", EnvExpansion.Expand("${file:/etc/x}", Env, warnings));
        Assert.Contains("scheme \"file\" is not supported", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_env_name_is_left_with_a_warning()
    {
        var warnings = new List<string>();
        Assert.Equal("${env:1X}", EnvExpansion.Expand("${env:1X}", Env, warnings));
        Assert.Single(warnings);
    }

    [Fact]
    public void Hocon_mode_escapes_inside_quotes_and_skips_comments()
    {
        var warnings = new List<string>();
        var text = """"
            # ${env:MISSING} in a comment is neither expanded nor reported
            a = "${env:QUOTE}"
            b = ${env:HOST}  // ${env:ALSO_MISSING}
            c = "${x.y} stays"
            e = """raw ${env:HOST}"""
            """";
        var expanded = EnvExpansion.ExpandHocon(text, Env, warnings);
        Assert.Empty(warnings);
        Assert.Contains("a = \"say \\\"hi\\\" \\\\ ok\"", expanded, StringComparison.Ordinal);
        Assert.Contains("b = 10.0.0.1  // ${env:ALSO_MISSING}", expanded, StringComparison.Ordinal);
        Assert.Contains("# ${env:MISSING}", expanded, StringComparison.Ordinal);
        Assert.Contains("c = \"${x.y} stays\"", expanded, StringComparison.Ordinal);
        Assert.Contains("\"\"\"raw 10.0.0.1\"\"\"", expanded, StringComparison.Ordinal);

        var parsed = Akka.Configuration.ConfigurationFactory.ParseString(expanded.Replace("c = \"${x.y} stays\"", "", StringComparison.Ordinal));
        Assert.Equal(Vars["QUOTE"], parsed.GetString("a"));
    }

    [Fact]
    public void Hocon_mode_quotes_empty_or_special_values_outside_quotes()
    {
        var warnings = new List<string>();
        var expanded = EnvExpansion.ExpandHocon("a = ${env:MISSING}\nb = ${env:QUOTE}\nc = ${env:HOST}\nd = ${X:-host:4317}\n", Env, warnings);
        Assert.Equal("a = \"\"\nb = \"say \\\"hi\\\" \\\\ ok\"\nc = 10.0.0.1\nd = \"host:4317\"\n", expanded);
        var parsed = Akka.Configuration.ConfigurationFactory.ParseString(expanded);
        Assert.Equal(string.Empty, parsed.GetString("a"));
        Assert.Equal(Vars["QUOTE"], parsed.GetString("b"));
        Assert.Equal("10.0.0.1", parsed.GetString("c"));
        Assert.Equal("host:4317", parsed.GetString("d"));
        Assert.Single(warnings);
    }

    [Theory]
    [InlineData("A", true)]
    [InlineData("_a9", true)]
    [InlineData("9a", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void Variable_names(string name, bool valid) => Assert.Equal(valid, EnvExpansion.IsVariableName(name));
}
