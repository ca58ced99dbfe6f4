using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace TelemetryCluster.PromQL.Tests;

/// <summary>The query of k8s/keda/scaledobject.yaml, evaluated by Prometheus 2.42 and by us on the differential data set.</summary>
[Collection(OracleCollection.Name)]
public sealed class ScaledObjectTests(PrometheusOracle oracle)
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);
    }

    private static (string Query, double Threshold) Trigger()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot(), "k8s", "keda", "scaledobject.yaml"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var triggers = (YamlSequenceNode)((YamlMappingNode)root["spec"])["triggers"];
        var trigger = triggers.Children.Cast<YamlMappingNode>().Single(t => ((YamlScalarNode)t["type"]).Value == "prometheus");
        var metadata = (YamlMappingNode)trigger["metadata"];
        return (((YamlScalarNode)metadata["query"]).Value!, double.Parse(((YamlScalarNode)metadata["threshold"]).Value!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_example_query_is_one_element_and_equals_prometheus()
    {
        var (query, threshold) = Trigger();
        Assert.Equal(1, threshold);
        var values = new List<double>();
        foreach (var off in new[] { -600, 600, 1800, 3600 })
        {
            var qs = "/api/v1/query?query=" + Uri.EscapeDataString(query).Replace("%20", "+", StringComparison.Ordinal) + "&time=" + ((oracle.T0 / 1000) + off);
            var prom = await oracle.Http.GetStringAsync(oracle.PrometheusUrl + qs);
            var ours = await oracle.Http.GetStringAsync(oracle.OurUrl + qs);
            using var pj = JsonDocument.Parse(prom);
            using var oj = JsonDocument.Parse(ours);
            Assert.Null(ResultComparer.Diff(pj.RootElement.GetProperty("data"), oj.RootElement.GetProperty("data")));
            var result = oj.RootElement.GetProperty("data").GetProperty("result");
            Assert.Equal(1, result.GetArrayLength());
            values.Add(ResultComparer.Parse(result[0].GetProperty("value")[1].GetString()!));
        }
        // Before the data: vector(0). Later: the larger demand — ingest (about 3 × 27k/s over 50k/s ≈ 1.6) early,
        // memory ((3 × ~0.36 GiB .. 3 × ~0.54 GiB) over 0.75 GiB ≈ 1.4 .. 2.2) later.
        Assert.Equal(0, values[0]);
        Assert.All(values.Skip(1), v => Assert.InRange(v, 1.0, 3.0));
    }
}
