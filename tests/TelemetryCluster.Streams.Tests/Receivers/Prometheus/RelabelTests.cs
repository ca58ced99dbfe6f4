using TelemetryCluster.Streams.Receivers.Prometheus;
using TelemetryCluster.Streams.Receivers.Prometheus.Relabeling;
using TelemetryCluster.Streams.Receivers.Prometheus.Scraping;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

public sealed class RelabelTests
{
    private static Dictionary<string, string> Labels(params string[] pairs)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            labels[pairs[i]] = pairs[i + 1];
        }

        return labels;
    }

    private static IReadOnlyList<RelabelRule> Rules(string hocon)
    {
        var config = PromConfig.BindOk($$"""
            config.scrape_configs = [ { job_name = j, relabel_configs = {{hocon}} } ]
            """);
        return config.ScrapeConfigs[0].RelabelConfigs;
    }

    [Fact]
    public void Replace_joins_sources_with_the_separator_and_expands_groups()
    {
        var rules = Rules("""[ { source_labels = [a, b], separator = "/", regex = "(.+)/(.+)", target_label = "${2}_x", replacement = "$2-$1" } ]""");
        var labels = Labels("a", "one", "b", "two");

        Assert.True(RelabelRule.Apply(rules, labels));
        Assert.Equal("two-one", labels["two_x"]);
    }

    [Fact]
    public void Replace_regex_is_anchored_at_both_ends()
    {
        var rules = Rules("""[ { source_labels = [a], regex = "b", target_label = t, replacement = matched } ]""");
        var partial = Labels("a", "abc");
        var exact = Labels("a", "b");

        RelabelRule.Apply(rules, partial);
        RelabelRule.Apply(rules, exact);

        Assert.False(partial.ContainsKey("t"));
        Assert.Equal("matched", exact["t"]);
    }

    [Fact]
    public void Replace_with_an_empty_result_deletes_the_target_and_no_match_leaves_it()
    {
        var rules = Rules("""[ { source_labels = [missing], target_label = t } ]""");
        var labels = Labels("t", "before");

        RelabelRule.Apply(rules, labels); // default regex (.*) matches "", replacement $1 = "" → delete
        Assert.False(labels.ContainsKey("t"));

        var noMatch = Rules("""[ { source_labels = [a], regex = "x+", target_label = t, replacement = new } ]""");
        var kept = Labels("a", "y", "t", "old");
        RelabelRule.Apply(noMatch, kept);
        Assert.Equal("old", kept["t"]);
    }

    [Fact]
    public void Go_style_group_references_take_the_longest_name()
    {
        const string pattern = "(?P<name>a)(?:x)?([b\\]()])";
        var captures = RelabelRule.CaptureOrder(pattern);
        var match = RelabelRule.Compile(pattern).Match("ab");

        Assert.Equal(["name", "1"], captures); // Go numbers groups by position: $1 is "name", $2 the unnamed one
        Assert.Equal("a-b-a", RelabelRule.Expand("$name-$2-$1", match, captures));
        Assert.Equal(string.Empty, RelabelRule.Expand("$1x", match, captures)); // "1x" is one (missing) group name in Go
        Assert.Equal("ax", RelabelRule.Expand("${1}x", match, captures));
        Assert.Equal("$1", RelabelRule.Expand("$$1", match, captures));
        Assert.Equal("a|ab|", RelabelRule.Expand("${name}|$0|$3", match, captures));
    }

    [Fact]
    public void Keep_and_drop_match_the_joined_value()
    {
        var keep = Rules("""[ { source_labels = [env, team], regex = "prod;.*", action = keep } ]""");
        var drop = Rules("""[ { source_labels = [env], regex = "dev", action = drop } ]""");

        Assert.True(RelabelRule.Apply(keep, Labels("env", "prod", "team", "x")));
        Assert.False(RelabelRule.Apply(keep, Labels("env", "production", "team", "x")));
        Assert.False(RelabelRule.Apply(drop, Labels("env", "dev")));
        Assert.True(RelabelRule.Apply(drop, Labels("env", "devel")));
    }

    [Fact]
    public void Keepequal_dropequal_compare_with_the_target_label()
    {
        var keep = Rules("""[ { source_labels = [a], target_label = b, action = keepequal } ]""");
        var drop = Rules("""[ { source_labels = [a], target_label = b, action = dropequal } ]""");

        Assert.True(RelabelRule.Apply(keep, Labels("a", "1", "b", "1")));
        Assert.False(RelabelRule.Apply(keep, Labels("a", "1", "b", "2")));
        Assert.False(RelabelRule.Apply(drop, Labels("a", "1", "b", "1")));
    }

    [Fact]
    public void Labelmap_labeldrop_labelkeep_work_on_label_names()
    {
        var rules = Rules("""
            [
              { regex = "__meta_kubernetes_pod_label_(.+)", action = labelmap }
              { regex = "tmp_.*", action = labeldrop }
            ]
            """);
        var labels = Labels("__meta_kubernetes_pod_label_app", "web", "tmp_x", "1", "keep", "2");

        RelabelRule.Apply(rules, labels);
        Assert.Equal("web", labels["app"]);
        Assert.False(labels.ContainsKey("tmp_x"));

        var keep = Rules("""[ { regex = "app|__.*", action = labelkeep } ]""");
        RelabelRule.Apply(keep, labels);
        Assert.Equal(["__meta_kubernetes_pod_label_app", "app"], labels.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Hashmod_lowercase_uppercase()
    {
        var rules = Rules("""
            [
              { source_labels = [__address__], modulus = 8, target_label = shard, action = hashmod }
              { source_labels = [Name], target_label = lower, action = lowercase }
              { source_labels = [Name], target_label = upper, action = uppercase }
            ]
            """);
        var labels = Labels("__address__", "10.0.0.1:9100", "Name", "MiXed");

        RelabelRule.Apply(rules, labels);
        var shard = int.Parse(labels["shard"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shard, 0, 7);
        var again = Labels("__address__", "10.0.0.1:9100", "Name", "MiXed");
        RelabelRule.Apply(rules, again);
        Assert.Equal(labels["shard"], again["shard"]);
        Assert.Equal(("mixed", "MIXED"), (labels["lower"], labels["upper"]));
    }

    [Fact]
    public void Hashmod_matches_prometheus_md5_value()
    {
        // Prometheus: the last 8 bytes of md5(value), big-endian, modulo the modulus.
        var rules = Rules("""[ { source_labels = [a], modulus = 1000, target_label = m, action = hashmod } ]""");
        var labels = Labels("a", "foo");
        RelabelRule.Apply(rules, labels);

        var md5 = System.Security.Cryptography.MD5.HashData("foo"u8);
        var expected = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(md5.AsSpan(8)) % 1000;
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), labels["m"]);
    }

    [Fact]
    public void Target_labels_come_from_address_scheme_path_and_params_and_meta_labels_are_dropped()
    {
        var config = PromConfig.BindOk("""
            config.scrape_configs = [ {
              job_name = snmp
              metrics_path = "/snmp"
              params { module = [if_mib], extra = [a, b] }
              static_configs = [ { targets = ["192.168.1.2"], labels { __meta_site = "x", team = "net" } } ]
              relabel_configs = [
                { source_labels = [__address__], target_label = __param_target }
                { source_labels = [__param_target], target_label = instance }
                { target_label = __address__, replacement = "127.0.0.1:9116" }
                { source_labels = [__meta_site], target_label = site }
                { target_label = __scheme__, replacement = https }
                { target_label = __metrics_path__, replacement = "/snmp2" }
              ]
            } ]
            """).ScrapeConfigs[0];
        var group = config.StaticConfigs[0];

        var target = ScrapeTarget.Create(config, group.Labels, new Dictionary<string, string> { ["__address__"] = group.Targets[0] }, out var error);

        Assert.Null(error);
        Assert.NotNull(target);
        Assert.Equal("https://127.0.0.1:9116/snmp2?extra=a&extra=b&module=if_mib&target=192.168.1.2", target.Url.ToString());
        Assert.Equal(
            new[] { KeyValuePair.Create("instance", "192.168.1.2"), KeyValuePair.Create("job", "snmp"), KeyValuePair.Create("site", "x"), KeyValuePair.Create("team", "net") },
            target.Labels);
        Assert.Equal(("snmp", "192.168.1.2", "https"), (target.Job, target.Instance, target.Scheme));
        Assert.Equal("snmp|https://127.0.0.1:9116/snmp2?extra=a&extra=b&module=if_mib&target=192.168.1.2", target.Key);
    }

    [Fact]
    public void Instance_defaults_to_the_address_with_the_scheme_port_and_dropped_targets_are_null()
    {
        var config = PromConfig.BindOk("""
            config.scrape_configs = [ {
              job_name = web
              relabel_configs = [ { source_labels = [__address__], regex = "skip.*", action = drop } ]
            } ]
            """).ScrapeConfigs[0];

        var target = ScrapeTarget.Create(config, new Dictionary<string, string>(), new Dictionary<string, string> { ["__address__"] = "web-1" }, out _);
        var dropped = ScrapeTarget.Create(config, new Dictionary<string, string>(), new Dictionary<string, string> { ["__address__"] = "skip-me:80" }, out var error);

        Assert.Equal("web-1:80", target!.Instance);
        Assert.Equal("http://web-1/metrics", target.Url.ToString());
        Assert.Null(dropped);
        Assert.Null(error);
    }
}
