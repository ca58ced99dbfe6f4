using Akka.Configuration.Hocon;
using AkkaConfig = Akka.Configuration.Config;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Helpers over Akka's HOCON object model. We navigate <see cref="HoconObject.Items"/> key by key instead of
/// Akka's string paths, because <c>Config.GetValue("a.b")</c> splits on every dot and so cannot reach keys such as
/// <c>otlp/my.name</c>. Trees built here are never mutated after construction; subtrees may be shared.
/// </summary>
internal static class HoconTree
{
    /// <summary>The literal text Akka's parser stores for HOCON <c>null</c> (and for YAML null, as we build it).</summary>
    public const string NullLiteral = "null";

    public static HoconValue EmptyObject() => Wrap(new HoconObject());

    public static HoconValue Null() => Literal(NullLiteral);

    public static HoconValue Literal(string text)
    {
        var value = new HoconValue();
        value.NewValue(new HoconLiteral { Value = text });
        return value;
    }

    public static HoconValue Wrap(IHoconElement element)
    {
        var value = new HoconValue();
        value.NewValue(element);
        return value;
    }

    public static HoconValue Array(IEnumerable<HoconValue> items)
    {
        var array = new HoconArray();
        array.AddRange(items);
        return Wrap(array);
    }

    /// <summary>A value with no elements (what Akka leaves behind for some absent values).</summary>
    public static bool IsAbsent(HoconValue? value) => value is null || value.Values.Count == 0;

    /// <summary>HOCON/YAML <c>null</c>. (Akka's parser cannot tell a quoted <c>"null"</c> from <c>null</c>.)</summary>
    public static bool IsNull(HoconValue? value) =>
        value is not null && value.Values.Count > 0 && !value.IsObject() && !IsArray(value) && value.GetString() is null;

    public static bool IsObject(HoconValue? value) => !IsAbsent(value) && value!.IsObject();

    public static bool IsArray(HoconValue? value) => !IsAbsent(value) && value!.IsArray();

    /// <summary>The child <paramref name="key"/> of an object value; null when absent or when the value is no object.</summary>
    public static HoconValue? Child(HoconValue? value, string key) =>
        IsObject(value) && value!.GetObject().Items.TryGetValue(key, out var child) ? child : null;

    /// <summary>Follows the segments of a dotted key (<c>protocols.grpc.endpoint</c>).</summary>
    public static HoconValue? Navigate(HoconValue? value, string dottedKey)
    {
        foreach (var segment in dottedKey.Split('.'))
        {
            value = Child(value, segment);
            if (value is null)
            {
                return null;
            }
        }

        return value;
    }

    public static IReadOnlyDictionary<string, HoconValue> Items(HoconValue? value) =>
        IsObject(value) ? value!.GetObject().Items : new Dictionary<string, HoconValue>();

    /// <summary>Describes what a value is, for error messages.</summary>
    public static string Describe(HoconValue? value) =>
        IsAbsent(value) ? "nothing" :
        IsNull(value) ? "null" :
        IsObject(value) ? "an object" :
        IsArray(value) ? "a list" :
        $"\"{value!.GetString()}\"";

    /// <summary>
    /// Deep merge: objects merge key by key, anything else from <paramref name="over"/> replaces
    /// <paramref name="under"/>; a <c>null</c> in <paramref name="over"/> keeps what is under it (so YAML
    /// <c>grpc:</c> means "present, with the defaults").
    /// </summary>
    public static HoconValue? Merge(HoconValue? over, HoconValue? under)
    {
        if (IsAbsent(over))
        {
            return IsAbsent(under) ? over ?? under : under;
        }

        if (IsAbsent(under))
        {
            return over;
        }

        if (IsNull(over))
        {
            return under;
        }

        if (!IsObject(over) || !IsObject(under))
        {
            return over;
        }

        var overItems = over!.GetObject().Items;
        var underItems = under!.GetObject().Items;
        var result = new HoconObject();
        foreach (var (key, lower) in underItems)
        {
            result.Items[key] = overItems.TryGetValue(key, out var upper) ? Merge(upper, lower)! : lower;
        }

        foreach (var (key, upper) in overItems)
        {
            if (!underItems.ContainsKey(key))
            {
                result.Items[key] = upper;
            }
        }

        return Wrap(result);
    }

    /// <summary>A Config's root with its fallback chain merged in, so key navigation sees one tree.</summary>
    public static HoconValue Flatten(AkkaConfig? config)
    {
        HoconValue? result = null;
        for (var current = config; current is not null; current = current.Fallback)
        {
            result = result is null ? current.Root : Merge(result, current.Root);
        }

        return IsAbsent(result) ? EmptyObject() : result!;
    }

    /// <summary>A fallback-free Config over a tree.</summary>
    public static AkkaConfig ToConfig(HoconValue? value) => new(new HoconRoot(IsAbsent(value) ? EmptyObject() : value!));

    /// <summary>Places a value at a key path: <c>["a", "b"]</c> → <c>{ a { b = value } }</c>.</summary>
    public static HoconValue AtPath(IReadOnlyList<string> path, HoconValue value)
    {
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var holder = new HoconObject();
            holder.Items[path[i]] = value;
            value = Wrap(holder);
        }

        return value;
    }

    /// <summary>Quotes a key or string for HOCON text.</summary>
    public static string Quote(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
