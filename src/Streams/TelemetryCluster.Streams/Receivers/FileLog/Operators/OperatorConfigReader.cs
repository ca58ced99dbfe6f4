using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// Reads and validates one operator object of the <c>operators</c> list. Every problem is recorded at its full path
/// (<c>receivers.filelog.operators[2].regex</c>) and reading goes on, so one pass reports every error.
/// </summary>
internal static class OperatorConfigReader
{
    private static readonly string[] Common = ["type", "id", "output", "on_error", "if"];
    private static readonly string[] ParserCommon = ["parse_from", "parse_to", "preserve_to", "body", "timestamp", "severity", "trace", "scope_name"];
    private static readonly string[] TimestampKeys = ["parse_from", "layout_type", "layout", "location"];
    private static readonly string[] SeverityKeys = ["parse_from", "preset", "mapping", "overwrite_text"];
    private static readonly string[] TraceKeys = ["trace_id", "span_id", "trace_flags"];

    /// <summary>The operator types and their own keys (beyond type, id, output, on_error, if).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Types = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["regex_parser"] = [.. ParserCommon, "regex", "cache"],
        ["json_parser"] = [.. ParserCommon, "parse_ints"],
        ["key_value_parser"] = [.. ParserCommon, "delimiter", "pair_delimiter"],
        ["csv_parser"] = [.. ParserCommon, "header", "header_attribute", "delimiter", "header_delimiter", "lazy_quotes", "ignore_quotes"],
        ["time_parser"] = TimestampKeys,
        ["severity_parser"] = SeverityKeys,
        ["trace_parser"] = TraceKeys,
        ["scope_name_parser"] = ["parse_from"],
        ["add"] = ["field", "value"],
        ["copy"] = ["from", "to"],
        ["move"] = ["from", "to"],
        ["remove"] = ["field"],
        ["retain"] = ["fields"],
        ["flatten"] = ["field"],
        ["filter"] = ["expr", "drop_ratio"],
        ["router"] = ["routes", "default"],
        ["recombine"] =
        [
            "combine_field", "is_first_entry", "is_last_entry", "combine_with", "max_batch_size", "max_log_size", "force_flush_period",
            "source_identifier", "max_sources", "overwrite_with",
        ],
        ["regex_replace"] = ["field", "regex", "replace_with"],
        ["noop"] = [],
    };

    public static OperatorDefinition? Read(ComponentConfigReader item, TimeSpan regexTimeout)
    {
        var type = item.GetOptionalString("type");
        if (string.IsNullOrEmpty(type))
        {
            item.Error("type", "missing required key: every operator needs a type");
            return null;
        }

        if (!Types.TryGetValue(type, out var own))
        {
            item.Error("type", $"unknown operator type \"{type}\" (valid values: [{string.Join(" ", Types.Keys)}]){Suggestions.Hint(type, Types.Keys)}");
            return null;
        }

        var allowed = type == "router" ? ["type", "id", .. own] : Common.Concat(own).ToArray();
        CheckKeys(item, string.Empty, allowed, $"operator type {type}");

        var id = item.GetOptionalString("id");
        if (id is not null && id.Length == 0)
        {
            item.Error("id", "must not be empty");
        }

        id = string.IsNullOrEmpty(id) ? type : id;
        var onError = ReadOnError(item);
        var condition = ReadExpression(item, "if", regexTimeout, required: false);
        string[]? output = item.HasValue("output") ? [.. item.GetStringList("output")] : null;
        var groups = new List<string[]?> { output };

        Func<Operator>? create = type switch
        {
            "regex_parser" => ReadRegexParser(item, regexTimeout),
            "json_parser" => ReadJsonParser(item, regexTimeout),
            "key_value_parser" => ReadKeyValueParser(item, regexTimeout),
            "csv_parser" => ReadCsvParser(item, regexTimeout),
            "time_parser" => ReadStandalone(item, timestamp: ReadTimestamp(item)),
            "severity_parser" => ReadStandalone(item, severity: ReadSeverity(item)),
            "trace_parser" => ReadStandalone(item, trace: ReadTrace(item)),
            "scope_name_parser" => ReadStandalone(item, scopeName: RequiredField(item, "parse_from")),
            "add" => ReadAdd(item, regexTimeout),
            "copy" or "move" => ReadCopyMove(item, type == "move"),
            "remove" => ReadRemove(item),
            "retain" => ReadRetain(item),
            "flatten" => ReadFlatten(item),
            "filter" => ReadFilter(item, regexTimeout),
            "router" => ReadRouter(item, regexTimeout, groups),
            "recombine" => ReadRecombine(item, regexTimeout),
            "regex_replace" => ReadRegexReplace(item, regexTimeout),
            _ => static () => new NoopOperator(),
        };

        // An operator with errors keeps its id (so references to it are not reported twice); the spec is not built then.
        return new OperatorDefinition(id, type, item.Path, condition, onError, groups, create ?? (static () => new NoopOperator()));
    }

    private static void CheckKeys(ComponentConfigReader reader, string section, string[] allowed, string what)
    {
        foreach (var key in reader.GetKeys(section))
        {
            if (Array.IndexOf(allowed, key) < 0)
            {
                var path = section.Length == 0 ? key : $"{section}.{key}";
                reader.Error(path, $"unknown key \"{key}\" for {what}{Suggestions.Hint(key, allowed)} (valid keys: [{string.Join(" ", allowed)}])");
            }
        }
    }

    private static OnErrorMode ReadOnError(ComponentConfigReader item)
    {
        var text = item.GetOptionalString("on_error");
        switch (text)
        {
            case null or "send":
                return OnErrorMode.Send;
            case "send_quiet":
                return OnErrorMode.SendQuiet;
            case "drop":
                return OnErrorMode.Drop;
            case "drop_quiet":
                return OnErrorMode.DropQuiet;
            default:
                string[] valid = ["send", "send_quiet", "drop", "drop_quiet"];
                item.Error("on_error", $"invalid value \"{text}\" (valid values: [{string.Join(" ", valid)}]){Suggestions.Hint(text, valid)}");
                return OnErrorMode.Send;
        }
    }

    private static Expression? ReadExpression(ComponentConfigReader reader, string key, TimeSpan regexTimeout, bool required)
    {
        var text = reader.GetOptionalString(key);
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                reader.Error(key, "missing required key: an expression is needed");
            }

            return null;
        }

        if (!Expression.TryParse(text, regexTimeout, out var expression, out var error))
        {
            reader.Error(key, error);
            return null;
        }

        return expression;
    }

    private static Field? OptionalField(ComponentConfigReader reader, string key)
    {
        var text = reader.GetOptionalString(key);
        if (text is null)
        {
            return null;
        }

        if (!Field.TryParse(text.Trim(), out var field, out var error))
        {
            reader.Error(key, error);
            return null;
        }

        return field;
    }

    private static Field FieldOr(ComponentConfigReader reader, string key, Field fallback) => OptionalField(reader, key) ?? fallback;

    private static Field? RequiredField(ComponentConfigReader reader, string key)
    {
        if (!reader.HasValue(key))
        {
            reader.Error(key, "missing required key: a field (body, body.x, attributes.x, attributes[\"a.b\"], resource.x) is needed");
            return null;
        }

        return OptionalField(reader, key);
    }

    private static string? RequiredString(ComponentConfigReader reader, string key)
    {
        var text = reader.GetOptionalString(key);
        if (string.IsNullOrEmpty(text))
        {
            reader.Error(key, "missing required key");
            return null;
        }

        return text;
    }

    private static bool Bool(ComponentConfigReader reader, string key, bool fallback) => reader.HasValue(key) ? reader.GetBool(key) : fallback;

    private static Regex? ReadRegex(ComponentConfigReader reader, string key, TimeSpan timeout)
    {
        var pattern = RequiredString(reader, key) is null ? null : VerbatimString(reader, key);
        if (pattern is null)
        {
            return null;
        }

        if (!RegexTranslation.TryCompile(pattern, timeout, out var regex, out var error))
        {
            reader.Error(key, error);
            return null;
        }

        return regex;
    }

    private static ParserSettings? ReadParserSettings(ComponentConfigReader item)
    {
        var before = item.Errors.Items.Count;
        var parseFrom = FieldOr(item, "parse_from", Field.Body);
        var parseTo = FieldOr(item, "parse_to", Field.Attributes);
        var preserveTo = OptionalField(item, "preserve_to");
        var body = OptionalField(item, "body");
        var timestamp = item.IsSet("timestamp") ? ReadTimestamp(item, "timestamp") : null;
        var severity = item.IsSet("severity") ? ReadSeverity(item, "severity") : null;
        var trace = item.IsSet("trace") ? ReadTrace(item, "trace") : null;
        Field? scope = null;
        if (item.IsSet("scope_name"))
        {
            CheckSection(item, "scope_name", ["parse_from"]);
            scope = RequiredField(item, "scope_name.parse_from");
        }

        return item.Errors.Items.Count > before ? null : new ParserSettings(parseFrom, parseTo, preserveTo, body, timestamp, severity, trace, scope);
    }

    private static bool CheckSection(ComponentConfigReader item, string key, string[] allowed)
    {
        if (!item.HasValue(key))
        {
            return true;
        }

        if (item.GetSection(key) is null)
        {
            return false;
        }

        CheckKeys(item, key, allowed, key);
        return true;
    }

    private static TimeSettings? ReadTimestamp(ComponentConfigReader item, string prefix = "")
    {
        if (prefix.Length > 0 && !CheckSection(item, prefix, TimestampKeys))
        {
            return null;
        }

        string Key(string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
        var parseFrom = RequiredField(item, Key("parse_from"));
        var layoutType = item.GetOptionalString(Key("layout_type")) ?? "strptime";
        if (layoutType is not ("strptime" or "gotime" or "epoch"))
        {
            item.Error(Key("layout_type"), $"invalid value \"{layoutType}\" (valid values: [strptime gotime epoch])");
            return null;
        }

        var zone = TimeZoneInfo.Utc;
        var location = item.GetOptionalString(Key("location"));
        if (location is not null && !TimeLayout.TryFindZone(location, out zone))
        {
            item.Error(Key("location"), $"unknown time zone \"{location}\" (an IANA name such as UTC, Europe/Berlin or America/New_York)");
            return null;
        }

        var layoutText = item.GetOptionalString(Key("layout"));
        if (string.IsNullOrEmpty(layoutText))
        {
            item.Error(Key("layout"), "missing required key: a layout is needed");
            return null;
        }

        if (!TimeLayout.TryCreate(layoutType, layoutText, zone, out var layout, out var error))
        {
            item.Error(Key("layout"), error);
            return null;
        }

        return parseFrom is null ? null : new TimeSettings(parseFrom, layout);
    }

    private static SeveritySettings? ReadSeverity(ComponentConfigReader item, string prefix = "")
    {
        if (prefix.Length > 0 && !CheckSection(item, prefix, SeverityKeys))
        {
            return null;
        }

        string Key(string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
        var parseFrom = RequiredField(item, Key("parse_from"));
        var preset = item.GetOptionalString(Key("preset")) ?? "default";
        if (!SeverityMapping.TryCreatePreset(preset, out var mapping))
        {
            item.Error(Key("preset"), $"invalid value \"{preset}\" (valid values: [default otel aliases none])");
            return null;
        }

        var mappingKey = Key("mapping");
        if (item.HasValue(mappingKey) && item.GetSection(mappingKey) is not null)
        {
            var raw = Raw(item, mappingKey);
            foreach (var level in item.GetKeys(mappingKey))
            {
                var path = $"{mappingKey}.{level}";
                var severity = SeverityMapping.LevelOf(level);
                if (severity == 0)
                {
                    item.Error(path, $"unknown severity \"{level}\" (valid: trace, debug, info, warn, error, fatal, optionally with 2, 3 or 4)");
                    continue;
                }

                var value = HoconTree.Items(raw)[level];
                if (HoconTree.IsArray(value))
                {
                    var items = value.GetArray();
                    for (var i = 0; i < items.Count; i++)
                    {
                        AddMapping(item, $"{path}[{i}]", items[i], severity, mapping);
                    }
                }
                else
                {
                    AddMapping(item, path, value, severity, mapping);
                }
            }
        }

        var overwrite = Bool(item, Key("overwrite_text"), false);
        return parseFrom is null ? null : new SeveritySettings(parseFrom, mapping, overwrite);
    }

    private static void AddMapping(ComponentConfigReader item, string path, HoconValue value, int severity, SeverityMapping mapping)
    {
        if (HoconTree.IsObject(value))
        {
            var fields = HoconTree.Items(value);
            if (fields.Count != 2 || !fields.TryGetValue("min", out var minValue) || !fields.TryGetValue("max", out var maxValue) ||
                !long.TryParse(minValue.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var min) ||
                !long.TryParse(maxValue.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var max) || min > max)
            {
                item.Error(path, "a range needs integer min and max (min <= max) and nothing else");
                return;
            }

            mapping.AddRange(min, max, severity);
            return;
        }

        if (HoconTree.IsArray(value) || HoconTree.IsNull(value))
        {
            item.Error(path, $"expected a string, a number or a {{min, max}} range, got {HoconTree.Describe(value)}");
            return;
        }

        var text = value.GetString();
        if (text.Length == 3 && text[0] is >= '1' and <= '5' && text.EndsWith("xx", StringComparison.Ordinal))
        {
            var hundred = (text[0] - '0') * 100;
            mapping.AddRange(hundred, hundred + 99, severity);
            return;
        }

        mapping.AddText(text, severity);
    }

    private static TraceSettings? ReadTrace(ComponentConfigReader item, string prefix = "")
    {
        if (prefix.Length > 0 && !CheckSection(item, prefix, TraceKeys))
        {
            return null;
        }

        Field Part(string name, Field fallback)
        {
            var key = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (!CheckSection(item, key, ["parse_from"]))
            {
                return fallback;
            }

            return FieldOr(item, $"{key}.parse_from", fallback);
        }

        var defaults = TraceSettings.Default;
        return new TraceSettings(Part("trace_id", defaults.TraceId), Part("span_id", defaults.SpanId), Part("trace_flags", defaults.TraceFlags));
    }

    private static Func<Operator>? ReadStandalone(
        ComponentConfigReader item, TimeSettings? timestamp = null, SeveritySettings? severity = null, TraceSettings? trace = null, Field? scopeName = null)
    {
        if (timestamp is null && severity is null && trace is null && scopeName is null)
        {
            return null;
        }

        var steps = new ParserSettings(Field.Body, Field.Attributes, null, null, timestamp, severity, trace, scopeName);
        return () => new EmbeddedStepOperator(steps);
    }

    private static Func<Operator>? ReadRegexParser(ComponentConfigReader item, TimeSpan timeout)
    {
        var settings = ReadParserSettings(item);
        var regex = ReadRegex(item, "regex", timeout);
        if (regex is not null && RegexParser.NamedGroups(regex).Numbers.Length == 0)
        {
            item.Error("regex", "no named capture groups in regex (name them with (?P<name>...))");
            regex = null;
        }

        if (item.IsSet("cache") && CheckSection(item, "cache", ["size"]) && item.HasValue("cache.size"))
        {
            item.GetInt("cache.size", 0);
        }

        if (settings is null || regex is null)
        {
            return null;
        }

        var program = CaptureProgram.TryCompile(VerbatimString(item, "regex")!);
        return () => new RegexParser(settings, regex, program);
    }

    private static Func<Operator>? ReadJsonParser(ComponentConfigReader item, TimeSpan timeout)
    {
        _ = timeout;
        var settings = ReadParserSettings(item);
        var parseInts = Bool(item, "parse_ints", false);
        return settings is null ? null : () => new JsonParser(settings, parseInts);
    }

    private static Func<Operator>? ReadKeyValueParser(ComponentConfigReader item, TimeSpan timeout)
    {
        _ = timeout;
        var settings = ReadParserSettings(item);
        var delimiter = VerbatimString(item, "delimiter") ?? "=";
        var pairDelimiter = VerbatimString(item, "pair_delimiter");
        if (delimiter.Length == 0)
        {
            item.Error("delimiter", "must not be empty");
            return null;
        }

        if (pairDelimiter is not null && (pairDelimiter.Length == 0 || pairDelimiter == delimiter))
        {
            item.Error("pair_delimiter", "must not be empty and must differ from delimiter");
            return null;
        }

        return settings is null ? null : () => new KeyValueParser(settings, delimiter, pairDelimiter);
    }

    private static Func<Operator>? ReadCsvParser(ComponentConfigReader item, TimeSpan timeout)
    {
        _ = timeout;
        var settings = ReadParserSettings(item);
        var delimiter = ReadChar(item, "delimiter", ',');
        var headerDelimiter = ReadChar(item, "header_delimiter", delimiter);
        var header = item.GetOptionalString("header");
        var headerAttribute = item.GetOptionalString("header_attribute");
        if ((header is null) == (headerAttribute is null))
        {
            item.Error("header", "exactly one of header and header_attribute is required");
            return null;
        }

        var lazyQuotes = Bool(item, "lazy_quotes", false);
        var ignoreQuotes = Bool(item, "ignore_quotes", false);
        if (lazyQuotes && ignoreQuotes)
        {
            item.Error("ignore_quotes", "lazy_quotes and ignore_quotes cannot both be true");
            return null;
        }

        var names = header?.Split(headerDelimiter);
        if (names is not null && names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            item.Error("header", "duplicate field names in the header");
            return null;
        }

        return settings is null ? null : () => new CsvParser(settings, names, headerAttribute, delimiter, headerDelimiter, lazyQuotes, ignoreQuotes);
    }

    private static char ReadChar(ComponentConfigReader item, string key, char fallback)
    {
        var text = VerbatimString(item, key);
        if (text is null)
        {
            return fallback;
        }

        if (text.Length != 1)
        {
            item.Error(key, $"must be a single character, got \"{text}\"");
            return fallback;
        }

        return text[0];
    }

    private static Func<Operator>? ReadAdd(ComponentConfigReader item, TimeSpan timeout)
    {
        var field = RequiredField(item, "field");
        var raw = Raw(item, "value");
        if (HoconTree.IsAbsent(raw))
        {
            item.Error("value", "missing required key: the value to add");
            return null;
        }

        var value = ToValue(raw);
        Expression? expression = null;
        if (value is string text && text.StartsWith("EXPR(", StringComparison.Ordinal) && text.EndsWith(')'))
        {
            if (!Expression.TryParse(text[5..^1], timeout, out expression, out var error))
            {
                item.Error("value", error);
                return null;
            }
        }

        return field is null ? null : () => new AddOperator(field, value, expression);
    }

    private static Func<Operator>? ReadCopyMove(ComponentConfigReader item, bool move)
    {
        var from = RequiredField(item, "from");
        var to = RequiredField(item, "to");
        return from is null || to is null ? null : () => new CopyMoveOperator(from, to, move);
    }

    private static Func<Operator>? ReadRemove(ComponentConfigReader item)
    {
        var field = RequiredField(item, "field");
        return field is null ? null : () => new RemoveOperator(field);
    }

    private static Func<Operator>? ReadRetain(ComponentConfigReader item)
    {
        if (!item.HasValue("fields"))
        {
            item.Error("fields", "missing required key: a list of fields to keep");
            return null;
        }

        var texts = item.GetStringList("fields");
        var fields = new List<Field>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (Field.TryParse(texts[i].Trim(), out var field, out var error))
            {
                fields.Add(field);
            }
            else
            {
                item.Error($"fields[{i}]", error);
            }
        }

        if (fields.Count == 0)
        {
            item.Error("fields", "at least one field is required");
            return null;
        }

        var array = fields.ToArray();
        return fields.Count != texts.Count ? null : () => new RetainOperator(array);
    }

    private static Func<Operator>? ReadFlatten(ComponentConfigReader item)
    {
        var field = RequiredField(item, "field");
        if (field is null)
        {
            return null;
        }

        if (field.IsRoot)
        {
            item.Error("field", $"cannot flatten {field}: name a nested map such as body.nested");
            return null;
        }

        var parentKeys = field.Keys[..^1];
        var parent = Field.Create(field.Root, parentKeys, field.Root.ToString().ToLowerInvariant() + string.Concat(parentKeys.Select(k => $"[\"{k}\"]")));
        return () => new FlattenOperator(field, parent);
    }

    private static Func<Operator>? ReadFilter(ComponentConfigReader item, TimeSpan timeout)
    {
        var expression = ReadExpression(item, "expr", timeout, required: true);
        var ratio = 1.0;
        if (item.HasValue("drop_ratio"))
        {
            ratio = item.GetDouble("drop_ratio");
            if (ratio is < 0 or > 1)
            {
                item.Error("drop_ratio", $"must be between 0.0 and 1.0, got {ratio.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }
        }

        return expression is null ? null : () => new FilterOperator(expression, ratio, new Random());
    }

    private static Func<Operator>? ReadRouter(ComponentConfigReader item, TimeSpan timeout, List<string[]?> groups)
    {
        groups.Clear();
        if (!item.HasValue("routes"))
        {
            item.Error("routes", "missing required key: a list of {expr, output} routes");
            return null;
        }

        var routes = new List<RouteDefinition>();
        var routeReaders = item.GetSectionList("routes");
        if (routeReaders.Count == 0)
        {
            item.Error("routes", "at least one route is required");
        }

        var failed = false;
        foreach (var route in routeReaders)
        {
            CheckKeys(route, string.Empty, ["expr", "output", "attributes"], "a router route");
            var expression = ReadExpression(route, "expr", timeout, required: true);
            string[] outputs = route.HasValue("output") ? [.. route.GetStringList("output")] : [];
            if (outputs.Length == 0)
            {
                route.Error("output", "missing required key: the id of the operator that gets matching entries");
                failed = true;
            }

            var attributes = route.HasValue("attributes") ? route.GetStringMap("attributes") : new Dictionary<string, string>();
            if (expression is null)
            {
                failed = true;
                continue;
            }

            routes.Add(new RouteDefinition(expression, outputs, attributes));
            groups.Add(outputs);
        }

        string[] fallback = item.HasValue("default") ? [.. item.GetStringList("default")] : [];
        groups.Add(fallback);
        if (failed || routes.Count == 0)
        {
            return null;
        }

        var array = routes.ToArray();
        var hasDefault = fallback.Length > 0;
        return () => new RouterOperator(array, hasDefault);
    }

    private static Func<Operator>? ReadRecombine(ComponentConfigReader item, TimeSpan timeout)
    {
        var combineField = RequiredField(item, "combine_field");
        var isFirst = ReadExpression(item, "is_first_entry", timeout, required: false);
        var isLast = ReadExpression(item, "is_last_entry", timeout, required: false);
        if (item.HasValue("is_first_entry") == item.HasValue("is_last_entry"))
        {
            item.Error("is_first_entry", "exactly one of is_first_entry and is_last_entry is required");
            return null;
        }

        var combineWith = VerbatimString(item, "combine_with") ?? "\n";
        var maxBatchSize = item.HasValue("max_batch_size") ? item.GetInt("max_batch_size", 1) : 1000;
        var maxLogSize = item.HasValue("max_log_size") ? item.GetByteSize("max_log_size") : 0;
        var period = item.HasValue("force_flush_period") ? item.GetDuration("force_flush_period") : TimeSpan.FromSeconds(5);
        var source = FieldOr(item, "source_identifier", Field.Attribute("log.file.path"));
        var maxSources = item.HasValue("max_sources") ? item.GetInt("max_sources", 1) : 1000;
        var overwrite = item.GetOptionalString("overwrite_with") ?? "oldest";
        if (overwrite is not ("oldest" or "newest"))
        {
            item.Error("overwrite_with", $"invalid value \"{overwrite}\" (valid values: [oldest newest])");
            return null;
        }

        if (combineField is null || (isFirst is null && isLast is null))
        {
            return null;
        }

        var settings = new RecombineSettings(
            combineField, isFirst, isLast, combineWith, maxBatchSize, maxLogSize, period, source, maxSources, overwrite == "newest");
        return () => new RecombineOperator(settings);
    }

    private static Func<Operator>? ReadRegexReplace(ComponentConfigReader item, TimeSpan timeout)
    {
        var field = RequiredField(item, "field");
        var regex = ReadRegex(item, "regex", timeout);
        var replacement = VerbatimString(item, "replace_with") ?? string.Empty;
        return field is null || regex is null ? null : () => new RegexReplaceOperator(field, regex, replacement);
    }

    private static HoconValue? Raw(ComponentConfigReader reader, string key) => HoconTree.Navigate(reader.Merged.Root, key);

    /// <summary>
    /// A string exactly as written, whitespace included (Akka's <c>GetString</c> trims, which would turn
    /// <c>combine_with = " "</c> or a tab delimiter into the empty string). Null when absent or null.
    /// </summary>
    private static string? VerbatimString(ComponentConfigReader reader, string key)
    {
        var trimmed = reader.GetOptionalString(key);
        if (trimmed is null)
        {
            return null;
        }

        var raw = Raw(reader, key);
        if (raw is not null && raw.Values.Count > 0 && raw.Values.All(v => v is HoconLiteral))
        {
            // The parser keeps the unquoted whitespace after a value as extra literals: drop that trailing run, but
            // never the first literal (a quoted " " is the value itself).
            var literals = raw.Values.Cast<HoconLiteral>().ToList();
            var last = literals.Count - 1;
            while (last > 0 && string.IsNullOrWhiteSpace(literals[last].Value))
            {
                last--;
            }

            return string.Concat(literals.Take(last + 1).Select(l => l.Value));
        }

        return trimmed;
    }

    /// <summary>A config value as an entry value: maps, lists, strings (HOCON and YAML scalars are text), nil.</summary>
    private static object? ToValue(HoconValue? value)
    {
        if (HoconTree.IsAbsent(value) || HoconTree.IsNull(value))
        {
            return null;
        }

        if (HoconTree.IsObject(value))
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, item) in HoconTree.Items(value))
            {
                map[key] = ToValue(item);
            }

            return map;
        }

        if (HoconTree.IsArray(value))
        {
            var list = new List<object?>();
            foreach (var item in value!.GetArray())
            {
                list.Add(ToValue(item));
            }

            return list;
        }

        return value!.GetString();
    }
}
