using System.Globalization;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>HOCON configs for the node under test; written to a temp file and passed with <c>--config</c>.</summary>
internal static class NodeConfig
{
    /// <summary>
    /// otlp (gRPC on 127.0.0.1:<see cref="NodePorts.OtlpGrpc"/>) → batch → otlp_grpc exporter (the collector's <c>otlp</c>) to the sink (a floor server on
    /// 127.0.0.1:<see cref="NodePorts.Sink"/>, plaintext, with <paramref name="compression"/>) for metrics; health_check on
    /// 127.0.0.1:<see cref="NodePorts.Health"/>; Akka remoting on any free port. The <c>attributes</c> processor of
    /// BENCHMARKS.md's otlp-ingest pipeline does not exist yet, so it is not in the pipeline.
    /// </summary>
    public static string MetricsToSink(NodePorts ports, string compression)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return string.Create(
            CultureInfo.InvariantCulture,
            $$"""
            # written by tests/TelemetryCluster.Benchmarks (otlp-ingest, cluster-fanout)
            receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:{{ports.OtlpGrpc}}"
            processors.batch {}
            exporters.otlp_grpc {
              endpoint = "127.0.0.1:{{ports.Sink}}"
              tls { insecure = true }
              compression = {{compression}}
            }
            extensions.health_check.endpoint = "127.0.0.1:{{ports.Health}}"
            service {
              extensions = [health_check]
              pipelines.metrics {
                receivers = [otlp]
                processors = [batch]
                exporters = [otlp_grpc]
              }
            }
            cluster.port = 0
            """);
    }

    /// <summary>
    /// prometheus-scrape: otlp (gRPC on 127.0.0.1:<see cref="NodePorts.OtlpGrpc"/>) → <c>prometheus</c> exporter serving
    /// <c>/metrics</c> on 127.0.0.1:<paramref name="metricsPort"/> (no processors: the series are pushed once and then only
    /// scraped; <c>metric_expiration = 1h</c> so none expires during a long round); health_check on
    /// 127.0.0.1:<see cref="NodePorts.Health"/>; own telemetry off (<c>service.telemetry.metrics.level = none</c>, so
    /// nodes never contend for :8888); Akka remoting on any free port.
    /// </summary>
    public static string OtlpToPrometheus(NodePorts ports, int metricsPort, string metricExpiration = "1h")
    {
        ArgumentNullException.ThrowIfNull(ports);
        return string.Create(
            CultureInfo.InvariantCulture,
            $$"""
            # written by tests/TelemetryCluster.Benchmarks (prometheus-scrape, promql)
            receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:{{ports.OtlpGrpc}}"
            exporters.prometheus {
              endpoint = "127.0.0.1:{{metricsPort}}"
              metric_expiration = {{metricExpiration}}
            }
            extensions.health_check.endpoint = "127.0.0.1:{{ports.Health}}"
            service {
              extensions = [health_check]
              telemetry.metrics.level = none
              pipelines.metrics {
                receivers = [otlp]
                exporters = [prometheus]
              }
            }
            cluster.port = 0
            """);
    }

    /// <summary>
    /// <paramref name="config"/> made a member of a static-seed cluster: Akka remoting on 127.0.0.1:<paramref name="clusterPort"/>,
    /// the seed node 127.0.0.1:<paramref name="seedPort"/> (the seed lists itself first, so it forms the cluster; a
    /// one-node cluster is the seed alone), and the management endpoint (<c>GET /cluster/members</c>, <c>/cluster/shards</c>)
    /// on 127.0.0.1:<paramref name="managementPort"/>, so that several nodes can run on one machine. HOCON: the keys
    /// appended here override the same keys earlier in <paramref name="config"/> (e.g. <c>cluster.port = 0</c>).
    /// </summary>
    public static string ClusterMember(string config, int clusterPort, int seedPort, int managementPort) =>
        config + string.Create(
            CultureInfo.InvariantCulture,
            $$"""

            # cluster member (tests/TelemetryCluster.Benchmarks, cluster-fanout)
            cluster.hostname = "127.0.0.1"
            cluster.port = {{clusterPort}}
            cluster.seed-nodes = ["127.0.0.1:{{seedPort}}"]
            cluster.management.enabled = true
            cluster.management.endpoint = "127.0.0.1:{{managementPort}}"

            """);
}

/// <summary>HOCON configs of the filelog workload (see <see cref="FileLogToSink"/>).</summary>
internal static class FileLogNodeConfig
{
    /// <summary>The regex of BENCHMARKS.md's filelog workload (a <c>regex_parser</c> operator on every line).</summary>
    public const string Regex = @"^(?P<time>\d{4}-\d{2}-\d{2}) (?P<sev>[A-Z0-9]*) (?P<msg>.*)$";

    /// <summary>
    /// file_log (every file matching <paramref name="include"/>, <c>start_at = beginning</c>, the <see cref="Regex"/>
    /// regex_parser) → batch → otlp_grpc exporter to the sink (127.0.0.1:<see cref="NodePorts.Sink"/>, plaintext,
    /// <paramref name="compression"/>) for logs; with <paramref name="checkpoints"/> (the receiver's default) its checkpoints
    /// are in <paramref name="storageDir"/> (<c>cluster.storage-dir</c>), without them the receiver has
    /// <c>checkpoints = false</c>; health_check on 127.0.0.1:<see cref="NodePorts.Health"/>.
    /// </summary>
    public static string FileLogToSink(NodePorts ports, string include, string storageDir, string compression, bool checkpoints = true)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return string.Create(
            CultureInfo.InvariantCulture,
            $$""""
            # written by tests/TelemetryCluster.Benchmarks (filelog)
            receivers."file_log/bench" {
              include = ["{{include}}"]
              start_at = beginning
              checkpoints = {{(checkpoints ? "true" : "false")}}
              operators = [
                {
                  type = regex_parser
                  regex = """{{Regex}}"""
                }
              ]
            }
            processors.batch {}
            exporters.otlp_grpc {
              endpoint = "127.0.0.1:{{ports.Sink}}"
              tls { insecure = true }
              compression = {{compression}}
            }
            extensions.health_check.endpoint = "127.0.0.1:{{ports.Health}}"
            service {
              extensions = [health_check]
              pipelines.logs {
                receivers = ["file_log/bench"]
                processors = [batch]
                exporters = [otlp_grpc]
              }
            }
            cluster.port = 0
            cluster.storage-dir = "{{storageDir}}"
            """");
    }
}

/// <summary>The ports a node's config needs: its OTLP/gRPC receiver, its health check, and its downstream sink's gRPC port.</summary>
internal sealed record NodePorts(int OtlpGrpc, int Health, int Sink);
