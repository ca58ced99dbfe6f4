using System.Text;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>Which part of an entry a <see cref="Field"/> addresses.</summary>
internal enum FieldRoot
{
    Body,
    Attributes,
    Resource,
}

/// <summary>
/// A field of an entry in the collector's syntax: <c>body</c>, <c>body.key</c>, <c>attributes.key</c>,
/// <c>attributes["dotted.key"]</c>, <c>resource.key</c>, nested (<c>body.a.b</c>, <c>attributes["x.y"].z</c>).
/// Immutable and shared by every pipeline built from one spec.
/// </summary>
internal sealed class Field
{
    private Field(FieldRoot root, string[] keys, string text)
    {
        Root = root;
        Keys = keys;
        Text = text;
    }

    public FieldRoot Root { get; }

    /// <summary>The path below the root; empty for the root itself (the whole body, all attributes).</summary>
    public string[] Keys { get; }

    public string Text { get; }

    public bool IsRoot => Keys.Length == 0;

    public static Field Body { get; } = new(FieldRoot.Body, [], "body");

    public static Field Attributes { get; } = new(FieldRoot.Attributes, [], "attributes");

    public static Field Resource { get; } = new(FieldRoot.Resource, [], "resource");

    public static Field Attribute(string key) => new(FieldRoot.Attributes, [key], $"attributes[\"{key}\"]");

    public override string ToString() => Text;

    /// <summary>Parses the collector's field syntax; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out Field field, out string error)
    {
        field = Body;
        error = string.Empty;
        var position = 0;
        if (!FieldSyntax.TryParse(text, ref position, out var parsed, out error))
        {
            return false;
        }

        if (position != text.Length)
        {
            error = $"invalid field \"{text}\": unexpected \"{text[position..]}\"";
            return false;
        }

        field = parsed;
        return true;
    }

    internal static Field Create(FieldRoot root, string[] keys, string text) => new(root, keys, text);

    /// <summary>Reads the field; false when it (or a map on its way) is missing.</summary>
    public bool TryGet(LogEntry entry, out object? value)
    {
        object? current = Root switch
        {
            FieldRoot.Body => entry.Body,
            FieldRoot.Attributes => entry.Attributes,
            _ => entry.Resource,
        };

        if (Root == FieldRoot.Body && Keys.Length == 0)
        {
            value = current;
            return current is not null;
        }

        for (var i = 0; i < Keys.Length; i++)
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(Keys[i], out current))
            {
                value = null;
                return false;
            }
        }

        value = current;
        return true;
    }

    /// <summary>
    /// Writes the field, creating maps on the way (a non-map in the way is replaced, as the collector does). Writing a
    /// map to the attributes or resource root merges it (new values win); writing a non-map there is an error.
    /// </summary>
    public bool TrySet(LogEntry entry, object? value, out string? error)
    {
        error = null;
        if (Keys.Length == 0)
        {
            switch (Root)
            {
                case FieldRoot.Body:
                    entry.Body = value;
                    return true;
                default:
                    if (value is not Dictionary<string, object?> source)
                    {
                        error = $"cannot set {Text} to a {Values.TypeName(value)} (a map is needed)";
                        return false;
                    }

                    var target = Root == FieldRoot.Attributes ? entry.Attributes : entry.Resource;
                    if (!ReferenceEquals(source, target))
                    {
                        foreach (var (key, item) in source)
                        {
                            target[key] = item;
                        }
                    }

                    return true;
            }
        }

        Dictionary<string, object?> map;
        switch (Root)
        {
            case FieldRoot.Body:
                if (entry.Body is Dictionary<string, object?> body)
                {
                    map = body;
                }
                else
                {
                    map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    entry.Body = map;
                }

                break;
            case FieldRoot.Attributes:
                map = entry.Attributes;
                break;
            default:
                map = entry.Resource;
                break;
        }

        for (var i = 0; i < Keys.Length - 1; i++)
        {
            if (!map.TryGetValue(Keys[i], out var next) || next is not Dictionary<string, object?> child)
            {
                child = new Dictionary<string, object?>(StringComparer.Ordinal);
                map[Keys[i]] = child;
            }

            map = child;
        }

        map[Keys[^1]] = value;
        return true;
    }

    /// <summary>Removes the field and returns its value; false when it was missing. The attributes/resource root is cleared.</summary>
    public bool TryDelete(LogEntry entry, out object? value)
    {
        if (Keys.Length == 0)
        {
            switch (Root)
            {
                case FieldRoot.Body:
                    value = entry.Body;
                    entry.Body = null;
                    return value is not null;
                default:
                    var target = Root == FieldRoot.Attributes ? entry.Attributes : entry.Resource;
                    var copy = new Dictionary<string, object?>(target, StringComparer.Ordinal);
                    target.Clear();
                    value = copy;
                    return true;
            }
        }

        object? current = Root switch
        {
            FieldRoot.Body => entry.Body,
            FieldRoot.Attributes => entry.Attributes,
            _ => entry.Resource,
        };
        for (var i = 0; i < Keys.Length - 1; i++)
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(Keys[i], out current))
            {
                value = null;
                return false;
            }
        }

        if (current is Dictionary<string, object?> parent && parent.Remove(Keys[^1], out value))
        {
            return true;
        }

        value = null;
        return false;
    }
}

