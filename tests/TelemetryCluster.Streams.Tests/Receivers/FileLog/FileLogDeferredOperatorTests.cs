using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>
/// One-to-one operator chains run per batch on the thread pool (EntryEmitter.Encode) while the reader reads on:
/// which chains qualify, and that such batches still arrive complete, parsed and in file order, also when some are
/// refused and sent again.
/// </summary>
public sealed class FileLogDeferredOperatorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool> Chains => new()
    {
        { "{ type = noop }", true },
        { """{ type = regex_parser, regex = "^(?P<level>\\w+) (?P<msg>.*)$" }""", true },
        { """{ type = regex_parser, regex = "^(?P<level>\\w+)", on_error = send_quiet }, { type = add, field = attributes.x, value = y }""", true },
        { """{ type = json_parser }, { type = move, from = attributes.a, to = resource.a }, { type = remove, field = attributes.b }""", true },
        { """{ type = filter, expr = "body matches '^x'" }""", false },
        { """{ type = regex_parser, regex = "^(?P<level>\\w+)", on_error = drop }""", false },
        { """{ type = recombine, combine_field = body, is_first_entry = "body matches '^\\S'" }""", false },
        { """{ type = router, routes = [ { expr = "body matches '^a'", output = b } ] }, { id = b, type = noop }""", false },
        { """{ type = add, field = attributes.x, value = y, output = last }, { id = skipped, type = noop }, { id = last, type = noop }""", false },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void One_to_one_chains_are_recognised(string operators, bool oneToOne) =>
        Assert.Equal(oneToOne, OperatorTestSupport.Valid(operators).IsOneToOne);

    [Fact]
    public void No_operators_is_one_to_one() => Assert.True(TelemetryCluster.Streams.Receivers.FileLog.Operators.OperatorPipelineSpec.Empty.IsOneToOne);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deferred_batches_arrive_parsed_and_complete_in_file_order_also_after_refusals(bool refuseSome)
    {
        const int lines = 5500;
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllLinesAsync(dir["app.log"], Enumerable.Range(0, lines).Select(i => $"INFO{i % 3} line {i}"), Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            operators = [
              { type = regex_parser, regex = "^(?P<level>[A-Z]+\\d) line (?P<n>\\d+)$" }
            ]
            """);

        // Calls 2 and 3 refused: those batches are sent again (already encoded); a refused batch may then arrive
        // after later ones (documented), so only without refusals is the order exact.
        var consumer = new RecordingConsumer
        {
            Decide = call => refuseSome && call is 2 or 3 ? AckOutcome.Refuse("full", TimeSpan.FromMilliseconds(10)) : AckOutcome.Accepted,
        };
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(lines, TimeSpan.FromSeconds(30));
        await receiver.StopAsync(Ct);

        var received = consumer.Lines;
        var numbers = received.Select(l => int.Parse((string)l.Attributes["n"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, lines), refuseSome ? numbers.Order() : numbers);
        Assert.All(received, l => Assert.Equal("app.log", l.FileName));
        Assert.All(received, l => Assert.Equal($"INFO{int.Parse((string)l.Attributes["n"]!, System.Globalization.CultureInfo.InvariantCulture) % 3}", l.Attributes["level"]));
        var id = ComponentId.Parse("file_log");
        Assert.Equal(lines, harness.Telemetry.Get(ComponentKind.Receiver, id, Signal.Logs, Outcomes.Accepted));
        Assert.True(consumer.Calls >= 6, $"{consumer.Calls} calls");
    }
}
