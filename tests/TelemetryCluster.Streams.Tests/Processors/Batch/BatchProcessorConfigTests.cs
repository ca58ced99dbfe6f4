using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Processors.Batch;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Processors.Batch;

public sealed partial class BatchProcessorConfigTests
{
    private static readonly BatchProcessorFactory Factory = new();

    private static string Defaults() => new ComponentRegistry([Factory]).LoadDefaults(Factory);

    private static (BatchProcessorConfig Config, IReadOnlyList<ConfigError> Errors) Bind(string user)
    {
        var errors = new ConfigErrors();
        var config = (BatchProcessorConfig)Factory.CreateConfig(ComponentConfigReader.Create(user, Defaults(), "processors.batch", errors));
        return (config, errors.Items);
    }

    [Fact]
    public void Factory_describes_the_collector_batch_processor()
    {
        Assert.Equal("batch", Factory.Type);
        Assert.Empty(Factory.Aliases);
        Assert.Equal(ComponentKind.Processor, Factory.Kind);
        Assert.Equal(Stability.Stable, Factory.Stability);
        Assert.Equal(
            new Dictionary<Signal, Stability> { [Signal.Traces] = Stability.Stable, [Signal.Metrics] = Stability.Stable, [Signal.Logs] = Stability.Stable },
            Factory.Signals);
        Assert.True(ComponentId.IsValidType(Factory.Type));
    }

    [Fact]
    public void Defaults_file_binds_to_the_collector_defaults()
    {
        var (config, errors) = Bind("");

        Assert.Empty(errors);
        Assert.Equal(8192u, config.SendBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.Timeout);
        Assert.Equal(0u, config.SendBatchMaxSize);
        Assert.Empty(config.MetadataKeys);
        Assert.Equal(1000u, config.MetadataCardinalityLimit);
        Assert.Equal(16384, config.BufferCapacity);
        Assert.Equal(BatchProcessorConfig.Default with { MetadataKeys = config.MetadataKeys }, config);
    }

    [Fact]
    public void Every_defaults_key_is_commented()
    {
        var lines = Defaults().Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length > 0 && !lines[i].StartsWith('#'))
            {
                Assert.True(i > 0 && lines[i - 1].StartsWith('#'), $"key without a comment: {lines[i]}");
            }
        }

        Assert.Equal(
            ["metadata_cardinality_limit", "metadata_keys", "send_batch_max_size", "send_batch_size", "timeout"],
            ConfigurationFactory.ParseString(Defaults()).Root.GetObject().Items.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Binds_user_values_over_the_defaults()
    {
        var (config, errors) = Bind("""
            send_batch_size = 50
            timeout = 1s
            send_batch_max_size = 100
            metadata_keys = ["X-Tenant", "region"]
            metadata_cardinality_limit = 10
            """);

        Assert.Empty(errors);
        Assert.Equal(50u, config.SendBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Timeout);
        Assert.Equal(100u, config.SendBatchMaxSize);
        Assert.Equal(["x-tenant", "region"], config.MetadataKeys);
        Assert.Equal(10u, config.MetadataCardinalityLimit);
        Assert.Equal(200, config.BufferCapacity);
    }

    [Fact]
    public void Zero_timeout_means_send_immediately()
    {
        var (config, errors) = Bind("timeout = 0");

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.Zero, config.Timeout);
    }

    [Fact]
    public void Rejects_a_max_size_below_the_batch_size_with_the_collector_message()
    {
        var (_, errors) = Bind("send_batch_size = 100\nsend_batch_max_size = 99");

        var error = Assert.Single(errors);
        Assert.Equal("processors.batch.send_batch_max_size", error.Path);
        Assert.Equal("send_batch_max_size must be greater or equal to send_batch_size", error.Message);
    }

    [Fact]
    public void Accepts_a_max_size_equal_to_the_batch_size()
    {
        var (config, errors) = Bind("send_batch_size = 100\nsend_batch_max_size = 100");

        Assert.Empty(errors);
        Assert.Equal(100u, config.SendBatchMaxSize);
    }

    [Fact]
    public void Rejects_duplicate_metadata_keys_ignoring_case()
    {
        var (_, errors) = Bind("metadata_keys = [\"Tenant\", \"region\", \"TENANT\"]");

        var error = Assert.Single(errors);
        Assert.Equal("processors.batch.metadata_keys", error.Path);
        Assert.Equal("duplicate entry in metadata_keys: \"tenant\" (case-insensitive)", error.Message);
    }

    [Fact]
    public void Rejects_a_negative_timeout()
    {
        var (_, errors) = Bind("timeout = -1s");

        var error = Assert.Single(errors);
        Assert.Equal("processors.batch.timeout", error.Path);
        Assert.Equal("timeout must be greater or equal to 0", error.Message);
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var (_, errors) = Bind("send_batch_size = 10\nsend_batch_max_size = 5\ntimeout = -2s\nmetadata_keys = [a, A]");

        Assert.Equal(
            ["processors.batch.metadata_keys", "processors.batch.send_batch_max_size", "processors.batch.timeout"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Rejects_sizes_outside_uint32()
    {
        var (_, errors) = Bind("send_batch_size = -1");

        Assert.Equal("processors.batch.send_batch_size", Assert.Single(errors).Path);
    }

    [Fact]
    public void Readme_example_parses_and_binds_without_errors()
    {
        var readme = File.ReadAllText(FindReadme());
        var block = HoconBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```hocon block");

        var processors = ConfigurationFactory.ParseString(block.Groups[1].Value).GetConfig("processors");
        var ids = processors.Root.GetObject().Items.Keys.ToList();
        Assert.Equal(["batch", "batch/traces", "batch/tenants"], ids);

        foreach (var id in ids)
        {
            var errors = new ConfigErrors();
            var user = new Akka.Configuration.Config(new HoconRoot(processors.Root.GetObject().Items[id]));
            var merged = user.WithFallback(ConfigurationFactory.ParseString(Defaults()));
            var config = (BatchProcessorConfig)Factory.CreateConfig(new ComponentConfigReader(merged, user, "processors." + id, errors));
            Assert.Empty(errors.Items);
            if (id == "batch/tenants")
            {
                Assert.Equal(["x-tenant-id"], config.MetadataKeys);
                Assert.Equal(2000u, config.SendBatchMaxSize);
                Assert.Equal(TimeSpan.FromSeconds(5), config.Timeout);
            }
        }
    }

    [Fact]
    public void Direct_construction_validates_like_binding()
    {
        var config = BatchProcessorConfig.Default with { SendBatchSize = 10, SendBatchMaxSize = 5 };

        Assert.Equal([("send_batch_max_size", BatchProcessorConfig.MaxSizeError)], config.Validate());
        Assert.Empty(BatchProcessorConfig.Default.Validate());
        Assert.Equal(1, (BatchProcessorConfig.Default with { SendBatchSize = 0 }).BufferCapacity);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Streams", "TelemetryCluster.Streams", "Processors", "Batch", "README.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Processors/Batch/README.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```hocon\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();
}
