using System.Globalization;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>Helpers over entry values (string, long, double, bool, byte[], map, list, null).</summary>
internal static class Values
{
    public static readonly object True = true;
    public static readonly object False = false;

    public static object Box(bool value) => value ? True : False;

    public static string TypeName(object? value) => value switch
    {
        null => "nil",
        string => "string",
        long or int => "int",
        double => "float",
        bool => "bool",
        byte[] => "bytes",
        Dictionary<string, object?> => "map",
        List<object?> => "list",
        _ => value.GetType().Name,
    };

    /// <summary>The value as text (numbers invariant, bools lowercase, bytes hex); null for maps, lists and nil.</summary>
    public static string? ToText(object? value) => value switch
    {
        string text => text,
        long number => number.ToString(CultureInfo.InvariantCulture),
        int number => number.ToString(CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        byte[] bytes => Convert.ToHexStringLower(bytes),
        _ => null,
    };

    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case long l:
                number = l;
                return true;
            case int i:
                number = i;
                return true;
            case double d:
                number = d;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    /// <summary>Equality as the expression language sees it: numbers by value across int/float, others by value.</summary>
    public static bool AreEqual(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left is string ls)
        {
            return right is string rs && string.Equals(ls, rs, StringComparison.Ordinal);
        }

        if (left is long ll && right is long rl)
        {
            return ll == rl;
        }

        if (TryNumber(left, out var ln) && TryNumber(right, out var rn))
        {
            return ln == rn;
        }

        if (left is bool lb)
        {
            return right is bool rb && lb == rb;
        }

        return left.Equals(right);
    }

    /// <summary>Orders two numbers or two strings; false when they are not comparable.</summary>
    public static bool TryCompare(object? left, object? right, out int order)
    {
        if (left is long ll && right is long rl)
        {
            order = ll.CompareTo(rl);
            return true;
        }

        if (TryNumber(left, out var ln) && TryNumber(right, out var rn))
        {
            order = ln.CompareTo(rn);
            return true;
        }

        if (left is string ls && right is string rs)
        {
            order = string.CompareOrdinal(ls, rs);
            return true;
        }

        order = 0;
        return false;
    }

    /// <summary>A deep copy of maps and lists (scalars are immutable and shared; byte arrays are copied).</summary>
    public static object? DeepClone(object? value) => value switch
    {
        Dictionary<string, object?> map => CloneMap(map),
        List<object?> list => CloneList(list),
        byte[] bytes => bytes.Clone(),
        _ => value,
    };

    public static Dictionary<string, object?> CloneMap(Dictionary<string, object?> map)
    {
        var copy = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
        foreach (var (key, item) in map)
        {
            copy[key] = DeepClone(item);
        }

        return copy;
    }

    private static List<object?> CloneList(List<object?> list)
    {
        var copy = new List<object?>(list.Count);
        foreach (var item in list)
        {
            copy.Add(DeepClone(item));
        }

        return copy;
    }

    /// <summary>A deep copy of an entry (for fan-out to several outputs).</summary>
    public static LogEntry Clone(LogEntry entry)
    {
        var copy = new LogEntry
        {
            Body = DeepClone(entry.Body),
            Timestamp = entry.Timestamp,
            ObservedTimestamp = entry.ObservedTimestamp,
            Severity = entry.Severity,
            SeverityText = entry.SeverityText,
            TraceId = (byte[]?)entry.TraceId?.Clone(),
            SpanId = (byte[]?)entry.SpanId?.Clone(),
            TraceFlags = entry.TraceFlags,
            ScopeName = entry.ScopeName,
        };
        foreach (var (key, item) in entry.Attributes)
        {
            copy.Attributes[key] = DeepClone(item);
        }

        if (entry.HasResource)
        {
            foreach (var (key, item) in entry.Resource)
            {
                copy.Resource[key] = DeepClone(item);
            }
        }

        return copy;
    }
}
