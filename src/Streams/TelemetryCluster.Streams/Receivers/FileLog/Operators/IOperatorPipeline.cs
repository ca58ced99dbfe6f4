namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// The chain of operators configured under a receiver's <c>operators</c> key, built once per file reader (operators
/// such as <c>recombine</c> hold state per source). Not thread-safe: one reader drives one pipeline.
/// </summary>
public interface IOperatorPipeline
{
    /// <summary>Runs one entry through the operators; appends the 0..n entries that leave the last operator.</summary>
    void Process(LogEntry entry, List<LogEntry> output);

    /// <summary>
    /// Emits entries an operator holds (recombine) whose flush period passed by <paramref name="now"/>, or all of them
    /// when <paramref name="force"/> (end of file reader, shutdown).
    /// </summary>
    void Flush(DateTimeOffset now, bool force, List<LogEntry> output);

    /// <summary>Entries dropped by operators (filter, on_error drop), by reason, for the receiver's telemetry.</summary>
    IReadOnlyDictionary<string, long> Dropped { get; }
}
