using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;
using static TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators.OperatorTestSupport;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

public sealed class TimeAndSeverityTests
{
    [Theory]
    [InlineData("strptime", "%Y-%m-%d %H:%M:%S", "2026-11-26 08:15:30", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("strptime", "%Y-%m-%dT%H:%M:%S.%L%z", "2026-11-26T08:15:30.123+0200", "2026-11-26T08:15:30.1230000+02:00")]
    [InlineData("strptime", "%Y-%m-%d %H:%M:%S.%f", "2026-11-26 08:15:30.123456", "2026-11-26T08:15:30.1234560+00:00")]
    [InlineData("strptime", "%d/%b/%Y:%H:%M:%S %z", "26/Nov/2026:08:15:30 -0700", "2026-11-26T08:15:30.0000000-07:00")]
    [InlineData("strptime", "%a %b %e %H:%M:%S %Y", "Thu Nov  5 08:15:30 2026", "2026-11-05T08:15:30.0000000+00:00")]
    [InlineData("strptime", "%A, %B %d %Y %I:%M %p", "Thursday, November 26 2026 08:15 PM", "2026-11-26T20:15:00.0000000+00:00")]
    [InlineData("strptime", "%y%m%d %H%M%S", "261126 081530", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("strptime", "%Y %j", "2026 330", "2026-11-26T00:00:00.0000000+00:00")]
    [InlineData("strptime", "%Y-%m-%d %H:%M:%S %Z", "2026-11-26 08:15:30 UTC", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("strptime", "%F %T", "2026-11-26 08:15:30", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("strptime", "%Y-%m-%dT%H:%M:%S%i", "2026-11-26T08:15:30+05:30", "2026-11-26T08:15:30.0000000+05:30")]
    [InlineData("gotime", "2006-01-02T15:04:05.000Z07:00", "2026-11-26T08:15:30.123Z", "2026-11-26T08:15:30.1230000+00:00")]
    [InlineData("gotime", "2006-01-02T15:04:05Z07:00", "2026-11-26T08:15:30.987654321-03:00", "2026-11-26T08:15:30.9876543-03:00")]
    [InlineData("gotime", "2006-01-02T15:04:05.999999999Z07:00", "2026-11-26T08:15:30+01:00", "2026-11-26T08:15:30.0000000+01:00")]
    [InlineData("gotime", "Jan _2 15:04:05", "Nov  5 08:15:30", "2026-11-05T08:15:30.0000000+00:00")]
    [InlineData("gotime", "02 Jan 06 15:04 -0700", "26 Nov 26 08:15 +0100", "2026-11-26T08:15:00.0000000+01:00")]
    [InlineData("gotime", "Mon, 02 Jan 2006 15:04:05 MST", "Thu, 26 Nov 2026 08:15:30 GMT", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("gotime", "1/2/2006 3:04:05 PM", "11/26/2026 8:15:30 AM", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("gotime", "20060102150405", "20261126081530", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("epoch", "s", "1795680930", "2026-11-26T08:15:30.0000000+00:00")]
    [InlineData("epoch", "ms", "1795680930123", "2026-11-26T08:15:30.1230000+00:00")]
    [InlineData("epoch", "us", "1795680930123456", "2026-11-26T08:15:30.1234560+00:00")]
    [InlineData("epoch", "ns", "1795680930123456789", "2026-11-26T08:15:30.1234567+00:00")]
    [InlineData("epoch", "s.ms", "1795680930.123456", "2026-11-26T08:15:30.1230000+00:00")]
    [InlineData("epoch", "s.us", "1795680930.123456", "2026-11-26T08:15:30.1234560+00:00")]
    [InlineData("epoch", "s.ns", "1795680930.1234567", "2026-11-26T08:15:30.1234567+00:00")]
    public void Layouts_parse_to_the_expected_instant(string layoutType, string layout, string value, string expected)
    {
        Assert.True(TimeLayout.TryCreate(layoutType, layout, TimeZoneInfo.Utc, out var compiled, out var error), error);

        Assert.True(compiled.TryParse(value, Start, out var parsed, out error), error);

        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(want, parsed);
        Assert.Equal(want.Offset, parsed.Offset);
    }

    [Fact]
    public void Epoch_accepts_numbers_from_json()
    {
        Assert.True(TimeLayout.TryCreate("epoch", "s", TimeZoneInfo.Utc, out var seconds, out _));
        Assert.True(TimeLayout.TryCreate("epoch", "s.ms", TimeZoneInfo.Utc, out var fractional, out _));

        Assert.True(seconds.TryParse(1795680930L, Start, out var a, out _));
        Assert.True(fractional.TryParse(1795680930.5, Start, out var b, out _));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795680930), a);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795680930500), b);
    }

    [Theory]
    [InlineData("strptime", "%Y-%m-%d", "2026/11/26")]
    [InlineData("strptime", "%Y-%m-%d", "2026-11-26 extra")]
    [InlineData("strptime", "%Y-%m-%d", "2026-13-01")]
    [InlineData("gotime", "2006-01-02", "26-11-2026")]
    [InlineData("epoch", "s", "soon")]
    public void Values_that_do_not_fit_the_layout_fail(string layoutType, string layout, string value)
    {
        Assert.True(TimeLayout.TryCreate(layoutType, layout, TimeZoneInfo.Utc, out var compiled, out _));

        Assert.False(compiled.TryParse(value, Start, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Location_applies_to_times_without_a_zone_including_daylight_saving()
    {
        var entries = Run(
            """
            { type = time_parser, parse_from = body, layout = "%Y-%m-%d %H:%M", location = "Europe/Berlin" }
            """,
            "2026-11-26 09:00",
            "2026-07-01 09:00");

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.FromHours(1)), entries[0].Timestamp);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.FromHours(2)), entries[1].Timestamp);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero), entries[0].Timestamp!.Value.ToUniversalTime());
    }

