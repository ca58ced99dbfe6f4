using System.Globalization;
using System.Text.Json.Nodes;
using TelemetryCluster.Nodes.Hosting;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Testing;
using AkkaConfig = Akka.Configuration.Config;

namespace TelemetryCluster.Nodes.Tests.Kubernetes;

/// <summary>
/// Renders <c>kubectl kustomize k8s/</c> (and the base with the <c>k8s/keda</c> component) and checks the objects
/// against what the node listens on and how it stops; the ConfigMap's config is validated by the real node binary.
/// kubectl must be installed: a missing kubectl fails these tests.
/// </summary>
public sealed class KustomizeTests
{
    /// <summary>Every port the node listens on (DESIGN.md §8), by the container port name the manifests use.</summary>
    public static readonly IReadOnlyDictionary<string, int> NodePorts = new SortedDictionary<string, int>(StringComparer.Ordinal)
    {
        ["otlp-grpc"] = 4317,
        ["otlp-http"] = 4318,
        ["prom"] = 8889,
        ["telemetry"] = 8888,
        ["health"] = 13133,
        ["management"] = 8558,
        ["remoting"] = 4053,
    };

    private const string AppName = "telemetry-cluster";
    private const string NameLabel = "app.kubernetes.io/name";
    private const string DeploymentName = "telemetry-cluster";
    private const string ServiceName = "telemetry-cluster";
    private const string HeadlessServiceName = "telemetry-cluster-headless";
    private const string ConfigMapPrefix = "telemetry-cluster-config";

