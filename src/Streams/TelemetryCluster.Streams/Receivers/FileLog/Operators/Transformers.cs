using System.Text.RegularExpressions;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary><c>noop</c>: forwards every entry.</summary>
internal sealed class NoopOperator : Operator
{
    protected override void Handle(LogEntry entry) => Emit(entry);
}

/// <summary><c>add</c>: sets <c>field</c> to a constant (deep-copied per entry) or an <c>EXPR(...)</c> result.</summary>
internal sealed class AddOperator(Field field, object? value, Expression? expression) : Operator
{
    protected override void Handle(LogEntry entry)
    {
        var result = expression is not null ? expression.Evaluate(entry) : Values.DeepClone(value);
        if (!field.TrySet(entry, result, out var error))
        {
            Fail(entry, $"add: {error}");
            return;
        }

        Emit(entry);
    }
}

/// <summary><c>copy</c> (<c>move: false</c>) and <c>move</c>: from → to.</summary>
internal sealed class CopyMoveOperator(Field from, Field to, bool move) : Operator
{
    protected override void Handle(LogEntry entry)
    {
        object? value;
        if (move)
        {
            if (!from.TryGet(entry, out value))
            {
                Fail(entry, $"move: field {from} does not exist");
                return;
            }

            // Moving attributes/resource as a whole hands over a copy; the source is emptied.
            from.TryDelete(entry, out value);
        }
        else
        {
            if (!from.TryGet(entry, out value))
            {
                Fail(entry, $"copy: field {from} does not exist");
                return;
            }

            value = Values.DeepClone(value);
        }

        if (!to.TrySet(entry, value, out var error))
        {
            Fail(entry, $"{Type}: {error}");
            return;
        }

        Emit(entry);
    }
}

/// <summary><c>remove</c>: deletes a field (the attributes/resource root is cleared, the body becomes nil).</summary>
internal sealed class RemoveOperator(Field field) : Operator
{
    protected override void Handle(LogEntry entry)
    {
        if (!field.TryDelete(entry, out _) && !field.IsRoot)
        {
            Fail(entry, $"remove: field {field} does not exist");
            return;
        }

        Emit(entry);
    }
}

/// <summary>
/// <c>retain</c>: keeps only the listed fields. Each of body, attributes and resource is touched only when at least
/// one listed field belongs to it.
/// </summary>
internal sealed class RetainOperator(Field[] fields) : Operator
{
    private readonly bool _body = Array.Exists(fields, f => f.Root == FieldRoot.Body);
    private readonly bool _attributes = Array.Exists(fields, f => f.Root == FieldRoot.Attributes);
    private readonly bool _resource = Array.Exists(fields, f => f.Root == FieldRoot.Resource);

    protected override void Handle(LogEntry entry)
    {
        var kept = new LogEntry();
        foreach (var field in fields)
        {
            if (field.TryGet(entry, out var value))
            {
                field.TrySet(kept, value, out _);
            }
        }

        if (_body)
        {
            entry.Body = kept.Body;
        }

        if (_attributes)
        {
            entry.Attributes.Clear();
            foreach (var (key, value) in kept.Attributes)
            {
                entry.Attributes[key] = value;
            }
        }

        if (_resource)
        {
            entry.Resource.Clear();
            foreach (var (key, value) in kept.Resource)
            {
                entry.Resource[key] = value;
            }
        }

        Emit(entry);
    }
}

/// <summary><c>flatten</c>: the keys of a nested map move up one level into its parent (they win on collisions).</summary>
internal sealed class FlattenOperator(Field field, Field parent) : Operator
{
    protected override void Handle(LogEntry entry)
    {
        if (!field.TryGet(entry, out var value) || value is not Dictionary<string, object?> map)
        {
            Fail(entry, $"flatten: field {field} is not a map");
            return;
        }

        field.TryDelete(entry, out _);
        if (!parent.TryGet(entry, out var target) || target is not Dictionary<string, object?> parentMap)
        {
            Fail(entry, $"flatten: parent of {field} is not a map");
            return;
        }

        foreach (var (key, item) in map)
        {
            parentMap[key] = item;
        }

        Emit(entry);
    }
}

/// <summary><c>regex_replace</c>: replaces every match in a string field (<c>$1</c>, <c>${name}</c> in replace_with).</summary>
internal sealed class RegexReplaceOperator(Field field, Regex regex, string replacement) : Operator
{
    protected override void Handle(LogEntry entry)
    {
        if (!field.TryGet(entry, out var value))
        {
            Fail(entry, $"regex_replace: field {field} does not exist");
            return;
        }

        if (value is not string text)
        {
            Fail(entry, $"regex_replace: type {Values.TypeName(value)} cannot be handled (a string is needed)");
            return;
        }

        try
        {
            field.TrySet(entry, regex.Replace(text, replacement), out _);
        }
        catch (RegexMatchTimeoutException)
        {
            Fail(entry, "regex_replace: regex match timed out");
            return;
        }

        Emit(entry);
    }
}

/// <summary><c>filter</c>: drops entries matching <c>expr</c> with probability <c>drop_ratio</c>; drops are counted (<c>filtered</c>).</summary>
internal sealed class FilterOperator(Expression expression, double dropRatio, Random random) : Operator
{
    private string _key = string.Empty;

    protected override void Handle(LogEntry entry)
    {
        if (expression.IsTrue(entry) && (dropRatio >= 1.0 || (dropRatio > 0 && random.NextDouble() < dropRatio)))
        {
            if (_key.Length == 0)
            {
                _key = DropKey("filtered");
            }

            Pipeline.CountDrop(_key);
            return;
        }

        Emit(entry);
    }
}

/// <summary>
/// <c>router</c>: the first route whose <c>expr</c> matches gets the entry (after adding the route's
/// <c>attributes</c>); else <c>default</c>; with no default the entry is dropped and counted (<c>no_route</c>).
/// Targets: one group per route, then the default group.
/// </summary>
internal sealed class RouterOperator(RouteDefinition[] routes, bool hasDefault) : Operator
{
    private string _key = string.Empty;

    protected override void Handle(LogEntry entry)
    {
        for (var i = 0; i < routes.Length; i++)
        {
            if (routes[i].Expression.IsTrue(entry))
            {
                foreach (var (key, value) in routes[i].Attributes)
                {
                    entry.Attributes[key] = value;
                }

                EmitTo(Targets[i], entry);
                return;
            }
        }

        if (hasDefault)
        {
            EmitTo(Targets[routes.Length], entry);
            return;
        }

        if (_key.Length == 0)
        {
            _key = DropKey("no_route");
        }

        Pipeline.CountDrop(_key);
    }
}

internal sealed record RouteDefinition(Expression Expression, string[] Outputs, IReadOnlyDictionary<string, string> Attributes);
