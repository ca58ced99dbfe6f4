using System.Globalization;
using System.Text;
using TelemetryCluster.Streams.Receivers.Prometheus.Relabeling;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

/// <summary>A group of targets from static config or discovery: addresses plus labels shared by every target.</summary>
internal sealed record TargetGroup(string Source, IReadOnlyList<IReadOnlyDictionary<string, string>> Targets, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// One target after <c>relabel_configs</c>: the URL to scrape, its final labels (no <c>__</c> labels left) and the
/// ownership key that the cluster partitions on (<c>job</c> + URL).
/// </summary>
internal sealed record ScrapeTarget(string Key, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Labels, string Job, string Instance, string Scheme)
{
    public const string AddressLabel = "__address__";
    public const string SchemeLabel = "__scheme__";
    public const string MetricsPathLabel = "__metrics_path__";
    public const string ParamPrefix = "__param_";

    /// <summary>
    /// Prometheus' PopulateLabels: group and target labels, the job's defaults (<c>job</c>, <c>__scheme__</c>,
    /// <c>__metrics_path__</c>, <c>__param_*</c>, <c>__scrape_interval__</c>, <c>__scrape_timeout__</c>), then
    /// <c>relabel_configs</c>. Null when relabeling drops the target; <paramref name="error"/> is set when the result
    /// is unusable (no or bad <c>__address__</c>).
    /// </summary>
    public static ScrapeTarget? Create(ScrapeConfig config, IReadOnlyDictionary<string, string> groupLabels, IReadOnlyDictionary<string, string> targetLabels, out string? error)
    {
        error = null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in groupLabels)
        {
            labels[k] = v;
        }

        foreach (var (k, v) in targetLabels)
        {
            labels[k] = v;
        }

        labels.TryAdd("job", config.JobName);
        labels.TryAdd("__scrape_interval__", Go(config.ScrapeInterval));
        labels.TryAdd("__scrape_timeout__", Go(config.ScrapeTimeout));
        labels.TryAdd(MetricsPathLabel, config.MetricsPath);
        labels.TryAdd(SchemeLabel, config.Scheme);
        foreach (var (name, values) in config.Params)
        {
            if (values.Count > 0)
            {
                labels.TryAdd(ParamPrefix + name, values[0]);
            }
        }

        if (!RelabelRule.Apply(config.RelabelConfigs, labels))
        {
            return null;
        }

        if (!labels.TryGetValue(AddressLabel, out var address) || address.Length == 0)
        {
            error = "no address";
            return null;
        }

        var scheme = labels.TryGetValue(SchemeLabel, out var s) && s.Length > 0 ? s : config.Scheme;
        if (scheme is not ("http" or "https"))
        {
            error = $"invalid scheme \"{scheme}\"";
            return null;
        }

        address = WithDefaultPort(address, scheme);
        if (address.Contains('/', StringComparison.Ordinal) || !Uri.TryCreate($"{scheme}://{address}", UriKind.Absolute, out _))
        {
            error = $"invalid address \"{address}\"";
            return null;
        }

        if (!labels.TryGetValue("instance", out var instance) || instance.Length == 0)
        {
            instance = address;
            labels["instance"] = instance;
        }

        var path = labels.TryGetValue(MetricsPathLabel, out var p) && p.Length > 0 ? p : config.MetricsPath;
        var query = new StringBuilder();
        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in config.Params)
        {
            parameters[name] = [.. values];
        }

        foreach (var (name, value) in labels)
        {
            if (name.StartsWith(ParamPrefix, StringComparison.Ordinal))
            {
                var param = name[ParamPrefix.Length..];
                if (parameters.TryGetValue(param, out var existing) && existing.Count > 0)
                {
                    existing[0] = value;
                }
                else
                {
                    parameters[param] = [value];
                }
            }
        }

        foreach (var (name, values) in parameters)
        {
            foreach (var value in values)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        if (!Uri.TryCreate($"{scheme}://{address}{path}{query}", UriKind.Absolute, out var url))
        {
            error = $"invalid URL {scheme}://{address}{path}{query}";
            return null;
        }

        var final = new List<KeyValuePair<string, string>>(labels.Count);
        foreach (var (name, value) in labels)
        {
            if (!name.StartsWith("__", StringComparison.Ordinal) && value.Length > 0)
            {
                final.Add(new(name, value));
            }
        }

        final.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var job = labels.TryGetValue("job", out var j) ? j : string.Empty;
        return new ScrapeTarget($"{config.JobName}|{url}", url, final, job, instance, scheme);
    }

    /// <summary>Same URL and labels (the loop of an unchanged target keeps running across discovery updates).</summary>
    public bool SameAs(ScrapeTarget other) =>
        Key == other.Key && Job == other.Job && Instance == other.Instance && Labels.SequenceEqual(other.Labels);

    /// <summary>Prometheus 2.x adds the scheme's default port to an address without one.</summary>
    private static string WithDefaultPort(string address, string scheme)
    {
        var lastColon = address.LastIndexOf(':');
        var closeBracket = address.LastIndexOf(']');
        if (lastColon > closeBracket && lastColon >= 0)
        {
            return address;
        }

        if (closeBracket < 0 && address.Count(c => c == ':') > 1)
        {
            address = "[" + address + "]"; // a bare IPv6 address
        }

        return address + (scheme == "https" ? ":443" : ":80");
    }

    private static string Go(TimeSpan t) =>
        t.TotalSeconds % 60 == 0 && t.TotalMinutes >= 1 ? ((int)t.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m"
        : t.TotalMilliseconds % 1000 == 0 ? ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
        : ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>host and port of an address (the collector's <c>server.address</c> / <c>server.port</c>).</summary>
    public static (string Host, string? Port) SplitHostPort(string address)
    {
        var lastColon = address.LastIndexOf(':');
        var closeBracket = address.LastIndexOf(']');
        if (lastColon < 0 || lastColon < closeBracket)
        {
            return (address.Trim('[', ']'), null);
        }

        return (address[..lastColon].Trim('[', ']'), address[(lastColon + 1)..]);
    }
}
