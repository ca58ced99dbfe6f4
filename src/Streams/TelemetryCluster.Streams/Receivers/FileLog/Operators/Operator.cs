namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>What an operator does with an entry it fails on (<c>on_error</c>).</summary>
internal enum OnErrorMode
{
    /// <summary>Forward the entry (as it was when the error happened) and count the error.</summary>
    Send,

    /// <summary>As <see cref="Send"/>; the collector logs at debug level instead of error level.</summary>
    SendQuiet,

    /// <summary>Drop the entry, count the drop (reason <c>error</c>) and the error.</summary>
    Drop,

    /// <summary>As <see cref="Drop"/>, quieter logging in the collector.</summary>
    DropQuiet,
}

/// <summary>
/// One operator instance inside one pipeline. Operators form a directed acyclic graph by <c>id</c>/<c>output</c>;
/// an entry is pushed through synchronously and lands in the pipeline's output list after the last operator.
/// </summary>
internal abstract class Operator
{
    private string _dropOnErrorKey = string.Empty;

    public string Id { get; private set; } = string.Empty;

    public string Type { get; private set; } = string.Empty;

    protected OperatorPipeline Pipeline { get; private set; } = null!;

    /// <summary>Target groups: [0] is the operator's output (empty = the pipeline's output); routers use one per route.</summary>
    protected Operator[][] Targets { get; private set; } = [];

    private Expression? _if;
    private OnErrorMode _onError;
    private int _index;

    internal void Attach(OperatorDefinition definition, OperatorPipeline pipeline, Operator[][] targets, int index)
    {
        Id = definition.Id;
        Type = definition.Type;
        _if = definition.If;
        _onError = definition.OnError;
        Pipeline = pipeline;
        Targets = targets;
        _index = index;
        _dropOnErrorKey = DropKey("error");
    }

    /// <summary>The key of <see cref="IOperatorPipeline.Dropped"/> for a reason of this operator: <c>reason:id</c>.</summary>
    protected string DropKey(string reason) => $"{reason}:{Id}";

    public void Receive(LogEntry entry)
    {
        if (_if is not null && !_if.IsTrue(entry))
        {
            Emit(entry);
            return;
        }

        Handle(entry);
    }

    protected abstract void Handle(LogEntry entry);

    /// <summary>Emits entries the operator holds (recombine); the default holds none.</summary>
    public virtual void Flush(DateTimeOffset now, bool force)
    {
    }

    protected void Emit(LogEntry entry) => EmitTo(Targets.Length == 0 ? [] : Targets[0], entry);

    protected void EmitTo(Operator[] targets, LogEntry entry)
    {
        switch (targets.Length)
        {
            case 0:
                Pipeline.Deliver(entry);
                return;
            case 1:
                targets[0].Receive(entry);
                return;
            default:
                // Fan-out: every target but the first gets its own deep copy, made before anyone mutates the entry.
                var copies = new LogEntry[targets.Length - 1];
                for (var i = 0; i < copies.Length; i++)
                {
                    copies[i] = Values.Clone(entry);
                }

                targets[0].Receive(entry);
                for (var i = 0; i < copies.Length; i++)
                {
                    targets[i + 1].Receive(copies[i]);
                }

                return;
        }
    }

    /// <summary>Applies <c>on_error</c>: counts the error, then forwards (send) or drops and counts the drop (drop).</summary>
    protected void Fail(LogEntry entry, string error)
    {
        Pipeline.RecordError(_index, error);
        if (_onError is OnErrorMode.Drop or OnErrorMode.DropQuiet)
        {
            Pipeline.CountDrop(_dropOnErrorKey);
            return;
        }

        Emit(entry);
    }
}
