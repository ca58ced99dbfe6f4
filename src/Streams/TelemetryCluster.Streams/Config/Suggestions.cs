namespace TelemetryCluster.Streams.Config;

/// <summary>"Did you mean" for unknown keys: the closest candidate by optimal-string-alignment (Damerau–Levenshtein)
/// distance, offered only when it is close (at most a third of the key's length, at least 1, at most 3 edits), or
/// when the two differ only in case, <c>_</c> and <c>-</c> (<c>sendBatchSize</c> → <c>send_batch_size</c>).</summary>
internal static class Suggestions
{
    public static string? Closest(string key, IEnumerable<string> candidates)
    {
        var normalizedKey = Normalize(key);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (Normalize(candidate) == normalizedKey)
            {
                return candidate;
            }

            var distance = Distance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        var limit = Math.Clamp(key.Length / 3, 1, 3);
        return best is not null && bestDistance <= limit && bestDistance < key.Length ? best : null;
    }

    /// <summary><c> (did you mean "x"?)</c> or the empty string.</summary>
    public static string Hint(string key, IEnumerable<string> candidates) =>
        Closest(key, candidates) is { } match ? $" (did you mean \"{match}\"?)" : string.Empty;

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string Normalize(string s) => s.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
