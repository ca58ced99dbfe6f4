using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

/// <summary>Whatever a file contains, the operators never throw; bad input becomes counted errors and drops.</summary>
public sealed class OperatorRobustnessTests
{
    private const string EveryOperator =
        """
        {
          type = json_parser, id = json, parse_ints = true
          timestamp { parse_from = attributes.ts, layout_type = epoch, layout = "s.ns" }
          severity { parse_from = attributes.level }
        },
        {
          type = regex_parser, id = re, regex = "^(?P<a>\\S*) (?P<b>\\d+)? ?(?P<c>.*)$"
          timestamp { parse_from = attributes.a, layout = "%Y-%m-%dT%H:%M:%S%z" }
          trace { }
        },
        { type = key_value_parser, id = kv, parse_from = attributes.c, parse_to = attributes.kv },
        { type = csv_parser, id = csv, parse_from = attributes.c, parse_to = attributes.csv, header = "x,y,z", lazy_quotes = true },
        { type = time_parser, id = gotime, parse_from = attributes.b, layout_type = gotime, layout = "2006-01-02T15:04:05.999999999Z07:00" },
        {
          type = severity_parser, id = sev, parse_from = attributes.b
          mapping { error = "5xx", info = { min = 0, max = 10 } }
        },
        { type = flatten, id = flat, field = attributes.kv },
        { type = regex_replace, id = rr, field = body, regex = "[0-9]+", replace_with = "#" },
        { type = filter, id = f, expr = "body matches \"^#$\"" },
        { type = router, id = r, routes = [{ expr = "attributes.level == \"drop\"", output = gone }], default = rec },
        { type = remove, id = gone, field = attributes.nothing_here, on_error = drop },
        { type = recombine, id = rec, combine_field = body, is_first_entry = "body startsWith \"{\"", max_log_size = 256, max_batch_size = 5 },
        { type = retain, id = keep, fields = [body, attributes.a, attributes.kv, "attributes[\"log.file.path\"]"] }
        """;

    [Fact]
    public void Random_and_hostile_lines_never_throw()
    {
        var pipeline = (OperatorPipeline)Valid(EveryOperator).Build(new ManualClock(Start));
        var random = new Random(42);
        string[] samples =
        [
            "", " ", "{", "}", "{\"a\":", "[1,2,3]", "{\"ts\":\"1e400\",\"level\":\"drop\"}", "{\"ts\":-99999999999999999999,\"level\":5}",
            "{\"ts\":\"NaN\"}", new string('{', 500) + new string('}', 500), "\"unterminated", "a=\"b c", "x,\"y\"z,w", "0000-00-00T00:00:00+9999 1 x",
            "9999-12-31T23:59:59-1400 99999999999999999999 k=v", "\u0000\u0001\uFFFF\uD800", "4bf92f3577b34da6a3ce929d0e0e4736 12 trace_id=zz",
            "2026-11-26T08:00:00+0100 1 a=1 b=2", "#",
        ];
        var lines = new List<string>(samples);
        const string alphabet = "{}[]\":,=. -+0123456789abcdefTZxyz\\\t\u00e9\u4e2d";
        for (var i = 0; i < 3000; i++)
        {
            var chars = new char[random.Next(0, 60)];
            for (var k = 0; k < chars.Length; k++)
            {
                chars[k] = alphabet[random.Next(alphabet.Length)];
            }

            lines.Add(new string(chars));
        }

        var output = new List<LogEntry>();
        foreach (var line in lines)
        {
            pipeline.Process(Line(line), output);
        }

        pipeline.Flush(Start.AddHours(1), force: true, output);

        // Recombine joins entries, so count what went in versus out, dropped, or merged (at least one out per batch).
        var dropped = pipeline.Dropped.Values.Sum();
        Assert.True(output.Count + dropped <= lines.Count);
        Assert.True(output.Count > 0);
        Assert.True(pipeline.Errors.Values.Sum() > 0);
    }
}
