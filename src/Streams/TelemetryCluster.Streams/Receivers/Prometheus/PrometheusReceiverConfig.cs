using System.Globalization;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.Prometheus.Relabeling;

namespace TelemetryCluster.Streams.Receivers.Prometheus;

/// <summary>
/// The <c>prometheus</c> receiver's config: the collector's <c>config</c> block, which is a Prometheus configuration
/// (<c>global</c>, <c>scrape_configs</c>). Lists of objects are not covered by the defaults schema, so every key of a
/// scrape config (and of its nested blocks) is checked here, with the full path of the offending key.
/// </summary>
public sealed record PrometheusReceiverConfig
{
    public IReadOnlyList<ScrapeConfig> ScrapeConfigs { get; init; } = [];

    public static PrometheusReceiverConfig Bind(ComponentConfigReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var globalInterval = Positive(r, "config.global.scrape_interval", r.GetDuration("config.global.scrape_interval"), TimeSpan.FromMinutes(1));
        var globalTimeout = Positive(r, "config.global.scrape_timeout", r.GetDuration("config.global.scrape_timeout"), TimeSpan.FromSeconds(10));
        var scrapes = new List<ScrapeConfig>();
        var jobs = new HashSet<string>(StringComparer.Ordinal);
        var list = r.GetSectionList("config.scrape_configs");
        for (var i = 0; i < list.Count; i++)
        {
            var scrape = ScrapeConfig.Bind(list[i], globalInterval, globalTimeout);
            if (scrape is null)
            {
                continue;
            }

            if (!jobs.Add(scrape.JobName))
            {
                r.Error($"config.scrape_configs[{i}].job_name", $"found multiple scrape configs with job name \"{scrape.JobName}\"");
                continue;
            }

            scrapes.Add(scrape);
        }

        if (r.GetBool("trim_metric_suffixes"))
        {
            r.Error("trim_metric_suffixes", "trimming metric suffixes is not supported yet");
        }

        if (r.GetBool("use_start_time_metric"))
        {
            r.Error("use_start_time_metric", "use_start_time_metric is not supported yet (start times come from _created series or the first scrape)");
        }

        return new PrometheusReceiverConfig { ScrapeConfigs = scrapes };
    }

    internal static TimeSpan Positive(ComponentConfigReader r, string key, TimeSpan value, TimeSpan fallback)
    {
        if (value > TimeSpan.Zero)
        {
            return value;
        }

        r.Error(key, "must be greater than 0");
        return fallback;
    }
}

/// <summary>One <c>scrape_configs</c> entry (Prometheus names and defaults).</summary>
public sealed record ScrapeConfig
{
    private static readonly HashSet<string> Keys =
    [
        "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params", "honor_labels",
        "honor_timestamps", "static_configs", "relabel_configs", "metric_relabel_configs", "basic_auth", "authorization",
        "bearer_token", "bearer_token_file", "tls_config", "kubernetes_sd_configs", "sample_limit", "body_size_limit",
        "follow_redirects", "enable_http2",
    ];

    public required string JobName { get; init; }

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan ScrapeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string MetricsPath { get; init; } = "/metrics";

    public string Scheme { get; init; } = "http";

    /// <summary>URL query parameters (<c>params: { module: [if_mib] }</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Params { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public bool HonorLabels { get; init; }

    public bool HonorTimestamps { get; init; } = true;

    public IReadOnlyList<StaticTargetGroup> StaticConfigs { get; init; } = [];

    internal IReadOnlyList<RelabelRule> RelabelConfigs { get; init; } = [];

    internal IReadOnlyList<RelabelRule> MetricRelabelConfigs { get; init; } = [];

    public HttpClientAuth Auth { get; init; } = new();

    public IReadOnlyList<KubernetesSdConfig> KubernetesSdConfigs { get; init; } = [];

    /// <summary>More samples than this (after metric relabeling) fail the scrape; 0 = no limit.</summary>
    public int SampleLimit { get; init; }