/// <summary>The field grammar, shared by config values and the expression language.</summary>
internal static class FieldSyntax
{
    public static bool IsRootName(string name) => name is "body" or "attributes" or "resource";

    /// <summary>Parses a field starting at <paramref name="position"/> and stops at the first character that is not part of it.</summary>
    public static bool TryParse(string text, ref int position, out Field field, out string error)
    {
        field = Field.Body;
        error = string.Empty;
        var start = position;
        var name = ReadIdentifier(text, ref position);
        FieldRoot root;
        switch (name)
        {
            case "body":
                root = FieldRoot.Body;
                break;
            case "attributes":
                root = FieldRoot.Attributes;
                break;
            case "resource":
                root = FieldRoot.Resource;
                break;
            default:
                error = name.Length == 0
                    ? $"invalid field \"{text}\": a field starts with body, attributes or resource"
                    : $"invalid field \"{text}\": \"{name}\" is not body, attributes or resource";
                return false;
        }

        var keys = new List<string>();
        while (position < text.Length)
        {
            if (text[position] == '.')
            {
                position++;
                var key = ReadIdentifier(text, ref position);
                if (key.Length == 0)
                {
                    error = $"invalid field \"{text}\": a key is missing after \".\" at {position}";
                    return false;
                }

                keys.Add(key);
            }
            else if (text[position] == '[')
            {
                position++;
                if (position >= text.Length || (text[position] != '"' && text[position] != '\''))
                {
                    error = $"invalid field \"{text}\": expected a quoted key after \"[\"";
                    return false;
                }

                if (!TryReadQuoted(text, ref position, out var key, out error))
                {
                    error = $"invalid field \"{text}\": {error}";
                    return false;
                }

                if (position >= text.Length || text[position] != ']')
                {
                    error = $"invalid field \"{text}\": expected \"]\"";
                    return false;
                }

                position++;
                keys.Add(key);
            }
            else
            {
                break;
            }
        }

        field = Field.Create(root, [.. keys], text[start..position]);
        return true;
    }

    public static string ReadIdentifier(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '-' or '@' or '$'))
        {
            position++;
        }

        return text[start..position];
    }

    /// <summary>Reads a '...' or "..." literal with backslash escapes (\" \' \\ \n \t \r).</summary>
    public static bool TryReadQuoted(string text, ref int position, out string value, out string error)
    {
        var quote = text[position];
        position++;
        var builder = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == quote)
            {
                value = builder.ToString();
                error = string.Empty;
                return true;
            }

            if (c == '\\' && position < text.Length)
            {
                var escaped = text[position++];
                builder.Append(escaped switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => escaped,
                });
            }
            else
            {
                builder.Append(c);
            }
        }

        value = string.Empty;
        error = "unterminated string";
        return false;
    }
}
