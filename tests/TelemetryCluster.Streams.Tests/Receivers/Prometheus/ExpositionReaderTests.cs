using TelemetryCluster.Streams.Receivers.Prometheus.Exposition;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

public sealed class ExpositionReaderTests
{
    private sealed record Sample(string Name, string Series, Dictionary<string, string> Labels, double Value, long? Timestamp);

    private sealed record Meta(ExpositionEntry Entry, string Name, string Text, MetricType Type);

    private static (List<Sample> Samples, List<Meta> Meta) ReadAll(string text, bool openMetrics)
    {
        var samples = new List<Sample>();
        var meta = new List<Meta>();
        var reader = new ExpositionReader(text, openMetrics);
        while (reader.Next())
        {
            if (reader.Entry == ExpositionEntry.Sample)
            {
                var labels = new Dictionary<string, string>();
                var lr = new LabelReader(reader.Labels);
                while (lr.Next())
                {
                    labels[lr.Name.ToString()] = lr.Value();
                }

                samples.Add(new Sample(reader.Name.ToString(), reader.Series.ToString(), labels, reader.Value, reader.TimestampMs));
            }
            else if (reader.Entry != ExpositionEntry.Eof)
            {
                meta.Add(new Meta(reader.Entry, reader.Name.ToString(), reader.Text.ToString(), reader.Type));
            }
        }

        return (samples, meta);
    }

    [Fact]
    public void Node_exporter_text_reads_every_sample_with_labels_values_and_timestamps()
    {
        var (samples, meta) = ReadAll(ExpositionFixtures.NodeExporterText, openMetrics: false);

        Assert.Equal(19, samples.Count);
        Assert.Equal(("node_cpu_seconds_total", "0", "idle", 12345.67), (samples[0].Name, samples[0].Labels["cpu"], samples[0].Labels["mode"], samples[0].Value));
        Assert.Equal("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}", samples[0].Series);
        Assert.Equal(8.123456e9, samples[2].Value);
        Assert.Equal("/mnt/a \"quoted\" dir\\x\nline", samples[3].Labels["mountpoint"]);
        Assert.Equal(144d, samples.Single(s => s.Labels.GetValueOrDefault("le") == "+Inf").Value);
        var noMeta = samples.Single(s => s.Name == "no_metadata_at_all");
        Assert.Equal((3d, 1700000000123L), (noMeta.Value, noMeta.Timestamp));
        Assert.Null(samples[0].Timestamp);
        Assert.True(double.IsNaN(samples.Single(s => s.Labels.GetValueOrDefault("v") == "nan").Value));
        Assert.Equal(double.PositiveInfinity, samples.Single(s => s.Labels.GetValueOrDefault("v") == "inf").Value);
        Assert.Equal(double.NegativeInfinity, samples.Single(s => s.Labels.GetValueOrDefault("v") == "ninf").Value);

        var types = meta.Where(m => m.Entry == ExpositionEntry.Type).ToDictionary(m => m.Name, m => m.Type);
        Assert.Equal(MetricType.Counter, types["node_cpu_seconds_total"]);
        Assert.Equal(MetricType.Histogram, types["http_request_duration_seconds"]);
        Assert.Equal(MetricType.Summary, types["go_gc_duration_seconds"]);
        Assert.Equal(MetricType.Unknown, types["legacy_thing"]);
        var help = meta.Single(m => m.Entry == ExpositionEntry.Help && m.Name == "http_request_duration_seconds").Text;
        Assert.Equal("Request latency.\nSecond line with a \\ backslash.", ExpositionReader.UnescapeHelp(help));
    }

    [Fact]
    public void OpenMetrics_reads_units_exemplars_float_timestamps_and_requires_eof()
    {
        var (samples, meta) = ReadAll(ExpositionFixtures.OpenMetrics, openMetrics: true);

        Assert.Equal(12, samples.Count);
        var first = samples[0];
        Assert.Equal(("requests_total", 10d, 1700000000500L), (first.Name, first.Value, first.Timestamp));
        Assert.Equal("a\"b", samples.Single(s => s.Name == "temperature_celsius").Labels["room"]);
        Assert.Contains(meta, m => m is { Entry: ExpositionEntry.Unit, Name: "latency_seconds", Text: "seconds" });
        Assert.Contains(meta, m => m is { Entry: ExpositionEntry.Type, Name: "build", Type: MetricType.Info });
        Assert.Contains(meta, m => m is { Entry: ExpositionEntry.Type, Name: "mystery", Type: MetricType.Unknown });

        var missingEof = ExpositionFixtures.OpenMetrics.Replace("# EOF\n", string.Empty, StringComparison.Ordinal);
        var e = Assert.Throws<ExpositionFormatException>(() => ReadAll(missingEof, openMetrics: true));
        Assert.Contains("# EOF", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo 1 1700000000.5\n", false, "expected integer as timestamp")]
    [InlineData("# TYPE foo gauge\r\nfoo 1\r\n", false, "unknown metric type")]
    [InlineData("foo{a-b=\"1\"} 1\n", false, "expected '=' after label name")]
    [InlineData("foo{a=\"1} 1\n", false, "unterminated label")]
    [InlineData("foo{a=\"\\t\"} 1\n", false, "invalid escape sequence")]
    [InlineData("1foo 1\n", false, "invalid metric name")]
    [InlineData("foo abc\n", false, "invalid value")]
    [InlineData("foo\n", false, "expected a value")]
    [InlineData("foo 1\n\nbar 2\n# EOF\n", true, "blank lines")]
    [InlineData("foo 1\n# EOF\nbar 2\n", true, "after # EOF")]
    [InlineData("# random comment\nfoo 1\n# EOF\n", true, "unknown comment keyword")]
    [InlineData("# TYPE foo untyped\nfoo 1\n# EOF\n", true, "unknown metric type")]
    public void Malformed_bodies_fail_with_the_line_and_reason(string body, bool openMetrics, string expected)
    {
        var e = Assert.Throws<ExpositionFormatException>(() => ReadAll(body, openMetrics));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 1);
    }

    [Fact]
    public void Text_format_is_lenient_where_prometheus_is()
    {
        var body = "  foo { a = \"1\" , b=\"2\", }   5   123\nbar 1e3\nbaz inf\n# TYPE x counter\n# HELP x\nx 0";
        var (samples, _) = ReadAll(body, openMetrics: false);

        Assert.Equal(4, samples.Count);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, samples[0].Labels);
        Assert.Equal((5d, 123L), (samples[0].Value, samples[0].Timestamp));
        Assert.Equal(1000d, samples[1].Value);
        Assert.Equal(double.PositiveInfinity, samples[2].Value);
        Assert.Equal(0d, samples[3].Value);
    }

    [Fact]
    public void A_large_body_reads_without_per_sample_allocations()
    {
        var sb = new System.Text.StringBuilder("# TYPE big counter\n");
        for (var i = 0; i < 50_000; i++)
        {
            sb.Append("big{instance_id=\"").Append(i).Append("\",zone=\"eu-west-1a\"} ").Append(i).Append('\n');
        }

        var text = sb.ToString();
        Count(text); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = Count(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(50_000, count);
        Assert.True(allocated < 10_000, $"reading allocated {allocated} bytes");

        static int Count(string text)
        {
            var reader = new ExpositionReader(text, openMetrics: false);
            var n = 0;
            while (reader.Next())
            {
                if (reader.Entry == ExpositionEntry.Sample)
                {
                    var labels = new LabelReader(reader.Labels);
                    while (labels.Next())
                    {
                    }

                    n++;
                }
            }

            return n;
        }
    }
}
