using System.Diagnostics.CodeAnalysis;

namespace TelemetryCluster.Streams.Components;

/// <summary>
/// The known component types, by kind, with their aliases, and access to each factory's embedded defaults. Immutable;
/// build one per process (or per test) and pass it to the config loader.
/// </summary>
public sealed class ComponentRegistry
{
    private readonly Dictionary<(ComponentKind Kind, string Name), (IComponentFactory Factory, bool IsAlias)> _byName = [];
    private readonly Func<IComponentFactory, string> _defaultsLoader;

    /// <param name="factories">The factories; type names and aliases must be unique per kind.</param>
    /// <param name="defaultsLoader">
    /// Reads a factory's defaults HOCON; by default the embedded resource named by
    /// <see cref="IComponentFactory.DefaultsResource"/> in the factory's assembly. Tests pass their own text.
    /// </param>
    public ComponentRegistry(IEnumerable<IComponentFactory> factories, Func<IComponentFactory, string>? defaultsLoader = null)
    {
        ArgumentNullException.ThrowIfNull(factories);
        _defaultsLoader = defaultsLoader ?? EmbeddedDefaults;
        var all = new List<IComponentFactory>();
        foreach (var factory in factories)
        {
            ArgumentNullException.ThrowIfNull(factory);
            Register(factory, factory.Type, isAlias: false);
            foreach (var alias in factory.Aliases)
            {
                Register(factory, alias, isAlias: true);
            }

            all.Add(factory);
        }

        All = all;
    }

    /// <summary>Every factory, in registration order.</summary>
    public IReadOnlyList<IComponentFactory> All { get; }

    /// <summary>The registry of this assembly's components (<see cref="BuiltinComponents.All"/>).</summary>
    public static ComponentRegistry Builtin() => new(BuiltinComponents.All);

    /// <summary>A new registry with more factories (e.g. from another assembly), keeping this one's defaults loader.</summary>
    public ComponentRegistry With(IEnumerable<IComponentFactory> more) => new(All.Concat(more), _defaultsLoader);

    /// <summary>Finds a factory by canonical type or alias (case-sensitive, as the collector).</summary>
    public bool TryGet(ComponentKind kind, string typeOrAlias, [NotNullWhen(true)] out IComponentFactory? factory, out bool isAlias)
    {
        if (typeOrAlias is not null && _byName.TryGetValue((kind, typeOrAlias), out var entry))
        {
            factory = entry.Factory;
            isAlias = entry.IsAlias;
            return true;
        }

        factory = null;
        isAlias = false;
        return false;
    }

    /// <summary>The canonical type names of a kind, sorted (what "valid values" lists).</summary>
    public IEnumerable<string> TypeNames(ComponentKind kind) =>
        All.Where(f => f.Kind == kind).Select(f => f.Type).Order(StringComparer.Ordinal);

    /// <summary>
    /// The factory's defaults HOCON. The file holds the component's keys at its root (no wrapping block), e.g.
    /// <c>timeout = 200ms</c>. Throws <see cref="InvalidOperationException"/> when the resource is missing.
    /// </summary>
    public string LoadDefaults(IComponentFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return _defaultsLoader(factory);
    }

    private void Register(IComponentFactory factory, string name, bool isAlias)
    {
        if (!ComponentId.IsValidType(name))
        {
            throw new ArgumentException($"{factory.Kind.DisplayName()} factory {factory.GetType().Name}: \"{name}\" is not a valid component type");
        }

        if (!_byName.TryAdd((factory.Kind, name), (factory, isAlias)))
        {
            throw new ArgumentException($"{factory.Kind.DisplayName()} type \"{name}\" is registered twice ({_byName[(factory.Kind, name)].Factory.GetType().Name}, {factory.GetType().Name})");
        }
    }

    /// <summary>
    /// Reads <c>{assembly name}.{DefaultsResource}</c> from the factory's assembly (the Streams csproj gives each
    /// <c>**/defaults.conf</c> the logical name <c>TelemetryCluster.Streams.&lt;dir&gt;/defaults.conf</c>); as a
    /// fallback, any resource whose name ends with <c>.{DefaultsResource}</c>. Slashes and backslashes are equivalent.
    /// </summary>
    public static string EmbeddedDefaults(IComponentFactory factory)
    {
        var relative = Normalize(factory.DefaultsResource ?? string.Empty).TrimStart('/');
        if (relative.Length == 0)
        {
            return string.Empty;
        }

        var assembly = factory.GetType().Assembly;
        var names = assembly.GetManifestResourceNames();
        var wanted = Normalize($"{assembly.GetName().Name}.{relative}");
        var name = names.FirstOrDefault(n => Normalize(n) == wanted)
            ?? names.FirstOrDefault(n => Normalize(n) == relative || Normalize(n).EndsWith("." + relative, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"defaults resource \"{factory.DefaultsResource}\" of {factory.Kind.DisplayName()} \"{factory.Type}\" is not embedded in {assembly.GetName().Name}");
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"cannot open resource \"{name}\" in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Normalize(string name) => name.Replace('\\', '/');
}
