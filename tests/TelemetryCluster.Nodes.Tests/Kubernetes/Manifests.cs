using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TelemetryCluster.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TelemetryCluster.Nodes.Tests.Kubernetes;

/// <summary>The repository's deployment files: <c>k8s/</c> (kustomize base), <c>k8s/keda/</c>, Dockerfile.</summary>
internal static class Repository
{
    /// <summary>The repository root: the nearest ancestor of the test output that holds <c>k8s/kustomization.yaml</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string K8s => Path.Combine(Root, "k8s");

    public static string KedaComponent => Path.Combine(K8s, "keda");

    public static string Dockerfile => Path.Combine(Root, "Dockerfile");

    public static string DockerIgnore => Path.Combine(Root, ".dockerignore");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "k8s", "kustomization.yaml")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no k8s/kustomization.yaml above {AppContext.BaseDirectory}");
    }
}

/// <summary>Runs <c>kubectl kustomize</c>. A missing kubectl is a failure, never a skip.</summary>
internal static class Kubectl
{
    public const string InstallHint = "install kubectl (apt-get install kubectl)";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary><c>$KUBECTL</c>, else <c>kubectl</c> on PATH, else /usr/bin or /usr/local/bin; null when none exists.</summary>
    public static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } configured && File.Exists(configured))
        {
            return configured;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/bin", "/usr/local/bin"]))
        {
            var candidate = Path.Combine(dir, "kubectl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The YAML stream <c>kubectl kustomize &lt;directory&gt;</c> prints.</summary>
    public static async Task<string> KustomizeAsync(string directory)
    {
        var kubectl = Locate();
        Assert.True(kubectl is not null, $"kubectl not found (looked at $KUBECTL, PATH, /usr/bin, /usr/local/bin): {InstallHint}");
        using var process = NodeProcess.Start(kubectl, ["kustomize", directory]);
        var exitCode = await process.WaitForExitAsync(Timeout);
        Assert.True(
            exitCode == 0,
            $"kubectl kustomize {directory} failed (the manifests need kubectl 1.24 or later, with kustomize v4.5+; Debian's kubernetes-client 1.20 is too old).\n{process.Describe()}");
        var yaml = new StringBuilder();
        foreach (var line in process.Lines.Where(l => l.Stream == OutputStream.Stdout))
        {
            yaml.Append(line.Text).Append('\n');
        }

        return yaml.ToString();
    }
}

/// <summary>One rendered object; <see cref="Body"/> is the YAML as JSON (plain scalars typed: int, bool, null).</summary>
internal sealed record K8sObject(string Kind, string Name, JsonObject Body)
{
    public JsonObject Labels => Body["metadata"]?["labels"] as JsonObject ?? [];

    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>A rendered kustomization: the objects of the YAML stream in order.</summary>
internal sealed class Manifests(IReadOnlyList<K8sObject> objects)
{
    public IReadOnlyList<K8sObject> Objects { get; } = objects;

    public static async Task<Manifests> RenderAsync(string directory) => Parse(await Kubectl.KustomizeAsync(directory));

    public static Manifests Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var objects = new List<K8sObject>();
        foreach (var document in stream.Documents)
        {
            if (ToJson(document.RootNode) is not JsonObject body)
            {
                continue;
            }

            var kind = body["kind"]?.GetValue<string>() ?? throw new InvalidDataException($"an object without kind: {body.ToJsonString()}");
            var name = body["metadata"]?["name"]?.GetValue<string>() ?? throw new InvalidDataException($"{kind} without metadata.name");
            objects.Add(new K8sObject(kind, name, body));
        }

        return new Manifests(objects);
    }

    /// <summary>The only object of a kind (fails listing what there is otherwise).</summary>
    public K8sObject Single(string kind)
    {
        var matches = Objects.Where(o => o.Kind == kind).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind}, found: {string.Join(", ", Objects)}");
        return matches[0];
    }

    public K8sObject Get(string kind, string name)
    {
        var found = Objects.FirstOrDefault(o => o.Kind == kind && o.Name == name);
        Assert.True(found is not null, $"no {kind}/{name} among: {string.Join(", ", Objects)}");
        return found;
    }

    /// <summary>Converts YAML to JSON nodes: a plain (unquoted) scalar becomes null, a bool or an integer when it reads as one.</summary>
    public static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item));
                }

                return array;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? string.Empty;
                if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
                {
                    if (text is "" or "~" or "null")
                    {
                        return null;
                    }

                    if (text is "true" or "false")
                    {
                        return JsonValue.Create(text == "true");
                    }

                    if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    {
                        return JsonValue.Create(number);
                    }
                }

                return JsonValue.Create(text);
            default:
                throw new InvalidDataException($"unsupported YAML node {node.NodeType} at {node.Start}");
        }
    }
}

/// <summary>Small readers over JSON nodes with failure messages that show the node.</summary>
internal static class Json
{
    public static JsonNode At(this JsonNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            var next = current[key];
            Assert.True(next is not null, $"missing \"{key}\" (path {string.Join('.', path)}) in {current.ToJsonString()}");
            current = next;
        }

        return current;
    }

    public static JsonNode? Find(this JsonNode node, params string[] path)
    {
        JsonNode? current = node;
        foreach (var key in path)
        {
            current = current?[key];
        }

        return current;
    }

    /// <summary>A scalar as text (numbers and booleans as written in YAML).</summary>
    public static string String(this JsonNode node) => node.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => node.GetValue<string>(),
        System.Text.Json.JsonValueKind.Number => node.GetValue<long>().ToString(CultureInfo.InvariantCulture),
        System.Text.Json.JsonValueKind.True => "true",
        System.Text.Json.JsonValueKind.False => "false",
        var kind => throw new InvalidDataException($"expected a scalar, got {kind}: {node.ToJsonString()}"),
    };

    public static long Long(this JsonNode node) => node.GetValue<long>();

    public static bool Bool(this JsonNode node) => node.GetValue<bool>();

    public static IEnumerable<JsonObject> Objects(this JsonNode node) => node.AsArray().Select(n => n!.AsObject());

    /// <summary>A label map (matchLabels, selector, metadata.labels) as a sorted dictionary.</summary>
    public static SortedDictionary<string, string> StringMap(this JsonNode? node) =>
        new((node as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.String()), StringComparer.Ordinal);

    /// <summary>"host:port" (the port after the last colon).</summary>
    public static (string Host, int Port) Endpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        Assert.True(colon > 0 && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _), $"\"{endpoint}\" is not host:port");
        return (endpoint[..colon], int.Parse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }
}