    /// <summary>A larger (uncompressed) body fails the scrape; 0 = no limit.</summary>
    public long BodySizeLimit { get; init; }

    public bool FollowRedirects { get; init; } = true;

    internal static ScrapeConfig? Bind(ComponentConfigReader r, TimeSpan globalInterval, TimeSpan globalTimeout)
    {
        CheckKeys(r, "", Keys);
        var job = Opt(r, "job_name");
        if (string.IsNullOrEmpty(job))
        {
            r.Error("job_name", "job_name is required");
            return null;
        }

        var interval = r.HasValue("scrape_interval") ? PrometheusReceiverConfig.Positive(r, "scrape_interval", r.GetDuration("scrape_interval"), globalInterval) : globalInterval;
        var timeout = r.HasValue("scrape_timeout") ? PrometheusReceiverConfig.Positive(r, "scrape_timeout", r.GetDuration("scrape_timeout"), globalTimeout) : globalTimeout;
        if (timeout > interval)
        {
            if (r.HasValue("scrape_timeout"))
            {
                r.Error("scrape_timeout", $"scrape timeout {Durations(timeout)} greater than scrape interval {Durations(interval)} for job \"{job}\"");
            }

            timeout = interval;
        }

        var scheme = Opt(r, "scheme") ?? "http";
        if (scheme is not ("http" or "https"))
        {
            r.Error("scheme", $"invalid scheme \"{scheme}\" (http or https)");
            scheme = "http";
        }

        var path = Opt(r, "metrics_path") ?? "/metrics";
        if (!path.StartsWith('/'))
        {
            r.Error("metrics_path", $"metrics_path must start with '/', got \"{path}\"");
        }

        var parameters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in r.GetKeys("params"))
        {
            parameters[name] = r.GetStringList("params." + name);
        }

        var statics = new List<StaticTargetGroup>();
        if (r.HasValue("static_configs"))
        {
            var groups = r.GetSectionList("static_configs");
            for (var i = 0; i < groups.Count; i++)
            {
                statics.Add(StaticTargetGroup.Bind(groups[i], $"static/{i}"));
            }
        }

        var sds = new List<KubernetesSdConfig>();
        if (r.HasValue("kubernetes_sd_configs"))
        {
            foreach (var sd in r.GetSectionList("kubernetes_sd_configs"))
            {
                if (KubernetesSdConfig.Bind(sd) is { } config)
                {
                    sds.Add(config);
                }
            }
        }

