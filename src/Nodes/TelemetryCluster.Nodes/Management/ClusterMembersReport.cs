using System.Collections.Immutable;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;

namespace TelemetryCluster.Nodes.Management;

/// <summary>One member in <c>GET /cluster/members</c>.</summary>
internal sealed record MemberInfo(
    string Address,
    long Uid,
    string Status,
    IReadOnlyList<string> Roles,
    string AppVersion,
    DateTimeOffset? UpSince,
    bool Reachable);

/// <summary>The answer of <c>GET /cluster/members</c>.</summary>
internal sealed record MembersInfo(
    string Self,
    string SelfStatus,
    string? Leader,
    string? Oldest,
    IReadOnlyList<MemberInfo> Members,
    IReadOnlyList<string> Unreachable);

/// <summary>Builds the membership answers from the local view of the cluster (<see cref="Cluster.State"/>).</summary>
internal static class ClusterMembersReport
{
    public static MembersInfo Members(Cluster cluster, MemberUpTimes upTimes)
    {
        var state = cluster.State;
        var oldest = state.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving)
            .Aggregate((Member?)null, (acc, m) => acc is null || m.IsOlderThan(acc) ? m : acc);
        var members = state.Members
            .Select(m => new MemberInfo(
                m.Address.ToString(),
                m.UniqueAddress.Uid,
                m.Status.ToString(),
                [.. m.Roles.Order(StringComparer.Ordinal)],
                m.AppVersion.ToString(),
                upTimes.UpSince(m.UniqueAddress),
                !state.Unreachable.Contains(m)))
            .ToList();
        return new MembersInfo(
            cluster.SelfAddress.ToString(),
            cluster.SelfMember.Status.ToString(),
            state.Leader?.ToString(),
            oldest?.Address.ToString(),
            members,
            [.. state.Unreachable.Select(m => m.Address.ToString()).Order(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// The member a path segment names: the full address (<c>akka.tcp://telemetry-cluster@10.0.0.1:4053</c>), the
    /// address without protocol (<c>telemetry-cluster@10.0.0.1:4053</c>) or <c>host:port</c>.
    /// </summary>
    public static Member? Find(Cluster cluster, string text)
    {
        var wanted = text.Trim().TrimEnd('/');
        return cluster.State.Members.FirstOrDefault(m => Matches(m, wanted))
            ?? cluster.State.Unreachable.FirstOrDefault(m => Matches(m, wanted));
    }

    /// <summary>
    /// The contact point answer Akka Cluster Bootstrap probes (<c>GET /bootstrap/seed-nodes</c>): this node's address
    /// and its reachable Up/WeaklyUp/Joining members, as Akka.Management's own route serializes them (Newtonsoft
    /// JSON of <see cref="HttpBootstrapJsonProtocol.SeedNodes"/>). A node that has not joined yet answers with no
    /// members (Akka.NET reports its own status as Removed until then — that must not look like "gone", or no contact
    /// point would ever confirm and no cluster would form). Null (503) while this node is leaving, down or shutting down.
    /// </summary>
    public static HttpBootstrapJsonProtocol.SeedNodes? SeedNodes(Cluster cluster, bool shuttingDown)
    {
        var state = cluster.State;
        var self = state.Members.FirstOrDefault(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress));
        if (shuttingDown || cluster.IsTerminated
            || self?.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed)
        {
            return null;
        }

        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m))
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        return new HttpBootstrapJsonProtocol.SeedNodes(cluster.SelfMember.UniqueAddress.Address, members);
    }

    private static bool Matches(Member member, string wanted)
    {
        var address = member.Address;
        var full = address.ToString();
        if (string.Equals(full, wanted, StringComparison.Ordinal))
        {
            return true;
        }

        var withoutProtocol = full[(full.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return string.Equals(withoutProtocol, wanted, StringComparison.Ordinal)
            || string.Equals($"{address.Host}:{address.Port}", wanted, StringComparison.OrdinalIgnoreCase);
    }
}
