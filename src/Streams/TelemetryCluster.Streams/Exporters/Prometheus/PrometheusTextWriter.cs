using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>The exposition formats /metrics answers with.</summary>
internal enum ExpositionFormat
{
    /// <summary>Prometheus text 0.0.4.</summary>
    Text,

    /// <summary>OpenMetrics 1.0.0 text.</summary>
    OpenMetrics,
}

/// <summary>
/// Writes a <see cref="PrometheusSnapshot"/> as Prometheus text 0.0.4 or OpenMetrics 1.0 straight into a buffer
/// (UTF-8, <c>\n</c> line ends, no per-sample strings). Families come in snapshot order, each contiguous with one
/// HELP (when there is text) and one TYPE; histogram buckets end with <c>le="+Inf"</c> equal to <c>_count</c>.
/// OpenMetrics: TYPE/UNIT/HELP, counters' family name without <c>_total</c>, timestamps in seconds, canonical
/// <c>le</c>/<c>quantile</c> values, <c># EOF</c>.
/// </summary>
internal static class PrometheusTextWriter
{
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public static void Write(IBufferWriter<byte> output, PrometheusSnapshot snapshot, ExpositionFormat format, bool timestamps)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(snapshot);
        var om = format == ExpositionFormat.OpenMetrics;
        foreach (var family in snapshot.Families)
        {
            if (family.Series.Count == 0)
            {
                continue;
            }

            var name = family.Name;
            var metadataName = om && family.Type == PrometheusMetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal)
                ? name[..^"_total".Length]
                : name;
            var typeName = family.Type switch
            {
                PrometheusMetricType.Counter => "counter",
                PrometheusMetricType.Gauge => "gauge",
                PrometheusMetricType.Histogram => "histogram",
                PrometheusMetricType.Summary => "summary",
                _ => om ? "unknown" : "untyped",
            };

            if (om)
            {
                Meta(output, "# TYPE ", metadataName, typeName);
                if (family.Unit.Length > 0 && metadataName.EndsWith("_" + family.Unit, StringComparison.Ordinal))
                {
                    Meta(output, "# UNIT ", metadataName, family.Unit);
                }

                if (family.Help.Length > 0)
                {
                    Ascii(output, "# HELP ");
                    Utf8(output, metadataName);
                    Byte(output, (byte)' ');
                    Escaped(output, family.Help, quotes: true);
                    Byte(output, (byte)'\n');
                }
            }
            else
            {
                if (family.Help.Length > 0)
                {
                    Ascii(output, "# HELP ");
                    Utf8(output, name);
                    Byte(output, (byte)' ');
                    Escaped(output, family.Help, quotes: false);
                    Byte(output, (byte)'\n');
                }

                Meta(output, "# TYPE ", name, typeName);
            }

