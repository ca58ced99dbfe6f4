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
}
