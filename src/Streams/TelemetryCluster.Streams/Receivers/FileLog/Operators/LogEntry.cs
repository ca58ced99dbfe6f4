namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// One log entry as the filelog receiver's operators see it (the collector's stanza entry): a body that starts as
/// the line text and may become a map after parsing, attributes, resource, timestamps, severity and trace context.
/// Values are <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="byte"/>[],
/// <c>Dictionary&lt;string, object?&gt;</c> (ordinal keys) or <c>List&lt;object?&gt;</c>, or null.
/// The receiver turns entries into OTLP log records after the last operator.
/// </summary>
public sealed class LogEntry
{
    private Dictionary<string, object?>? _resource;

    public LogEntry()
        : this(0)
    {
    }

    /// <summary>An entry whose attribute map has room for <paramref name="attributeCapacity"/> keys without growing.</summary>
    public LogEntry(int attributeCapacity)
    {
        Attributes = new Dictionary<string, object?>(attributeCapacity, StringComparer.Ordinal);
    }

    public object? Body { get; set; }

    public Dictionary<string, object?> Attributes { get; }

    /// <summary>The resource map, created on first use (most entries never have one).</summary>
    public Dictionary<string, object?> Resource => _resource ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Whether the entry has resource attributes (without creating the map).</summary>
    public bool HasResource => _resource is { Count: > 0 };

    /// <summary>The resource map if one was created, else null.</summary>
    internal Dictionary<string, object?>? ResourceOrNull => _resource;

    /// <summary>The event time a parser found; null until then (OTLP time_unix_nano 0).</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>When the receiver read the line.</summary>
    public DateTimeOffset ObservedTimestamp { get; set; }

    /// <summary>OTLP SeverityNumber (0 = unspecified, 1–24).</summary>
    public int Severity { get; set; }

    public string? SeverityText { get; set; }

    /// <summary>16 bytes or null.</summary>
    public byte[]? TraceId { get; set; }

    /// <summary>8 bytes or null.</summary>
    public byte[]? SpanId { get; set; }

    public uint TraceFlags { get; set; }

    /// <summary>The instrumentation scope name a parser's <c>scope_name</c> found; null until then.</summary>
    public string? ScopeName { get; set; }
}
