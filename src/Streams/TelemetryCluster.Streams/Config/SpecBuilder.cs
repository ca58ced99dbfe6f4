using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Validates the user's tree against the registry, the component defaults and reference.conf, and builds the
/// <see cref="PipelineSpec"/>. Every problem is recorded (never thrown), each naming its path, so that one run
/// reports them all. Every defined component is validated (type, keys, values) even when unused, as the collector
/// does; only used ones go into the spec.
/// </summary>
internal sealed class SpecBuilder(ComponentRegistry registry, HoconValue user, HoconValue reference, ConfigErrors errors, List<string> warnings)
{
    private static readonly string[] TopLevelKeys = ["receivers", "processors", "exporters", "extensions", "connectors", "service", "cluster", "akka"];
    private static readonly string[] PipelineKeys = ["receivers", "processors", "exporters"];
    private static readonly ComponentKind[] Kinds = [ComponentKind.Receiver, ComponentKind.Processor, ComponentKind.Exporter, ComponentKind.Extension];

    private readonly Dictionary<IComponentFactory, HoconValue?> _defaults = new(ReferenceEqualityComparer.Instance);

    /// <summary>Defined components by kind; a null spec marks an id that is defined but invalid (already reported).</summary>
    private readonly Dictionary<ComponentKind, Dictionary<ComponentId, ComponentSpec?>> _defined = [];

    private readonly Dictionary<ComponentKind, HashSet<ComponentId>> _used = Kinds.ToDictionary(k => k, _ => new HashSet<ComponentId>());

    public PipelineSpec Build()
    {
        CheckTopLevel();
        foreach (var kind in Kinds)
        {
            _defined[kind] = BuildSection(kind);
        }

        CheckConnectors();
        if (_defined[ComponentKind.Receiver].Count == 0)
        {
            errors.Add("receivers", "no receiver configuration specified in config");
        }

        if (_defined[ComponentKind.Exporter].Count == 0)
        {
            errors.Add("exporters", "no exporter configuration specified in config");
        }

        var service = ObjectOrNull(HoconTree.Child(user, "service"), "service");
        CheckSchema(service, HoconTree.Child(reference, "service"), "service");
        var pipelines = BuildPipelines(HoconTree.Child(service, "pipelines"));
        var serviceExtensions = BuildServiceExtensions(HoconTree.Child(service, "extensions"));
        var engine = ReadEngine();
        var telemetry = ReadTelemetry(service);

        return new PipelineSpec(
            Used(ComponentKind.Receiver),
            Used(ComponentKind.Processor),
            Used(ComponentKind.Exporter),
            Used(ComponentKind.Extension),
            pipelines,
            serviceExtensions,
            engine,
            telemetry,
            HoconTree.ToConfig(HoconTree.Merge(user, reference)),
            warnings.ToList());
    }

    /// <summary>Records an unknown-key error with a "did you mean", or the valid keys when nothing is close.</summary>
    private void UnknownKey(string path, string key, IReadOnlyCollection<string> valid, string what = "key")
    {
        var hint = Suggestions.Hint(key, valid);
        if (hint.Length == 0 && valid.Count is > 0 and <= 16)
        {
            hint = $" (valid keys: {string.Join(", ", valid)})";
        }

        errors.Add(path, $"unknown {what} \"{key}\"{hint}");
    }

    private void CheckTopLevel()
    {
        foreach (var key in HoconTree.Items(user).Keys)
        {
            if (!TopLevelKeys.Contains(key, StringComparer.Ordinal))
            {
                UnknownKey(key, key, TopLevelKeys, "top-level key");
            }
        }
    }

    /// <summary>
    /// Schema check: every key the user wrote must exist in the schema (a component's defaults, or reference.conf).
    /// A schema object written as <c>{}</c>, a <c>null</c> default, or a list accepts any content; type mismatches are
    /// left to the typed getters, which report them with the value.
    /// </summary>
    private void CheckSchema(HoconValue? value, HoconValue? schema, string path)
    {
        if (!HoconTree.IsObject(value) || !HoconTree.IsObject(schema))
        {
            return;
        }

        var allowed = schema!.GetObject().Items;
        if (allowed.Count == 0)
        {
            return;
        }

        foreach (var (key, child) in value!.GetObject().Items)
        {
            if (allowed.TryGetValue(key, out var childSchema))
            {
                CheckSchema(child, childSchema, $"{path}.{key}");
            }
            else
            {
                UnknownKey($"{path}.{key}", key, allowed.Keys);
            }
        }
    }

