using System.Collections.Immutable;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>Settings of the <c>batch</c> processor; defaults live in <c>defaults.conf</c> (the collector's values).</summary>
/// <param name="SendBatchSize">Items (points, records, spans) that trigger a send; a trigger, not a cap.</param>
/// <param name="Timeout">Longest wait of a partial batch after its first item; zero sends every request at once.</param>
/// <param name="SendBatchMaxSize">Largest batch sent (bigger ones are split); 0 = no limit.</param>
/// <param name="MetadataKeys">Client metadata keys (lower-case) whose values partition the batches.</param>
/// <param name="MetadataCardinalityLimit">Most metadata-value combinations batching at once; 0 = no limit.</param>
internal sealed record BatchProcessorConfig(
    uint SendBatchSize,
    TimeSpan Timeout,
    uint SendBatchMaxSize,
    ImmutableArray<string> MetadataKeys,
    uint MetadataCardinalityLimit)
{
    internal const string MaxSizeError = "send_batch_max_size must be greater or equal to send_batch_size";
    internal const string TimeoutError = "timeout must be greater or equal to 0";

    /// <summary>The collector's defaults (the same values as <c>defaults.conf</c>), for code that builds the processor directly.</summary>
    public static BatchProcessorConfig Default { get; } =
        new(8192, TimeSpan.FromMilliseconds(200), 0, ImmutableArray<string>.Empty, 1000);

    /// <summary>
    /// Items the stage holds at most before it stops pulling: twice the larger of the two sizes (at least one), so a
    /// full batch can wait for downstream while the next one fills. One request larger than this is still taken.
    /// </summary>
    public long BufferCapacity => Math.Max(2L * Math.Max(SendBatchSize, SendBatchMaxSize), 1L);

    public static BatchProcessorConfig Bind(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sendBatchSize = (uint)reader.GetLong("send_batch_size", min: 0, max: uint.MaxValue);
        var timeout = reader.GetDuration("timeout", allowNegative: true);
        var sendBatchMaxSize = (uint)reader.GetLong("send_batch_max_size", min: 0, max: uint.MaxValue);
        var metadataKeys = reader.GetStringList("metadata_keys")
            .Select(key => key.ToLowerInvariant())
            .ToImmutableArray();
        var limit = (uint)reader.GetLong("metadata_cardinality_limit", min: 0, max: uint.MaxValue);

        var config = new BatchProcessorConfig(sendBatchSize, timeout, sendBatchMaxSize, metadataKeys, limit);
        foreach (var (key, message) in config.Validate())
        {
            reader.Error(key, message);
        }

        return config;
    }

    /// <summary>Every problem of this config as (key, message), with the collector's messages.</summary>
    public IReadOnlyList<(string Key, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (SendBatchMaxSize > 0 && SendBatchMaxSize < SendBatchSize)
        {
            errors.Add(("send_batch_max_size", MaxSizeError));
        }

        if (Timeout < TimeSpan.Zero)
        {
            errors.Add(("timeout", TimeoutError));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in MetadataKeys.IsDefault ? ImmutableArray<string>.Empty : MetadataKeys)
        {
            if (!seen.Add(key))
            {
                errors.Add(("metadata_keys", $"duplicate entry in metadata_keys: \"{key.ToLowerInvariant()}\" (case-insensitive)"));
            }
        }

        return errors;
    }
}
