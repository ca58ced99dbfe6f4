using System.Globalization;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>HOCON configs for the node under test; written to a temp file and passed with <c>--config</c>.</summary>
internal static class NodeConfig
{
    /// <summary>
    /// otlp (gRPC on 127.0.0.1:<paramref name="otlpGrpcPort"/>) → batch → debug (basic, every batch written as a
    /// plain stdout line, so the count does not depend on the node's log level or formatter) for metrics;
    /// health_check on 127.0.0.1:<paramref name="healthPort"/>; Akka remoting on any free port.
    /// </summary>
    public static string MetricsToDebug(int otlpGrpcPort, int healthPort) => string.Create(
        CultureInfo.InvariantCulture,
        $$"""
        # written by tests/TelemetryCluster.Benchmarks (otlp-ingest)
        receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:{{otlpGrpcPort}}"
        processors.batch {}
        exporters.debug {
          verbosity = basic
          use_internal_logger = false
          sampling_thereafter = 1  # every batch is written: the count below relies on it
        }
        extensions.health_check.endpoint = "127.0.0.1:{{healthPort}}"
        service {
          extensions = [health_check]
          pipelines.metrics {
            receivers = [otlp]
            processors = [batch]
            exporters = [debug]
          }
        }
        cluster.port = 0
        """);

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