    /// <summary>The value when it is an object, null when absent or null; anything else is reported and ignored.</summary>
    private HoconValue? ObjectOrNull(HoconValue? value, string path, string expected = "an object")
    {
        if (HoconTree.IsAbsent(value) || HoconTree.IsNull(value))
        {
            return null;
        }

        if (HoconTree.IsObject(value))
        {
            return value;
        }

        errors.Add(path, $"expected {expected}, got {HoconTree.Describe(value)}");
        return null;
    }

    private Dictionary<ComponentId, ComponentSpec?> BuildSection(ComponentKind kind)
    {
        var result = new Dictionary<ComponentId, ComponentSpec?>();
        var sectionName = kind.SectionName();
        var section = ObjectOrNull(HoconTree.Child(user, sectionName), sectionName, $"a map of {kind.DisplayName()} ids to settings");
        foreach (var (key, value) in HoconTree.Items(section))
        {
            var path = $"{sectionName}.{key}";
            if (!ComponentId.TryParse(key, out var id, out var idError))
            {
                errors.Add(path, idError);
                continue;
            }

            if (result.ContainsKey(id))
            {
                errors.Add(path, $"duplicate {kind.DisplayName()} id \"{id}\"");
                continue;
            }

            result[id] = BuildComponent(kind, id, key, value, path);
        }

        return result;
    }

    private ComponentSpec? BuildComponent(ComponentKind kind, ComponentId id, string key, HoconValue value, string path)
    {
        if (!registry.TryGet(kind, id.Type, out var factory, out var isAlias))
        {
            var message = $"unknown type: \"{id.Type}\" for id: \"{key}\" (valid values: [{string.Join(" ", registry.TypeNames(kind))}])";
            var elsewhere = Kinds.Where(k => k != kind && registry.TryGet(k, id.Type, out _, out _)).ToList();
            if (elsewhere.Count > 0)
            {
                message += $"; \"{id.Type}\" is a {string.Join(" and ", elsewhere.Select(k => k.DisplayName()))} type";
            }
            else if (Suggestions.Closest(id.Type, registry.All.Where(f => f.Kind == kind).SelectMany(f => f.Aliases.Prepend(f.Type))) is { } close)
            {
                message += $" (did you mean \"{close}\"?)";
            }

            errors.Add(path, message);
            return null;
        }

        if (isAlias)
        {
            warnings.Add($"{path}: {kind.DisplayName()} type \"{id.Type}\" is deprecated; use \"{factory.Type}\"");
        }

        var userSection = ObjectOrNull(value, path);
        if (!HoconTree.IsAbsent(value) && !HoconTree.IsNull(value) && userSection is null)
        {
            return null;
        }

        if (!TryDefaults(factory, path, out var defaults))
        {
            return null;
        }

        CheckSchema(userSection, defaults, path);
        var merged = HoconTree.Merge(userSection, defaults) ?? HoconTree.EmptyObject();
        var reader = new ComponentConfigReader(HoconTree.IsObject(merged) ? merged : HoconTree.EmptyObject(), userSection, defaults, path, errors);
        object config;
        try
        {
            config = factory.CreateConfig(reader);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            errors.Add(path, $"invalid configuration: {e.Message}");
            return null;
        }

        return new ComponentSpec(id, factory.Kind, factory, config, path);
    }

    private bool TryDefaults(IComponentFactory factory, string path, out HoconValue? defaults)
    {
        if (!_defaults.TryGetValue(factory, out defaults))
        {
            try
            {
                defaults = HoconText.Parse(registry.LoadDefaults(factory));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add(path, $"the defaults of {factory.Kind.DisplayName()} type \"{factory.Type}\" cannot be loaded: {e.Message}");
                defaults = null;
            }

            _defaults[factory] = defaults;
        }

        return defaults is not null;
    }

    private void CheckConnectors()
    {
        var connectors = ObjectOrNull(HoconTree.Child(user, "connectors"), "connectors");
        foreach (var key in HoconTree.Items(connectors).Keys)
        {
            errors.Add($"connectors.{key}", "connectors are not supported (no connector types are available)");
        }
    }

