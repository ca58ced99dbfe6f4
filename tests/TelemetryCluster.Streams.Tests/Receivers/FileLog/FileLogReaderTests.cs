using System.Text;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Components;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>Reading real files: tokenizing, attributes, encodings, start_at, truncation policies, force flush, deletion.</summary>
public sealed class FileLogReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lines_get_file_attributes_crlf_and_whitespace_trimmed()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var path = dir["app.log"];
        await File.WriteAllTextAsync(path, "  first line  \r\nsecond\n\n   \nthird\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            include_file_path = true
            include_file_record_number = true
            include_file_record_offset = true
            include_file_permissions = true
            include_file_owner_name = true
            attributes { env = test }
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(3, TimeSpan.FromSeconds(10));
        await receiver.StopAsync(Ct);

        var lines = consumer.Lines;
        Assert.Equal(["first line", "second", "third"], lines.Select(l => l.Body));
        Assert.All(lines, l => Assert.Equal("app.log", l.FileName));
        Assert.All(lines, l => Assert.Equal(path, l.Attributes["log.file.path"]));
        Assert.All(lines, l => Assert.Equal("test", l.Attributes["env"]));
        Assert.Equal([1L, 2L, 3L], lines.Select(l => (long)l.Attributes["log.file.record_number"]!));
        Assert.Equal([0L, 16L, 28L], lines.Select(l => (long)l.Attributes["log.file.record_offset"]!));
        Assert.Matches("^[0-7]{3}$", (string)lines[0].Attributes["log.file.permissions"]!);
        Assert.False(string.IsNullOrEmpty((string?)lines[0].Attributes["log.file.owner.name"]));
        Assert.Equal(3, harness.Telemetry.Get(ComponentKind.Receiver, ComponentId.Parse("file_log"), Signal.Logs, Outcomes.Accepted));
    }

    [Fact]
    public async Task Lines_an_operator_drops_are_counted_with_the_operator_reason()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllTextAsync(dir["app.log"], "keep 1\nskip 2\nkeep 3\nskip 4\nkeep 5\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            operators = [
              { type = filter, id = no_skip, expr = "body matches '^skip'" }
            ]
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(3, TimeSpan.FromSeconds(10));
        await receiver.StopAsync(Ct);

        Assert.Equal(["keep 1", "keep 3", "keep 5"], consumer.Lines.Select(l => l.Body));
        var id = ComponentId.Parse("file_log");
        Assert.Equal(3, harness.Telemetry.Get(ComponentKind.Receiver, id, Signal.Logs, Outcomes.Accepted));
        Assert.Equal(2, harness.Telemetry.Get(ComponentKind.Receiver, id, Signal.Logs, Outcomes.Dropped, "operator filtered:no_skip"));
    }

    [Fact]
    public async Task Start_at_end_skips_existing_lines_but_reads_files_created_later_from_the_start()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllTextAsync(dir["a.log"], "old 1\nold 2\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            poll_interval = 50ms
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await WaitForAsync(() => receiver.Stats.FullScans > 0);
        await File.AppendAllTextAsync(dir["a.log"], "new 1\n", Ct);
        await File.WriteAllTextAsync(dir["b.log"], "b 1\nb 2\n", Ct);
        await consumer.WaitForCountAsync(3, TimeSpan.FromSeconds(10));
        await receiver.StopAsync(Ct);
        Assert.Equal(["b 1", "b 2", "new 1"], consumer.Lines.Select(l => l.Body).Order());
    }

    [Fact]
    public async Task A_file_much_larger_than_the_read_buffer_with_long_lines_is_read_exactly()
    {
        // Several MiB: the 256 KiB buffer is tokenized in place and topped up many times, with lines longer than the
        // refill threshold (64 KiB) across buffer boundaries, and a batch limit that cuts between lines.
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var expected = new List<string>();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < 40_000; i++)
        {
            var line = i % 5_000 == 4_999 ? $"long {i} " + new string((char)('a' + (i % 26)), 70_000 + i) : $"line {i} x" + new string('x', i % 97);
            expected.Add(line);
            text.Append(line).Append('\n');
        }

        await File.WriteAllTextAsync(dir["big.log"], text.ToString(), Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(expected.Count, TimeSpan.FromSeconds(30));
        await Task.Delay(300, Ct);
        await receiver.StopAsync(Ct);
        var bodies = consumer.Lines.Select(l => l.Body).ToList();
        Assert.Equal(expected.Count, bodies.Count);
        var first = expected.Zip(bodies).Select((p, i) => (p, i)).FirstOrDefault(x => x.p.First != x.p.Second);
        Assert.True(expected.SequenceEqual(bodies), $"line {first.i} differs: expected {first.p.First?[..Math.Min(60, first.p.First.Length)]} ({first.p.First?.Length} chars), got {first.p.Second?[..Math.Min(60, first.p.Second.Length)]} ({first.p.Second?.Length} chars)");
    }

    [Fact]
    public async Task A_line_without_newline_is_flushed_after_force_flush_period()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            force_flush_period = 700ms
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await File.WriteAllTextAsync(dir["x.log"], "complete\npartial", Ct);
        var written = DateTime.UtcNow;
        await consumer.WaitForCountAsync(1, TimeSpan.FromSeconds(10));
        await consumer.WaitForCountAsync(2, TimeSpan.FromSeconds(10));
        var flushedAfter = DateTime.UtcNow - written;
        await receiver.StopAsync(Ct);
        Assert.Equal(["complete", "partial"], consumer.Lines.Select(l => l.Body));
        Assert.True(flushedAfter >= TimeSpan.FromMilliseconds(600), $"flushed after {flushedAfter}");
    }

    [Fact]
    public async Task Oversize_lines_are_split_or_truncated()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllTextAsync(dir["s.log"], new string('a', 25) + "\nshort\n", Ct);
        await File.WriteAllTextAsync(dir["t.txt"], new string('b', 25) + "\nshort\n", Ct);
        var split = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            max_log_size = 10
            """, "file_log/split");
        var truncate = harness.Create($$"""
            include = ["{{dir.Path}}/*.txt"]
            start_at = beginning
            max_log_size = 10
            max_log_size_behavior = truncate
            """, "file_log/truncate");
        var a = new RecordingConsumer();
        var b = new RecordingConsumer();
        await split.StartAsync(a, Ct);
        await truncate.StartAsync(b, Ct);
        await a.WaitForCountAsync(4, TimeSpan.FromSeconds(10));
        await b.WaitForCountAsync(2, TimeSpan.FromSeconds(10));
        await split.StopAsync(Ct);
        await truncate.StopAsync(Ct);
        Assert.Equal(["aaaaaaaaaa", "aaaaaaaaaa", "aaaaa", "short"], a.Lines.Select(l => l.Body));
        Assert.Equal(["bbbbbbbbbb", "short"], b.Lines.Select(l => l.Body));
    }

    [Fact]
    public async Task Encodings_utf16_and_nop()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllBytesAsync(dir["u.log"], Encoding.Unicode.GetBytes("héllo\r\nwörld\n"), Ct);
        await File.WriteAllBytesAsync(dir["n.bin"], [0x41, 0xff, 0x42, 0x0a], Ct);
        var utf16 = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            encoding = utf-16le
            """, "file_log/u16");
        var nop = harness.Create($$"""
            include = ["{{dir.Path}}/*.bin"]
            start_at = beginning
            encoding = nop
            """, "file_log/nop");
        var a = new RecordingConsumer();
        var b = new RecordingConsumer();
        await utf16.StartAsync(a, Ct);
        await nop.StartAsync(b, Ct);
        await a.WaitForCountAsync(2, TimeSpan.FromSeconds(10));
        await b.WaitForCountAsync(1, TimeSpan.FromSeconds(10));
        await utf16.StopAsync(Ct);
        await nop.StopAsync(Ct);
        Assert.Equal(["héllo", "wörld"], a.Lines.Select(l => l.Body));
        Assert.Equal(Encoding.UTF8.GetString([0x41, 0xff, 0x42]), b.Lines[0].Body);
    }

    [Fact]
    public async Task Multiline_line_start_pattern_groups_continuation_lines()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            force_flush_period = 300ms
            multiline { line_start_pattern = "^\\d{4}-" }
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await File.WriteAllTextAsync(dir["m.log"], "preamble\n2024-01-01 one\n  at a\n  at b\n2024-01-02 two\n2024-01-03 three\n  more\n", Ct);
        await consumer.WaitForCountAsync(4, TimeSpan.FromSeconds(10));
        await receiver.StopAsync(Ct);
        Assert.Equal(["preamble", "2024-01-01 one\n  at a\n  at b", "2024-01-02 two", "2024-01-03 three\n  more"], consumer.Lines.Select(l => l.Body));
    }

    [Fact]
    public async Task Multiline_line_end_pattern_with_omit()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            multiline { line_end_pattern = "END", omit_pattern = true }
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await File.WriteAllTextAsync(dir["m.log"], "a\nbEND\ncEND\n", Ct);
        await consumer.WaitForCountAsync(2, TimeSpan.FromSeconds(10));
        await receiver.StopAsync(Ct);
        Assert.Equal(["a\nb", "c"], consumer.Lines.Select(l => l.Body));
    }

    [Fact]
    public async Task Symlinked_current_file_reports_link_and_resolved_names()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        Directory.CreateDirectory(dir["real"]);
        var target = Path.Combine(dir["real"], "app-2024.log");
        await File.WriteAllTextAsync(target, "via link\n", Ct);
        File.CreateSymbolicLink(dir["current.log"], target);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            include_file_name_resolved = true
            include_file_path_resolved = true
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(1, TimeSpan.FromSeconds(10));
        await receiver.StopAsync(Ct);
        var line = Assert.Single(consumer.Lines);
        Assert.Equal("current.log", line.FileName);
        Assert.Equal("app-2024.log", line.Attributes["log.file.name_resolved"]);
        Assert.Equal(target, line.Attributes["log.file.path_resolved"]);
    }

    [Fact]
    public async Task Exclude_and_ordering_criteria_choose_the_files()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        foreach (var n in new[] { 1, 2, 10 })
        {
            await File.WriteAllTextAsync(dir[$"svc.{n}.log"], $"file {n}\n", Ct);
        }

        await File.WriteAllTextAsync(dir["skip.log"], "skipped\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            exclude = ["**/skip.log"]
            start_at = beginning
            ordering_criteria {
              regex = "svc\\.(?P<num>\\d+)\\.log"
              top_n = 1
              sort_by = [{ sort_type = numeric, regex_key = num }]
            }
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(1, TimeSpan.FromSeconds(10));
        await Task.Delay(500, Ct);
        await receiver.StopAsync(Ct);
        Assert.Equal(["file 10"], consumer.Lines.Select(l => l.Body));
    }

    [Theory]
    [InlineData("ignore", new[] { "0123456789", "abcdefghij", "tail-after-growth" })]
    [InlineData("read_whole_file", new[] { "0123456789", "abcdefghij", "0123456789", "tail-after-growth" })]
    [InlineData("read_new", new[] { "0123456789", "abcdefghij", "tail-after-growth" })]
    public async Task On_truncate_policies(string policy, string[] expected)
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var path = dir["t.log"];
        await File.WriteAllTextAsync(path, "0123456789\nabcdefghij\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            on_truncate = {{policy}}
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(2, TimeSpan.FromSeconds(10));

        // Same first bytes, smaller than the read offset.
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.SetLength(11);
        }

        await WaitForAsync(() => receiver.Stats.Truncations > 0);
        await File.AppendAllTextAsync(path, policy == "ignore" ? "abcdefghij\ntail-after-growth\n" : "tail-after-growth\n", Ct);
        await consumer.WaitForCountAsync(expected.Length, TimeSpan.FromSeconds(10));
        await Task.Delay(300, Ct);
        await receiver.StopAsync(Ct);
        Assert.Equal(expected, consumer.Lines.Select(l => l.Body));
    }

    [Fact]
    public async Task Delete_after_read_removes_acknowledged_files()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        await File.WriteAllTextAsync(dir["d.log"], "one\ntwo\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            force_flush_period = 100ms
            delete_after_read = true
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(2, TimeSpan.FromSeconds(10));
        await WaitForAsync(() => !File.Exists(dir["d.log"]));
        await receiver.StopAsync(Ct);
        Assert.Equal(2, consumer.Count);
    }

    [Fact]
    public async Task Deleted_and_recreated_file_is_read_from_the_start()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        var path = dir["r.log"];
        await File.WriteAllTextAsync(path, "first generation line 1\nfirst generation line 2\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/*.log"]
            start_at = beginning
            poll_interval = 50ms
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(2, TimeSpan.FromSeconds(10));
        File.Delete(path);
        await File.WriteAllTextAsync(path, "second generation\n", Ct);
        await consumer.WaitForCountAsync(3, TimeSpan.FromSeconds(10));
        await Task.Delay(300, Ct);
        await receiver.StopAsync(Ct);
        Assert.Equal(["first generation line 1", "first generation line 2", "second generation"], consumer.Lines.Select(l => l.Body));
    }

    [Fact]
    public async Task A_file_created_and_moved_out_between_two_polls_is_still_read()
    {
        using var dir = new TempDir();
        await using var harness = new FileLogHarness(dir["state"]);
        Directory.CreateDirectory(dir["old"]);
        var path = dir["QELog.log"];
        await File.WriteAllTextAsync(path, "gen 1 line 1\ngen 1 line 2\n", Ct);
        var receiver = harness.Create($$"""
            include = ["{{dir.Path}}/QELog.log*"]
            start_at = beginning
            poll_interval = 1500ms
            """);
        var consumer = new RecordingConsumer();
        await receiver.StartAsync(consumer, Ct);
        await consumer.WaitForCountAsync(2, TimeSpan.FromSeconds(10));

        // Between two polls: rotate inside the pattern, write a new file, move that one out of the pattern.
        File.Move(path, dir["QELog.log.1"]);
        await File.WriteAllTextAsync(path, "gen 2 line 1\ngen 2 line 2\n", Ct);
        await Task.Delay(100, Ct);
        File.Move(path, Path.Combine(dir["old"], "QELog.2"));
        await File.WriteAllTextAsync(path, "gen 3 line 1\n", Ct);
        await consumer.WaitForCountAsync(5, TimeSpan.FromSeconds(10));
        await Task.Delay(2000, Ct);
        await receiver.StopAsync(Ct);
        Assert.Equal(["gen 1 line 1", "gen 1 line 2", "gen 2 line 1", "gen 2 line 2", "gen 3 line 1"], consumer.Lines.Select(l => l.Body).Order());
        Assert.Equal(["QELog.log", "QELog.log", "QELog.log", "QELog.log", "QELog.log"], consumer.Lines.Select(l => l.FileName));
    }

    internal static async Task WaitForAsync(Func<bool> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not reached");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}
