using Akka.Configuration;
using TelemetryCluster.Streams.Config;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Config;

public sealed class ComponentConfigReaderTests
{
    private const string Defaults = """
        count = 5
        ratio = 0.5
        enabled = false
        timeout = 200ms
        max_size = 4MiB
        tags = []
        labels {}
        mode = basic
        name = default-name
        optional = null
        grpc { endpoint = "localhost:4317" }
        actions = []
        """;

    private static (ComponentConfigReader Reader, ConfigErrors Errors) Reader(string user)
    {
        var errors = new ConfigErrors();
        return (ComponentConfigReader.Create(user, Defaults, "processors.x/1", errors), errors);
    }

    [Fact]
    public void Defaults_apply_where_the_user_wrote_nothing()
    {
        var (r, errors) = Reader("");
        Assert.Equal(5, r.GetInt("count"));
        Assert.Equal(5L, r.GetLong("count"));
        Assert.Equal(0.5, r.GetDouble("ratio"));
        Assert.False(r.GetBool("enabled"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), r.GetDuration("timeout"));
        Assert.Equal(4L * 1024 * 1024, r.GetByteSize("max_size"));
        Assert.Empty(r.GetStringList("tags"));
        Assert.Empty(r.GetStringMap("labels"));
        Assert.Equal("basic", r.GetChoice("mode", "basic", "normal", "detailed"));
        Assert.Equal("default-name", r.GetString("name"));
        Assert.Null(r.GetOptionalString("optional"));
        Assert.Null(r.GetOptionalString("not_there"));
        Assert.Null(r.GetOptionalDuration("optional"));
        Assert.False(r.IsSet("count"));
        Assert.Empty(r.GetSectionList("actions"));
        Assert.Empty(errors.Items);
    }

    [Fact]
    public void User_values_are_typed()
    {
        var (r, errors) = Reader("""
            count = 7
            ratio = 1e-3
            enabled = yes
            timeout = "1m30s"
            max_size = "20 MB"
            tags = single
            labels { env = prod, "k.8s" = "v" }
            mode = DETAILED
            name = "a b"
            optional = set
            actions = [{ key = a }, { key = b }]
            """);
        Assert.Equal(7, r.GetInt("count"));
        Assert.Equal(0.001, r.GetDouble("ratio"));
        Assert.True(r.GetBool("enabled"));
        Assert.Equal(TimeSpan.FromSeconds(90), r.GetDuration("timeout"));
        Assert.Equal(20_000_000L, r.GetByteSize("max_size"));
        Assert.Equal(["single"], r.GetStringList("tags"));
        Assert.Equal(new Dictionary<string, string> { ["env"] = "prod", ["k.8s"] = "v" }, r.GetStringMap("labels"));
        Assert.Equal("detailed", r.GetChoice("mode", "basic", "normal", "detailed"));
        Assert.Equal("a b", r.GetString("name"));
        Assert.Equal("set", r.GetOptionalString("optional"));
        Assert.True(r.IsSet("count"));
        Assert.True(r.HasValue("count"));
        var actions = r.GetSectionList("actions");
        Assert.Equal(["a", "b"], actions.Select(a => a.GetString("key")));
        Assert.Equal("processors.x/1.actions[1]", actions[1].Path);
        Assert.Empty(errors.Items);
    }

    [Fact]
    public void Bad_values_are_errors_with_path_and_value_and_return_the_default()
    {
        var (r, errors) = Reader("""
            count = abc
            ratio = x
            enabled = maybe
            timeout = 5
            max_size = lots
            mode = loud
            tags = [a, { b = 1 }]
            labels { ok = 1, nested { x = 1 } }
            name { oops = 1 }
            """);
        Assert.Equal(5, r.GetInt("count"));
        Assert.Equal(0.5, r.GetDouble("ratio"));
        Assert.False(r.GetBool("enabled"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), r.GetDuration("timeout"));
        Assert.Equal(4L * 1024 * 1024, r.GetByteSize("max_size"));
        Assert.Equal("basic", r.GetChoice("mode", "basic", "normal", "detailed"));
        Assert.Equal(["a"], r.GetStringList("tags"));
        Assert.Equal(["ok"], r.GetStringMap("labels").Keys);
        Assert.Equal("default-name", r.GetString("name"));

        Assert.Equal(
        [
            new ConfigError("processors.x/1.count", "invalid integer \"abc\""),
            new ConfigError("processors.x/1.ratio", "invalid number \"x\""),
            new ConfigError("processors.x/1.enabled", "invalid boolean \"maybe\" (true or false)"),
            new ConfigError("processors.x/1.timeout", "invalid duration \"5\": missing unit (ns, us, ms, s, m, h; e.g. \"5s\", \"200ms\")"),
            new ConfigError("processors.x/1.max_size", "invalid byte size \"lots\": expected a non-negative number with an optional unit (e.g. 4MiB, 20MB, 512)"),
            new ConfigError("processors.x/1.mode", "invalid value \"loud\" (valid values: [basic normal detailed])"),
            new ConfigError("processors.x/1.tags[1]", "expected a string, got an object"),
            new ConfigError("processors.x/1.labels.nested", "expected a string, got an object"),
            new ConfigError("processors.x/1.name", "expected a string, got an object"),
        ], errors.Items);
    }

