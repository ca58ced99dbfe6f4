using System.Text.RegularExpressions;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

/// <summary>The allocation-free matcher must agree with .NET's Regex on every pattern it accepts.</summary>
public sealed class CaptureProgramTests
{
    public static TheoryData<string> Supported =>
    [
        """^(?P<time>\d{4}-\d{2}-\d{2}) (?P<sev>[A-Z0-9]*) (?P<msg>.*)$""",
        """(?P<a>a*)(?P<b>a*b)""",
        """(?P<a>a+?)(?P<rest>.*)""",
        """^(?P<x>a|ab|abc)(?P<y>c?)$""",
        """(?P<k>\w+)=(?P<v>[^ ]*)""",
        """^(?<ip>\d{1,3}(?:\.\d{1,3}){3}) - (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<req>[^"]*)" (?P<code>\d{3})""",
        """(?P<a>(?:ab|a)*)(?P<b>b?)c""",
        """(?P<word>[a-c]{2,3}?)(?P<tail>c*)$""",
        """\A(?P<all>[\s\S]*)\z""",
        """(?P<a>x)?(?P<b>y)?z""",
        """(?P<d>[-+]?\d+(?:\.\d*)?)(?P<u>ms|s|m)?""",
        """^(?P<first>[^,]*),(?P<second>[^,]*),?(?P<third>.*?)$""",
        """(?P<q>"(?:[^"\\]|\\.)*")""",
        """(?P<h>[\x41-\x43\t]+)(?P<e>\$|\.)""",
        """(?P<x>[]a]+)(?P<y>[^]a]*)""",
    ];

    [Theory]
    [MemberData(nameof(Supported))]
    public void Agrees_with_dotnet_on_random_and_edge_inputs(string pattern)
    {
        var program = CaptureProgram.TryCompile(pattern);
        Assert.NotNull(program);
        var regex = new Regex(RegexTranslation.Translate(pattern), RegexOptions.CultureInvariant);
        var runner = new CaptureProgram.Runner(program);
        var random = new Random(pattern.Length);
        const string alphabet = "aabbcxyz09.,- =\"\\:[]$+ABCtmsé\n\t";
        var inputs = new List<string>
        {
            string.Empty,
            "2026-11-26 INFO3 Load Generator Counter #7 batch_index=batch_2 item_index=item_5 a=test b=5 c=3 d=true",
            "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
            "aaab", "abcc", "ab", "abbc", "xyz", "z", "key=value other=x", "\"quoted \\\" text\" rest", "-12.5ms", "a,b", "a,b,c,d",
            "line\n", "AB\t$", "]]a]b",
        };
        for (var i = 0; i < 400; i++)
        {
            var chars = new char[random.Next(0, 14)];
            for (var k = 0; k < chars.Length; k++)
            {
                chars[k] = alphabet[random.Next(alphabet.Length)];
            }

            inputs.Add(new string(chars));
        }

        foreach (var input in inputs)
        {
            var expected = regex.Match(input);
            var actual = runner.Match(input);
            Assert.True(actual.HasValue, $"budget ran out on \"{input}\"");
            Assert.True(expected.Success == actual.Value, $"/{pattern}/ on \"{input}\": .NET {expected.Success}, program {actual}");
            if (!expected.Success)
            {
                continue;
            }

            for (var g = 0; g < program.Names.Length; g++)
            {
                var group = expected.Groups[program.Names[g]];
                var start = runner.Start(g);
                var value = start < 0 ? string.Empty : input[start..runner.End(g)];
                Assert.True(group.Value == value, $"/{pattern}/ on \"{input}\" group {program.Names[g]}: .NET \"{group.Value}\", program \"{value}\"");
                if (start >= 0)
                {
                    Assert.Equal(group.Index, start);
                }
            }
        }
    }

    [Theory]
    [InlineData("(?i)(?P<a>x)")]
    [InlineData("(?P<a>x)\\b")]
    [InlineData("(?P<a>x)(?=y)")]
    [InlineData("(?<=y)(?P<a>x)")]
    [InlineData("(?P<a>x)\\1")]
    [InlineData("(?P<a>\\p{L}+)")]
    [InlineData("(?P<a>(?:x*)*)")]
    [InlineData("(?P<a>[[:alpha:]]+)")]
    [InlineData("(?P<a>x)(?P<a>y)")]
    [InlineData("(?P<a>x{1000})")]
    [InlineData("no named groups")]
    public void Patterns_outside_the_subset_are_left_to_dotnet(string pattern) =>
        Assert.Null(CaptureProgram.TryCompile(pattern));

    [Fact]
    public void Regex_parser_works_the_same_with_a_pattern_outside_the_subset()
    {
        var entry = RunOne("""{ type = regex_parser, regex = "(?i)^(?P<level>info|warn)\\b (?P<msg>.*)$" }""", "WARN disk full");

        Assert.Equal("WARN", Attr(entry, "level"));
        Assert.Equal("disk full", Attr(entry, "msg"));
    }

    [Fact]
    public void A_catastrophic_pattern_runs_out_of_budget_and_the_parser_falls_back_to_dotnet()
    {
        var program = CaptureProgram.TryCompile("^(?P<a>(?:a|aa)+)b$");
        Assert.NotNull(program);
        var runner = new CaptureProgram.Runner(program);
        var input = new string('a', 40);

        Assert.Null(runner.Match(input));

        var pipeline = (OperatorPipeline)Valid("""{ type = regex_parser, regex = "^(?P<a>(?:a|aa)+)b$", on_error = drop }""").Build(TimeProvider.System);
        Assert.Empty(Run(pipeline, Line(input)));
        Assert.Equal(1, pipeline.Dropped["error:regex_parser"]);
        Assert.Contains("timed out", pipeline.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Leading_and_trailing_spaces_of_a_regex_are_kept()
    {
        var entry = RunOne("""{ type = regex_parser, regex = " (?P<word>\\w+) " }""", "a word here");

        Assert.Equal("word", Attr(entry, "word"));
    }
}