        var sampleLimit = r.HasValue("sample_limit") ? r.GetInt("sample_limit", 0) : 0;
        var bodyLimit = r.HasValue("body_size_limit") ? r.GetByteSize("body_size_limit") : 0;
        return new ScrapeConfig
        {
            JobName = job,
            ScrapeInterval = interval,
            ScrapeTimeout = timeout,
            MetricsPath = path,
            Scheme = scheme,
            Params = parameters,
            HonorLabels = r.HasValue("honor_labels") && r.GetBool("honor_labels"),
            HonorTimestamps = !r.HasValue("honor_timestamps") || r.GetBool("honor_timestamps"),
            StaticConfigs = statics,
            RelabelConfigs = BindRelabel(r, "relabel_configs"),
            MetricRelabelConfigs = BindRelabel(r, "metric_relabel_configs"),
            Auth = HttpClientAuth.Bind(r, ""),
            KubernetesSdConfigs = sds,
            SampleLimit = sampleLimit,
            BodySizeLimit = bodyLimit,
            FollowRedirects = !r.HasValue("follow_redirects") || r.GetBool("follow_redirects"),
        };
    }

    private static string Durations(TimeSpan t) => t.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";

    internal static IReadOnlyList<RelabelRule> BindRelabel(ComponentConfigReader r, string key)
    {
        if (!r.HasValue(key))
        {
            return [];
        }

        var rules = new List<RelabelRule>();
        foreach (var item in r.GetSectionList(key))
        {
            CheckKeys(item, "", ["source_labels", "separator", "target_label", "regex", "modulus", "replacement", "action"]);
            var actionText = Opt(item, "action") ?? "replace";
            if (!RelabelRule.TryParseAction(actionText, out var action))
            {
                item.Error("action", $"unknown relabel action \"{actionText}\" (replace keep drop keepequal dropequal hashmod labelmap labeldrop labelkeep lowercase uppercase)");
                continue;
            }

            var sources = item.HasValue("source_labels") ? item.GetStringList("source_labels") : [];
            var regex = item.HasValue("regex") ? item.GetString("regex") : RelabelRule.DefaultRegex;
            var rule = new RelabelRule
            {
                Action = action,
                SourceLabels = sources,
                Separator = item.HasValue("separator") ? item.GetString("separator") : ";",
                TargetLabel = Opt(item, "target_label"),
                RegexText = regex,
                Modulus = item.HasValue("modulus") ? (ulong)item.GetLong("modulus", 0) : 0,
                Replacement = item.HasValue("replacement") ? item.GetString("replacement") : "$1",
            };
            try
            {
                _ = rule.Regex;
            }
            catch (ArgumentException e)
            {
                item.Error("regex", $"invalid regular expression \"{regex}\": {e.Message}");
                continue;
            }

            var needsTarget = action is RelabelAction.Replace or RelabelAction.HashMod or RelabelAction.KeepEqual
                or RelabelAction.DropEqual or RelabelAction.Lowercase or RelabelAction.Uppercase;
            if (needsTarget && string.IsNullOrEmpty(rule.TargetLabel))
            {
                item.Error("target_label", $"relabel configuration for {actionText} action requires 'target_label' value");
                continue;
            }

            if (action is RelabelAction.LabelDrop or RelabelAction.LabelKeep or RelabelAction.LabelMap
                && item.HasValue("source_labels") && sources.Count > 0)
            {
                item.Error("source_labels", $"{actionText} action requires only 'regex', and no other fields");
                continue;
            }

            if (action == RelabelAction.HashMod && rule.Modulus == 0)
            {
                item.Error("modulus", "relabel configuration for hashmod requires non-zero modulus");
                continue;
            }

            if (action is RelabelAction.Lowercase or RelabelAction.Uppercase or RelabelAction.KeepEqual or RelabelAction.DropEqual
                && rule.TargetLabel is { } t && !RelabelRule.IsValidLabelName(t))
            {
                item.Error("target_label", $"\"{t}\" is invalid 'target_label' for {actionText} action");
                continue;
            }

            rules.Add(rule);
        }

        return rules;
    }

    internal static string? Opt(ComponentConfigReader r, string key)
    {
        var value = r.GetOptionalString(key);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Reports every key of the section at <paramref name="prefix"/> that is not in <paramref name="allowed"/>.</summary>
    internal static void CheckKeys(ComponentConfigReader r, string prefix, IReadOnlyCollection<string> allowed)
    {
        foreach (var key in r.GetKeys(prefix))
        {
            if (!allowed.Contains(key))
            {
                var hint = Suggestions.Hint(key, allowed);
                r.Error(prefix.Length == 0 ? key : $"{prefix}.{key}", $"unknown key \"{key}\"{hint}");
            }
        }
    }
}

/// <summary>A <c>static_configs</c> entry: targets (host:port) and labels added to each.</summary>
public sealed record StaticTargetGroup
{
    public string Source { get; init; } = string.Empty;

