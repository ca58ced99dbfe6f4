using System.Text.RegularExpressions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>Binding and validation of the file_log config: collector defaults, errors with their paths, aliases, README.</summary>
public sealed partial class FileLogConfigTests
{
    [Fact]
    public void Defaults_are_the_collectors()
    {
        var config = FileLogHarness.Bind("include = [\"/var/log/*.log\"]", out var errors);
        Assert.Empty(errors.Items);
        Assert.Equal(StartAt.End, config.StartAt);
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.PollInterval);
        Assert.Equal(1000, config.FingerprintSize);
        Assert.Equal(1024 * 1024, config.MaxLogSize);
        Assert.Equal(1024, config.MaxConcurrentFiles);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.ForceFlushPeriod);
        Assert.True(config.IncludeFileName);
        Assert.False(config.IncludeFilePath);
        Assert.Equal(OnTruncate.Ignore, config.OnTruncate);
        Assert.Equal(Compression.None, config.Compression);
        Assert.False(config.RetryOnFailure.Enabled);
        Assert.Equal("utf-8", config.Encoding.Name);
        Assert.True(config.Checkpoints);
    }

    [Theory]
    [InlineData("include = []", "receivers.file_log.include: at least one include pattern is required")]
    [InlineData("include = [\"/var/log/[a.log\"]", "receivers.file_log.include[0]: invalid glob")]
    [InlineData("include = [\"/a/*.log\", \"/b/{x,y.log\"]", "receivers.file_log.include[1]: invalid glob")]
    [InlineData("include = [\"/a\"], exclude = [\"/a/]\", \"/b/{\"]", "receivers.file_log.exclude[1]: invalid glob")]
    [InlineData("include = [\"/a\"], multiline { line_start_pattern = \"([a-\" }", "receivers.file_log.multiline.line_start_pattern: invalid regular expression")]
    [InlineData("include = [\"/a\"], multiline { line_start_pattern = \"a\", line_end_pattern = \"b\" }", "receivers.file_log.multiline: only one of")]
    [InlineData("include = [\"/a\"], delete_after_read = true", "receivers.file_log.delete_after_read: delete_after_read cannot be used with start_at = end")]
    [InlineData("include = [\"/a\"], encoding = ebcdic", "receivers.file_log.encoding: unsupported encoding")]
    [InlineData("include = [\"/a\"], fingerprint_size = 8", "receivers.file_log.fingerprint_size: must be between 16")]
    [InlineData("include = [\"/a\"], max_concurrent_files = 1", "receivers.file_log.max_concurrent_files: must be between 2")]
    [InlineData("include = [\"/a\"], start_at = middle", "receivers.file_log.start_at: invalid value \"middle\"")]
    [InlineData("include = [\"/a\"], on_truncate = maybe", "receivers.file_log.on_truncate: invalid value \"maybe\"")]
    [InlineData("include = [\"/a\"], ordering_criteria { regex = \"(?P<n>\\\\d+)\", sort_by = [{ sort_type = numeric, regex_key = m }] }", "receivers.file_log.ordering_criteria.sort_by: regex_key \"m\" is not a named group")]
    [InlineData("include = [\"/a\"], checkpoints = sometimes", "receivers.file_log.checkpoints: invalid boolean \"sometimes\"")]
    [InlineData("include = [\"/a\"], checkpoints = false, storage = file_storage", "receivers.file_log.storage: storage names the checkpoint directory; it cannot be set with checkpoints = false")]
    [InlineData("include = [\"/a\"], checkpoints = false, cluster { shared_storage = true, checkpoint_dir = \"/shared/ckpt\" }", "receivers.file_log.checkpoints: cluster.shared_storage = true resumes files from their shared checkpoints; it cannot be used with checkpoints = false")]
    public void Bad_values_are_errors_with_their_path(string hocon, string expected)
    {
        FileLogHarness.Bind(hocon, out var errors);
        Assert.Contains(errors.Items, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Both_type_names_load_and_the_old_one_is_deprecated()
    {
        const string text = """
            receivers {
              file_log { include = ["/tmp/a/*.log"] }
              filelog { include = ["/tmp/b/*.log"] }
            }
            exporters { debug {} }
            service.pipelines.logs { receivers = [file_log, filelog], exporters = [debug] }
            """;
        var spec = ConfigLoader.LoadText(text, ComponentRegistry.Builtin());
        Assert.Equal("file_log", spec.Receivers[ComponentId.Parse("filelog")].Factory.Type);
        Assert.Contains(spec.Warnings, w => w.StartsWith("receivers.filelog: receiver type \"filelog\" is deprecated", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_glob_is_a_startup_error_naming_the_component_and_path()
    {
        const string text = """
            receivers { "filelog/app" { include = ["/var/log/{a,b.log"], multiline { line_end_pattern = "(" } } }
            exporters { debug {} }
            service.pipelines.logs { receivers = ["filelog/app"], exporters = [debug] }
            """;
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(text, ComponentRegistry.Builtin()));
        Assert.Contains(e.Errors, x => x.ToString().StartsWith("receivers.filelog/app.include[0]: invalid glob", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.ToString().StartsWith("receivers.filelog/app.multiline.line_end_pattern: invalid regular expression", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_keys_are_errors()
    {
        const string text = """
            receivers { file_log { include = ["/a"], poll_intervall = 1s } }
            exporters { debug {} }
            service.pipelines.logs { receivers = [file_log], exporters = [debug] }
            """;
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(text, ComponentRegistry.Builtin()));
        Assert.Contains(e.Errors, x => x.ToString().StartsWith("receivers.file_log.poll_intervall: unknown key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/var/log/**/*.log", "/var/log/a/b/c.log", true)]
    [InlineData("/var/log/**/*.log", "/var/log/c.log", true)]
    [InlineData("/var/log/*.log", "/var/log/a/c.log", false)]
    [InlineData("/var/log/QELog.log*", "/var/log/QELog.log.2.gz", true)]
    [InlineData("/var/log/{a,b}.log", "/var/log/b.log", true)]
    [InlineData("/var/log/[!x]?.log", "/var/log/ab.log", true)]
    [InlineData("/var/log/[!x]?.log", "/var/log/xb.log", false)]
    public void Doublestar_globs(string pattern, string path, bool match)
    {
        Assert.True(Glob.TryParse(pattern, out var glob, out var error), error);
        Assert.Equal(match, glob!.IsMatch(path));
    }

    [Fact]
    public void Readme_example_binds_without_errors()
    {
        var readme = File.ReadAllText(FindReadme());
        var block = HoconBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```hocon block");
        var spec = ConfigLoader.LoadText(block.Groups[1].Value, ComponentRegistry.Builtin());
        Assert.Contains(spec.Receivers.Keys, id => id.ToString() == "file_log/app");
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Streams", "TelemetryCluster.Streams", "Receivers", "FileLog", "README.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Receivers/FileLog/README.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```hocon\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();
}
