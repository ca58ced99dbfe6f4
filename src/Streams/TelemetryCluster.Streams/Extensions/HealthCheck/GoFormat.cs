using System.Globalization;
using System.Text;

namespace TelemetryCluster.Streams.Extensions.HealthCheck;

/// <summary>Go's text forms used by the collector's health answers: RFC 3339 time and <c>time.Duration.String()</c>.</summary>
internal static class GoFormat
{
    /// <summary>RFC 3339 with up to 7 fraction digits, trailing zeros trimmed, in UTC (<c>2024-05-01T10:00:00.5Z</c>).</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Like Go's <c>time.Duration.String()</c>: <c>0s</c>, <c>850ms</c>, <c>1.5µs</c>, <c>1m2.345s</c>, <c>1h0m0s</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var negative = duration < TimeSpan.Zero;
        var ticks = duration.Ticks == long.MinValue ? long.MaxValue : Math.Abs(duration.Ticks);
        var nanos = (ulong)ticks * 100UL;
        var sb = new StringBuilder();

        if (nanos < 1_000_000_000UL)
        {
            if (nanos < 1_000UL)
            {
                sb.Append(nanos.ToString(CultureInfo.InvariantCulture)).Append("ns");
            }
            else if (nanos < 1_000_000UL)
            {
                AppendWithFraction(sb, nanos, 3).Append("µs");
            }
            else
            {
                AppendWithFraction(sb, nanos, 6).Append("ms");
            }
        }
        else
        {
            var totalSeconds = nanos / 1_000_000_000UL;
            var seconds = new StringBuilder();
            AppendWithFraction(seconds, (totalSeconds % 60 * 1_000_000_000UL) + (nanos % 1_000_000_000UL), 9).Append('s');
            var totalMinutes = totalSeconds / 60;
            if (totalMinutes > 0)
            {
                var hours = totalMinutes / 60;
                if (hours > 0)
                {
                    sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
                }

                sb.Append((totalMinutes % 60).ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            sb.Append(seconds);
        }

        return negative ? "-" + sb : sb.ToString();
    }

    /// <summary>Writes <paramref name="value"/> / 10^<paramref name="precision"/> with the fraction's trailing zeros trimmed.</summary>
    private static StringBuilder AppendWithFraction(StringBuilder sb, ulong value, int precision)
    {
        var scale = 1UL;
        for (var i = 0; i < precision; i++)
        {
            scale *= 10;
        }

        sb.Append((value / scale).ToString(CultureInfo.InvariantCulture));
        var fraction = (value % scale).ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        if (fraction.Length > 0)
        {
            sb.Append('.').Append(fraction);
        }

        return sb;
    }
}
