using Akka.Configuration;
using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Where a configuration comes from: config files in order (<c>.yaml</c>/<c>.yml</c> are collector YAML, anything else
/// HOCON), <c>--set key=value</c> overrides, and the environment used for <c>${env:VAR}</c> expansion.
/// </summary>
public sealed record ConfigSources(IReadOnlyList<string> Files, IReadOnlyList<string> Sets, Func<string, string?> Environment)
{
    /// <summary>Sources that expand against the process environment.</summary>
    public static ConfigSources FromProcess(IReadOnlyList<string> files, IReadOnlyList<string>? sets = null) =>
        new(files, sets ?? [], System.Environment.GetEnvironmentVariable);
}

/// <summary>
/// Loads and validates a configuration. Order, lowest first: <c>hocon/reference.conf</c> (embedded), then each file
/// in order (later files win; objects merge deeply), then each <c>--set</c>. With no file, ADOT's
/// <c>AOT_CONFIG_CONTENT</c> variable, when set, is read as a whole YAML config. Environment references are
/// expanded before HOCON is parsed and in each YAML scalar after YAML is parsed.
/// </summary>
public static class ConfigLoader
{
    /// <summary>ADOT: the whole YAML config in an environment variable (used with SSM on ECS).</summary>
    public const string AdotConfigVariable = "AOT_CONFIG_CONTENT";

    /// <summary>The logical name of the embedded <c>hocon/reference.conf</c>.</summary>
    public const string ReferenceResource = "TelemetryCluster.Streams.reference.conf";

    /// <summary>
    /// The merged tree (user over reference.conf) without component validation, e.g. for a host that needs the
    /// <c>akka</c> and <c>cluster</c> blocks. Problems with the sources (unreadable file, bad syntax, bad
    /// <c>--set</c>) go to <paramref name="errors"/>.
    /// </summary>
    public static Akka.Configuration.Config LoadTree(ConfigSources sources, ConfigErrors errors) =>
        LoadTree(sources, errors, new List<string>());

    /// <summary>
    /// Like <see cref="LoadTree(ConfigSources, ConfigErrors)"/>; <paramref name="warnings"/> receives the expansion
    /// warnings (unset variables, unsupported schemes), each prefixed with its source.
    /// </summary>
    public static Akka.Configuration.Config LoadTree(ConfigSources sources, ConfigErrors errors, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        var user = LoadUserTree(SourceTexts(sources, errors), sources.Sets, sources.Environment, errors, warnings);
        return HoconTree.ToConfig(HoconTree.Merge(user, ReferenceTree()));
    }

    /// <summary>Loads and validates everything; throws <see cref="ConfigException"/> carrying every error.</summary>
    public static PipelineSpec Load(ConfigSources sources, ComponentRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(registry);
        var errors = new ConfigErrors();
        return Build(SourceTexts(sources, errors), sources.Sets, sources.Environment, registry, errors);
    }

    /// <summary>Loads and validates a configuration given as text (HOCON, or collector YAML when <paramref name="yaml"/>).</summary>
    public static PipelineSpec LoadText(string text, ComponentRegistry registry, bool yaml = false, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(registry);
        return Build([new SourceText(yaml ? "<yaml>" : "<hocon>", text, yaml, null)], [], environment ?? (_ => null), registry, new ConfigErrors());
    }

    /// <summary>The parsed reference configuration (a new tree on every call).</summary>
    public static Akka.Configuration.Config Reference() => HoconTree.ToConfig(ReferenceTree());

    internal static HoconValue ReferenceTree()
    {
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream(ReferenceResource)
            ?? throw new InvalidOperationException($"embedded resource {ReferenceResource} is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd()).Root;
    }

    private static PipelineSpec Build(
        IReadOnlyList<SourceText> texts, IReadOnlyList<string> sets, Func<string, string?> environment, ComponentRegistry registry, ConfigErrors errors)
    {
        var warnings = new List<string>();
        var user = LoadUserTree(texts, sets, environment, errors, warnings);
        if (errors.HasErrors)
        {
            // A source that cannot be read or parsed leaves an incomplete tree; validating it would only add noise.
            throw new ConfigException(errors.Items);
        }

        var spec = new SpecBuilder(registry, user, ReferenceTree(), errors, warnings).Build();
        if (errors.HasErrors)
        {
            throw new ConfigException(errors.Items);
        }

        return spec;
    }

    internal sealed record SourceText(string Name, string Text, bool Yaml, string? Directory);

    private static List<SourceText> SourceTexts(ConfigSources sources, ConfigErrors errors)
    {
        var texts = new List<SourceText>();
        foreach (var file in sources.Files)
        {
            try
            {
                var yaml = file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
                texts.Add(new SourceText(file, File.ReadAllText(file), yaml, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                errors.Add(file, $"cannot read config file: {e.Message}");
            }
        }

        if (sources.Files.Count == 0 && sources.Environment(AdotConfigVariable) is { Length: > 0 } content)
        {
            texts.Add(new SourceText(AdotConfigVariable, content, Yaml: true, null));
        }

        return texts;
    }

    private static HoconValue LoadUserTree(
        IReadOnlyList<SourceText> texts, IReadOnlyList<string> sets, Func<string, string?> environment, ConfigErrors errors, ICollection<string> warnings)
    {
        HoconValue tree = HoconTree.EmptyObject();
        foreach (var source in texts)
        {
            var sourceWarnings = new List<string>();
            var parsed = Parse(source, environment, errors, sourceWarnings);
            AddWarnings(warnings, source.Name, sourceWarnings);
            if (parsed is not null)
            {
                tree = HoconTree.Merge(parsed, tree)!;
            }
        }

        foreach (var set in sets)
        {
            var setWarnings = new List<string>();
            var parsed = ParseSet(set, environment, errors, setWarnings);
            AddWarnings(warnings, "--set", setWarnings);
            if (parsed is not null)
            {
                tree = HoconTree.Merge(parsed, tree)!;
            }
        }

        return tree;
    }

    private static void AddWarnings(ICollection<string> warnings, string source, List<string> found)
    {
        foreach (var warning in found.Distinct())
        {
            warnings.Add($"{source}: {warning}");
        }
    }

    private static HoconValue? Parse(SourceText source, Func<string, string?> environment, ConfigErrors errors, ICollection<string> warnings)
    {
        try
        {
            return source.Yaml
                ? YamlConfig.ParseTree(source.Text, environment, warnings)
                : ParseHocon(source.Text, source.Directory, environment, warnings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            errors.Add(source.Name, source.Yaml ? e.Message : $"invalid HOCON: {e.Message}");
            return null;
        }
    }

    private static HoconValue ParseHocon(string text, string? directory, Func<string, string?> environment, ICollection<string> warnings)
    {
        HoconRoot Include(string name)
        {
            if (directory is null)
            {
                throw new InvalidOperationException($"include \"{name}\": includes are only supported in config files");
            }

            var path = System.IO.Path.Combine(directory, name);
            var included = EnvExpansion.ExpandHocon(File.ReadAllText(path), environment, warnings);
            return new HoconRoot(HoconText.Parse(included, Include));
        }

        var root = HoconText.Parse(EnvExpansion.ExpandHocon(text, environment, warnings), Include);
        return HoconTree.IsObject(root) ? root : HoconTree.EmptyObject();
    }

    /// <summary>
    /// <c>key=value</c>: the key path is separated by <c>::</c> (as the collector's <c>--set</c>), or by <c>.</c> when it
    /// has no <c>::</c>; segments are taken verbatim (<c>receivers::otlp/2::protocols</c>). A value starting with
    /// <c>{</c>, <c>[</c> or <c>"</c> is parsed as HOCON; <c>null</c> is null; anything else is the string as written
    /// (so <c>0.0.0.0:4317</c>, <c>2s</c> or <c>http://x#y</c> need no quoting).
    /// </summary>
    internal static HoconValue? ParseSet(string set, Func<string, string?> environment, ConfigErrors errors, ICollection<string> warnings)
    {
        var equals = set.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            errors.Add("--set", $"invalid \"{set}\": expected key=value");
            return null;
        }

        var key = set[..equals].Trim();
        var segments = (key.Contains("::", StringComparison.Ordinal) ? key.Split("::") : key.Split('.')).Select(s => s.Trim()).ToList();
        if (segments.Any(s => s.Length == 0))
        {
            errors.Add("--set", $"invalid key \"{key}\" in \"{set}\": empty path segment");
            return null;
        }

        var raw = EnvExpansion.Expand(set[(equals + 1)..].Trim(), environment, warnings);
        HoconValue value;
        if (raw.Length > 0 && raw[0] is '{' or '[' or '"')
        {
            try
            {
                value = HoconText.Parse("v = " + raw).GetObject().Items["v"];
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add("--set", $"invalid value in \"{set}\": {e.Message}");
                return null;
            }
        }
        else
        {
            value = raw == HoconTree.NullLiteral ? HoconTree.Null() : HoconTree.Literal(raw);
        }

        return HoconTree.AtPath(segments, value);
    }
}
