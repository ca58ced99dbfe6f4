using System.Globalization;
using Akka.Configuration.Hocon;
using AkkaConfig = Akka.Configuration.Config;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Typed, validating access to one component's config section (the user's values over the component's defaults).
/// Keys are relative to the section and may be dotted (<c>protocols.grpc.endpoint</c>). A bad value is recorded as
/// an error naming the full path and the default is returned, so one pass reports every problem.
/// </summary>
/// <remarks>
/// A key that is in neither the user's config nor the defaults is an error for the required getters (the component's
/// defaults.conf must list every key it reads); the optional getters (<see cref="GetOptionalString"/>,
/// <see cref="GetOptionalDuration"/>, <see cref="GetSection"/>) return null instead. A YAML/HOCON <c>null</c> written by
/// the user keeps the default (<c>grpc:</c> means "gRPC, with the defaults").
/// </remarks>
public sealed class ComponentConfigReader
{
    private readonly HoconValue _merged;
    private readonly HoconValue _user;
    private readonly HoconValue? _defaults;

    public ComponentConfigReader(AkkaConfig merged, AkkaConfig user, string path, ConfigErrors errors)
        : this(HoconTree.Flatten(merged), HoconTree.Flatten(user), null, path, errors, merged, user)
    {
    }

    internal ComponentConfigReader(HoconValue merged, HoconValue? user, HoconValue? defaults, string path, ConfigErrors errors)
        : this(merged, user ?? HoconTree.EmptyObject(), defaults, path, errors, null, null)
    {
    }

