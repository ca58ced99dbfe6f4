using System.Text;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

internal sealed record RecombineSettings(
    Field CombineField,
    Expression? IsFirstEntry,
    Expression? IsLastEntry,
    string CombineWith,
    int MaxBatchSize,
    long MaxLogSize,
    TimeSpan ForceFlushPeriod,
    Field SourceIdentifier,
    int MaxSources,
    bool OverwriteWithNewest);

/// <summary>
/// <c>recombine</c>: joins consecutive entries of one source (<c>source_identifier</c>) into one, by
/// <c>is_first_entry</c> (a match starts a new entry) or <c>is_last_entry</c> (a match ends one). The combined entry
/// keeps the oldest entry's fields (or the newest with <c>overwrite_with: newest</c>) and the joined
/// <c>combine_field</c>. A batch is emitted early at <c>max_batch_size</c> entries, before it would exceed
/// <c>max_log_size</c> bytes, when <c>max_sources</c> is reached (all batches), and by <see cref="Flush"/> once
/// <c>force_flush_period</c> passed since its first entry (0 = only on a forced flush).
/// </summary>
internal sealed class RecombineOperator(RecombineSettings settings) : Operator
{
    private const string DefaultSource = "DefaultSourceIdentifier";
    private readonly Dictionary<string, Batch> _batches = new(StringComparer.Ordinal);
    private readonly List<string> _flushKeys = [];

    protected override void Handle(LogEntry entry)
    {
        if (!settings.CombineField.TryGet(entry, out var value))
        {
            Fail(entry, $"recombine: entry is missing the combine_field {settings.CombineField}");
            return;
        }

        var text = Values.ToText(value) ?? string.Empty;
        var source = settings.SourceIdentifier.TryGet(entry, out var id) && Values.ToText(id) is { } sourceText ? sourceText : DefaultSource;
        _batches.TryGetValue(source, out var batch);

        if (settings.IsFirstEntry is { } isFirst && isFirst.IsTrue(entry) && batch is not null)
        {
            FlushSource(source, batch);
            batch = null;
        }

        if (batch is not null && settings.MaxLogSize > 0 &&
            batch.Text.Length + settings.CombineWith.Length + text.Length > settings.MaxLogSize)
        {
            FlushSource(source, batch);
            batch = null;
        }

        if (batch is null)
        {
            if (_batches.Count >= settings.MaxSources)
            {
                FlushAll();
            }

            batch = new Batch(entry, Pipeline.Time.GetUtcNow());
            batch.Text.Append(text);
            _batches[source] = batch;
        }
        else
        {
            batch.Text.Append(settings.CombineWith).Append(text);
            batch.Count++;
            if (settings.OverwriteWithNewest)
            {
                batch.Base = entry;
            }
        }

        if ((settings.IsLastEntry is { } isLast && isLast.IsTrue(entry)) || batch.Count >= settings.MaxBatchSize)
        {
            FlushSource(source, batch);
        }
    }

    public override void Flush(DateTimeOffset now, bool force)
    {
        if (_batches.Count == 0)
        {
            return;
        }

        _flushKeys.Clear();
        foreach (var (source, batch) in _batches)
        {
            if (force || (settings.ForceFlushPeriod > TimeSpan.Zero && now - batch.Started >= settings.ForceFlushPeriod))
            {
                _flushKeys.Add(source);
            }
        }

        foreach (var source in _flushKeys)
        {
            FlushSource(source, _batches[source]);
        }
    }

    private void FlushAll()
    {
        _flushKeys.Clear();
        _flushKeys.AddRange(_batches.Keys);
        foreach (var source in _flushKeys)
        {
            FlushSource(source, _batches[source]);
        }
    }

    private void FlushSource(string source, Batch batch)
    {
        _batches.Remove(source);
        var combined = batch.Base;
        settings.CombineField.TrySet(combined, batch.Text.ToString(), out _);
        Emit(combined);
    }

    private sealed class Batch(LogEntry first, DateTimeOffset started)
    {
        public LogEntry Base { get; set; } = first;

        public DateTimeOffset Started { get; } = started;

        public StringBuilder Text { get; } = new();

        public int Count { get; set; } = 1;
    }
}
