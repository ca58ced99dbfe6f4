using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

public sealed class DurationsAndByteSizesTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("200ms", 200 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1m30s", 90 * TimeSpan.TicksPerSecond)]
    [InlineData("1.5h", 90 * TimeSpan.TicksPerMinute)]
    [InlineData(".5s", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1h2m3s4ms", TimeSpan.TicksPerHour + (2 * TimeSpan.TicksPerMinute) + (3 * TimeSpan.TicksPerSecond) + (4 * TimeSpan.TicksPerMillisecond))]
    [InlineData("300us", 3000L)]
    [InlineData("300µs", 3000L)]
    [InlineData("300μs", 3000L)]
    [InlineData("100ns", 1L)]
    [InlineData("150ns", 1L)]
    [InlineData("-2s", -2 * TimeSpan.TicksPerSecond)]
    [InlineData("200 ms", 200 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5 seconds", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("1 minute", TimeSpan.TicksPerMinute)]
    [InlineData("2 hours", 2 * TimeSpan.TicksPerHour)]
    [InlineData("1d", TimeSpan.TicksPerDay)]
    [InlineData("1m 30s", 90 * TimeSpan.TicksPerSecond)]
    [InlineData(" 10s ", 10 * TimeSpan.TicksPerSecond)]
    public void Durations_parse_go_and_hocon_syntax(string text, long ticks)
    {
        Assert.True(Durations.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
    }

    [Theory]
    [InlineData("", "empty duration")]
    [InlineData("5", "missing unit")]
    [InlineData("1m30", "missing unit")]
    [InlineData("abc", "expected a number")]
    [InlineData("ms", "expected a number")]
    [InlineData("5x", "unknown unit \"x\"")]
    [InlineData("1.2.3s", "expected a number")]
    [InlineData("99999999999999h", "out of range")]
    public void Bad_durations_are_rejected_with_the_value(string text, string expected)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(200 * TimeSpan.TicksPerMillisecond, "200ms")]
    [InlineData(90 * TimeSpan.TicksPerSecond, "1m30s")]
    [InlineData(TimeSpan.TicksPerHour, "1h0m0s")]
    [InlineData(-2 * TimeSpan.TicksPerSecond, "-2s")]
    public void Durations_format_in_go_style_and_round_trip(long ticks, string text)
    {
        Assert.Equal(text, Durations.Format(TimeSpan.FromTicks(ticks)));
        Assert.True(Durations.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromTicks(ticks), back);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData("4MiB", 4L * 1024 * 1024)]
    [InlineData("20MB", 20_000_000L)]
    [InlineData("1 KiB", 1024L)]
    [InlineData("1KB", 1000L)]
    [InlineData("1kb", 1000L)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("2G", 2L * 1024 * 1024 * 1024)]
    [InlineData("3Mi", 3L * 1024 * 1024)]
    [InlineData("1 gigabyte", 1_000_000_000L)]
    [InlineData("3 mebibytes", 3L * 1024 * 1024)]
    [InlineData("512 B", 512L)]
    [InlineData("1TiB", 1024L * 1024 * 1024 * 1024)]
    public void Byte_sizes_parse_integers_and_units(string text, long bytes)
    {
        Assert.True(ByteSizes.TryParse(text, out var value, out var error), error);
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("", "invalid byte size")]
    [InlineData("-1", "invalid byte size")]
    [InlineData("MiB", "invalid byte size")]
    [InlineData("4XB", "unknown unit \"XB\"")]
    [InlineData("99999999999 PiB", "out of range")]
    public void Bad_byte_sizes_are_rejected(string text, string expected)
    {
        Assert.False(ByteSizes.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