            foreach (var series in family.Series)
            {
                var ts = timestamps ? series.TimestampMs : (long?)null;
                switch (family.Type)
                {
                    case PrometheusMetricType.Histogram:
                        for (var i = 0; i < series.BucketBounds.Count; i++)
                        {
                            Sample(output, name, "_bucket", series.Labels, "le", series.BucketBounds[i], om, series.BucketCounts[i], ts, om);
                        }

                        Sample(output, name, "_bucket", series.Labels, "le", double.PositiveInfinity, om, series.Count, ts, om);
                        Sample(output, name, "_sum", series.Labels, null, 0, om, series.Sum, ts, om);
                        Sample(output, name, "_count", series.Labels, null, 0, om, series.Count, ts, om);
                        break;
                    case PrometheusMetricType.Summary:
                        for (var i = 0; i < series.Quantiles.Count; i++)
                        {
                            Sample(output, name, string.Empty, series.Labels, "quantile", series.Quantiles[i], om, series.QuantileValues[i], ts, om);
                        }

                        Sample(output, name, "_sum", series.Labels, null, 0, om, series.Sum, ts, om);
                        Sample(output, name, "_count", series.Labels, null, 0, om, series.Count, ts, om);
                        break;
                    case PrometheusMetricType.Counter when om:
                        Sample(output, metadataName, "_total", series.Labels, null, 0, om, series.Value, ts, om);
                        break;
                    default:
                        Sample(output, name, string.Empty, series.Labels, null, 0, om, series.Value, ts, om);
                        break;
                }
            }
        }

        if (om)
        {
            Ascii(output, "# EOF\n");
        }
    }

    private static void Meta(IBufferWriter<byte> output, string prefix, string name, string value)
    {
        Ascii(output, prefix);
        Utf8(output, name);
        Byte(output, (byte)' ');
        Utf8(output, value);
        Byte(output, (byte)'\n');
    }

    private static void Sample(
        IBufferWriter<byte> output,
        string name,
        string suffix,
        IReadOnlyList<PrometheusLabel> labels,
        string? extraName,
        double extraValue,
        bool canonical,
        double value,
        long? timestampMs,
        bool seconds)
    {
        Utf8(output, name);
        Ascii(output, suffix);
        if (labels.Count > 0 || extraName is not null)
        {
            Byte(output, (byte)'{');
            var first = true;
            foreach (var label in labels)
            {
                if (!first)
                {
                    Byte(output, (byte)',');
                }

                first = false;
                Utf8(output, label.Name);
                Ascii(output, "=\"");
                Escaped(output, label.Value, quotes: true);
                Byte(output, (byte)'"');
            }

            if (extraName is not null)
            {
                if (!first)
                {
                    Byte(output, (byte)',');
                }

                Ascii(output, extraName);
                Ascii(output, "=\"");
                Number(output, extraValue, canonical);
                Byte(output, (byte)'"');
            }

            Byte(output, (byte)'}');
        }

        Byte(output, (byte)' ');
        Number(output, value, canonical: false);
        if (timestampMs is { } ms)
        {
            Byte(output, (byte)' ');
            if (seconds)
            {
                Integer(output, Math.DivRem(ms, 1000, out var rem));
                var span = output.GetSpan(4);
                span[0] = (byte)'.';
                var r = (int)Math.Abs(rem);
                span[1] = (byte)('0' + (r / 100));
                span[2] = (byte)('0' + (r / 10 % 10));
                span[3] = (byte)('0' + (r % 10));
                output.Advance(4);
            }
            else
            {
                Integer(output, ms);
            }
        }

        Byte(output, (byte)'\n');
    }

    private static void Sample(IBufferWriter<byte> output, string name, string suffix, IReadOnlyList<PrometheusLabel> labels, string? extraName, double extraValue, bool canonical, ulong value, long? timestampMs, bool seconds) =>
        Sample(output, name, suffix, labels, extraName, extraValue, canonical, (double)value, timestampMs, seconds);

    /// <summary>A float as Prometheus parsers read it: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, else the shortest round-trip form; <paramref name="canonical"/> adds <c>.0</c> to integers (OpenMetrics).</summary>
    internal static void Number(IBufferWriter<byte> output, double value, bool canonical)
    {
        if (double.IsNaN(value))
        {
            Ascii(output, "NaN");
            return;
        }

        if (double.IsPositiveInfinity(value))
        {
            Ascii(output, "+Inf");
            return;
        }

        if (double.IsNegativeInfinity(value))
        {
            Ascii(output, "-Inf");
            return;
        }

        var span = output.GetSpan(40);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("number did not fit");
        }

        var plain = true;
        for (var i = 0; i < written; i++)
        {
            if (span[i] == (byte)'E')
            {
                span[i] = (byte)'e';
                plain = false;
            }
            else if (span[i] == (byte)'.')
            {
                plain = false;
            }
        }

        if (canonical && plain)
        {
            span[written++] = (byte)'.';
            span[written++] = (byte)'0';
        }

        output.Advance(written);
    }

    private static void Integer(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(24);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    private static void Byte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static void Ascii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    private static void Utf8(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Escapes <c>\</c>, newline and (for label values and OpenMetrics HELP) <c>"</c>.</summary>
    private static void Escaped(IBufferWriter<byte> output, string text, bool quotes)
    {
        if (text.AsSpan().IndexOfAny(quotes ? "\\\n\"" : "\\\n") < 0)
        {
            Utf8(output, text);
            return;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? escape = c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '"' when quotes => "\\\"",
                _ => null,
            };
            if (escape is null)
            {
                continue;
            }

            var chunk = text.AsSpan(start, i - start);
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            output.Advance(Encoding.UTF8.GetBytes(chunk, span));
            Ascii(output, escape);
            start = i + 1;
        }

        var rest = text.AsSpan(start);
        var tail = output.GetSpan(Encoding.UTF8.GetMaxByteCount(rest.Length));
        output.Advance(Encoding.UTF8.GetBytes(rest, tail));
    }
}
