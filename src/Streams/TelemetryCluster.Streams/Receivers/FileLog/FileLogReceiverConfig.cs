using System.Text;
using System.Text.RegularExpressions;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;

namespace TelemetryCluster.Streams.Receivers.FileLog;

internal enum StartAt
{
    End,
    Beginning,
}

internal enum OnTruncate
{
    Ignore,
    ReadWholeFile,
    ReadNew,
}

internal enum Compression
{
    None,
    Gzip,
    Auto,
}

/// <summary>The file's text encoding; <see cref="Nop"/> keeps the raw bytes as the body.</summary>
internal sealed record FileEncoding(string Name, Encoding? Text, bool Utf16, bool BigEndian)
{
    public bool Nop => Text is null;

    /// <summary>True when a '\n' byte is always a newline (ASCII-compatible encodings and nop).</summary>
    public bool ByteNewlines => !Utf16;

    public static FileEncoding? Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "nop" => new FileEncoding("nop", null, false, false),
        "utf-8" or "utf8" or "" => new FileEncoding("utf-8", new UTF8Encoding(false, false), false, false),
        "utf-8-raw" => new FileEncoding("utf-8-raw", new UTF8Encoding(false, false), false, false),
        "utf-16le" or "utf16le" => new FileEncoding("utf-16le", new UnicodeEncoding(false, false, false), true, false),
        "utf-16be" or "utf16be" => new FileEncoding("utf-16be", new UnicodeEncoding(true, false, false), true, true),
        "ascii" or "us-ascii" => new FileEncoding("ascii", Encoding.ASCII, false, false),
        "latin1" or "iso-8859-1" or "iso8859-1" => new FileEncoding("latin1", Encoding.Latin1, false, false),
        _ => null,
    };
}

/// <summary>One <c>ordering_criteria.sort_by</c> rule.</summary>
internal sealed record SortRule(string SortType, string? RegexKey, bool Ascending, string? Layout);

/// <summary>The collector's <c>ordering_criteria</c>: keep the top N files per group after sorting.</summary>
internal sealed record OrderingCriteria(Regex? Regex, string? GroupBy, int TopN, IReadOnlyList<SortRule> SortBy)
{
    public bool Enabled => SortBy.Count > 0;
}

internal sealed record RetryOnFailure(bool Enabled, TimeSpan InitialInterval, TimeSpan MaxInterval, TimeSpan MaxElapsedTime);

/// <summary>Settings of the <c>file_log</c> receiver; defaults and comments in <c>defaults.conf</c>.</summary>
internal sealed record FileLogReceiverConfig
{
    public required IReadOnlyList<Glob> Include { get; init; }

    public IReadOnlyList<Glob> Exclude { get; init; } = [];

    public TimeSpan ExcludeOlderThan { get; init; }

    public StartAt StartAt { get; init; } = StartAt.End;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public int FingerprintSize { get; init; } = 1000;

    public int InitialBufferSize { get; init; } = 16 * 1024;

    public int MaxLogSize { get; init; } = 1024 * 1024;

    public bool TruncateOversize { get; init; }

    public int MaxConcurrentFiles { get; init; } = 1024;

    public int MaxBatches { get; init; }

    public FileEncoding Encoding { get; init; } = FileEncoding.Parse("utf-8")!;

    public Regex? LineStartPattern { get; init; }

    public Regex? LineEndPattern { get; init; }

    public bool OmitPattern { get; init; }

    public TimeSpan ForceFlushPeriod { get; init; } = TimeSpan.FromMilliseconds(500);

    public bool PreserveLeadingWhitespace { get; init; }

    public bool PreserveTrailingWhitespace { get; init; }

    public bool IncludeFileName { get; init; } = true;

    public bool IncludeFilePath { get; init; }

    public bool IncludeFileNameResolved { get; init; }

    public bool IncludeFilePathResolved { get; init; }

    public bool IncludeFileOwnerName { get; init; }

    public bool IncludeFileOwnerGroupName { get; init; }

    public bool IncludeFilePermissions { get; init; }

    public bool IncludeFileRecordNumber { get; init; }

    public bool IncludeFileRecordOffset { get; init; }

    public Compression Compression { get; init; }

    public bool DeleteAfterRead { get; init; }

    public OrderingCriteria? Ordering { get; init; }

    public OnTruncate OnTruncate { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Resource { get; init; } = new Dictionary<string, string>();

    public OperatorPipelineSpec Operators { get; init; } = OperatorPipelineSpec.Empty;

    public string? Storage { get; init; }

    /// <summary><c>cluster.shared_storage</c> and <c>cluster.checkpoint_dir</c> (see <c>SharedStorageConfig</c>).</summary>
    public SharedStorageConfig Cluster { get; init; } = SharedStorageConfig.Off;

    /// <summary>Whether offsets are kept across restarts (<c>checkpoints</c>, default true).</summary>
    public bool Checkpoints { get; init; } = true;

    public RetryOnFailure RetryOnFailure { get; init; } = new(false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));