    private List<PipelineDefinition> BuildPipelines(HoconValue? value)
    {
        var pipelines = new List<PipelineDefinition>();
        var section = ObjectOrNull(value, "service.pipelines", "a map of pipeline ids to pipelines");
        var seen = new HashSet<PipelineId>();
        foreach (var (key, body) in HoconTree.Items(section))
        {
            var path = $"service.pipelines.{key}";
            if (!PipelineId.TryParse(key, out var id, out var idError))
            {
                errors.Add(path, idError);
                continue;
            }

            if (!seen.Add(id))
            {
                errors.Add(path, $"duplicate pipeline id \"{id}\"");
                continue;
            }

            var definition = ObjectOrNull(body, path);
            foreach (var extra in HoconTree.Items(definition).Keys.Where(k => !PipelineKeys.Contains(k, StringComparer.Ordinal)))
            {
                UnknownKey($"{path}.{extra}", extra, PipelineKeys);
            }

            var receivers = IdList(definition, "receivers", path).Distinct().ToList();
            var processors = IdList(definition, "processors", path);
            var exporters = IdList(definition, "exporters", path).Distinct().ToList();
            if (receivers.Count == 0)
            {
                errors.Add(path, "must have at least one receiver");
            }

            if (exporters.Count == 0)
            {
                errors.Add(path, "must have at least one exporter");
            }

            var ok = receivers.Aggregate(true, (all, r) => Resolve(ComponentKind.Receiver, r, id, path) && all);
            var distinctProcessors = new HashSet<ComponentId>();
            foreach (var processor in processors)
            {
                if (!distinctProcessors.Add(processor))
                {
                    errors.Add(path, $"references processor \"{processor}\" multiple times");
                    ok = false;
                    continue;
                }

                ok = Resolve(ComponentKind.Processor, processor, id, path) && ok;
            }

            ok = exporters.Aggregate(ok, (all, e) => Resolve(ComponentKind.Exporter, e, id, path) && all);
            if (ok && receivers.Count > 0 && exporters.Count > 0)
            {
                pipelines.Add(new PipelineDefinition(id, receivers, processors, exporters));
            }
        }

        if (seen.Count == 0)
        {
            errors.Add("service.pipelines", "service must have at least one pipeline");
        }

        return pipelines;
    }

    /// <summary>A list of component ids at <c>definition.key</c>; a single string is accepted.</summary>
    private List<ComponentId> IdList(HoconValue? definition, string key, string pipelinePath)
    {
        var value = HoconTree.Child(definition, key);
        var path = $"{pipelinePath}.{key}";
        var ids = new List<ComponentId>();
        foreach (var (text, itemPath) in Strings(value, path))
        {
            if (ComponentId.TryParse(text, out var id, out var error))
            {
                ids.Add(id);
            }
            else
            {
                errors.Add(itemPath, error);
            }
        }

        return ids;
    }

    /// <summary>The strings of a list (or a single string), each with its display path; other shapes are reported.</summary>
    private List<(string Text, string Path)> Strings(HoconValue? value, string path)
    {
        var result = new List<(string, string)>();
        if (HoconTree.IsAbsent(value) || HoconTree.IsNull(value))
        {
            return result;
        }

        if (HoconTree.IsObject(value))
        {
            errors.Add(path, "expected a list of ids, got an object");
            return result;
        }

        if (!HoconTree.IsArray(value))
        {
            result.Add((value!.GetString(), path));
            return result;
        }

        var items = value!.GetArray();
        for (var i = 0; i < items.Count; i++)
        {
            if (HoconTree.IsObject(items[i]) || HoconTree.IsArray(items[i]) || HoconTree.IsNull(items[i]))
            {
                errors.Add($"{path}[{i}]", $"expected an id, got {HoconTree.Describe(items[i])}");
                continue;
            }

            result.Add((items[i].GetString(), $"{path}[{i}]"));
        }

        return result;
    }

    /// <summary>Checks that a pipeline's reference is defined, of the right kind, and supports the signal.</summary>
    private bool Resolve(ComponentKind kind, ComponentId id, PipelineId pipeline, string path)
    {
        if (!_defined[kind].TryGetValue(id, out var spec))
        {
            var message = $"references {kind.DisplayName()} \"{id}\" which is not configured";
            var elsewhere = Kinds.Where(k => k != kind && _defined[k].ContainsKey(id)).ToList();
            if (elsewhere.Count > 0)
            {
                message += $" (\"{id}\" is configured as {string.Join(" and ", elsewhere.Select(k => Article(k.DisplayName())))})";
            }

            errors.Add(path, message);
            return false;
        }

        if (spec is null)
        {
            return false;
        }

        if (!spec.Factory.Signals.ContainsKey(pipeline.Signal))
        {
            errors.Add(path, $"{kind.DisplayName()} \"{id}\": data type \"{pipeline.Signal.ToConfigName()}\" is not supported");
            return false;
        }

        _used[kind].Add(id);
        return true;
    }

