using TelemetryCluster.Streams.Exporters.Prometheus;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Prometheus;

/// <summary>The collector's documented translation examples (prometheus/otlptranslator, the exporter's README).</summary>
public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("http.server.duration", "s", "Other", "http_server_duration_seconds")]
    [InlineData("http.server.duration", "ms", "Other", "http_server_duration_milliseconds")]
    [InlineData("system.processes.created", "", "MonotonicCounter", "system_processes_created_total")]
    [InlineData("storage.usage", "By/s", "Gauge", "storage_usage_bytes_per_second")]
    [InlineData("system.memory.utilization", "1", "Gauge", "system_memory_utilization_ratio")]
    [InlineData("system.memory.utilization", "1", "MonotonicCounter", "system_memory_utilization_total")]
    [InlineData("network.io", "By", "MonotonicCounter", "network_io_bytes_total")]
    [InlineData("packets", "{packets}/s", "Gauge", "packets_per_second")]
    [InlineData("requests", "{requests}", "MonotonicCounter", "requests_total")]
    [InlineData("requests.total", "", "MonotonicCounter", "requests_total")]
    [InlineData("total.requests", "", "MonotonicCounter", "requests_total")]
    [InlineData("cpu.time", "s", "MonotonicCounter", "cpu_time_seconds_total")]
    [InlineData("cpu_seconds", "s", "Gauge", "cpu_seconds")]
    [InlineData("queue..depth__", "", "Gauge", "queue_depth")]
    [InlineData("disk-io/read", "KiBy", "Gauge", "disk_io_read_kibibytes")]
    [InlineData("disk.size", "TiBy", "Gauge", "disk_size_tibibytes")]
    [InlineData("temperature", "Cel", "Gauge", "temperature_celsius")]
    [InlineData("frequency", "Hz", "Gauge", "frequency_hertz")]
    [InlineData("utilization", "%", "Gauge", "utilization_percent")]
    [InlineData("rate", "m/h", "Gauge", "rate_meters_per_hour")]
    [InlineData("odd", "foo-bar", "Gauge", "odd_foo_bar")]
    [InlineData("ratio.value", "1", "Gauge", "value_ratio")]
    [InlineData("2xx.responses", "", "MonotonicCounter", "_2xx_responses_total")]
    [InlineData("a:b.c", "", "Gauge", "a:b_c")]
    public void Metric_names_follow_the_collector(string name, string unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, Enum.Parse<NameKind>(kind), string.Empty, suffixes: true, out _));

    [Fact]
    public void Total_and_ratio_move_to_the_end()
    {
        Assert.Equal("value_ratio", PrometheusNaming.MetricName("ratio.value.ratio", "1", NameKind.Gauge, string.Empty, suffixes: true, out _));
        Assert.Equal("requests_seconds_total", PrometheusNaming.MetricName("total.requests", "s", NameKind.MonotonicCounter, string.Empty, suffixes: true, out _));
    }

    [Theory]
    [InlineData("http.server.duration", "s", "Other", "http_server_duration")]
    [InlineData("system.processes.created", "", "MonotonicCounter", "system_processes_created")]
    [InlineData("memory.utilization", "1", "Gauge", "memory_utilization")]
    public void Without_suffixes_only_the_name_is_escaped(string name, string unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, Enum.Parse<NameKind>(kind), string.Empty, suffixes: false, out _));

    [Theory]
    [InlineData("shop", "orders", "shop_orders_total")]
    [InlineData("my-app.v2", "orders", "my_app_v2_orders_total")]
    [InlineData("9lives", "orders", "_9lives_orders_total")]
    public void The_namespace_is_sanitised_and_prefixed(string ns, string name, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, string.Empty, NameKind.MonotonicCounter, ns, suffixes: true, out _));

    [Fact]
    public void The_unit_suffix_is_reported_for_openmetrics()
    {
        PrometheusNaming.MetricName("io", "By/s", NameKind.Gauge, string.Empty, suffixes: true, out var unit);
        Assert.Equal("bytes_per_second", unit);
        PrometheusNaming.MetricName("seconds.spent", "s", NameKind.Gauge, string.Empty, suffixes: true, out var repeated);
        Assert.Equal(string.Empty, repeated);
    }

    [Theory]
    [InlineData("http.method", "http_method")]
    [InlineData("net.peer.name", "net_peer_name")]
    [InlineData("k8s.pod.name", "k8s_pod_name")]
    [InlineData("a--b", "a__b")]
    [InlineData("_private", "_private")]
    [InlineData("__reserved", "__reserved")]
    [InlineData("0day", "key_0day")]
    [InlineData("temp°C", "temp_C")]
    [InlineData("名前", "__")]
    [InlineData("with space", "with_space")]
    public void Label_names_are_sanitised(string key, string expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(key));

    [Theory]
    [InlineData("UnderscoreEscapingWithSuffixes", true)]
    [InlineData("UnderscoreEscapingWithoutSuffixes", false)]
    [InlineData("NoUTF8EscapingWithSuffixes", true)]
    [InlineData("NoTranslation", false)]
    public void Strategies_decide_the_suffixes(string strategy, bool suffixes) =>
        Assert.Equal(suffixes, PrometheusNaming.WithSuffixes(Enum.Parse<TranslationStrategy>(strategy)));
}
