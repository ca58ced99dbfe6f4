using System.Collections.Immutable;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// Client metadata of a request (gRPC metadata / HTTP headers when a receiver sets <c>include_metadata</c>).
/// Keys are lower-case; a key may have several values. Used by <c>batch.metadata_keys</c>.
/// </summary>
public sealed record ClientMetadata(ImmutableDictionary<string, ImmutableArray<string>> Values)
{
    public static ClientMetadata Empty { get; } =
        new(ImmutableDictionary<string, ImmutableArray<string>>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase));

    /// <summary>Values of a key, or an empty array when the key is absent.</summary>
    public ImmutableArray<string> Get(string key) =>
        Values.TryGetValue(key, out var values) ? values : ImmutableArray<string>.Empty;

    public bool Contains(string key) => Values.ContainsKey(key);

    public static ClientMetadata From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in pairs)
        {
            builder[key] = builder.TryGetValue(key, out var existing) ? existing.Add(value) : ImmutableArray.Create(value);
        }

        return builder.Count == 0 ? Empty : new ClientMetadata(builder.ToImmutable());
    }
}