    [Fact]
    public void A_layout_without_a_year_takes_the_current_year_of_the_clock()
    {
        var entry = RunOne("""{ type = time_parser, parse_from = body, layout_type = gotime, layout = "Jan 2 15:04:05" }""", "Mar 3 10:00:00");

        Assert.Equal(new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.Zero), entry.Timestamp);
    }

    [Theory]
    [InlineData("info", 9, "info")]
    [InlineData("INFO", 9, "INFO")]
    [InlineData("Warn2", 14, "Warn2")]
    [InlineData("warning", 13, "warning")]
    [InlineData("err", 17, "err")]
    [InlineData("fatal4", 24, "fatal4")]
    [InlineData("21", 21, "21")]
    [InlineData("verbose", 0, "verbose")]
    public void Default_preset_maps_names_and_numbers(string value, int severity, string text)
    {
        var entry = RunOne("{ type = severity_parser, parse_from = body }", value);

        Assert.Equal(severity, entry.Severity);
        Assert.Equal(text, entry.SeverityText);
    }

    [Theory]
    [InlineData("oops", 17, "ERROR")]
    [InlineData("OOPS", 17, "ERROR")]
    [InlineData("404", 13, "WARN")]
    [InlineData("503", 21, "FATAL")]
    [InlineData("201", 9, "INFO")]
    [InlineData("150", 6, "DEBUG2")]
    [InlineData("info", 0, "info")]
    public void Mapping_with_lists_ranges_and_status_classes(string value, int severity, string text)
    {
        var entry = RunOne(
            """
            {
              type = severity_parser, parse_from = body, preset = none, overwrite_text = true
              mapping {
                error = ["oops", "failure"]
                warn = "4xx"
                fatal = "5xx"
                info = [{ min = 200, max = 299 }]
                debug2 = { min = 100, max = 199 }
              }
            }
            """,
            value);

        Assert.Equal(severity, entry.Severity);
        Assert.Equal(text, entry.SeverityText);
    }

    [Fact]
    public void Mapping_matches_integer_values_from_json()
    {
        var entry = RunOne(
            """
            { type = json_parser, parse_ints = true, severity { parse_from = attributes.status, mapping { error = "5xx", info = [200] } } }
            """,
            """{"status":502}""");
        var ok = RunOne(
            """
            { type = json_parser, parse_ints = true, severity { parse_from = attributes.status, mapping { error = "5xx", info = [200] } } }
            """,
            """{"status":200}""");

        Assert.Equal(17, entry.Severity);
        Assert.Equal("502", entry.SeverityText);
        Assert.Equal(9, ok.Severity);
    }
}
