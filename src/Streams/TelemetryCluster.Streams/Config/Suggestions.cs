namespace TelemetryCluster.Streams.Config;

/// <summary>"Did you mean" for unknown keys: the closest candidate by optimal-string-alignment (Damerau–Levenshtein)
/// distance, offered only when it is close (at most a third of the key's length, at least 1, at most 3 edits), when
/// one is a prefix of the other (at least 4 characters: a unit suffix left off), or when the two differ only in case,
/// <c>_</c> and <c>-</c> (<c>sendBatchSize</c> → <c>send_batch_size</c>).</summary>
internal static class Suggestions
{
    public static string? Closest(string key, IEnumerable<string> candidates)
    {
        var normalizedKey = Normalize(key);
        var limit = Math.Clamp(key.Length / 3, 1, 3);
        string? best = null;
        (int Effective, int Distance) bestScore = (int.MaxValue, int.MaxValue);
        foreach (var candidate in candidates)
        {
            var normalized = Normalize(candidate);
            if (normalized == normalizedKey)
            {
                return candidate;
            }

            var distance = Distance(key.ToLowerInvariant(), candidate.ToLowerInvariant());

            // A unit suffix left off or added (max_recv_msg_size → max_recv_msg_size_mib) counts as close.
            var prefix = Math.Min(normalized.Length, normalizedKey.Length) >= 4 &&
                         (normalized.StartsWith(normalizedKey, StringComparison.Ordinal) || normalizedKey.StartsWith(normalized, StringComparison.Ordinal));
            var score = (prefix ? Math.Min(distance, limit) : distance, distance);
            if (score.CompareTo(bestScore) < 0)
            {
                bestScore = score;
                best = candidate;
            }
        }

        return best is not null && bestScore.Effective <= limit && bestScore.Distance < Math.Max(key.Length, 2) ? best : null;
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
