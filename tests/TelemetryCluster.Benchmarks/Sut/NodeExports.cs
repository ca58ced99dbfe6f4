using Grpc.Core;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Benchmarks.Harness;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>Loading a node with OTLP metrics before a measurement (prometheus-scrape, promql).</summary>
internal static class NodeExports
{
    /// <summary>
    /// One Export call, repeated after <paramref name="retryDelay"/> while the node refuses it (up to 100 attempts).
    /// A partial rejection or any other error is a <see cref="CorrectnessException"/> with the node's last output.
    /// </summary>
    public static async Task ExportAsync(
        MetricsService.MetricsServiceClient client, NodeSut node, ExportMetricsServiceRequest request, TimeSpan retryDelay, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await client.ExportAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (response.PartialSuccess is { RejectedDataPoints: > 0 } partial)
                {
                    throw new CorrectnessException(
                        $"the node rejected {partial.RejectedDataPoints} data points ({partial.ErrorMessage}). Last output:\n{node.Tail()}");
                }

                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted && attempt < 100)
            {
                await Task.Delay(retryDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw new CorrectnessException($"Export into the node failed: {e.Status}. Last output:\n{node.Tail()}");
            }
        }
    }
}
