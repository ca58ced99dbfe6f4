using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

public sealed class YamlConfigTests
{
    private static HoconValue At(HoconValue root, params string[] keys)
    {
        foreach (var key in keys)
        {
            Assert.True(root.GetObject().Items.TryGetValue(key, out var child), $"missing key {key}");
            root = child;
        }

        return root;
    }

    [Fact]
    public void Keys_with_slashes_and_dots_stay_single_keys()
    {
        var root = YamlConfig.Parse("""
            receivers:
              otlp/2:
                x: 1
              otlp/my.name:
                y: "two"
            """).Root;
        Assert.Equal(["otlp/2", "otlp/my.name"], At(root, "receivers").GetObject().Items.Keys);
        Assert.Equal("1", At(root, "receivers", "otlp/2", "x").GetString());
        Assert.Equal("two", At(root, "receivers", "otlp/my.name", "y").GetString());
    }

    [Fact]
    public void Empty_and_null_values_become_hocon_null_and_stay_present()
    {
        var root = YamlConfig.Parse("""
            protocols:
              grpc:
              http: ~
              other: null
              quoted: ""
            """).Root;
        var protocols = At(root, "protocols").GetObject().Items;
        Assert.Equal(["grpc", "http", "other", "quoted"], protocols.Keys);
        Assert.Null(protocols["grpc"].GetString());
        Assert.Null(protocols["http"].GetString());
        Assert.Null(protocols["other"].GetString());
        Assert.Equal(string.Empty, protocols["quoted"].GetString());
    }

    [Fact]
    public void Lists_scalars_and_merge_keys()
    {
        var root = YamlConfig.Parse("""
            base: &base
              timeout: 1s
              size: 10
            derived:
              <<: *base
              size: 20
            list: [a, "b", 3]
            block:
              - x: 1
              - x: 2
            text: "a: b # not a comment"
            """).Root;
        Assert.Equal("1s", At(root, "derived", "timeout").GetString());
        Assert.Equal("20", At(root, "derived", "size").GetString());
        Assert.Equal(["a", "b", "3"], At(root, "list").GetStringList());
        Assert.Equal(2, At(root, "block").GetArray().Count);
        Assert.Equal("2", At(root, "block").GetArray()[1].GetObject().Items["x"].GetString());
        Assert.Equal("a: b # not a comment", At(root, "text").GetString());
    }

    [Fact]
    public void Environment_is_expanded_per_scalar_after_parsing()
    {
        var warnings = new List<string>();
        var root = YamlConfig.Parse("""
            endpoint: ${env:HOST}:4317
            tricky: ${env:TRICKY}
            missing: x${env:NOPE}y
            escaped: $${env:HOST}
            """, name => name switch { "HOST" => "0.0.0.0", "TRICKY" => "a: b # c", _ => null }, warnings).Root;
        Assert.Equal("0.0.0.0:4317", At(root, "endpoint").GetString());
        Assert.Equal("a: b # c", At(root, "tricky").GetString());
        Assert.Equal("xy", At(root, "missing").GetString());
        Assert.Equal("${env:HOST}", At(root, "escaped").GetString());
        Assert.Contains("NOPE", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_document_is_an_empty_tree()
    {
        Assert.Empty(YamlConfig.Parse("# only a comment\n").Root.GetObject().Items);
        Assert.Empty(YamlConfig.Parse("").Root.GetObject().Items);
    }

    [Theory]
    [InlineData("a: [1, 2\n", "yaml: line")]
    [InlineData("a: 1\na: 2\n", "yaml: line")]
    [InlineData("- a\n- b\n", "top level must be a mapping")]
    public void Malformed_yaml_is_a_format_error_with_position(string yaml, string expected)
    {
        var e = Assert.Throws<FormatException>(() => YamlConfig.Parse(yaml));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
