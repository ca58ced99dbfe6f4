using TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

namespace TelemetryCluster.Nodes.Scrape;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: a key belongs to the member with the highest stable hash of
/// (member, key). Every node computes the same owner from the same member list without talking; when a member leaves
/// only its keys move (each to the member that was second for it), and a joining member takes about 1/(n+1) of the
/// keys, all from other members.
/// </summary>
public static class RendezvousAssignment
{
    /// <summary>The owner of <paramref name="key"/> among <paramref name="members"/>; null when there are none.</summary>
    public static string? OwnerOf(string key, IReadOnlyList<string> members)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(members);
        string? best = null;
        ulong bestWeight = 0;
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            var weight = Weight(member, key);
            if (best is null || weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(member, best) < 0))
            {
                best = member;
                bestWeight = weight;
            }
        }

        return best;
    }

    /// <summary>The weight of a (member, key) pair: the key's hash seeded with the member's hash.</summary>
    public static ulong Weight(string member, string key) => StableHash.Of(key, StableHash.Of(member));
}
