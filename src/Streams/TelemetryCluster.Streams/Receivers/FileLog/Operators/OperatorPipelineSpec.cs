using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// The validated <c>operators</c> list of a receiver: read at config time (errors name <c>operators[i].key</c>),
/// built into an <see cref="IOperatorPipeline"/> per file reader at run time.
/// </summary>
public sealed class OperatorPipelineSpec
{
    // CONTRACT PLACEHOLDER: the operators helper replaces this file's body with the real reader and builder.
    private OperatorPipelineSpec()
    {
    }

    public static OperatorPipelineSpec Empty { get; } = new();

    /// <summary>Reads and validates <paramref name="key"/> (a list of operator objects) from the receiver's section.</summary>
    public static OperatorPipelineSpec Read(ComponentConfigReader reader, string key = "operators") => Empty;

    /// <summary>A fresh pipeline (fresh operator state) for one file reader.</summary>
    public IOperatorPipeline Build(TimeProvider time) => new PassThrough();

    private sealed class PassThrough : IOperatorPipeline
    {
        public IReadOnlyDictionary<string, long> Dropped { get; } = new Dictionary<string, long>();

        public void Process(LogEntry entry, List<LogEntry> output) => output.Add(entry);

        public void Flush(DateTimeOffset now, bool force, List<LogEntry> output)
        {
        }
    }
}
