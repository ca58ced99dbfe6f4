using System.Globalization;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>A checkpoint mark: after the batch it belongs to is acknowledged, <paramref name="State"/> may resume at <paramref name="Offset"/>.</summary>
internal readonly record struct OffsetMark(FileState State, long Offset, long RecordNumber);

/// <summary>
/// Turns the entries leaving the operators into one OTLP logs request: entries with the same resource share a
/// ResourceLogs (the receiver's <c>resource</c> map plus what operators set), each with one ScopeLogs per scope name.
/// Records are written as protobuf bytes as they arrive (<see cref="LogRecordEncoder"/>), and each ResourceLogs of
/// the request is an encoded entry (<see cref="Data.OtlpWire"/>): batching and the otlp exporter send the bytes
/// as they are, and the engine parses them only for a component that needs objects. Collects the checkpoint marks
/// of the lines the batch covers.
/// </summary>
internal sealed class LogBatchBuilder
{
    private readonly IReadOnlyDictionary<string, string> _resource;
    /// <summary>The scope last used per resource key (the common case: one scope per resource).</summary>
    private readonly Dictionary<string, ScopeRecords> _byResource = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceRecords> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Resource, string Scope), ScopeRecords> _byScope = [];
    private readonly List<ResourceRecords> _order = [];
    /// <summary>Encoders of earlier batches, kept for their buffers.</summary>
    private readonly Stack<LogRecordEncoder> _spare = new();
    private ScopeRecords? _plainScope;
    private List<LogEntry>? _deferred;

    public LogBatchBuilder(IReadOnlyDictionary<string, string> resource) => _resource = resource;

    public int Count { get; private set; }

    public List<OffsetMark> Marks { get; private set; } = [];

    public bool IsEmpty => Count == 0 && Marks.Count == 0;

    public void Add(LogEntry entry)
    {
        var scopeName = entry.ScopeName ?? string.Empty;
        ScopeRecords? scope;
        if (!entry.HasResource && _plainScope is { } plain && string.Equals(plain.Name, scopeName, StringComparison.Ordinal))
        {
            // The common case: no resource set by operators, the same scope as the entry before.
            scope = plain;
        }
        else
        {
            var key = entry.HasResource ? ResourceKey(entry.Resource) : string.Empty;
            if (!_byResource.TryGetValue(key, out scope) || scope.Name != scopeName)
            {
                scope = ScopeFor(key, scopeName, entry);
            }

            _plainScope = key.Length == 0 ? scope : null;
        }

        scope.Records.Write(entry);
        scope.Count++;
        Count++;
    }

    /// <summary>Adds an entry that has not been through the operators yet (one-to-one pipelines: see <see cref="EntryEmitter.Encode"/>).</summary>
    public void AddDeferred(LogEntry entry)
    {
        (_deferred ??= new List<LogEntry>(EntryEmitter.MaxBatchEntries)).Add(entry);
        Count++;
    }

    /// <summary>The records of (resource, scope name) in this batch; a scope set by a scope_name parser gets its own.</summary>
    private ScopeRecords ScopeFor(string resourceKey, string scopeName, LogEntry entry)
    {
        if (_byScope.TryGetValue((resourceKey, scopeName), out var scope))
        {
            _byResource[resourceKey] = scope;
            return scope;
        }

        if (!_resources.TryGetValue(resourceKey, out var resource))
        {
            resource = new ResourceRecords(BuildResource(entry.ResourceOrNull));
            _order.Add(resource);
            _resources[resourceKey] = resource;
        }

        scope = new ScopeRecords(scopeName, _spare.TryPop(out var spare) ? spare : new LogRecordEncoder());
        resource.Scopes.Add(scope);
        _byScope[(resourceKey, scopeName)] = scope;
        _byResource[resourceKey] = scope;
        return scope;
    }

    /// <summary>Records that <paramref name="state"/> is safe to resume at <paramref name="offset"/> once this batch is acknowledged.</summary>
    public void Mark(FileState state, long offset, long recordNumber)
    {
        var marks = Marks;
        if (marks.Count > 0 && ReferenceEquals(marks[^1].State, state))
        {
            marks[^1] = new OffsetMark(state, offset, recordNumber);
            return;
        }

        marks.Add(new OffsetMark(state, offset, recordNumber));
        state.InFlight++;
    }

    /// <summary>
    /// Takes the request (its entries encoded), the entries still to go through the operators (null when none) and
    /// the marks, and starts a new batch.
    /// </summary>
    public (ExportLogsServiceRequest Request, List<LogEntry>? Deferred, int Count, List<OffsetMark> Marks) Take()
    {
        var request = new ExportLogsServiceRequest();
        foreach (var resource in _order)
        {
            request.ResourceLogs.Add(resource.ToEntry());
            foreach (var scope in resource.Scopes)
            {
                scope.Records.Reset();
                _spare.Push(scope.Records);
            }
        }

        var result = (request, _deferred, Count, Marks);
        _deferred = null;
        _order.Clear();
        _byResource.Clear();
        _resources.Clear();
        _byScope.Clear();
        _plainScope = null;
        Count = 0;
        Marks = [];
        return result;
    }

    public static AnyValue ToAnyValue(object? value)
    {
        switch (value)
        {
            case null:
                return new AnyValue();
            case string s:
                return new AnyValue { StringValue = s };
            case bool b:
                return new AnyValue { BoolValue = b };
            case long l:
                return new AnyValue { IntValue = l };
            case int i:
                return new AnyValue { IntValue = i };
            case double d:
                return new AnyValue { DoubleValue = d };
            case float f:
                return new AnyValue { DoubleValue = f };
            case byte[] bytes:
                return new AnyValue { BytesValue = ByteString.CopyFrom(bytes) };
            case Dictionary<string, object?> map:
                {
                    var list = new KeyValueList();
                    foreach (var (k, v) in map)
                    {
                        list.Values.Add(new KeyValue { Key = k, Value = ToAnyValue(v) });
                    }

                    return new AnyValue { KvlistValue = list };
                }

            case List<object?> items:
                {
                    var array = new ArrayValue();
                    foreach (var item in items)
                    {
                        array.Values.Add(ToAnyValue(item));
                    }

                    return new AnyValue { ArrayValue = array };
                }

            case IFormattable formattable:
                return new AnyValue { StringValue = formattable.ToString(null, CultureInfo.InvariantCulture) };
            default:
                return new AnyValue { StringValue = value.ToString() ?? string.Empty };
        }
    }

    private Resource BuildResource(Dictionary<string, object?>? fromEntry)
    {
        var resource = new Resource();
        foreach (var (name, value) in _resource)
        {
            if (fromEntry is null || !fromEntry.ContainsKey(name))
            {
                resource.Attributes.Add(new KeyValue { Key = name, Value = new AnyValue { StringValue = value } });
            }
        }

        foreach (var (name, value) in fromEntry ?? [])
        {
            resource.Attributes.Add(new KeyValue { Key = name, Value = ToAnyValue(value) });
        }

        return resource;
    }

    private static string ResourceKey(Dictionary<string, object?> resource)
    {
        var keys = resource.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var parts = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            parts[i] = keys[i] + "\u0001" + ToAnyValue(resource[keys[i]]);
        }

        return string.Join('\u0002', parts);
    }

    /// <summary>The encoded records of one scope name under one resource.</summary>
    private sealed class ScopeRecords(string name, LogRecordEncoder records)
    {
        public string Name { get; } = name;

        public LogRecordEncoder Records { get; } = records;

        public int Count { get; set; }
    }

    /// <summary>A resource of the batch and its scopes, in the order they appeared.</summary>
    private sealed class ResourceRecords(Resource resource)
    {
        public Resource Resource { get; } = resource;

        public List<ScopeRecords> Scopes { get; } = [];

        /// <summary>
        /// The ResourceLogs as an encoded entry: <c>resource</c> (1), then per scope a <c>scope_logs</c> (2) holding
        /// its <c>scope</c> (1, the name only) and the records already written.
        /// </summary>
        public ResourceLogs ToEntry()
        {
            var resourceBytes = Resource.ToByteArray();
            var total = Field(resourceBytes.Length);
            var items = 0;
            foreach (var scope in Scopes)
            {
                total += Field(ScopeLogsSize(scope));
                items += scope.Count;
            }

            var bytes = GC.AllocateUninitializedArray<byte>(total);
            var position = Header(bytes, 0, 1, resourceBytes.Length);
            resourceBytes.CopyTo(bytes, position);
            position += resourceBytes.Length;
            foreach (var scope in Scopes)
            {
                position = Header(bytes, position, 2, ScopeLogsSize(scope));
                var nameBytes = Encoding.UTF8.GetByteCount(scope.Name);
                position = Header(bytes, position, 1, nameBytes == 0 ? 0 : Field(nameBytes));
                if (nameBytes > 0)
                {
                    position = Header(bytes, position, 1, nameBytes);
                    position += Encoding.UTF8.GetBytes(scope.Name, bytes.AsSpan(position));
                }

                scope.Records.Written.CopyTo(bytes.AsSpan(position));
                position += scope.Records.Length;
            }

            return new ResourceLogs { Resource = Resource, WireBytes = bytes, UnparsedItemCount = items };
        }

        private static int ScopeLogsSize(ScopeRecords scope)
        {
            var nameBytes = Encoding.UTF8.GetByteCount(scope.Name);
            return Field(nameBytes == 0 ? 0 : Field(nameBytes)) + scope.Records.Length;
        }

        /// <summary>Tag, length and content of a length-delimited field of <paramref name="length"/> bytes (field numbers below 16).</summary>
        private static int Field(int length) => 1 + CodedOutputStream.ComputeRawVarint32Size((uint)length) + length;

        private static int Header(byte[] bytes, int position, int field, int length)
        {
            bytes[position++] = (byte)((field << 3) | 2);
            return position + Data.OtlpWire.WriteVarint(bytes.AsSpan(position), (uint)length);
        }
    }
}
