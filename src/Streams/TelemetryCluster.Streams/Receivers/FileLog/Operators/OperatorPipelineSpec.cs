using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.FileLog.Operators;

/// <summary>
/// The validated <c>operators</c> list of a receiver: read at config time (errors name <c>operators[i].key</c>),
/// built into an <see cref="IOperatorPipeline"/> per file reader at run time.
/// </summary>
/// <remarks>
/// Regexes, time layouts, severity tables and expressions are compiled once here and shared by every pipeline;
/// <see cref="Build"/> only creates the per-reader state (recombine batches, counters). The graph follows the
/// collector: each operator sends to its <c>output</c> ids, by default to the next operator in the list; the last one
/// (or one without a next) emits to the receiver. Ids must be unique (default: the type), outputs must exist, and the
/// graph must not have cycles.
/// </remarks>
public sealed class OperatorPipelineSpec
{
    private readonly IReadOnlyList<OperatorDefinition> _definitions;

    private OperatorPipelineSpec(IReadOnlyList<OperatorDefinition> definitions)
    {
        _definitions = definitions;
    }

    public static OperatorPipelineSpec Empty { get; } = new([]);

    /// <summary>How many operators the list has.</summary>
    public int Count => _definitions.Count;

    /// <summary>
    /// True when every entry leaves the pipeline as exactly itself: a straight chain (each operator sends to the next)
    /// of operators that only change the entry they get, with <c>on_error: send</c>/<c>send_quiet</c>. No operator
    /// holds (recombine), drops (filter, <c>on_error: drop</c>) or routes one, and no state passes from one entry to
    /// the next, so batches of entries may go through separate pipeline instances at the same time.
    /// </summary>
    internal bool IsOneToOne => _definitions.All(d =>
        PerEntryTypes.Contains(d.Type)
        && d.OnError is OnErrorMode.Send or OnErrorMode.SendQuiet
        && d.OutputGroups is [null]);

    private static readonly HashSet<string> PerEntryTypes = new(StringComparer.Ordinal)
    {
        "regex_parser", "json_parser", "key_value_parser", "csv_parser", "time_parser", "severity_parser", "trace_parser",
        "scope_name_parser", "add", "copy", "move", "remove", "retain", "flatten", "regex_replace", "noop",
    };

    /// <summary>The operator ids in list order.</summary>
    public IReadOnlyList<string> Ids => [.. _definitions.Select(d => d.Id)];

    /// <summary>Reads and validates <paramref name="key"/> (a list of operator objects) from the receiver's section.</summary>
    public static OperatorPipelineSpec Read(ComponentConfigReader reader, string key = "operators") =>
        Read(reader, key, RegexTranslation.DefaultTimeout);

    /// <summary>As <see cref="Read(ComponentConfigReader, string)"/> with a chosen regex match timeout.</summary>
    public static OperatorPipelineSpec Read(ComponentConfigReader reader, string key, TimeSpan regexTimeout)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(key);
        if (!reader.HasValue(key))
        {
            return Empty;
        }

        var items = reader.GetSectionList(key);
        var definitions = new List<OperatorDefinition>(items.Count);
        var readers = new List<ComponentConfigReader>(items.Count);
        var indexById = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var definition = OperatorConfigReader.Read(item, regexTimeout);
            if (definition is null)
            {
                continue;
            }

            if (indexById.TryGetValue(definition.Id, out var first))
            {
                item.Error("id", item.IsSet("id")
                    ? $"duplicate operator id \"{definition.Id}\" (also at {definitions[first].Path})"
                    : $"duplicate operator id \"{definition.Id}\" (also at {definitions[first].Path}); give operators of the same type distinct ids");
                continue;
            }

            indexById[definition.Id] = definitions.Count;
            definitions.Add(definition);
            readers.Add(item);
        }

        CheckOutputs(definitions, readers, indexById);
        if (reader.Errors.HasErrors)
        {
            return new OperatorPipelineSpec(definitions);
        }

        CheckCycles(definitions, readers, indexById);
        return new OperatorPipelineSpec(definitions);
    }

    /// <summary>A fresh pipeline (fresh operator state) for one file reader.</summary>
    public IOperatorPipeline Build(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new OperatorPipeline(_definitions, time);
    }

    private static void CheckOutputs(List<OperatorDefinition> definitions, List<ComponentConfigReader> readers, Dictionary<string, int> indexById)
    {
        for (var i = 0; i < definitions.Count; i++)
        {
            var groups = definitions[i].OutputGroups;
            for (var g = 0; g < groups.Count; g++)
            {
                var ids = groups[g];
                if (ids is null)
                {
                    continue;
                }

                foreach (var id in ids)
                {
                    if (!indexById.ContainsKey(id))
                    {
                        var key = definitions[i].Type != "router" ? "output" : g < groups.Count - 1 ? $"routes[{g}].output" : "default";
                        readers[i].Error(key, $"operator \"{definitions[i].Id}\" outputs to \"{id}\", which is not an operator id of this list" +
                            $" (ids: [{string.Join(" ", indexById.Keys)}]){Suggestions.Hint(id, indexById.Keys)}");
                    }
                }
            }
        }
    }

    private static void CheckCycles(List<OperatorDefinition> definitions, List<ComponentConfigReader> readers, Dictionary<string, int> indexById)
    {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = new int[definitions.Count];
        for (var i = 0; i < definitions.Count; i++)
        {
            if (state[i] == 0 && Visit(i))
            {
                return;
            }
        }

        bool Visit(int node)
        {
            state[node] = 1;
            foreach (var next in Successors(node))
            {
                if (state[next] == 1)
                {
                    readers[node].Error(definitions[node].Type == "router" ? "routes" : "output",
                        $"operator \"{definitions[node].Id}\" sends back to \"{definitions[next].Id}\": the operator graph has a cycle");
                    return true;
                }

                if (state[next] == 0 && Visit(next))
                {
                    return true;
                }
            }

            state[node] = 2;
            return false;
        }

        IEnumerable<int> Successors(int node)
        {
            foreach (var ids in definitions[node].OutputGroups)
            {
                if (ids is null)
                {
                    if (node + 1 < definitions.Count)
                    {
                        yield return node + 1;
                    }

                    continue;
                }

                foreach (var id in ids)
                {
                    yield return indexById[id];
                }
            }
        }
    }
}
