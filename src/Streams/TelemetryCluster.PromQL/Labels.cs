using System.Text;

namespace TelemetryCluster.PromQL;

/// <summary>One label: name and value.</summary>
public readonly record struct Label(string Name, string Value);

/// <summary>
/// An immutable label set, sorted by name (ordinal, as Prometheus sorts bytes). A missing label reads as "".
/// </summary>
public sealed class Labels : IEquatable<Labels>, IComparable<Labels>
{
    public const string MetricName = "__name__";

    public static readonly Labels Empty = new([], sorted: true);

    private readonly Label[] _labels;
    private readonly int _hash;
    private Labels? _withoutName;

    private Labels(Label[] labels, bool sorted)
    {
        if (!sorted)
        {
            Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        _labels = labels;
        var h = new HashCode();
        foreach (var l in labels)
        {
            h.Add(l.Name, StringComparer.Ordinal);
            h.Add(l.Value, StringComparer.Ordinal);
        }
        _hash = h.ToHashCode();
    }

    /// <summary>Builds a label set; empty values are dropped (Prometheus treats them as absent). Later duplicates win.</summary>
    public static Labels From(IEnumerable<KeyValuePair<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in labels)
        {
            dict[kv.Key] = kv.Value;
        }
        return FromDictionary(dict);
    }

    public static Labels From(params (string Name, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return From(labels.Select(l => new KeyValuePair<string, string>(l.Name, l.Value)));
    }

    internal static Labels FromDictionary(Dictionary<string, string> dict)
    {
        var arr = new List<Label>(dict.Count);
        foreach (var kv in dict)
        {
            if (kv.Value.Length > 0)
            {
                arr.Add(new Label(kv.Key, kv.Value));
            }
        }
        return arr.Count == 0 ? Empty : new Labels([.. arr], sorted: false);
    }

    internal static Labels FromSorted(List<Label> sorted) => sorted.Count == 0 ? Empty : new Labels([.. sorted], sorted: true);

    public int Count => _labels.Length;

    public ReadOnlySpan<Label> AsSpan() => _labels;

    public IReadOnlyList<Label> List => _labels;

    public string Get(string name)
    {
        foreach (var l in _labels)
        {
            if (string.Equals(l.Name, name, StringComparison.Ordinal))
            {
                return l.Value;
            }
        }
        return "";
    }

    public bool Has(string name)
    {
        foreach (var l in _labels)
        {
            if (string.Equals(l.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    public string MetricNameValue => Get(MetricName);

    /// <summary>This set without __name__ (returns this instance when it has none).</summary>
    public Labels WithoutName()
    {
        // Cached: functions and arithmetic drop the name of the same series at every step of a range query.
        return _withoutName ??= ComputeWithoutName();
    }

    private Labels ComputeWithoutName()
    {
        if (!Has(MetricName))
        {
            return this;
        }
        var list = new List<Label>(_labels.Length - 1);
        foreach (var l in _labels)
        {
            if (!string.Equals(l.Name, MetricName, StringComparison.Ordinal))
            {
                list.Add(l);
            }
        }
        return FromSorted(list);
    }

    /// <summary>Keeps only the named labels.</summary>
    public Labels Keep(IReadOnlyCollection<string> names)
    {
        var list = new List<Label>(Math.Min(names.Count, _labels.Length));
        foreach (var l in _labels)
        {
            if (names.Contains(l.Name))
            {
                list.Add(l);
            }
        }
        return FromSorted(list);
    }

    /// <summary>Drops the named labels.</summary>
    public Labels Drop(IReadOnlyCollection<string> names, bool alsoName)
    {
        var list = new List<Label>(_labels.Length);
        foreach (var l in _labels)
        {
            if (!names.Contains(l.Name) && !(alsoName && l.Name == MetricName))
            {
                list.Add(l);
            }
        }
        return list.Count == _labels.Length ? this : FromSorted(list);
    }

    /// <summary>A copy with one label set (empty value deletes it).</summary>
    public Labels With(string name, string value)
    {
        var dict = ToDictionary();
        dict[name] = value;
        return FromDictionary(dict);
    }

    public Dictionary<string, string> ToDictionary()
    {
        var d = new Dictionary<string, string>(_labels.Length + 2, StringComparer.Ordinal);
        foreach (var l in _labels)
        {
            d[l.Name] = l.Value;
        }
        return d;
    }

    /// <summary>A key for the labels selected by on/ignoring (ignoring always skips __name__).</summary>
    internal string MatchKey(bool on, IReadOnlyCollection<string> names)
    {
        var sb = new StringBuilder();
        foreach (var l in _labels)
        {
            bool include = on ? names.Contains(l.Name) : !names.Contains(l.Name) && l.Name != MetricName;
            if (include)
            {
                sb.Append(l.Name).Append('\xff').Append(l.Value).Append('\xfe');
            }
        }
        return sb.ToString();
    }

    public bool Equals(Labels? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._hash != _hash || other._labels.Length != _labels.Length)
        {
            return false;
        }
        for (int i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Name, other._labels[i].Name, StringComparison.Ordinal)
                || !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is Labels l && Equals(l);

    public override int GetHashCode() => _hash;

    /// <summary>Prometheus' labels.Compare order.</summary>
    public int CompareTo(Labels? other)
    {
        if (other is null)
        {
            return 1;
        }
        int n = Math.Min(_labels.Length, other._labels.Length);
        for (int i = 0; i < n; i++)
        {
            int c = string.CompareOrdinal(_labels[i].Name, other._labels[i].Name);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(_labels[i].Value, other._labels[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return _labels.Length.CompareTo(other._labels.Length);
    }

    /// <summary>Prometheus' String() form: {a="b", c="d"}.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < _labels.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(_labels[i].Name).Append('=').Append(Quote(_labels[i].Value));
        }
        return sb.Append('}').ToString();
    }

    internal static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
