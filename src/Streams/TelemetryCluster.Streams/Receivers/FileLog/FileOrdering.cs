using System.Globalization;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// <c>ordering_criteria</c>: files whose name matches <c>regex</c> are grouped by <c>group_by</c>, sorted by the
/// <c>sort_by</c> rules (first rule first) and only the <c>top_n</c> of each group are kept. <c>timestamp</c> sorts
/// the captured text (sortable layouts such as %Y%m%d%H sort correctly as text).
/// </summary>
internal static class FileOrdering
{
    public static List<(string Path, FileStat Stat)> Apply(OrderingCriteria criteria, List<(string Path, FileStat Stat)> files)
    {
        var groups = new Dictionary<string, List<((string Path, FileStat Stat) File, System.Text.RegularExpressions.Match? Match)>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            System.Text.RegularExpressions.Match? match = null;
            if (criteria.Regex is not null)
            {
                match = criteria.Regex.Match(Path.GetFileName(file.Path));
                if (!match.Success)
                {
                    match = criteria.Regex.Match(file.Path);
                }

                if (!match.Success)
                {
                    continue;
                }
            }

            var group = criteria.GroupBy is { } name && match is not null ? match.Groups[name].Value : string.Empty;
            if (!groups.TryGetValue(group, out var list))
            {
                groups[group] = list = [];
            }

            list.Add((file, match));
        }

        var result = new List<(string, FileStat)>();
        foreach (var list in groups.Values)
        {
            list.Sort((a, b) =>
            {
                foreach (var rule in criteria.SortBy)
                {
                    var order = Compare(rule, a, b);
                    if (order != 0)
                    {
                        return rule.Ascending ? order : -order;
                    }
                }

                return 0;
            });
            result.AddRange(list.Take(Math.Max(criteria.TopN, 1)).Select(x => x.File));
        }

        return result;
    }

    private static int Compare(SortRule rule, ((string Path, FileStat Stat) File, System.Text.RegularExpressions.Match? Match) a, ((string Path, FileStat Stat) File, System.Text.RegularExpressions.Match? Match) b)
    {
        if (rule.SortType == "mtime")
        {
            return a.File.Stat.MtimeTicks.CompareTo(b.File.Stat.MtimeTicks);
        }

        var left = rule.RegexKey is { } key ? a.Match?.Groups[key].Value ?? string.Empty : string.Empty;
        var right = rule.RegexKey is { } key2 ? b.Match?.Groups[key2].Value ?? string.Empty : string.Empty;
        if (rule.SortType == "numeric")
        {
            var l = long.TryParse(left, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : long.MinValue;
            var r = long.TryParse(right, NumberStyles.Integer, CultureInfo.InvariantCulture, out var y) ? y : long.MinValue;
            return l.CompareTo(r);
        }

        return string.CompareOrdinal(left, right);
    }
}
