namespace TelemetryCluster.Streams.Exporters.Debug;

/// <summary>How much the debug exporter writes per batch (the collector's <c>verbosity</c>).</summary>
internal enum DebugVerbosity
{
    /// <summary>One summary line per batch with counts.</summary>
    Basic,

    /// <summary>The summary line plus one compact line per data point, log record or span.</summary>
    Normal,

    /// <summary>The summary line plus a full dump of every resource, scope and item.</summary>
    Detailed,
}