    public bool Multiline => LineStartPattern is not null || LineEndPattern is not null;

    public static FileLogReceiverConfig Bind(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var include = Globs(reader, "include");
        if (reader.GetStringList("include").Count == 0)
        {
            reader.Error("include", "at least one include pattern is required");
        }

        var startAt = reader.GetChoice("start_at", "end", "beginning") == "beginning" ? StartAt.Beginning : StartAt.End;
        var pollInterval = reader.GetDuration("poll_interval");
        if (pollInterval <= TimeSpan.Zero)
        {
            reader.Error("poll_interval", "must be greater than 0");
            pollInterval = TimeSpan.FromMilliseconds(200);
        }

        var fingerprint = reader.GetByteSize("fingerprint_size");
        if (fingerprint < 16 || fingerprint > 1024 * 1024)
        {
            reader.Error("fingerprint_size", $"must be between 16 and 1048576 bytes, got {fingerprint}");
            fingerprint = 1000;
        }

        var initial = reader.GetByteSize("initial_buffer_size");
        if (initial < 1 || initial > int.MaxValue / 2)
        {
            reader.Error("initial_buffer_size", $"must be at least 1 byte, got {initial}");
            initial = 16 * 1024;
        }

        var maxLog = reader.GetByteSize("max_log_size");
        if (maxLog < 1 || maxLog > 256L * 1024 * 1024)
        {
            reader.Error("max_log_size", $"must be between 1 byte and 256MiB, got {maxLog}");
            maxLog = 1024 * 1024;
        }

        var behavior = reader.GetChoice("max_log_size_behavior", "split", "truncate");
        var maxFiles = reader.GetInt("max_concurrent_files", 2, 1_000_000);
        var maxBatches = reader.GetInt("max_batches", 0, int.MaxValue);
        var encodingName = reader.GetString("encoding");
        var encoding = FileEncoding.Parse(encodingName);
        if (encoding is null)
        {
            reader.Error("encoding", $"unsupported encoding \"{encodingName}\" (supported: nop, utf-8, utf-8-raw, utf-16le, utf-16be, ascii, latin1)");
            encoding = FileEncoding.Parse("utf-8")!;
        }

        var lineStart = Pattern(reader, "multiline.line_start_pattern");
        var lineEnd = Pattern(reader, "multiline.line_end_pattern");
        if (lineStart is not null && lineEnd is not null)
        {
            reader.Error("multiline", "only one of line_start_pattern or line_end_pattern can be set");
        }

        if (encoding.Nop && (lineStart is not null || lineEnd is not null))
        {
            reader.Error("encoding", "multiline patterns need a text encoding, not nop");
        }

        var omit = reader.GetBool("multiline.omit_pattern");
        var forceFlush = reader.GetDuration("force_flush_period");
        var compression = reader.GetChoice("compression", string.Empty, "gzip", "auto") switch
        {
            "gzip" => Compression.Gzip,
            "auto" => Compression.Auto,
            _ => Compression.None,
        };
        var deleteAfterRead = reader.GetBool("delete_after_read");
        if (deleteAfterRead && startAt == StartAt.End)
        {
            reader.Error("delete_after_read", "delete_after_read cannot be used with start_at = end");
        }

        var checkpoints = reader.GetBool("checkpoints");
        var storage = reader.GetOptionalString("storage");
        if (!checkpoints && storage is not null)
        {
            reader.Error("storage", "storage names the checkpoint directory; it cannot be set with checkpoints = false");
        }

        var cluster = SharedStorageConfig.Bind(reader);
        if (!checkpoints && cluster.SharedStorage)
        {
            reader.Error("checkpoints", "cluster.shared_storage = true resumes files from their shared checkpoints; it cannot be used with checkpoints = false");
        }

        _ = reader.GetBool("acquire_fs_lock");
        _ = reader.GetBool("file_cache_advise");
        _ = reader.GetInt("polls_to_archive", 0, int.MaxValue);
        if (reader.GetOptionalString("header.pattern") is not null)
        {
            reader.Error("header", "header metadata parsing (collector gate filelog.allowHeaderMetadataParsing) is not supported");
        }

        var onTruncate = reader.GetChoice("on_truncate", "ignore", "read_whole_file", "read_new") switch
        {
            "read_whole_file" => OnTruncate.ReadWholeFile,
            "read_new" => OnTruncate.ReadNew,
            _ => OnTruncate.Ignore,
        };
        var retry = reader.GetSection("retry_on_failure");
        var retryConfig = retry is null
            ? new RetryOnFailure(false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5))
            : new RetryOnFailure(
                retry.GetBool("enabled"),
                retry.GetDuration("initial_interval"),
                retry.GetDuration("max_interval"),
                retry.GetDuration("max_elapsed_time"));