    private static string Article(string noun) => ("aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;

    private List<ComponentId> BuildServiceExtensions(HoconValue? value)
    {
        var result = new List<ComponentId>();
        foreach (var (text, itemPath) in Strings(value, "service.extensions"))
        {
            if (!ComponentId.TryParse(text, out var id, out var error))
            {
                errors.Add(itemPath, error);
                continue;
            }

            if (result.Contains(id))
            {
                continue;
            }

            if (!_defined[ComponentKind.Extension].TryGetValue(id, out var spec))
            {
                errors.Add("service.extensions", $"references extension \"{id}\" which is not configured");
                continue;
            }

            if (spec is not null)
            {
                _used[ComponentKind.Extension].Add(id);
                result.Add(id);
            }
        }

        return result;
    }

    /// <summary>A reader over a reference.conf block with the user's block laid over it.</summary>
    private ComponentConfigReader BlockReader(HoconValue? userBlock, HoconValue? referenceBlock, string path)
    {
        var merged = HoconTree.Merge(userBlock, referenceBlock);
        return new ComponentConfigReader(HoconTree.IsObject(merged) ? merged! : HoconTree.EmptyObject(), userBlock, referenceBlock, path, errors);
    }

    private EngineSettings ReadEngine()
    {
        var userCluster = ObjectOrNull(HoconTree.Child(user, "cluster"), "cluster");
        var referenceCluster = HoconTree.Child(reference, "cluster");
        CheckSchema(userCluster, referenceCluster, "cluster");
        var reader = BlockReader(userCluster, referenceCluster, "cluster");
        var delivery = reader.GetChoice("delivery", "accepted", "exported") == "exported" ? Delivery.Exported : Delivery.Accepted;
        var partitions = reader.GetInt("partitions", 1, 65536);
        var queue = reader.GetInt("pipeline-queue-size", 1, 1_000_000);
        var admission = reader.GetDuration("admission-timeout");
        var retryAfter = reader.GetDuration("retry-after");
        var drain = reader.GetDuration("drain-timeout");
        var maxInFlight = reader.GetInt("max-in-flight", 1, 1_000_000);
        var askTimeout = reader.GetDuration("ask-timeout");
        var exportTimeout = reader.GetDuration("export-timeout");

        // Node keys are read by the host; validate them here so that startup reports every error at once.
        _ = reader.GetString("hostname");
        _ = reader.GetInt("port", 0, 65535);
        _ = reader.GetStringList("seed-nodes");
        var storageDir = reader.GetOptionalString("storage-dir");
        return new EngineSettings(delivery, partitions, queue, admission, retryAfter, drain)
        {
            MaxInFlight = maxInFlight,
            AskTimeout = askTimeout,
            ExportTimeout = exportTimeout,
            StorageDir = storageDir,
        };
    }

    private TelemetrySettings ReadTelemetry(HoconValue? service)
    {
        var userTelemetry = ObjectOrNull(HoconTree.Child(service, "telemetry"), "service.telemetry");
        var referenceTelemetry = HoconTree.Child(HoconTree.Child(reference, "service"), "telemetry");
        var reader = BlockReader(userTelemetry, referenceTelemetry, "service.telemetry");
        var logLevel = reader.GetChoice("logs.level", "debug", "info", "warn", "error");
        var metricsLevel = reader.GetChoice("metrics.level", "none", "basic", "normal", "detailed");
        var address = metricsLevel == "none" ? null : MetricsAddress(reader, userTelemetry);
        return new TelemetrySettings(logLevel, metricsLevel, address);
    }

    /// <summary><c>metrics.address</c> when the user set it, else the first pull Prometheus reader, else the default.</summary>
    private static string MetricsAddress(ComponentConfigReader reader, HoconValue? userTelemetry)
    {
        var userAddress = HoconTree.Navigate(userTelemetry, "metrics.address");
        if (!HoconTree.IsAbsent(userAddress) && !HoconTree.IsNull(userAddress))
        {
            return reader.GetString("metrics.address");
        }

        foreach (var metricReader in reader.GetSectionList("metrics.readers"))
        {
            if (metricReader.HasValue("pull.exporter.prometheus") && metricReader.GetSection("pull.exporter.prometheus") is { } prometheus)
            {
                var host = prometheus.GetOptionalString("host") ?? "localhost";
                var port = prometheus.HasValue("port") ? prometheus.GetInt("port", 0, 65535) : 8888;
                return host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
            }
        }

        return reader.GetString("metrics.address");
    }

    private Dictionary<ComponentId, ComponentSpec> Used(ComponentKind kind) =>
        _defined[kind]
            .Where(entry => entry.Value is not null && _used[kind].Contains(entry.Key))
            .ToDictionary(entry => entry.Key, entry => entry.Value!);
}
