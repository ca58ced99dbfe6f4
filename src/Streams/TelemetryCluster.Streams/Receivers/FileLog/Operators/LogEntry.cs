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
    public object? Body { get; set; }

    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, object?> Resource { get; } = new(StringComparer.Ordinal);

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
