using Akka.Configuration;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

public sealed class RegistryAndSuggestionsTests
{
    [Fact]
    public void Finds_types_and_aliases_per_kind()
    {
        var registry = FakeRegistry.Create();
        Assert.True(registry.TryGet(ComponentKind.Receiver, "file_log", out var factory, out var isAlias));
        Assert.Equal("file_log", factory.Type);
        Assert.False(isAlias);
        Assert.True(registry.TryGet(ComponentKind.Receiver, "filelog", out var aliased, out isAlias));
        Assert.Same(factory, aliased);
        Assert.True(isAlias);
        Assert.False(registry.TryGet(ComponentKind.Exporter, "file_log", out _, out _));
        Assert.False(registry.TryGet(ComponentKind.Receiver, "FileLog", out _, out _));
        Assert.Equal(["file_log", "otlp"], registry.TypeNames(ComponentKind.Receiver));
        Assert.Equal(7, registry.All.Count);
    }

    [Fact]
    public void Duplicate_or_invalid_type_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ComponentRegistry([new FakeDebugExporter(), new FakeDebugExporter()]));
        Assert.Throws<ArgumentException>(() => new ComponentRegistry([new BadNameExporter()]));
    }

    [Fact]
    public void With_adds_factories_and_keeps_the_defaults_loader()
    {
        var registry = new ComponentRegistry([new FakeDebugExporter()], f => ((FakeFactory)f).Defaults).With([new FakeBatchProcessor()]);
        Assert.True(registry.TryGet(ComponentKind.Processor, "batch", out var batch, out _));
        Assert.Contains("send_batch_size", registry.LoadDefaults(batch), StringComparison.Ordinal);
    }

    [Fact]
    public void Embedded_defaults_that_are_missing_say_which()
    {
        var registry = new ComponentRegistry([new FakeDebugExporter()]);
        var e = Assert.Throws<InvalidOperationException>(() => registry.LoadDefaults(registry.All[0]));
        Assert.Contains("Fakes/debug/defaults.conf", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Conformance for every builtin component: its defaults are embedded, parse, and bind without throwing.</summary>
    [Fact]
    public void Builtin_components_have_loadable_defaults()
    {
        var registry = ComponentRegistry.Builtin();
        foreach (var factory in registry.All)
        {
            var text = registry.LoadDefaults(factory);
            var defaults = ConfigurationFactory.ParseString(text);
            var errors = new ConfigErrors();
            var reader = new ComponentConfigReader(defaults, ConfigurationFactory.Empty, $"{factory.Kind.SectionName()}.{factory.Type}", errors);
            Assert.NotNull(factory.CreateConfig(reader));
            Assert.All(errors.Items, e => Assert.DoesNotContain("no value, and no default", e.Message, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("endpoit", "endpoint")]
    [InlineData("recievers", "receivers")]
    [InlineData("sendBatchSize", "send_batch_size")]
    [InlineData("send-batch-size", "send_batch_size")]
    [InlineData("Endpoint", "endpoint")]
    [InlineData("xyz", null)]
    [InlineData("ab", null)]
    [InlineData("timeuot", "timeout")]
    [InlineData("max_recv_msg_size", "max_recv_msg_size_mib")]
    [InlineData("read_timout", "read_timeout")]
    [InlineData("pat", "path")]
    [InlineData("max", null)]
    public void Did_you_mean_only_when_close(string key, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(key, ["endpoint", "receivers", "send_batch_size", "timeout", "path", "max_recv_msg_size_mib", "read_timeout", "read_buffer_size"]));

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("abc", "", 3)]
    public void Distance_is_optimal_string_alignment(string a, string b, int distance) => Assert.Equal(distance, Suggestions.Distance(a, b));

    private sealed class BadNameExporter() : FakeFactory("bad-name", ComponentKind.Exporter, "", Signal.Logs)
    {
        public override object CreateConfig(ComponentConfigReader reader) => new();
    }
}
