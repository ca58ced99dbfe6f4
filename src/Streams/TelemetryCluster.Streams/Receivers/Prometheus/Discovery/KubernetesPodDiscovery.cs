using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Discovery;

/// <summary>
/// Where the in-cluster defaults come from: <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c> and the service account folder
/// (<c>token</c>, <c>ca.crt</c>, <c>namespace</c>). Tests pass their own.
/// </summary>
public sealed record KubernetesEnvironment(string? ServiceHost, string? ServicePort, string ServiceAccountDir)
{
    public const string DefaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static KubernetesEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"),
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"),
        DefaultServiceAccountDir);
}

/// <summary>
/// <c>kubernetes_sd_configs</c> with role <c>pod</c>: lists the pods (per namespace, or cluster-wide) and follows
/// the watch stream (<c>?watch=1</c>, one JSON event per line) from the list's resourceVersion, relisting when the
/// watch ends or fails. Each pod is one target group with Prometheus' <c>__meta_kubernetes_pod_*</c> labels and one
/// target per container port (a container without ports gives one target with the pod IP alone).
/// </summary>
internal sealed class KubernetesPodDiscovery : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _job;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action _changed;
    private readonly Uri _base;
    private readonly HttpClientAuth _auth;
    private readonly IReadOnlyList<string> _namespaces;
    private readonly string _query;
    private readonly HttpClient _client;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TargetGroup> _groups = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];

    public KubernetesPodDiscovery(string job, KubernetesSdConfig config, KubernetesEnvironment environment, TimeProvider time, ILogger logger, Action changed)
    {
        _job = job;
        _time = time;
        _logger = logger;
        _changed = changed;
        var auth = config.Auth;
        if (config.ApiServer is { } server)
        {
            _base = new Uri(server.TrimEnd('/') + "/");
        }
        else
        {
            if (string.IsNullOrEmpty(environment.ServiceHost) || string.IsNullOrEmpty(environment.ServicePort))
            {
                throw new InvalidOperationException(
                    $"job {job}: kubernetes_sd_configs without api_server needs the in-cluster configuration, but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
            }

            var host = environment.ServiceHost.Contains(':', StringComparison.Ordinal) ? $"[{environment.ServiceHost}]" : environment.ServiceHost;
            _base = new Uri($"https://{host}:{environment.ServicePort}/");
            if (!auth.HasAuthorization && !auth.HasBasic)
            {
                auth = auth with { CredentialsFile = Path.Combine(environment.ServiceAccountDir, "token") };
            }

            if (auth.CaFile is null && !auth.InsecureSkipVerify)
            {
                auth = auth with { CaFile = Path.Combine(environment.ServiceAccountDir, "ca.crt") };
            }
        }

        var namespaces = new List<string>(config.Namespaces);
        if (config.OwnNamespace)
        {
            namespaces.Add(File.ReadAllText(Path.Combine(environment.ServiceAccountDir, "namespace")).Trim());
        }

        _namespaces = namespaces.Count == 0 ? [string.Empty] : namespaces.Distinct(StringComparer.Ordinal).ToList();
        var query = new StringBuilder();
        var labels = config.Selectors.Where(s => s.Label is not null).Select(s => s.Label!).ToList();
        var fields = config.Selectors.Where(s => s.Field is not null).Select(s => s.Field!).ToList();
        if (labels.Count > 0)
        {
            query.Append("&labelSelector=").Append(Uri.EscapeDataString(string.Join(',', labels)));
        }

        if (fields.Count > 0)
        {
            query.Append("&fieldSelector=").Append(Uri.EscapeDataString(string.Join(',', fields)));
        }

        _query = query.ToString();
        _auth = auth;
        _client = ScrapeHttp.CreateClient(auth);
    }

    /// <summary>The current groups (one per pod), in no particular order.</summary>
    public IReadOnlyList<TargetGroup> Groups
    {
        get
        {
            lock (_gate)
            {
                return [.. _groups.Values];
            }
        }
    }

    public void Start()
    {
        foreach (var ns in _namespaces)
        {
            _runs.Add(Task.Run(() => RunAsync(ns, _stop.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_runs).ConfigureAwait(false);
        _client.Dispose();
        _stop.Dispose();
    }

    private Uri PodsUrl(string ns, string extra) =>
        new(_base, (ns.Length == 0 ? "api/v1/pods" : $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods") + "?limit=500" + _query + extra);

    private async Task RunAsync(string ns, CancellationToken cancellationToken)
    {
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var version = await ListAsync(ns, cancellationToken).ConfigureAwait(false);
                backoff = MinBackoff;
                await WatchAsync(ns, version, cancellationToken).ConfigureAwait(false);
                await Task.Delay(MinBackoff, _time, cancellationToken).ConfigureAwait(false); // the watch ended: relist, but not in a tight loop
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException or InvalidOperationException
                or UnauthorizedAccessException or OperationCanceledException or KubernetesApiException)
            {
                PrometheusReceiverLog.DiscoveryFailed(_logger, e, _job, PodsUrl(ns, string.Empty).ToString(), backoff);
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <summary>Lists the pods (following <c>continue</c> tokens) and replaces this namespace's groups; returns the resourceVersion.</summary>
    private async Task<string> ListAsync(string ns, CancellationToken cancellationToken)
    {
        var pods = new Dictionary<string, TargetGroup>(StringComparer.Ordinal);
        string version = string.Empty;
        string? next = null;
        do
        {
            var extra = next is null ? string.Empty : "&continue=" + Uri.EscapeDataString(next);
            using var request = new HttpRequestMessage(HttpMethod.Get, PodsUrl(ns, extra));
            ScrapeHttp.ApplyAuth(request, _auth);
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            using var response = await _client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new KubernetesApiException($"listing pods answered HTTP {(int)response.StatusCode}");
            }

            var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, default, timeout.Token).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.TryGetProperty("metadata", out var meta))
            {
                version = Str(meta, "resourceVersion") ?? version;
                next = Str(meta, "continue");
                next = string.IsNullOrEmpty(next) ? null : next;
            }
            else
            {
                next = null;
            }

            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var pod in items.EnumerateArray())
                {
                    if (ToGroup(pod) is { } group)
                    {
                        pods[group.Source] = group;
                    }
                }
            }
        }
        while (next is not null);

        lock (_gate)
        {
            var prefix = ns.Length == 0 ? string.Empty : "pod/" + ns + "/";
            foreach (var key in _groups.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _groups.Remove(key);
            }

            foreach (var (key, group) in pods)
            {
                _groups[key] = group;
            }
        }

        _changed();
        return version;
    }

    private async Task WatchAsync(string ns, string version, CancellationToken cancellationToken)
    {
        var extra = "&watch=1&allowWatchBookmarks=true" + (version.Length > 0 ? "&resourceVersion=" + Uri.EscapeDataString(version) : string.Empty);
        using var request = new HttpRequestMessage(HttpMethod.Get, PodsUrl(ns, extra));
        ScrapeHttp.ApplyAuth(request, _auth);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new KubernetesApiException($"watching pods answered HTTP {(int)response.StatusCode}");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = Str(root, "type");
            if (!root.TryGetProperty("object", out var pod))
            {
                continue;
            }

            switch (type)
            {
                case "ADDED":
                case "MODIFIED":
                    if (ToGroup(pod) is { } group)
                    {
                        lock (_gate)
                        {
                            _groups[group.Source] = group;
                        }

                        _changed();
                    }

                    break;
                case "DELETED":
                    if (KeyOf(pod) is { } key)
                    {
                        bool removed;
                        lock (_gate)
                        {
                            removed = _groups.Remove(key);
                        }

                        if (removed)
                        {
                            _changed();
                        }
                    }

                    break;
                case "ERROR":
                    throw new KubernetesApiException("watch error: " + (Str(pod, "message") ?? "unknown") + "; relisting");
                default:
                    break; // BOOKMARK
            }
        }
    }

    private static string? KeyOf(JsonElement pod) =>
        pod.TryGetProperty("metadata", out var meta) && Str(meta, "name") is { } name
            ? $"pod/{Str(meta, "namespace") ?? string.Empty}/{name}"
            : null;

    /// <summary>A pod as a target group with Prometheus' meta labels.</summary>
    internal static TargetGroup? ToGroup(JsonElement pod)
    {
        if (pod.ValueKind != JsonValueKind.Object || !pod.TryGetProperty("metadata", out var meta) || Str(meta, "name") is not { } name)
        {
            return null;
        }

        var ns = Str(meta, "namespace") ?? string.Empty;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["__meta_kubernetes_namespace"] = ns,
            ["__meta_kubernetes_pod_name"] = name,
            ["__meta_kubernetes_pod_uid"] = Str(meta, "uid") ?? string.Empty,
        };
        AddMap(labels, meta, "labels", "__meta_kubernetes_pod_label_", "__meta_kubernetes_pod_labelpresent_");
        AddMap(labels, meta, "annotations", "__meta_kubernetes_pod_annotation_", "__meta_kubernetes_pod_annotationpresent_");
        if (meta.TryGetProperty("ownerReferences", out var owners) && owners.ValueKind == JsonValueKind.Array)
        {
            foreach (var owner in owners.EnumerateArray())
            {
                if (owner.TryGetProperty("controller", out var controller) && controller.ValueKind == JsonValueKind.True)
                {
                    labels["__meta_kubernetes_pod_controller_kind"] = Str(owner, "kind") ?? string.Empty;
                    labels["__meta_kubernetes_pod_controller_name"] = Str(owner, "name") ?? string.Empty;
                }
            }
        }

        var podIp = string.Empty;
        var containerIds = new Dictionary<string, string>(StringComparer.Ordinal);
        if (pod.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            podIp = Str(status, "podIP") ?? string.Empty;
            labels["__meta_kubernetes_pod_phase"] = Str(status, "phase") ?? string.Empty;
            labels["__meta_kubernetes_pod_host_ip"] = Str(status, "hostIP") ?? string.Empty;
            var ready = "unknown";
            if (status.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array)
            {
                foreach (var condition in conditions.EnumerateArray())
                {
                    if (Str(condition, "type") == "Ready")
                    {
                        ready = (Str(condition, "status") ?? "unknown").ToLowerInvariant();
                    }
                }
            }

            labels["__meta_kubernetes_pod_ready"] = ready;
            foreach (var field in new[] { "containerStatuses", "initContainerStatuses" })
            {
                if (status.TryGetProperty(field, out var statuses) && statuses.ValueKind == JsonValueKind.Array)
                {
                    foreach (var cs in statuses.EnumerateArray())
                    {
                        if (Str(cs, "name") is { } csName && Str(cs, "containerID") is { } id)
                        {
                            containerIds[csName] = id;
                        }
                    }
                }
            }
        }

        labels["__meta_kubernetes_pod_ip"] = podIp;
        var targets = new List<IReadOnlyDictionary<string, string>>();
        if (pod.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object)
        {
            labels["__meta_kubernetes_pod_node_name"] = Str(spec, "nodeName") ?? string.Empty;
            if (podIp.Length > 0)
            {
                var host = podIp.Contains(':', StringComparison.Ordinal) ? $"[{podIp}]" : podIp;
                AddContainers(targets, spec, "containers", init: false, host, podIp, containerIds);
                AddContainers(targets, spec, "initContainers", init: true, host, podIp, containerIds);
            }
        }

        return new TargetGroup($"pod/{ns}/{name}", targets, labels);
    }

    private static void AddContainers(
        List<IReadOnlyDictionary<string, string>> targets, JsonElement spec, string field, bool init, string host, string podIp, Dictionary<string, string> ids)
    {
        if (!spec.TryGetProperty(field, out var containers) || containers.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var container in containers.EnumerateArray())
        {
            var cname = Str(container, "name") ?? string.Empty;
            var common = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["__meta_kubernetes_pod_container_name"] = cname,
                ["__meta_kubernetes_pod_container_image"] = Str(container, "image") ?? string.Empty,
                ["__meta_kubernetes_pod_container_init"] = init ? "true" : "false",
                ["__meta_kubernetes_pod_container_id"] = ids.TryGetValue(cname, out var id) ? id : string.Empty,
            };
            var anyPort = false;
            if (container.TryGetProperty("ports", out var ports) && ports.ValueKind == JsonValueKind.Array)
            {
                foreach (var port in ports.EnumerateArray())
                {
                    if (!port.TryGetProperty("containerPort", out var number) || !number.TryGetInt32(out var portNumber))
                    {
                        continue;
                    }

                    anyPort = true;
                    var target = new Dictionary<string, string>(common, StringComparer.Ordinal)
                    {
                        [ScrapeTarget.AddressLabel] = host + ":" + portNumber.ToString(CultureInfo.InvariantCulture),
                        ["__meta_kubernetes_pod_container_port_name"] = Str(port, "name") ?? string.Empty,
                        ["__meta_kubernetes_pod_container_port_number"] = portNumber.ToString(CultureInfo.InvariantCulture),
                        ["__meta_kubernetes_pod_container_port_protocol"] = Str(port, "protocol") ?? "TCP",
                    };
                    targets.Add(target);
                }
            }

            if (!anyPort && !init)
            {
                common[ScrapeTarget.AddressLabel] = podIp.Contains(':', StringComparison.Ordinal) ? $"[{podIp}]" : podIp;
                targets.Add(common);
            }
        }
    }

    private static void AddMap(Dictionary<string, string> labels, JsonElement meta, string field, string valuePrefix, string presentPrefix)
    {
        if (!meta.TryGetProperty(field, out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in map.EnumerateObject())
        {
            var name = Sanitize(property.Name);
            labels[valuePrefix + name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            labels[presentPrefix + name] = "true";
        }
    }

    /// <summary>Prometheus' label name sanitising: every character outside <c>[a-zA-Z0-9_]</c> becomes <c>_</c>.</summary>
    internal static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The API server answered with an error status or a watch ERROR event.</summary>
internal sealed class KubernetesApiException(string message) : Exception(message);