    [Fact]
    public void Ranges_are_checked()
    {
        var (r, errors) = Reader("count = 0");
        Assert.Equal(5, r.GetInt("count", min: 1));
        r.GetInt("count", min: 1, max: 3);
        r.GetLong("count", max: -1);
        Assert.Equal(
        [
            "processors.x/1.count: must be at least 1, got 0",
            "processors.x/1.count: must be between 1 and 3, got 0",
            "processors.x/1.count: must be at most -1, got 0",
        ], errors.Items.Select(e => e.ToString()));
    }

    [Fact]
    public void Negative_durations_need_permission()
    {
        var (r, errors) = Reader("timeout = -1s");
        Assert.Equal(TimeSpan.FromMilliseconds(200), r.GetDuration("timeout"));
        Assert.Equal(TimeSpan.FromSeconds(-1), r.GetDuration("timeout", allowNegative: true));
        Assert.Equal("processors.x/1.timeout: invalid duration \"-1s\": must not be negative", Assert.Single(errors.Items).ToString());
    }

    [Fact]
    public void Choice_suggests_the_closest_word()
    {
        var (r, errors) = Reader("mode = detailled");
        r.GetChoice("mode", "basic", "normal", "detailed");
        Assert.EndsWith("(did you mean \"detailed\"?)", Assert.Single(errors.Items).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_missing_from_the_defaults_is_reported()
    {
        var (r, errors) = Reader("");
        Assert.Equal(0, r.GetInt("not_in_defaults"));
        Assert.Equal("processors.x/1.not_in_defaults", Assert.Single(errors.Items).Path);
    }

    [Fact]
    public void Null_section_means_present_with_defaults()
    {
        var (r, errors) = Reader("grpc = null");
        Assert.True(r.IsSet("grpc"));
        var grpc = r.GetSection("grpc");
        Assert.NotNull(grpc);
        Assert.Equal("localhost:4317", grpc.GetString("endpoint"));
        Assert.Equal("processors.x/1.grpc", grpc.Path);
        Assert.False(grpc.IsSet("endpoint"));
        Assert.Empty(errors.Items);
    }

    [Fact]
    public void Empty_section_means_present_with_defaults()
    {
        var (r, _) = Reader("grpc {}");
        Assert.True(r.IsSet("grpc"));
        Assert.Equal("localhost:4317", r.GetSection("grpc")!.GetString("endpoint"));
    }

    [Fact]
    public void Absent_section_reads_the_defaults_but_is_not_set()
    {
        var (r, _) = Reader("");
        Assert.False(r.IsSet("grpc"));
        Assert.Equal("localhost:4317", r.GetSection("grpc")!.GetString("endpoint"));
        Assert.Equal("localhost:4317", r.GetString("grpc.endpoint"));
    }

    [Fact]
    public void Section_in_neither_user_nor_defaults_is_null_unless_the_user_wrote_it()
    {
        var (r, _) = Reader("extra = null");
        Assert.Null(r.GetSection("absent"));
        Assert.Null(r.GetSection("optional"));
        var extra = r.GetSection("extra");
        Assert.NotNull(extra);
        Assert.Empty(extra.GetKeys());
    }

    [Fact]
    public void User_values_in_a_section_override_defaults()
    {
        var (r, _) = Reader("grpc { endpoint = \"0.0.0.0:4317\" }");
        var grpc = r.GetSection("grpc")!;
        Assert.True(grpc.IsSet("endpoint"));
        Assert.Equal("0.0.0.0:4317", grpc.GetString("endpoint"));
        Assert.Equal(["endpoint"], grpc.GetKeys());
    }

    [Fact]
    public void Public_constructor_accepts_configs_with_fallbacks()
    {
        var user = ConfigurationFactory.ParseString("a { x = 1 }");
        var defaults = ConfigurationFactory.ParseString("a { x = 0, y = 2 }\nb = 3");
        var errors = new ConfigErrors();
        var r = new ComponentConfigReader(user.WithFallback(defaults), user, "receivers.r", errors);
        Assert.Equal(1, r.GetInt("a.x"));
        Assert.Equal(2, r.GetInt("a.y"));
        Assert.Equal(3, r.GetInt("b"));
        Assert.True(r.IsSet("a.x"));
        Assert.False(r.IsSet("b"));
        Assert.Equal("receivers.r.a.x", r.PathOf("a.x"));
        r.Error("a.x", "bad");
        Assert.Equal("receivers.r.a.x: bad", Assert.Single(errors.Items).ToString());
    }
}
