using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using OpenTelemetry.Proto.Collector.Logs.V1;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// Splits a lineage's bytes into tokens (lines, or multiline entries), turns each token into a <see cref="LogEntry"/>
/// (body, the configured and <c>include_file_*</c> attributes), runs it through the lineage's operator pipeline and
/// adds the output to the current batch, with the checkpoint mark the batch may commit. Newline splitting works on
/// bytes with span searches; only the entry itself (its body string and records) is allocated per line.
/// </summary>
internal sealed class EntryEmitter
{
    public const int MaxBatchEntries = 1000;

    private readonly FileLogReceiverConfig _config;
    private readonly TimeProvider _time;
    private readonly FileLogStats _stats;
    private readonly List<LogEntry> _output = [];
    private readonly KeyValuePair<string, object?>[] _staticAttributes;
    private readonly Action<string, long>? _operatorDropped;
    private readonly int _attributeCapacity;
    /// <summary>
    /// Entries are batched before the operators run (<see cref="Encode"/>) for one-to-one pipelines
    /// (<see cref="OperatorPipelineSpec.IsOneToOne"/>), so that parsing and encoding a batch run beside the reading
    /// of the next one.
    /// </summary>
    private readonly bool _deferOperators;
    private readonly ConcurrentBag<DeferredWorker> _workers = [];
    private DateTimeOffset _observed;