    /// <summary>What the downward API gives the pod in these tests.</summary>
    private static readonly IReadOnlyDictionary<string, string> FieldRefValues = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["status.podIP"] = "10.244.1.17",
        ["metadata.namespace"] = "telemetry-test",
        ["metadata.name"] = "telemetry-cluster-5d8c7b9f6-x2x7q",
        ["status.hostIP"] = "10.0.0.2",
        ["spec.nodeName"] = "node-1",
    };

    private static readonly TimeSpan ValidateTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<Task<Manifests>> Base = new(() => Manifests.RenderAsync(Repository.K8s));

    private static readonly Lazy<Task<Manifests>> WithKeda = new(RenderWithKedaAsync);

    [Fact]
    public async Task The_base_renders_exactly_the_expected_objects()
    {
        var manifests = await Base.Value;
        var names = manifests.Objects.Select(o => o.Kind == "ConfigMap" && o.Name.StartsWith(ConfigMapPrefix + "-", StringComparison.Ordinal)
            ? $"ConfigMap/{ConfigMapPrefix}-<hash>"
            : o.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                $"ConfigMap/{ConfigMapPrefix}-<hash>",
                $"Deployment/{DeploymentName}",
                $"PodDisruptionBudget/{AppName}",
                $"Service/{ServiceName}",
                $"Service/{HeadlessServiceName}",
                $"ServiceAccount/{AppName}",
            ],
            names);

        // No KEDA object in the base: `kubectl apply -k k8s/` must work on a cluster without the KEDA CRDs.
        Assert.DoesNotContain(manifests.Objects, o => o.Body["apiVersion"]!.String().StartsWith("keda.sh/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_object_carries_the_name_label()
    {
        foreach (var manifests in new[] { await Base.Value, await WithKeda.Value })
        {
            foreach (var o in manifests.Objects)
            {
                Assert.True(o.Labels[NameLabel]?.String() == AppName, $"{o} lacks {NameLabel}={AppName}: {o.Labels.ToJsonString()}");
            }
        }
    }

    [Fact]
    public async Task The_deployment_rolls_one_pod_at_a_time_with_three_replicas()
    {
        var spec = Deployment(await Base.Value).Body.At("spec");
        Assert.Equal(3, spec.At("replicas").Long());
        Assert.Equal("RollingUpdate", spec.At("strategy", "type").String());
        Assert.Equal("1", spec.At("strategy", "rollingUpdate", "maxSurge").String());
        Assert.Equal("0", spec.At("strategy", "rollingUpdate", "maxUnavailable").String());
    }

    [Fact]
    public async Task The_grace_period_outlasts_the_node_shutdown()
    {
        var manifests = await Base.Value;
        var pod = Deployment(manifests).Body.At("spec", "template", "spec");
        var grace = TimeSpan.FromSeconds(pod.At("terminationGracePeriodSeconds").Long());

        // What the node itself waits for on SIGTERM, computed by its own code from the ConfigMap's config.
        var config = LoadNodeConfig(manifests);
        var drainTimeout = config.GetTimeSpan("cluster.drain-timeout");
        var plan = ShutdownPlan.Compute(drainTimeout, NodeSettings.FromConfig(config, drainTimeout).Akka);
        var preStop = PreStopSleep(Container(manifests));
        var needed = preStop + plan.HostShutdownTimeout;

        Assert.True(plan.HostShutdownTimeout >= TimeSpan.FromSeconds(105), $"host shutdown timeout {plan.HostShutdownTimeout}");
        Assert.True(
            grace > needed,
            $"terminationGracePeriodSeconds {grace.TotalSeconds} must be above preStop {preStop.TotalSeconds}s + the node's shutdown timeout {plan.HostShutdownTimeout.TotalSeconds}s");
    }

    [Fact]
    public async Task The_container_declares_every_port_the_node_listens_on_by_name()
    {
        var ports = ContainerPorts(Container(await Base.Value));
        Assert.Equal(NodePorts.OrderBy(p => p.Key, StringComparer.Ordinal), ports.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_config_listens_on_the_container_ports()
    {
        var manifests = await Base.Value;
        var ports = ContainerPorts(Container(manifests));
        var config = LoadNodeConfig(manifests);

        AssertListens(config, "receivers.otlp.protocols.grpc.endpoint", ports["otlp-grpc"]);
        AssertListens(config, "receivers.otlp.protocols.http.endpoint", ports["otlp-http"]);
        AssertListens(config, "extensions.health_check.endpoint", ports["health"]);
        AssertListens(config, "service.telemetry.metrics.address", ports["telemetry"]);
        Assert.Contains("health_check", config.GetStringList("service.extensions"));

        // Remoting binds every interface and advertises the pod IP on the container's remoting port.
        Assert.Equal("0.0.0.0", Text(config, "cluster.hostname"));
        Assert.Equal(FieldRefValues["status.podIP"], Text(config, "cluster.public-hostname"));
        Assert.Equal(ports["remoting"], config.GetInt("cluster.port"));
        var publicPort = Text(config, "cluster.public-port");
        Assert.True(publicPort is null || int.Parse(publicPort, CultureInfo.InvariantCulture) == ports["remoting"], $"cluster.public-port = {publicPort}");

        // Management: default endpoint public-hostname:8558, or an explicit one on the management port.
        var management = Text(config, "cluster.management.endpoint");
        if (management is not null)
        {
            Assert.Equal(ports["management"], Json.Endpoint(management).Port);
        }
        else
        {
            Assert.Equal(8558, ports["management"]);
        }

        // A prometheus exporter, once configured, serves on the prom port.
        foreach (var exporter in ComponentIds(config, "exporters").Where(id => id.Split('/')[0] == "prometheus"))
        {
            AssertListens(config, $"exporters.\"{exporter}\".endpoint", ports["prom"]);
        }
    }

    [Fact]
    public async Task The_config_forms_the_cluster_through_bootstrap_on_the_headless_service()
    {
        var manifests = await Base.Value;
        var ports = ContainerPorts(Container(manifests));
        var config = LoadNodeConfig(manifests);

        Assert.True(config.GetBoolean("cluster.bootstrap.enabled"), "cluster.bootstrap.enabled");
        Assert.Equal("dns", Text(config, "cluster.bootstrap.discovery"));
        Assert.Equal(
            $"{HeadlessServiceName}.{FieldRefValues["metadata.namespace"]}.svc.cluster.local",
            Text(config, "cluster.bootstrap.service-name"));
        Assert.Equal(ports["management"], config.GetInt("cluster.bootstrap.contact-point-port"));
        var required = config.GetInt("cluster.bootstrap.required-contact-points");
        Assert.InRange(required, 2, Deployment(manifests).Body.At("spec", "replicas").Long());

        // Bootstrap and static seed nodes exclude each other.
        Assert.Empty(config.GetStringList("cluster.seed-nodes") ?? []);
    }

    [Fact]
    public async Task The_configmap_config_is_valid_for_the_node()
    {
        var manifests = await Base.Value;
        var (_, key, text) = NodeConfigMap(manifests);
        var directory = Directory.CreateTempSubdirectory("telemetry-cluster-k8s-");
        try
        {
            var file = Path.Combine(directory.FullName, key);
            await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);
            var environment = PodEnvironment(Container(manifests)).ToDictionary(p => p.Key, string? (p) => p.Value);
            using var node = NodeProcess.StartNode(["validate", "--config", file], environment);
            var exitCode = await node.WaitForExitAsync(ValidateTimeout, TestContext.Current.CancellationToken);
            Assert.True(
                exitCode == 0,
                $"the node rejects the ConfigMap's {key} (environment: {string.Join(", ", environment.Select(p => $"{p.Key}={p.Value}"))}).\n{node.Describe()}");
            Assert.Contains(node.Lines, l => l.Text == "configuration is valid");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_config_uses_only_variables_the_deployment_sets()
    {
        var warnings = new List<string>();
        LoadNodeConfig(await Base.Value, warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task The_deployment_runs_the_configmap_config()
    {
        var manifests = await Base.Value;
        var (configMap, key, _) = NodeConfigMap(manifests);
        var pod = Deployment(manifests).Body.At("spec", "template", "spec");
        var container = Container(manifests);

        var volume = pod.At("volumes").Objects().Single(v => v.Find("configMap", "name")?.String() == configMap.Name);
        var mount = container.At("volumeMounts").Objects().Single(m => m.At("name").String() == volume.At("name").String());
        var args = container.At("args").AsArray().Select(a => a!.String()).ToList();
        Assert.Equal(["run", "--config", $"{mount.At("mountPath").String()}/{key}"], args);

        var image = ReadKustomizationImage();
        Assert.Equal($"{image.NewName}:{image.NewTag}", container.At("image").String());
    }

    [Fact]
    public async Task The_probes_ask_livez_and_readyz_on_the_health_port()
    {
        var manifests = await Base.Value;
        var container = Container(manifests);
        var ports = ContainerPorts(container);
        var config = LoadNodeConfig(manifests);
        var healthPort = Json.Endpoint(Text(config, "extensions.health_check.endpoint")!).Port;

        foreach (var (probe, path) in new[] { ("livenessProbe", "/livez"), ("readinessProbe", "/readyz"), ("startupProbe", "/livez") })
        {
            var get = container.At(probe, "httpGet");
            Assert.Equal(path, get.At("path").String());
            Assert.Equal(healthPort, ResolvePort(get.At("port"), ports));
            Assert.Equal("health", get.At("port").String());
        }

        // Liveness must not kill a pod during a long but normal drain: /livez stays 200 while draining, and the
        // probe tolerates some misses; readiness reacts faster than liveness.
        Assert.True(container.At("livenessProbe", "failureThreshold").Long() >= 3);
        Assert.True(
            container.At("readinessProbe", "periodSeconds").Long() * container.At("readinessProbe", "failureThreshold").Long()
            < container.At("livenessProbe", "periodSeconds").Long() * container.At("livenessProbe", "failureThreshold").Long());
    }

    [Fact]
    public async Task Pod_ip_and_namespace_come_from_the_downward_api()
    {
        var manifests = await Base.Value;
        var env = Container(manifests).At("env").Objects().ToDictionary(e => e.At("name").String(), e => e);
        Assert.Equal("status.podIP", env["POD_IP"].At("valueFrom", "fieldRef", "fieldPath").String());
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].At("valueFrom", "fieldRef", "fieldPath").String());

        // A Secret or ConfigMap the base does not create may only be referenced optionally: otherwise the pods
        // could not start (CreateContainerConfigError) until someone creates it.
        foreach (var (name, entry) in env)
        {
            foreach (var (refKind, objectKind) in new[] { ("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap") })
            {
                if (entry.Find("valueFrom", refKind) is not { } reference)
                {
                    continue;
                }

                var created = manifests.Objects.Any(o => o.Kind == objectKind && o.Name == reference.At("name").String());
                Assert.True(created || reference.Find("optional")?.Bool() == true, $"env {name}: {refKind} to {reference.At("name").String()}, which the base does not create, must be optional");
            }
        }
    }

    [Fact]
    public async Task The_headless_service_publishes_not_ready_pods_on_management_and_remoting()
    {
        var manifests = await Base.Value;
        var ports = ContainerPorts(Container(manifests));
        var spec = manifests.Get("Service", HeadlessServiceName).Body.At("spec");
        Assert.Equal("None", spec.At("clusterIP").String());
        Assert.True(spec.At("publishNotReadyAddresses").Bool());
        var servicePorts = ServicePorts(spec, ports);
        Assert.Equal(
            [("management", 8558, 8558), ("remoting", 4053, 4053)],
            servicePorts.OrderBy(p => p.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_service_exposes_otlp_prometheus_and_health()
    {
        var manifests = await Base.Value;
        var ports = ContainerPorts(Container(manifests));
        var spec = manifests.Get("Service", ServiceName).Body.At("spec");
        Assert.NotEqual("None", spec.Find("clusterIP")?.String());
        Assert.Equal("ClusterIP", spec.Find("type")?.String() ?? "ClusterIP");
        var servicePorts = ServicePorts(spec, ports);
        Assert.Equal(
            [("health", 13133, 13133), ("otlp-grpc", 4317, 4317), ("otlp-http", 4318, 4318), ("prom", 8889, 8889)],
            servicePorts.OrderBy(p => p.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Services_and_the_disruption_budget_select_the_deployments_pods()
    {
        var manifests = await Base.Value;
        var deployment = Deployment(manifests).Body;
        var selector = deployment.Find("spec", "selector", "matchLabels").StringMap();
        var podLabels = deployment.Find("spec", "template", "metadata", "labels").StringMap();
        Assert.Equal(AppName, selector.GetValueOrDefault(NameLabel));
        Assert.Null(deployment.Find("spec", "selector", "matchExpressions"));
        AssertSelects(selector, podLabels, "Deployment selector");

        foreach (var service in manifests.Objects.Where(o => o.Kind == "Service"))
        {
            var serviceSelector = service.Body.Find("spec", "selector").StringMap();
            Assert.Equal(selector, serviceSelector);
            AssertSelects(serviceSelector, podLabels, $"{service} selector");
        }

        var pdb = manifests.Single("PodDisruptionBudget").Body;
        Assert.Equal(selector, pdb.Find("spec", "selector", "matchLabels").StringMap());
        Assert.Null(pdb.Find("spec", "selector", "matchExpressions"));

        foreach (var constraint in deployment.Find("spec", "template", "spec", "topologySpreadConstraints")?.Objects() ?? [])
        {
            AssertSelects(constraint.Find("labelSelector", "matchLabels").StringMap(), podLabels, "topologySpreadConstraints");
        }
    }

    [Fact]
    public async Task The_disruption_budget_keeps_a_majority()
    {
        var manifests = await Base.Value;
        var replicas = Deployment(manifests).Body.At("spec", "replicas").Long();
        var spec = manifests.Single("PodDisruptionBudget").Body.At("spec");
        var minAvailable = spec.Find("minAvailable") is { } min
            ? min.Long()
            : replicas - spec.At("maxUnavailable").Long();
        Assert.True(minAvailable > replicas / 2, $"a voluntary disruption may leave {minAvailable} of {replicas} members (no majority)");
        Assert.True(minAvailable < replicas, "the budget must allow one pod at a time to be evicted");
    }

    [Fact]
    public async Task The_pod_runs_as_non_root_with_a_read_only_root_filesystem_and_bounded_resources()
    {
        var manifests = await Base.Value;
        var pod = Deployment(manifests).Body.At("spec", "template", "spec");
        var container = Container(manifests);
        Assert.True(pod.Find("securityContext", "runAsNonRoot")?.Bool() == true || container.Find("securityContext", "runAsNonRoot")?.Bool() == true);
        Assert.True(container.At("securityContext", "readOnlyRootFilesystem").Bool());
        Assert.False(container.At("securityContext", "allowPrivilegeEscalation").Bool());
        Assert.NotEqual(0, pod.Find("securityContext", "runAsUser")?.Long() ?? 1);

        // Writable places: /tmp and cluster.storage-dir, each an emptyDir.
        var mounts = container.At("volumeMounts").Objects().ToDictionary(m => m.At("mountPath").String(), m => m.At("name").String());
        var emptyDirs = pod.At("volumes").Objects().Where(v => v.Find("emptyDir") is not null).Select(v => v.At("name").String()).ToHashSet();
        var storageDir = Text(LoadNodeConfig(manifests), "cluster.storage-dir");
        foreach (var path in new[] { "/tmp", storageDir })
        {
            Assert.True(path is not null && mounts.TryGetValue(path, out var volume) && emptyDirs.Contains(volume), $"{path} is not a writable emptyDir mount");
        }

        var resources = container.At("resources");
        foreach (var resource in new[] { "cpu", "memory" })
        {
            var request = Quantity(resources.At("requests", resource).String());
            var limit = Quantity(resources.At("limits", resource).String());
            Assert.True(request > 0 && request <= limit, $"{resource}: request {request} limit {limit}");
        }
    }

    [Fact]
    public async Task The_keda_component_scales_the_deployment_on_the_service_query_api()
    {
        var manifests = await WithKeda.Value;
        var deployment = Deployment(manifests);
        var scaled = manifests.Single("ScaledObject").Body;
        Assert.StartsWith("keda.sh/", scaled.At("apiVersion").String(), StringComparison.Ordinal);

        var target = scaled.At("spec", "scaleTargetRef");
        Assert.Equal("Deployment", target.Find("kind")?.String() ?? "Deployment");
        Assert.Equal("apps/v1", target.Find("apiVersion")?.String() ?? "apps/v1");
        Assert.Equal(deployment.Name, target.At("name").String());

        // The HPA owns the replica count; the floor is the base's three members.
        Assert.Null(deployment.Body.Find("spec", "replicas"));
        var baseReplicas = Deployment(await Base.Value).Body.At("spec", "replicas").Long();
        Assert.True(scaled.At("spec", "minReplicaCount").Long() >= baseReplicas);
        Assert.True(scaled.At("spec", "maxReplicaCount").Long() > scaled.At("spec", "minReplicaCount").Long());

        var trigger = Assert.Single(scaled.At("spec", "triggers").Objects(), t => t.At("type").String() == "prometheus");
        var serverAddress = new Uri(trigger.At("metadata", "serverAddress").String());
        var service = manifests.Get("Service", ServiceName).Body;
        var promPort = service.At("spec", "ports").Objects().Single(p => p.At("name").String() == "prom").At("port").Long();
        Assert.Equal("http", serverAddress.Scheme);
        Assert.Matches($"^{ServiceName}\\.[a-z0-9-]+\\.svc\\.cluster\\.local$", serverAddress.Host);
        Assert.Equal(promPort, serverAddress.Port);
        Assert.Equal(NodePorts["prom"], serverAddress.Port);
        Assert.False(string.IsNullOrWhiteSpace(trigger.At("metadata", "query").String()));
        Assert.True(double.TryParse(trigger.At("metadata", "threshold").String(), NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) && threshold > 0);
    }

    [Fact]
    public async Task The_keda_component_leaves_the_rest_of_the_base_unchanged()
    {
        var plain = await Base.Value;
        var keda = await WithKeda.Value;
        Assert.Equal(
            plain.Objects.Select(o => o.ToString()).Append("ScaledObject/telemetry-cluster").Order(StringComparer.Ordinal),
            keda.Objects.Select(o => o.ToString()).Order(StringComparer.Ordinal));
        foreach (var o in plain.Objects.Where(o => o.Kind != "Deployment"))
        {
            Assert.Equal(o.Body.ToJsonString(), keda.Get(o.Kind, o.Name).Body.ToJsonString());
        }
    }

    internal static K8sObject Deployment(Manifests manifests) => manifests.Get("Deployment", DeploymentName);

    internal static JsonObject Container(Manifests manifests)
    {
        var containers = Deployment(manifests).Body.At("spec", "template", "spec", "containers").Objects().ToList();
        return Assert.Single(containers, c => c.At("name").String() == AppName);
    }

    /// <summary>Container port name → number; every port named, TCP, unique.</summary>
    internal static Dictionary<string, int> ContainerPorts(JsonObject container)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var port in container.At("ports").Objects())
        {
            var name = port.At("name").String();
            Assert.Equal("TCP", port.Find("protocol")?.String() ?? "TCP");
            Assert.True(result.TryAdd(name, (int)port.At("containerPort").Long()), $"container port name {name} appears twice");
        }

        Assert.Equal(result.Count, result.Values.Distinct().Count());
        return result;
    }

    private static int ResolvePort(JsonNode port, IReadOnlyDictionary<string, int> containerPorts) =>
        port.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? (int)port.Long()
            : containerPorts.TryGetValue(port.String(), out var number) ? number : throw new InvalidDataException($"no container port named {port.String()}");

    /// <summary>(name, port, target container port) of a Service; every targetPort must resolve to a container port.</summary>
    private static List<(string Name, int Port, int Target)> ServicePorts(JsonNode spec, IReadOnlyDictionary<string, int> containerPorts) =>
        spec.At("ports").Objects()
            .Select(p => (p.At("name").String(), (int)p.At("port").Long(), ResolvePort(p.Find("targetPort") ?? p.At("port"), containerPorts)))
            .ToList();

    private static void AssertSelects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels, string what)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
        {
            Assert.True(labels.TryGetValue(key, out var actual) && actual == value, $"{what}: {key}={value} does not match the pod labels");
        }
    }

    private static (K8sObject ConfigMap, string Key, string Text) NodeConfigMap(Manifests manifests)
    {
        var configMap = Assert.Single(manifests.Objects, o => o.Kind == "ConfigMap" && o.Name.StartsWith(ConfigMapPrefix + "-", StringComparison.Ordinal));
        var (key, value) = Assert.Single(configMap.Body.At("data").AsObject());
        Assert.EndsWith(".conf", key, StringComparison.Ordinal);
        return (configMap, key, value!.String());
    }

    /// <summary>The container's environment as the kubelet would set it (downward API values from <see cref="FieldRefValues"/>).</summary>
    private static Dictionary<string, string> PodEnvironment(JsonObject container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in container.Find("env")?.Objects() ?? [])
        {
            var name = entry.At("name").String();
            if (entry.Find("value") is { } value)
            {
                environment[name] = value.String();
            }
            else if (entry.Find("valueFrom", "fieldRef", "fieldPath") is { } fieldPath)
            {
                Assert.True(FieldRefValues.TryGetValue(fieldPath.String(), out var fieldValue), $"env {name}: unexpected fieldRef {fieldPath.String()}");
                environment[name] = fieldValue;
            }
            else
            {
                environment[name] = $"value-of-{name}";
            }
        }

        return environment;
    }

    /// <summary>The ConfigMap's config merged over reference.conf, expanded with the pod's environment (no component validation).</summary>
    private static AkkaConfig LoadNodeConfig(Manifests manifests, List<string>? warnings = null)
    {
        var (_, key, text) = NodeConfigMap(manifests);
        var environment = PodEnvironment(Container(manifests));
        var directory = Directory.CreateTempSubdirectory("telemetry-cluster-k8s-");
        try
        {
            var file = Path.Combine(directory.FullName, key);
            File.WriteAllText(file, text);
            var errors = new ConfigErrors();
            var tree = ConfigLoader.LoadTree(new ConfigSources([file], [], environment.GetValueOrDefault), errors, warnings ?? []);
            Assert.False(errors.HasErrors, string.Join("\n", errors.Items));
            return tree;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string? Text(AkkaConfig config, string path)
    {
        if (!config.HasPath(path))
        {
            return null;
        }

        var text = config.GetString(path);
        return text is null or "null" ? null : text;
    }

    private static IEnumerable<string> ComponentIds(AkkaConfig config, string kind) =>
        config.HasPath(kind) ? config.GetConfig(kind).Root.GetObject().Items.Keys : [];

    private static void AssertListens(AkkaConfig config, string path, int containerPort)
    {
        var endpoint = Text(config, path);
        Assert.True(endpoint is not null, $"{path} is not set");
        var (host, port) = Json.Endpoint(endpoint);
        Assert.True(port == containerPort, $"{path} = {endpoint}: port {port}, the container port is {containerPort}");
        Assert.True(host is "0.0.0.0" or "::" or "[::]" or "", $"{path} = {endpoint}: a pod must listen on every interface, not {host}");
    }

    private static TimeSpan PreStopSleep(JsonObject container)
    {
        var preStop = container.Find("lifecycle", "preStop");
        if (preStop is null)
        {
            return TimeSpan.Zero;
        }

        if (preStop.Find("sleep", "seconds") is { } seconds)
        {
            return TimeSpan.FromSeconds(seconds.Long());
        }

        var command = preStop.At("exec", "command").AsArray().Select(c => c!.String()).ToList();
        Assert.True(command is ["sleep", _], $"unexpected preStop command: {string.Join(' ', command)}");
        return TimeSpan.FromSeconds(double.Parse(command[1], CultureInfo.InvariantCulture));
    }

    /// <summary>A Kubernetes quantity ("250m", "2", "512Mi", "1Gi") as a number of base units.</summary>
    private static double Quantity(string text)
    {
        var suffixes = new (string Suffix, double Factor)[]
        {
            ("Ki", 1024d), ("Mi", 1024d * 1024), ("Gi", 1024d * 1024 * 1024), ("Ti", 1024d * 1024 * 1024 * 1024),
            ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        };
        foreach (var (suffix, factor) in suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return double.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        return double.Parse(text, CultureInfo.InvariantCulture);
    }

    private static (string Name, string NewName, string NewTag) ReadKustomizationImage()
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.K8s, "kustomization.yaml"))));
        var kustomization = Manifests.ToJson(stream.Documents[0].RootNode)!;
        var image = Assert.Single(kustomization.At("images").Objects());
        return (image.At("name").String(), image.At("newName").String(), image.At("newTag").String());
    }

    /// <summary>The base plus the KEDA component, through an overlay in a temporary folder (as a user would write it).</summary>
    private static async Task<Manifests> RenderWithKedaAsync()
    {
        var overlay = Directory.CreateTempSubdirectory("telemetry-cluster-keda-");
        try
        {
            // kustomize wants relative paths, and refuses an overlay inside the base's own folder.
            var basePath = Path.GetRelativePath(overlay.FullName, Repository.K8s).Replace('\\', '/');
            var component = Path.GetRelativePath(overlay.FullName, Repository.KedaComponent).Replace('\\', '/');
            await File.WriteAllTextAsync(
                Path.Combine(overlay.FullName, "kustomization.yaml"),
                $"""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - {basePath}
                components:
                  - {component}
                """);
            return await Manifests.RenderAsync(overlay.FullName);
        }
        finally
        {
            overlay.Delete(recursive: true);
        }
    }
}
