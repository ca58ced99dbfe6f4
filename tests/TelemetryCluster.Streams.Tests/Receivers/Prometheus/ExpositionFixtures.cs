namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

/// <summary>Scrape bodies in the shapes node-exporter, client_golang and OpenMetrics clients produce (written for these tests).</summary>
internal static class ExpositionFixtures
{
    /// <summary>Text 0.0.4, node-exporter style: counters, gauges, a histogram, a summary, untyped, escapes, a timestamp.</summary>
    public const string NodeExporterText = """
        # HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
        # TYPE node_cpu_seconds_total counter
        node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67
        node_cpu_seconds_total{cpu="0",mode="user"} 89.5
        # HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.
        # TYPE node_memory_MemAvailable_bytes gauge
        node_memory_MemAvailable_bytes 8.123456e+09
        # HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
        # TYPE node_filesystem_avail_bytes gauge
        node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/mnt/a \"quoted\" dir\\x\nline"} 1024
        # HELP http_request_duration_seconds Request latency.\nSecond line with a \\ backslash.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{handler="/api",le="0.05"} 24
        http_request_duration_seconds_bucket{handler="/api",le="0.1"} 33
        http_request_duration_seconds_bucket{handler="/api",le="+Inf"} 144
        http_request_duration_seconds_sum{handler="/api"} 53.5
        http_request_duration_seconds_count{handler="/api"} 144
        # HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
        # TYPE go_gc_duration_seconds summary
        go_gc_duration_seconds{quantile="0"} 2.1e-05
        go_gc_duration_seconds{quantile="0.5"} 4.2e-05
        go_gc_duration_seconds{quantile="1"} 0.0011
        go_gc_duration_seconds_sum 0.25
        go_gc_duration_seconds_count 1200
        # A plain comment, ignored.
        # TYPE legacy_thing untyped
        legacy_thing{kind="a"} 7
        no_metadata_at_all 3 1700000000123
        special_values{v="nan"} NaN
        special_values{v="inf"} +Inf
        special_values{v="ninf"} -Inf

        """;

    /// <summary>OpenMetrics 1.0: counter families without _total, _created, UNIT, info, exemplars, float-second timestamps, # EOF.</summary>
    public const string OpenMetrics = """
        # TYPE requests counter
        # HELP requests Requests served.
        requests_total{path="/a"} 10 1700000000.5 # {trace_id="abc"} 1.0 1700000000.25
        requests_created{path="/a"} 1699999000.0
        requests_total{path="/b"} 4
        # TYPE latency_seconds histogram
        # UNIT latency_seconds seconds
        # HELP latency_seconds Latency.
        latency_seconds_bucket{le="0.5"} 3
        latency_seconds_bucket{le="1.0"} 5
        latency_seconds_bucket{le="+Inf"} 6
        latency_seconds_count 6
        latency_seconds_sum 4.5
        latency_seconds_created 1699999500.0
        # TYPE build info
        build_info{version="1.2.3"} 1
        # TYPE temperature_celsius gauge
        # UNIT temperature_celsius celsius
        temperature_celsius{room="a\"b"} 21.5
        # TYPE mystery unknown
        mystery 42
        # EOF

        """;
}
