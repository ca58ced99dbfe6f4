namespace TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

/// <summary>A 64-bit hash that is the same in every process and run (FNV-1a over UTF-16 code units, then a SplitMix64 finaliser).</summary>
public static class StableHash
{
    public static ulong Of(ReadOnlySpan<char> text, ulong seed = 0)
    {
        var hash = 14695981039346656037UL ^ seed;
        foreach (var c in text)
        {
            hash ^= (byte)c;
            hash *= 1099511628211UL;
            hash ^= (byte)(c >> 8);
            hash *= 1099511628211UL;
        }

        return Mix(hash);
    }

    /// <summary>SplitMix64's finaliser: spreads FNV's weak low bits over the whole word.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
