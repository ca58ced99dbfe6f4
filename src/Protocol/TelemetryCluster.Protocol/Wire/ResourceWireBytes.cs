// The encoded form a resource entry of an OTLP export request was parsed from (see
// TelemetryCluster.Streams.Data.OtlpWire). Not part of the message: never serialized, not copied by Clone(), not
// compared by Equals(). Whoever changes a resource entry in place must clear it first.
//
// An entry may also be "encoded": parsed only down to its resource and schema URL, with its scopes still only in
// WireBytes (UnparsedItemCount >= 0 then holds the number of items they contain). OtlpWire.Expand parses the scopes
// into the entry; until then ScopeMetrics/ScopeLogs/ScopeSpans are empty.

namespace OpenTelemetry.Proto.Metrics.V1
{
    public sealed partial class ResourceMetrics
    {
        /// <summary>The bytes this entry was parsed from (its field 1 body in the request), or empty when unknown.</summary>
        public ReadOnlyMemory<byte> WireBytes { get; set; }

        /// <summary>
        /// The items in the entry's scopes while they are not parsed yet (<see cref="ScopeMetrics"/> is empty and the
        /// scopes are only in <see cref="WireBytes"/>); -1 once parsed or for an entry built in memory.
        /// </summary>
        public int UnparsedItemCount { get; set; } = -1;
    }
}

namespace OpenTelemetry.Proto.Logs.V1
{
    public sealed partial class ResourceLogs
    {
        /// <summary>The bytes this entry was parsed from (its field 1 body in the request), or empty when unknown.</summary>
        public ReadOnlyMemory<byte> WireBytes { get; set; }

        /// <summary>
        /// The items in the entry's scopes while they are not parsed yet (<see cref="ScopeLogs"/> is empty and the
        /// scopes are only in <see cref="WireBytes"/>); -1 once parsed or for an entry built in memory.
        /// </summary>
        public int UnparsedItemCount { get; set; } = -1;
    }
}

namespace OpenTelemetry.Proto.Trace.V1
{
    public sealed partial class ResourceSpans
    {
        /// <summary>The bytes this entry was parsed from (its field 1 body in the request), or empty when unknown.</summary>
        public ReadOnlyMemory<byte> WireBytes { get; set; }

        /// <summary>
        /// The items in the entry's scopes while they are not parsed yet (<see cref="ScopeSpans"/> is empty and the
        /// scopes are only in <see cref="WireBytes"/>); -1 once parsed or for an entry built in memory.
        /// </summary>
        public int UnparsedItemCount { get; set; } = -1;
    }
}