        return new FileLogReceiverConfig
        {
            Include = include,
            Exclude = Globs(reader, "exclude"),
            ExcludeOlderThan = reader.GetDuration("exclude_older_than"),
            StartAt = startAt,
            PollInterval = pollInterval,
            FingerprintSize = (int)fingerprint,
            InitialBufferSize = (int)initial,
            MaxLogSize = (int)maxLog,
            TruncateOversize = behavior == "truncate",
            MaxConcurrentFiles = maxFiles,
            MaxBatches = maxBatches,
            Encoding = encoding,
            LineStartPattern = lineStart,
            LineEndPattern = lineEnd,
            OmitPattern = omit,
            ForceFlushPeriod = forceFlush,
            PreserveLeadingWhitespace = reader.GetBool("preserve_leading_whitespaces"),
            PreserveTrailingWhitespace = reader.GetBool("preserve_trailing_whitespaces"),
            IncludeFileName = reader.GetBool("include_file_name"),
            IncludeFilePath = reader.GetBool("include_file_path"),
            IncludeFileNameResolved = reader.GetBool("include_file_name_resolved"),
            IncludeFilePathResolved = reader.GetBool("include_file_path_resolved"),
            IncludeFileOwnerName = reader.GetBool("include_file_owner_name"),
            IncludeFileOwnerGroupName = reader.GetBool("include_file_owner_group_name"),
            IncludeFilePermissions = reader.GetBool("include_file_permissions"),
            IncludeFileRecordNumber = reader.GetBool("include_file_record_number"),
            IncludeFileRecordOffset = reader.GetBool("include_file_record_offset"),
            Compression = compression,
            DeleteAfterRead = deleteAfterRead,
            Ordering = ReadOrdering(reader),
            OnTruncate = onTruncate,
            Attributes = reader.GetStringMap("attributes"),
            Resource = reader.GetStringMap("resource"),
            Operators = OperatorPipelineSpec.Read(reader, "operators"),
            Storage = storage,
            Checkpoints = checkpoints,
            Cluster = cluster,
            RetryOnFailure = retryConfig,
        };
    }

    private static List<Glob> Globs(ComponentConfigReader reader, string key)
    {
        var result = new List<Glob>();
        var patterns = reader.GetStringList(key);
        for (var i = 0; i < patterns.Count; i++)
        {
            if (Glob.TryParse(patterns[i], out var glob, out var error))
            {
                result.Add(glob!);
            }
            else
            {
                reader.Error($"{key}[{i}]", $"invalid glob: {error}");
            }
        }

        return result;
    }

    private static Regex? Pattern(ComponentConfigReader reader, string key)
    {
        var text = reader.GetOptionalString(key);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            // Go's named groups (?P<name>...) are written (?<name>...) in .NET.
            return new Regex(text.Replace("(?P<", "(?<", StringComparison.Ordinal), RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            reader.Error(key, $"invalid regular expression: {e.Message}");
            return null;
        }
    }

    private static OrderingCriteria? ReadOrdering(ComponentConfigReader reader)
    {
        var section = reader.GetSection("ordering_criteria");
        if (section is null)
        {
            return null;
        }

        var regex = Pattern(section, "regex");
        var groupBy = section.GetOptionalString("group_by");
        var topN = section.GetInt("top_n", 0, int.MaxValue);
        var rules = new List<SortRule>();
        foreach (var rule in section.GetSectionList("sort_by"))
        {
            var sortType = rule.GetOptionalString("sort_type") ?? string.Empty;
            if (sortType is not ("numeric" or "alphabetical" or "timestamp" or "mtime"))
            {
                rule.Error("sort_type", $"invalid sort_type \"{sortType}\" (valid values: numeric alphabetical timestamp mtime)");
                continue;
            }

            var regexKey = rule.GetOptionalString("regex_key");
            if (sortType != "mtime" && string.IsNullOrEmpty(regexKey))
            {
                rule.Error("regex_key", "regex_key is required for this sort_type");
            }

            if (sortType == "timestamp" && string.IsNullOrEmpty(rule.GetOptionalString("layout")))
            {
                rule.Error("layout", "layout is required for sort_type timestamp");
            }

            var ascending = rule.HasValue("ascending") && rule.GetBool("ascending");
            rules.Add(new SortRule(sortType, regexKey, ascending, rule.GetOptionalString("layout")));
        }

        if (rules.Count > 0 && regex is null && rules.Any(r => r.SortType != "mtime"))
        {
            section.Error("regex", "a regex with named groups is required when sort_by uses regex_key");
        }

        if (regex is not null && rules.Count > 0 && topN < 1)
        {
            section.Error("top_n", "top_n must be at least 1");
        }

        foreach (var rule in rules)
        {
            if (regex is not null && rule.RegexKey is { } name && regex.GroupNumberFromName(name) < 0)
            {
                section.Error("sort_by", $"regex_key \"{name}\" is not a named group of regex");
            }
        }

        return new OrderingCriteria(regex, groupBy, topN, rules);
    }
}