    public IReadOnlyList<string> Targets { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    internal static StaticTargetGroup Bind(ComponentConfigReader r, string source)
    {
        ScrapeConfig.CheckKeys(r, "", ["targets", "labels"]);
        var targets = r.HasValue("targets") ? r.GetStringList("targets") : [];
        var labels = r.HasValue("labels") ? r.GetStringMap("labels") : new Dictionary<string, string>();
        foreach (var name in labels.Keys)
        {
            if (!RelabelRule.IsValidLabelName(name))
            {
                r.Error("labels." + name, $"\"{name}\" is not a valid label name");
            }
        }

        return new StaticTargetGroup { Source = source, Targets = targets, Labels = labels };
    }
}

/// <summary>HTTP client settings of a scrape config or an SD config: basic or bearer auth and TLS.</summary>
public sealed record HttpClientAuth
{
    public string? BasicUsername { get; init; }

    public string? BasicPassword { get; init; }

    public string? BasicPasswordFile { get; init; }

    /// <summary>The <c>Authorization</c> scheme (<c>Bearer</c> by default) when credentials are set.</summary>
    public string AuthorizationType { get; init; } = "Bearer";

    public string? Credentials { get; init; }

    public string? CredentialsFile { get; init; }

    public string? CaFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    public string? ServerName { get; init; }

    public bool InsecureSkipVerify { get; init; }

    public bool HasBasic => BasicUsername is not null;

    public bool HasAuthorization => Credentials is not null || CredentialsFile is not null;

