// The encoded form a resource entry of an OTLP export request was parsed from (see
// TelemetryCluster.Streams.Data.OtlpWire). Not part of the message: never serialized, not copied by Clone(), not
// compared by Equals(). Whoever changes a resource entry in place must clear it first.

namespace OpenTelemetry.Proto.Metrics.V1
{
    public sealed partial class ResourceMetrics
    {
        /// <summary>The bytes this entry was parsed from (its field 1 body in the request), or empty when unknown.</summary>
        public ReadOnlyMemory<byte> WireBytes { get; set; }
    }
}

namespace OpenTelemetry.Proto.Logs.V1
{
    public sealed partial class ResourceLogs
    {
        /// <summary>The bytes this entry was parsed from (its field 1 body in the request), or empty when unknown.</summary>
        public ReadOnlyMemory<byte> WireBytes { get; set; }
    }
}

namespace OpenTelemetry.Proto.Trace.V1
{
    public sealed partial class ResourceSpans
    {
        /// <summary>The bytes this entry was parsed from (its field 1 body in the request), or empty when unknown.</summary>
        public ReadOnlyMemory<byte> WireBytes { get; set; }
    }
}
