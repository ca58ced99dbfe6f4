using System.Text.Json;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Kubernetes;

/// <summary>
/// The Dockerfile's text (no Docker engine runs the tests): the ports it exposes are the ports the node and the
/// Kubernetes manifests use, it runs telemetry-cluster.dll as a non-root user, and its default command is a
/// configuration the real node accepts.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly TimeSpan ValidateTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<IReadOnlyList<Instruction>> Instructions = new(() => Parse(File.ReadAllText(Repository.Dockerfile)));

    [Fact]
    public void It_exposes_every_port_the_node_listens_on()
    {
        var exposed = Instructions.Value
            .Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        Assert.Equal(KustomizeTests.NodePorts.Values.Order(), exposed);
    }

    [Fact]
    public void It_sets_a_gen0_budget_of_64_MiB_in_the_runtime_stage()
    {
        // The benchmarks start the node with the image's DOTNET_GC* variables (RepoLayout.NodeRuntimeEnvironment).
        var value = Instructions.Value
            .Where(i => i.Keyword == "ENV")
            .Select(i => i.Arguments.Trim())
            .Single(a => a.StartsWith("DOTNET_GCgen0size=", StringComparison.Ordinal))["DOTNET_GCgen0size=".Length..];
        Assert.StartsWith("0x", value, StringComparison.Ordinal);
        Assert.Equal(64L << 20, long.Parse(value[2..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task It_exposes_the_container_ports_of_the_deployment()
    {
        var manifests = await Manifests.RenderAsync(Repository.K8s);
        var containerPorts = KustomizeTests.ContainerPorts(KustomizeTests.Container(manifests)).Values.Order();
        var exposed = Instructions.Value
            .Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Order();
        Assert.Equal(containerPorts, exposed);
    }

    [Fact]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var stages = Instructions.Value.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();
        Assert.True(stages.Count >= 2, "multi-stage build expected");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1], StringComparison.Ordinal);

        // It publishes the node project, which exists.
        var publish = Assert.Single(Instructions.Value, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        const string project = "src/Nodes/TelemetryCluster.Node/TelemetryCluster.Node.csproj";
        Assert.Contains(project, publish.Arguments, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root, project)));
    }

    [Fact]
    public void It_runs_telemetry_cluster_dll_as_a_non_root_user()
    {
        var entrypoint = Assert.Single(Instructions.Value, i => i.Keyword == "ENTRYPOINT");
        Assert.Equal(["dotnet", NodeBinary.FileName], JsonSerializer.Deserialize<string[]>(entrypoint.Arguments) ?? []);

        var runtimeStage = Instructions.Value.SkipWhile((_, index) => index <= LastIndex("FROM")).ToList();
        var user = Assert.Single(runtimeStage, i => i.Keyword == "USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0", "root:root" });
    }

    [Fact]
    public async Task Its_default_command_runs_a_valid_configuration()
    {
        var cmd = JsonSerializer.Deserialize<string[]>(Assert.Single(Instructions.Value, i => i.Keyword == "CMD").Arguments)!;
        Assert.Equal("run", cmd[0]);
        Assert.DoesNotContain("--config", cmd);

        // The same arguments with `validate`: the default hocon/application.conf plus the image's overrides.
        using var node = NodeProcess.StartNode(["validate", .. cmd[1..]]);
        var exitCode = await node.WaitForExitAsync(ValidateTimeout, TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, node.Describe());

        // In a container the servers must listen on every interface.
        foreach (var endpoint in new[] { "receivers::otlp::protocols::grpc::endpoint", "receivers::otlp::protocols::http::endpoint", "extensions::health_check::endpoint" })
        {
            Assert.Contains(cmd, a => a.StartsWith(endpoint + "=0.0.0.0:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_and_git()
    {
        var patterns = File.ReadAllLines(Repository.DockerIgnore)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[] { "**/bin", "**/obj", "**/node_modules", ".git" })
        {
            Assert.Contains(expected, patterns);
        }

        // What the build needs stays in.
        foreach (var needed in new[] { "src", "hocon", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig" })
        {
            Assert.DoesNotContain(needed, patterns);
        }
    }

    private static int LastIndex(string keyword)
    {
        var list = Instructions.Value;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Keyword == keyword)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Dockerfile instructions: comments dropped, continuation lines joined, keyword upper-cased.</summary>
    private static List<Instruction> Parse(string text)
    {
        var instructions = new List<Instruction>();
        var current = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1].Trim() + " ";
                continue;
            }

            current += line.Trim();
            var space = current.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(space < 0
                ? new Instruction(current.ToUpperInvariant(), string.Empty)
                : new Instruction(current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            current = string.Empty;
        }

        return instructions;
    }

    private sealed record Instruction(string Keyword, string Arguments);
}