    internal static HttpClientAuth Bind(ComponentConfigReader r, string prefix)
    {
        string P(string key) => prefix.Length == 0 ? key : prefix + "." + key;
        var auth = new HttpClientAuth();
        if (r.HasValue(P("basic_auth")))
        {
            ScrapeConfig.CheckKeys(r, P("basic_auth"), ["username", "password", "password_file"]);
            auth = auth with
            {
                BasicUsername = r.GetOptionalString(P("basic_auth.username")) ?? string.Empty,
                BasicPassword = ScrapeConfig.Opt(r, P("basic_auth.password")),
                BasicPasswordFile = ScrapeConfig.Opt(r, P("basic_auth.password_file")),
            };
            if (auth.BasicPassword is not null && auth.BasicPasswordFile is not null)
            {
                r.Error(P("basic_auth"), "at most one of basic_auth password & password_file must be configured");
            }
        }

        if (r.HasValue(P("authorization")))
        {
            ScrapeConfig.CheckKeys(r, P("authorization"), ["type", "credentials", "credentials_file"]);
            auth = auth with
            {
                AuthorizationType = ScrapeConfig.Opt(r, P("authorization.type")) ?? "Bearer",
                Credentials = ScrapeConfig.Opt(r, P("authorization.credentials")),
                CredentialsFile = ScrapeConfig.Opt(r, P("authorization.credentials_file")),
            };
            if (string.Equals(auth.AuthorizationType, "basic", StringComparison.OrdinalIgnoreCase))
            {
                r.Error(P("authorization.type"), "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
            }
        }

        if (ScrapeConfig.Opt(r, P("bearer_token")) is { } token)
        {
            auth = auth with { Credentials = token };
        }

        if (ScrapeConfig.Opt(r, P("bearer_token_file")) is { } tokenFile)
        {
            auth = auth with { CredentialsFile = tokenFile };
        }

        if (auth.HasBasic && auth.HasAuthorization)
        {
            r.Error(P("basic_auth"), "at most one of basic_auth, authorization and bearer_token(_file) must be configured");
        }

        if (auth.Credentials is not null && auth.CredentialsFile is not null)
        {
            r.Error(P("authorization"), "at most one of credentials and credentials_file must be configured");
        }

        if (r.HasValue(P("tls_config")))
        {
            ScrapeConfig.CheckKeys(r, P("tls_config"), ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version"]);
            auth = auth with
            {
                CaFile = ScrapeConfig.Opt(r, P("tls_config.ca_file")),
                CertFile = ScrapeConfig.Opt(r, P("tls_config.cert_file")),
                KeyFile = ScrapeConfig.Opt(r, P("tls_config.key_file")),
                ServerName = ScrapeConfig.Opt(r, P("tls_config.server_name")),
                InsecureSkipVerify = r.HasValue(P("tls_config.insecure_skip_verify")) && r.GetBool(P("tls_config.insecure_skip_verify")),
            };
            if ((auth.CertFile is null) != (auth.KeyFile is null))
            {
                r.Error(P("tls_config"), "client cert file and key file must be configured together");
            }

            foreach (var (key, file) in new[] { ("ca_file", auth.CaFile), ("cert_file", auth.CertFile), ("key_file", auth.KeyFile) })
            {
                if (file is not null && !File.Exists(file))
                {
                    r.Error(P("tls_config." + key), $"file \"{file}\" does not exist");
                }
            }
        }

        return auth;
    }
}

/// <summary>One <c>kubernetes_sd_configs</c> entry (role <c>pod</c>).</summary>
public sealed record KubernetesSdConfig
{
    public string Role { get; init; } = "pod";

    /// <summary>Null = in-cluster (KUBERNETES_SERVICE_HOST/PORT and the service account files).</summary>
    public string? ApiServer { get; init; }

    /// <summary>Empty = all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public bool OwnNamespace { get; init; }

    public IReadOnlyList<KubernetesSelector> Selectors { get; init; } = [];

    public HttpClientAuth Auth { get; init; } = new();

    internal static KubernetesSdConfig? Bind(ComponentConfigReader r)
    {
        ScrapeConfig.CheckKeys(r, "", ["role", "api_server", "namespaces", "selectors", "basic_auth", "authorization", "bearer_token",
            "bearer_token_file", "tls_config", "kubeconfig_file", "follow_redirects", "enable_http2", "attach_metadata"]);
        var role = ScrapeConfig.Opt(r, "role");
        if (role is null)
        {
            r.Error("role", "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
            return null;
        }

        if (role != "pod")
        {
            r.Error("role", $"role \"{role}\" is not supported yet (supported: pod)");
            return null;
        }

        if (ScrapeConfig.Opt(r, "kubeconfig_file") is not null)
        {
            r.Error("kubeconfig_file", "kubeconfig_file is not supported; set api_server (and tls_config / bearer_token_file) or run in-cluster");
        }

        var apiServer = ScrapeConfig.Opt(r, "api_server");
        if (apiServer is not null && !Uri.TryCreate(apiServer, UriKind.Absolute, out _))
        {
            r.Error("api_server", $"invalid URL \"{apiServer}\"");
            apiServer = null;
        }

        var names = new List<string>();
        var own = false;
        if (r.HasValue("namespaces"))
        {
            ScrapeConfig.CheckKeys(r, "namespaces", ["names", "own_namespace"]);
            if (r.HasValue("namespaces.names"))
            {
                names.AddRange(r.GetStringList("namespaces.names"));
            }

            own = r.HasValue("namespaces.own_namespace") && r.GetBool("namespaces.own_namespace");
        }

        var selectors = new List<KubernetesSelector>();
        if (r.HasValue("selectors"))
        {
            foreach (var s in r.GetSectionList("selectors"))
            {
                ScrapeConfig.CheckKeys(s, "", ["role", "label", "field"]);
                var selectorRole = ScrapeConfig.Opt(s, "role");
                if (selectorRole != "pod")
                {
                    s.Error("role", $"selector role \"{selectorRole}\" is not valid for the discovery role \"pod\"");
                    continue;
                }

                selectors.Add(new KubernetesSelector(ScrapeConfig.Opt(s, "label"), ScrapeConfig.Opt(s, "field")));
            }
        }

        return new KubernetesSdConfig
        {
            Role = role,
            ApiServer = apiServer,
            Namespaces = names,
            OwnNamespace = own,
            Selectors = selectors,
            Auth = HttpClientAuth.Bind(r, ""),
        };
    }
}

/// <summary>A label and/or field selector sent with the list and watch requests.</summary>
public sealed record KubernetesSelector(string? Label, string? Field);