    public EntryEmitter(FileLogReceiverConfig config, TimeProvider time, FileLogStats stats, Action<string, long>? operatorDropped = null)
    {
        _operatorDropped = operatorDropped;
        _config = config;
        _time = time;
        _stats = stats;
        Batch = new LogBatchBuilder(config.Resource);
        _staticAttributes = [.. config.Attributes.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value))];
        var fileAttributes = new[]
        {
            config.IncludeFileName, config.IncludeFilePath, config.IncludeFileNameResolved, config.IncludeFilePathResolved,
            config.IncludeFileOwnerName, config.IncludeFileOwnerGroupName, config.IncludeFilePermissions,
            config.IncludeFileRecordNumber, config.IncludeFileRecordOffset,
        }.Count(on => on);

        // Room for what the receiver sets plus a few parser fields, so the map does not grow on most lines.
        _attributeCapacity = _staticAttributes.Length + fileAttributes + 4;
        _deferOperators = config.Operators.IsOneToOne;
    }

    /// <summary>
    /// Runs deferred entries through a pipeline instance of their own (one per concurrent caller, reused) and appends
    /// their records to <paramref name="request"/>. Safe to call from several threads at once.
    /// </summary>
    public ExportLogsServiceRequest Encode(ExportLogsServiceRequest request, List<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(entries);
        var worker = _workers.TryTake(out var idle) ? idle : new DeferredWorker(_config.Operators.Build(_time), new LogBatchBuilder(_config.Resource));
        var encoded = worker.Run(entries);

        // Returned only after a complete run: a worker whose run threw may hold part of a batch.
        _workers.Add(worker);
        if (request.ResourceLogs.Count == 0)
        {
            return encoded;
        }

        request.ResourceLogs.AddRange(encoded.ResourceLogs);
        return request;
    }

    public LogBatchBuilder Batch { get; }

    public bool Full => Batch.Count >= MaxBatchEntries;

    /// <summary>
    /// Emits the complete tokens of <paramref name="data"/> (bytes from <c>state.Offset</c>); with <paramref name="flush"/>
    /// the trailing incomplete token too. Returns the bytes consumed; stops early (full = true) when the batch is full.
    /// </summary>
    public int Tokenize(FileState state, Backing backing, ReadOnlySpan<byte> data, bool flush, out bool full)
    {
        _observed = _time.GetUtcNow();
        state.Attributes ??= FileAttributes(backing);
        state.Pipeline ??= _config.Operators.Build(_time);
        return _config.Multiline
            ? TokenizeMultiline(state, data, flush, out full)
            : _config.Encoding.ByteNewlines ? TokenizeBytes(state, data, flush, out full) : TokenizeUtf16(state, data, flush, out full);
    }

    /// <summary>Reports what the operators dropped (filter, on_error drop, no route) since the last report, by reason.</summary>
    private void ReportOperatorDrops(FileState state)
    {
        if (_operatorDropped is null || state.Pipeline is not { } pipeline || pipeline.Dropped.Count == 0)
        {
            return;
        }

        state.OperatorDrops ??= new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, total) in pipeline.Dropped)
        {
            var before = state.OperatorDrops.GetValueOrDefault(reason);
            if (total > before)
            {
                state.OperatorDrops[reason] = total;
                _operatorDropped(reason, total - before);
            }
        }
    }

    /// <summary>Entries an operator held past its flush period (or all, when forced).</summary>
    public void FlushOperators(FileState state, DateTimeOffset now, bool force)
    {
        if (state.Pipeline is null)
        {
            return;
        }

        _output.Clear();
        state.Pipeline.Flush(now, force, _output);
        foreach (var entry in _output)
        {
            Batch.Add(entry);
        }

        if (force && _output.Count > 0)
        {
            Batch.Mark(state, state.Offset, state.RecordNumber);
        }
    }

    private int TokenizeBytes(FileState state, ReadOnlySpan<byte> data, bool flush, out bool full)
    {
        full = false;
        var consumed = 0;
        var max = _config.MaxLogSize;
        while (consumed < data.Length)
        {
            if (Full)
            {
                full = true;
                return consumed;
            }

            var rest = data[consumed..];
            var newline = rest.IndexOf((byte)'\n');
            if (state.Skipping)
            {
                if (newline < 0)
                {
                    Advance(state, rest.Length, null);
                    return data.Length;
                }

                state.Skipping = false;
                Advance(state, newline + 1, null);
                consumed += newline + 1;
                continue;
            }

            if (newline < 0)
            {
                if (rest.Length >= max)
                {
                    EmitBytes(state, rest[..max], max);
                    consumed += max;
                    state.Skipping = _config.TruncateOversize;
                    continue;
                }

                if (flush)
                {
                    EmitBytes(state, rest, rest.Length);
                    consumed += rest.Length;
                }

                return consumed;
            }

            if (newline > max)
            {
                EmitBytes(state, rest[..max], _config.TruncateOversize ? newline + 1 : max);
                consumed += _config.TruncateOversize ? newline + 1 : max;
                continue;
            }

            var token = rest[..newline];
            if (token.Length > 0 && token[^1] == (byte)'\r')
            {
                token = token[..^1];
            }

            EmitBytes(state, token, newline + 1);
            consumed += newline + 1;
        }

        return consumed;
    }

    private int TokenizeUtf16(FileState state, ReadOnlySpan<byte> data, bool flush, out bool full)
    {
        full = false;
        var consumed = 0;
        var big = _config.Encoding.BigEndian;
        var max = _config.MaxLogSize & ~1;
        while (consumed + 1 < data.Length || (flush && consumed < data.Length))
        {
            if (Full)
            {
                full = true;
                return consumed;
            }

            var rest = data[consumed..];
            var newline = -1;
            for (var i = 0; i + 1 < rest.Length; i += 2)
            {
                if (big ? rest[i] == 0 && rest[i + 1] == (byte)'\n' : rest[i] == (byte)'\n' && rest[i + 1] == 0)
                {
                    newline = i;
                    break;
                }
            }

            if (newline < 0)
            {
                if (rest.Length >= max)
                {
                    EmitText(state, _config.Encoding.Text!.GetString(rest[..max]), max);
                    consumed += max;
                    continue;
                }

                if (flush)
                {
                    EmitText(state, _config.Encoding.Text!.GetString(rest), rest.Length);
                    consumed += rest.Length;
                }

                return consumed;
            }

            var text = _config.Encoding.Text!.GetString(rest[..Math.Min(newline, max)]);
            if (text.EndsWith('\r'))
            {
                text = text[..^1];
            }

            EmitText(state, text, newline + 2);
            consumed += newline + 2;
        }

        return consumed;
    }

    /// <summary>
    /// line_start_pattern / line_end_pattern: the text up to the last complete line is decoded and matched; entry
    /// boundaries are mapped back to byte offsets. The last entry waits for its terminator or a flush.
    /// </summary>
    private int TokenizeMultiline(FileState state, ReadOnlySpan<byte> data, bool flush, out bool full)
    {
        full = false;
        var limit = flush ? data.Length : LastLineEnd(data);
        if (limit == 0)
        {
            if (data.Length >= _config.MaxLogSize)
            {
                limit = data.Length;
            }
            else
            {
                return 0;
            }
        }

        var encoding = _config.Encoding.Text!;
        var text = encoding.GetString(data[..limit]);
        var consumedChars = 0;
        var consumedBytes = 0;
        var regex = _config.LineStartPattern ?? _config.LineEndPattern!;
        var start = _config.LineStartPattern is not null;
        foreach (System.Text.RegularExpressions.Match match in regex.Matches(text))
        {
            if (Full)
            {
                full = true;
                return consumedBytes;
            }

            int entryEnd, cut;
            if (start)
            {
                if (match.Index <= consumedChars)
                {
                    continue; // the match that starts the current entry
                }

                entryEnd = match.Index;
                cut = 0;
            }
            else
            {
                if (match.Length == 0)
                {
                    continue;
                }

                entryEnd = match.Index + match.Length;
                cut = _config.OmitPattern ? match.Length : 0;
            }

            consumedBytes += EmitSlice(state, text, consumedChars, entryEnd, cut, start, encoding);
            consumedChars = entryEnd;
        }

        var rest = text.Length - consumedChars;
        if (rest > 0 && (flush || (limit == data.Length && data.Length >= _config.MaxLogSize) || encoding.GetByteCount(text.AsSpan(consumedChars)) >= _config.MaxLogSize))
        {
            if (Full)
            {
                full = true;
                return consumedBytes;
            }

            consumedBytes += EmitSlice(state, text, consumedChars, text.Length, 0, start, encoding);
        }

        return consumedBytes;
    }

    private int EmitSlice(FileState state, string text, int from, int to, int cutEnd, bool start, Encoding encoding)
    {
        var bytes = encoding.GetByteCount(text.AsSpan(from, to - from));
        var slice = text.AsSpan(from, to - from - cutEnd);
        if (start && _config.OmitPattern && _config.LineStartPattern!.Match(text, from) is { Success: true } m && m.Index == from)
        {
            slice = slice[Math.Min(m.Length, slice.Length)..];
        }

        EmitText(state, slice.ToString(), bytes);
        return bytes;
    }

    private static int LastLineEnd(ReadOnlySpan<byte> data)
    {
        var last = data.LastIndexOf((byte)'\n');
        return last < 0 ? 0 : last + 1;
    }

    private void EmitBytes(FileState state, ReadOnlySpan<byte> token, int length)
    {
        if (!_config.PreserveLeadingWhitespace)
        {
            token = token.TrimStart(" \t\r\n\v\f"u8);
        }

        if (!_config.PreserveTrailingWhitespace)
        {
            token = token.TrimEnd(" \t\r\n\v\f"u8);
        }

        if (token.IsEmpty)
        {
            Advance(state, length, null);
            return;
        }

        object body = _config.Encoding.Nop ? token.ToArray() : _config.Encoding.Text!.GetString(token);
        Advance(state, length, body);
    }

    private void EmitText(FileState state, string text, int length)
    {
        if (!_config.PreserveLeadingWhitespace)
        {
            text = text.TrimStart();
        }

        if (!_config.PreserveTrailingWhitespace)
        {
            text = text.TrimEnd();
        }

        Advance(state, length, text.Length == 0 ? null : text);
    }

    /// <summary>Moves the lineage past a token and, if it has a body, emits its entry.</summary>
    private void Advance(FileState state, int length, object? body)
    {
        var tokenStart = state.Offset;
        state.Offset += length;
        if (body is null)
        {
            Batch.Mark(state, state.Offset, state.RecordNumber);
            return;
        }

        state.RecordNumber++;
        _stats.LinesRead++;
        var entry = new LogEntry(_attributeCapacity) { Body = body, ObservedTimestamp = _observed };
        var attributes = entry.Attributes;
        foreach (var (name, value) in _staticAttributes)
        {
            attributes[name] = value;
        }

        var file = state.Attributes!;
        if (_config.IncludeFileName)
        {
            attributes["log.file.name"] = file.Name;
        }

        if (_config.IncludeFilePath)
        {
            attributes["log.file.path"] = file.Path;
        }

        if (_config.IncludeFileNameResolved)
        {
            attributes["log.file.name_resolved"] = file.NameResolved;
        }

        if (_config.IncludeFilePathResolved)
        {
            attributes["log.file.path_resolved"] = file.PathResolved;
        }

        if (_config.IncludeFileOwnerName)
        {
            attributes["log.file.owner.name"] = file.Owner;
        }

        if (_config.IncludeFileOwnerGroupName)
        {
            attributes["log.file.owner.group.name"] = file.Group;
        }

        if (_config.IncludeFilePermissions)
        {
            attributes["log.file.permissions"] = file.Permissions;
        }

        if (_config.IncludeFileRecordNumber)
        {
            attributes["log.file.record_number"] = state.RecordNumber;
        }

        if (_config.IncludeFileRecordOffset)
        {
            attributes["log.file.record_offset"] = tokenStart;
        }

        if (_deferOperators)
        {
            Batch.AddDeferred(entry);
            Batch.Mark(state, state.Offset, state.RecordNumber);
            return;
        }

        _output.Clear();
        state.Pipeline!.Process(entry, _output);
        foreach (var output in _output)
        {
            Batch.Add(output);
        }

        if (_output.Count == 0)
        {
            ReportOperatorDrops(state);
        }

        // An operator that holds the entry (recombine) or drops it: resume before it after a restart.
        var passed = _output.Count > 0 && ReferenceEquals(_output[^1], entry);
        Batch.Mark(state, passed ? state.Offset : tokenStart, passed ? state.RecordNumber : state.RecordNumber - 1);
    }

    private FileAttributesCache FileAttributes(Backing backing)
    {
        var path = backing.Path;
        string? resolvedPath = null;
        if (_config.IncludeFileNameResolved || _config.IncludeFilePathResolved)
        {
            try
            {
                resolvedPath = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
            }
            catch (IOException)
            {
                resolvedPath = path;
            }
        }

        var stat = backing.Stat;
        return new FileAttributesCache(
            path,
            Path.GetFileName(path),
            resolvedPath,
            resolvedPath is null ? null : Path.GetFileName(resolvedPath),
            _config.IncludeFileOwnerName ? UnixNames.User(stat.Uid) : null,
            _config.IncludeFileOwnerGroupName ? UnixNames.Group(stat.Gid) : null,
            _config.IncludeFilePermissions ? Convert.ToString(stat.Mode & 0x1ff, 8).PadLeft(3, '0') : null);
    }
}

/// <summary>A pipeline instance and a batch builder that encode deferred entries (<see cref="EntryEmitter.Encode"/>).</summary>
internal sealed class DeferredWorker(IOperatorPipeline pipeline, LogBatchBuilder builder)
{
    private readonly List<LogEntry> _output = [];

    public ExportLogsServiceRequest Run(List<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            _output.Clear();
            pipeline.Process(entry, _output);
            foreach (var output in _output)
            {
                builder.Add(output);
            }
        }

        return builder.Take().Request;
    }
}

/// <summary>User and group names from /etc/passwd and /etc/group (numeric id when not listed).</summary>
internal static class UnixNames
{
    public static string User(uint uid) => Lookup("/etc/passwd", uid);

    public static string Group(uint gid) => Lookup("/etc/group", gid);

    private static string Lookup(string file, uint id)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(':');
                if (parts.Length > 2 && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value == id)
                {
                    return parts[0];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return id.ToString(CultureInfo.InvariantCulture);
    }
}
