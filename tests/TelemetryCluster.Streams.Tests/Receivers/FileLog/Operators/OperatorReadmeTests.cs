using System.Text.RegularExpressions;
using Akka.Configuration;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed partial class OperatorReadmeTests
{
    [Fact]
    public void Readme_example_parses_validates_and_runs()
    {
        var readme = File.ReadAllText(FindReadme());
        var block = HoconBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```hocon block");
        var section = ConfigurationFactory.ParseString(block.Groups[1].Value).GetConfig("receivers").GetConfig("filelog");
        var errors = new ConfigErrors();

        var spec = OperatorPipelineSpec.Read(new ComponentConfigReader(section, section, Section, errors));

        Assert.Empty(errors.Items);
        Assert.Equal(["recombine", "router", "json", "line", "drop_health", "move"], spec.Ids);

        var clock = new ManualClock(Start);
        var pipeline = spec.Build(clock);
        var output = Run(
            pipeline,
            Line("2026-11-26 08:00:00 WARNING disk almost full"),
            Line("""{"ts":1795680930123,"level":"error","path":"/orders"}"""),
            Line("""{"ts":1795680930123,"level":"info","path":"/health"}"""),
            Line("2026-11-26 08:00:01 E boom"),
            Line("  at Foo.Bar()"),
            Line("2026-11-26 08:00:02 INFO done"));

        // Each entry leaves when the next first line arrives; the last one waits for the flush.
        Assert.Equal(3, output.Count);
        Assert.Equal("disk almost full", output[0].Body);
        Assert.Equal(13, output[0].Severity);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.FromHours(1)), output[0].Timestamp);
        Assert.Equal("/orders", Attr(output[1], "path"));
        Assert.Equal(17, output[1].Severity);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795680930123), output[1].Timestamp);
        Assert.Equal("boom\n  at Foo.Bar()", output[2].Body);
        Assert.Equal("E", output[2].SeverityText);
        Assert.Equal(1, pipeline.Dropped["filtered:drop_health"]);

        output.Clear();
        clock.Advance(TimeSpan.FromSeconds(2));
        pipeline.Flush(clock.GetUtcNow(), force: false, output);
        Assert.Equal("done", Assert.Single(output).Body);
        Assert.Equal(9, output[0].Severity);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Streams", "TelemetryCluster.Streams", "Receivers", "FileLog", "Operators", "README.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Receivers/FileLog/Operators/README.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```hocon\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();
}
