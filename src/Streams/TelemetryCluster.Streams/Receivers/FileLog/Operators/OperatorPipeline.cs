namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// The operators of one file reader, wired as a graph. <see cref="Process"/> pushes an entry through synchronously;
/// drops are counted by <c>reason:operator-id</c> (<c>filtered</c>, <c>error</c>, <c>no_route</c>), errors handled
/// by <c>on_error: send</c> are counted per operator in <see cref="Errors"/>. Not thread-safe (one reader, one pipeline).
/// </summary>
internal sealed class OperatorPipeline : IOperatorPipeline
{
    private readonly Operator[] _operators;
    private readonly Dictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly long[] _errorCounts;
    private List<LogEntry>? _output;

    internal OperatorPipeline(IReadOnlyList<OperatorDefinition> definitions, TimeProvider time)
    {
        Time = time;
        _operators = new Operator[definitions.Count];
        _errorCounts = new long[definitions.Count];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < definitions.Count; i++)
        {
            _operators[i] = definitions[i].Create();
            index[definitions[i].Id] = i;
        }

        for (var i = 0; i < definitions.Count; i++)
        {
            var groups = definitions[i].OutputGroups;
            var targets = new Operator[groups.Count][];
            for (var g = 0; g < groups.Count; g++)
            {
                var ids = groups[g];
                if (ids is null || ids.Length == 0)
                {
                    // Default: the next operator in the list; after the last one, the pipeline's output.
                    targets[g] = ids is null && i + 1 < _operators.Length ? [_operators[i + 1]] : [];
                    continue;
                }

                targets[g] = new Operator[ids.Length];
                for (var k = 0; k < ids.Length; k++)
                {
                    targets[g][k] = _operators[index[ids[k]]];
                }
            }

            _operators[i].Attach(definitions[i], this, targets, i);
        }
    }

    public TimeProvider Time { get; }

    public IReadOnlyDictionary<string, long> Dropped => _dropped;

    /// <summary>Errors per operator id that <c>on_error</c> handled (sent on or dropped).</summary>
    public IReadOnlyDictionary<string, long> Errors
    {
        get
        {
            for (var i = 0; i < _operators.Length; i++)
            {
                if (_errorCounts[i] > 0)
                {
                    _errors[_operators[i].Id] = _errorCounts[i];
                }
            }

            return _errors;
        }
    }

    /// <summary>The most recent error message (for a periodic, not per-entry, log line).</summary>
    public string? LastError { get; private set; }

    public void Process(LogEntry entry, List<LogEntry> output)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(output);
        if (_operators.Length == 0)
        {
            output.Add(entry);
            return;
        }

        _output = output;
        try
        {
            _operators[0].Receive(entry);
        }
        finally
        {
            _output = null;
        }
    }

    public void Flush(DateTimeOffset now, bool force, List<LogEntry> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        try
        {
            foreach (var op in _operators)
            {
                op.Flush(now, force);
            }
        }
        finally
        {
            _output = null;
        }
    }

    internal void Deliver(LogEntry entry) => _output?.Add(entry);

    internal void CountDrop(string key) =>
        _dropped[key] = _dropped.TryGetValue(key, out var count) ? count + 1 : 1;

    internal void RecordError(int operatorIndex, string error)
    {
        _errorCounts[operatorIndex]++;
        LastError = error;
    }
}