    private ComponentConfigReader(
        HoconValue merged, HoconValue user, HoconValue? defaults, string path, ConfigErrors errors, AkkaConfig? mergedConfig, AkkaConfig? userConfig)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(errors);
        _merged = merged;
        _user = user;
        _defaults = defaults;
        Merged = mergedConfig ?? HoconTree.ToConfig(merged);
        User = userConfig ?? HoconTree.ToConfig(HoconTree.IsObject(user) ? user : null);
        Path = path;
        Errors = errors;
    }

    /// <summary>The section with defaults applied.</summary>
    public AkkaConfig Merged { get; }

    /// <summary>Only what the user wrote (for presence checks such as "a protocols.grpc block enables gRPC").</summary>
    public AkkaConfig User { get; }

    /// <summary>Display path of the section, e.g. <c>receivers.otlp/2</c>.</summary>
    public string Path { get; }

    public ConfigErrors Errors { get; }

    /// <summary>
    /// A reader over HOCON text (the user's section and the defaults), for tests of a component's config binding:
    /// <c>ComponentConfigReader.Create("timeout = 2s", defaultsText, "processors.batch", errors)</c>.
    /// </summary>
    public static ComponentConfigReader Create(string userHocon, string defaultsHocon, string path, ConfigErrors errors)
    {
        var user = HoconText.Parse(userHocon);
        var defaults = HoconText.Parse(defaultsHocon);
        return new ComponentConfigReader(HoconTree.Merge(user, defaults) ?? HoconTree.EmptyObject(), user, defaults, path, errors);
    }

    /// <summary>Full display path of a key.</summary>
    public string PathOf(string key) => $"{Path}.{key}";

    public void Error(string key, string message) => Errors.Add(PathOf(key), message);

    /// <summary>True when the user's config contains the key (even as an empty block or null).</summary>
    public bool IsSet(string key) => HoconTree.Navigate(_user, key) is not null;

    /// <summary>True when the merged section has a non-null value at the key.</summary>
    public bool HasValue(string key)
    {
        var value = HoconTree.Navigate(_merged, key);
        return !HoconTree.IsAbsent(value) && !HoconTree.IsNull(value);
    }

    /// <summary>The keys of the object at <paramref name="key"/> (the section itself for <c>""</c>); empty when absent or null.</summary>
    public IReadOnlyList<string> GetKeys(string key = "") =>
        [.. HoconTree.Items(key.Length == 0 ? _merged : HoconTree.Navigate(_merged, key)).Keys];

    /// <summary>A string; <c>null</c> reads as the empty string.</summary>
    public string GetString(string key) =>
        HoconTree.IsNull(HoconTree.Navigate(_merged, key)) ? string.Empty : Get(key, "a string", static text => (true, text, null), string.Empty);

    /// <summary>Null when absent or null.</summary>
    public string? GetOptionalString(string key)
    {
        var value = HoconTree.Navigate(_merged, key);
        if (HoconTree.IsAbsent(value) || HoconTree.IsNull(value))
        {
            return null;
        }

        if (!IsScalar(value!))
        {
            Error(key, $"expected a string, got {HoconTree.Describe(value)}");
            return null;
        }

        return value!.GetString();
    }

    public bool GetBool(string key) => Get(key, "a boolean", static text => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => (true, true, null),
        "false" or "no" or "off" => (true, false, null),
        _ => (false, false, $"invalid boolean \"{text}\" (true or false)"),
    }, false);

    public int GetInt(string key, int min = int.MinValue, int max = int.MaxValue) =>
        (int)GetLong(key, min, max, "an integer");

    public long GetLong(string key, long min = long.MinValue, long max = long.MaxValue) =>
        GetLong(key, min, max, "an integer");

    public double GetDouble(string key) => Get(key, "a number", static text =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? (true, number, null)
            : (false, 0d, $"invalid number \"{text}\""), 0d);

    /// <summary>Go durations (<c>200ms</c>, <c>1m30s</c>, <c>0</c>) and HOCON durations (<c>200 ms</c>, <c>5 seconds</c>).</summary>
    public TimeSpan GetDuration(string key, bool allowNegative = false) =>
        Get(key, "a duration", text => ParseDuration(text, allowNegative), TimeSpan.Zero);

    /// <summary>Like <see cref="GetDuration"/>, but null when absent or null.</summary>
    public TimeSpan? GetOptionalDuration(string key, bool allowNegative = false) =>
        HasValue(key) ? GetDuration(key, allowNegative) : null;

    /// <summary>Byte counts: plain integers or sizes such as <c>4MiB</c>, <c>20 MB</c>.</summary>
    public long GetByteSize(string key) => Get(key, "a byte size", static text =>
        ByteSizes.TryParse(text, out var bytes, out var error) ? (true, bytes, null) : (false, 0L, error), 0L);

    /// <summary>A list of strings; a single string is accepted as a one-element list.</summary>
    public IReadOnlyList<string> GetStringList(string key)
    {
        var value = HoconTree.Navigate(_merged, key);
        if (HoconTree.IsAbsent(value))
        {
            Error(key, MissingMessage);
            return [];
        }

        if (HoconTree.IsNull(value))
        {
            return [];
        }

        if (HoconTree.IsArray(value))
        {
            var items = value!.GetArray();
            var result = new List<string>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                if (HoconTree.IsNull(items[i]) || !IsScalar(items[i]))
                {
                    Error($"{key}[{i}]", $"expected a string, got {HoconTree.Describe(items[i])}");
                    continue;
                }

                result.Add(items[i].GetString());
            }

            return result;
        }

        if (IsScalar(value!))
        {
            return [value!.GetString()];
        }

        Error(key, $"expected a list of strings, got {HoconTree.Describe(value)}");
        return [];
    }

    /// <summary>A free-form map of string values (e.g. <c>response_headers</c>, <c>const_labels</c>).</summary>
    public IReadOnlyDictionary<string, string> GetStringMap(string key)
    {
        var value = HoconTree.Navigate(_merged, key);
        if (HoconTree.IsAbsent(value))
        {
            Error(key, MissingMessage);
            return new Dictionary<string, string>();
        }

        if (HoconTree.IsNull(value))
        {
            return new Dictionary<string, string>();
        }

        if (!HoconTree.IsObject(value))
        {
            Error(key, $"expected a map, got {HoconTree.Describe(value)}");
            return new Dictionary<string, string>();
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, item) in value!.GetObject().Items)
        {
            if (HoconTree.IsNull(item))
            {
                result[name] = string.Empty;
            }
            else if (IsScalar(item))
            {
                result[name] = item.GetString();
            }
            else
            {
                Error($"{key}.{name}", $"expected a string, got {HoconTree.Describe(item)}");
            }
        }

        return result;
    }

    /// <summary>One of the allowed words (case-insensitive); returns the canonical spelling from <paramref name="allowed"/>.</summary>
    public string GetChoice(string key, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (allowed.Length == 0)
        {
            throw new ArgumentException("at least one allowed value is needed", nameof(allowed));
        }

        return Get(key, "one of " + ChoiceList(allowed), text =>
        {
            var match = allowed.FirstOrDefault(a => string.Equals(a, text.Trim(), StringComparison.OrdinalIgnoreCase));
            return match is not null
                ? (true, match, null)
                : (false, allowed[0], $"invalid value \"{text}\" (valid values: {ChoiceList(allowed)}){Suggestions.Hint(text, allowed)}");
        }, allowed[0]);
    }

    /// <summary>
    /// A nested section, or null when neither user nor defaults have it. A section the user wrote as <c>null</c> or
    /// empty (<c>grpc:</c>) is present: the reader then sees the defaults ("enabled with defaults").
    /// </summary>
    public ComponentConfigReader? GetSection(string key)
    {
        var value = HoconTree.Navigate(_merged, key);
        var user = HoconTree.Navigate(_user, key);
        if (HoconTree.IsAbsent(value) || HoconTree.IsNull(value))
        {
            return user is not null ? new ComponentConfigReader(HoconTree.EmptyObject(), null, null, PathOf(key), Errors) : null;
        }

        if (!HoconTree.IsObject(value))
        {
            Error(key, $"expected an object, got {HoconTree.Describe(value)}");
            return null;
        }

        return new ComponentConfigReader(value!, HoconTree.IsObject(user) ? user : null, HoconTree.Navigate(_defaults, key), PathOf(key), Errors);
    }

    /// <summary>A list of objects (e.g. attributes actions), each as a reader with path <c>key[i]</c>.</summary>
    public IReadOnlyList<ComponentConfigReader> GetSectionList(string key)
    {
        var value = HoconTree.Navigate(_merged, key);
        if (HoconTree.IsAbsent(value))
        {
            Error(key, MissingMessage);
            return [];
        }

        if (HoconTree.IsNull(value))
        {
            return [];
        }

        if (HoconTree.IsObject(value))
        {
            return [new ComponentConfigReader(value!, HoconTree.Navigate(_user, key), null, PathOf(key), Errors)];
        }

        if (!HoconTree.IsArray(value))
        {
            Error(key, $"expected a list of objects, got {HoconTree.Describe(value)}");
            return [];
        }

        var items = value!.GetArray();
        var result = new List<ComponentConfigReader>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemKey = $"{key}[{i}]";
            if (!HoconTree.IsObject(items[i]))
            {
                Error(itemKey, $"expected an object, got {HoconTree.Describe(items[i])}");
                continue;
            }

            result.Add(new ComponentConfigReader(items[i], items[i], null, PathOf(itemKey), Errors));
        }

        return result;
    }

    private const string MissingMessage = "no value, and no default (the component's defaults.conf must list this key)";

    private static bool IsScalar(HoconValue value) => !HoconTree.IsObject(value) && !HoconTree.IsArray(value);

    private static string ChoiceList(IEnumerable<string> allowed) => "[" + string.Join(" ", allowed) + "]";

    private static (bool Ok, TimeSpan Value, string? Error) ParseDuration(string text, bool allowNegative)
    {
        if (!Durations.TryParse(text, out var duration, out var error))
        {
            return (false, TimeSpan.Zero, error);
        }

        return duration < TimeSpan.Zero && !allowNegative
            ? (false, TimeSpan.Zero, $"invalid duration \"{text}\": must not be negative")
            : (true, duration, null);
    }

    private long GetLong(string key, long min, long max, string expected) => Get(key, expected, text =>
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return (false, Math.Clamp(0, min, max), $"invalid integer \"{text}\"");
        }

        if (number < min || number > max)
        {
            var range = (min, max) switch
            {
                (long.MinValue or int.MinValue, _) => $"must be at most {max}",
                (_, long.MaxValue or int.MaxValue) => $"must be at least {min}",
                _ => $"must be between {min} and {max}",
            };
            return (false, Math.Clamp(number, min, max), $"{range}, got {number}");
        }

        return (true, number, null);
    }, Math.Clamp(0, min, max));

    /// <summary>
    /// Reads a scalar and converts it; on any problem records one error at the key's path and returns the default
    /// (the component's default when that converts, else <paramref name="fallback"/>).
    /// </summary>
    private T Get<T>(string key, string expected, Func<string, (bool Ok, T Value, string? Error)> convert, T fallback)
    {
        var value = HoconTree.Navigate(_merged, key);
        string? problem;
        if (HoconTree.IsAbsent(value))
        {
            problem = MissingMessage;
        }
        else if (HoconTree.IsNull(value))
        {
            problem = $"expected {expected}, got null";
        }
        else if (!IsScalar(value!))
        {
            problem = $"expected {expected}, got {HoconTree.Describe(value)}";
        }
        else
        {
            var (ok, converted, error) = convert(value!.GetString());
            if (ok)
            {
                return converted;
            }

            problem = error ?? $"expected {expected}, got {HoconTree.Describe(value)}";
        }

        Error(key, problem);
        return DefaultOf(key, convert, fallback);
    }

    private T DefaultOf<T>(string key, Func<string, (bool Ok, T Value, string? Error)> convert, T fallback)
    {
        var value = HoconTree.Navigate(_defaults, key);
        if (HoconTree.IsAbsent(value) || HoconTree.IsNull(value) || !IsScalar(value!))
        {
            return fallback;
        }

        var (ok, converted, _) = convert(value!.GetString());
        return ok ? converted : fallback;
    }
}
