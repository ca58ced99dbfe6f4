using TelemetryCluster.Streams.Extensions.HealthCheck;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Extensions.HealthCheck;

public sealed class GoFormatTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(5L, "500ns")]
    [InlineData(15L, "1.5µs")]
    [InlineData(8_500_000L, "850ms")]
    [InlineData(12_345L, "1.2345ms")]
    [InlineData(10_000_000L, "1s")]
    [InlineData(15_000_000L, "1.5s")]
    [InlineData(623_450_000L, "1m2.345s")]
    [InlineData(1_200_000_000L, "2m0s")]
    [InlineData(36_000_000_000L, "1h0m0s")]
    [InlineData(937_000_000_001L, "26h1m40.0000001s")]
    [InlineData(-15_000_000L, "-1.5s")]
    public void Duration_is_written_like_go(long ticks, string expected) =>
        Assert.Equal(expected, GoFormat.Duration(TimeSpan.FromTicks(ticks)));

    [Fact]
    public void Zero_time_is_the_go_zero_time() =>
        Assert.Equal("0001-01-01T00:00:00Z", GoFormat.Rfc3339(DateTimeOffset.MinValue));

    [Fact]
    public void Time_is_rfc3339_utc_with_trimmed_fraction()
    {
        Assert.Equal("2025-03-04T05:06:07Z", GoFormat.Rfc3339(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero)));
        Assert.Equal("2025-03-04T03:06:07.5Z", GoFormat.Rfc3339(new DateTimeOffset(2025, 3, 4, 5, 6, 7, 500, TimeSpan.FromHours(2))));
        Assert.Equal("2025-03-04T05:06:07.0000001Z", GoFormat.Rfc3339(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1)));
    }
}
