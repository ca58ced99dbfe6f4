using System.Collections.Immutable;

namespace TelemetryCluster.Streams.Data;

/// <summary>The acks a batch carries: one per request it was built from (batching merges requests).</summary>
public readonly record struct AckSet(ImmutableArray<Ack> Items)
{
    public static AckSet Empty { get; } = new(ImmutableArray<Ack>.Empty);

    public static AckSet Of(Ack ack) => new(ImmutableArray.Create(ack));

    public bool IsEmpty => Items.IsDefaultOrEmpty;

    public AckSet Concat(AckSet other) =>
        IsEmpty ? other : other.IsEmpty ? this : new AckSet(Items.AddRange(other.Items));

    /// <summary>Every ack gets <paramref name="parts"/> more holders (a split into n pieces retains n-1).</summary>
    public void RetainAll(int parts = 1)
    {
        if (Items.IsDefaultOrEmpty || parts == 0)
        {
            return;
        }

        foreach (var ack in Items)
        {
            ack.Retain(parts);
        }
    }

    public void ReleaseAll(AckOutcome outcome)
    {
        if (Items.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var ack in Items)
        {
            ack.Release(outcome);
        }
    }
}
