namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// A running system under test in its own process: where to send OTLP, which pid to sample, and how many data
/// points it has delivered downstream (for the sent = received check).
/// </summary>
internal interface ISystemUnderTest : IAsyncDisposable
{
    /// <summary>For tables and messages, e.g. <c>node</c> or <c>floor</c>.</summary>
    string Name { get; }

    /// <summary>The process to sample in /proc.</summary>
    int Pid { get; }

    /// <summary>
    /// The downstream sink's process (a floor server the node's <c>otlp</c> exporter sends to), sampled separately and
    /// never counted as the system's CPU; null when the system counts by itself (the floor).
    /// </summary>
    int? SinkPid { get; }

    /// <summary>OTLP/gRPC endpoint, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    Uri OtlpGrpcEndpoint { get; }

    /// <summary>Data points counted downstream so far (the floor's own counter; for a node, its sink's counter).</summary>
    Task<long> ReceivedDataPointsAsync(CancellationToken cancellationToken);

    /// <summary>The last lines the process printed, for error messages.</summary>
    string Tail();
}
