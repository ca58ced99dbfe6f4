using System.Security.Cryptography;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>
/// Names the content of a snapshot: two snapshots with the same version hold the same families and series (so they
/// encode to the same bytes). <see cref="Epoch"/> is drawn at random by whoever numbers the content (an exporter
/// instance for its own state, the MetricsView singleton for the merged view; never 0), <see cref="Sequence"/> grows
/// with every change within the epoch. <c>default</c> (epoch 0) names no content.
/// </summary>
public readonly record struct PrometheusContentVersion(long Epoch, long Sequence)
{
    /// <summary>No content (never equal to a version drawn with <see cref="NewEpoch"/>).</summary>
    public static PrometheusContentVersion None => default;

    /// <summary>True unless this is <see cref="None"/>.</summary>
    public bool IsKnown => Epoch != 0;

    /// <summary>A fresh random, non-zero epoch.</summary>
    public static long NewEpoch()
    {
        long epoch;
        do
        {
            epoch = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
        }
        while (epoch == 0);

        return epoch;
    }
}

/// <summary>A merged snapshot of one exporter and the version of its content (same version ⇒ same bytes, on every node).</summary>
public sealed record PrometheusMergedView(PrometheusSnapshot Snapshot, PrometheusContentVersion Version);
