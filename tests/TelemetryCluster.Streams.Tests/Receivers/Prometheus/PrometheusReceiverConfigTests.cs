using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.Prometheus;
using TelemetryCluster.Streams.Receivers.Prometheus.Relabeling;
using TelemetryCluster.Streams.Tests.Exporters.Debug;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

public sealed class PrometheusReceiverConfigTests
{
    [Fact]
    public void Factory_describes_the_collector_prometheus_receiver_and_is_builtin()
    {
        Assert.Equal("prometheus", PromConfig.Factory.Type);
        Assert.Equal(ComponentKind.Receiver, PromConfig.Factory.Kind);
        Assert.Equal(Stability.Beta, PromConfig.Factory.Signals[Signal.Metrics]);
        Assert.Single(PromConfig.Factory.Signals);
        Assert.True(ComponentRegistry.Builtin().TryGet(ComponentKind.Receiver, "prometheus", out _, out _));
    }

    [Fact]
    public void Scrape_configs_take_prometheus_defaults_and_the_global_block()
    {
        var config = PromConfig.BindOk("""
            config {
              global { scrape_interval = 30s, scrape_timeout = 5s }
              scrape_configs = [
                { job_name = a }
                { job_name = b, scrape_interval = 2s, scheme = https, honor_labels = true, honor_timestamps = false }
              ]
            }
            """);

        var a = config.ScrapeConfigs[0];
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), "/metrics", "http"), (a.ScrapeInterval, a.ScrapeTimeout, a.MetricsPath, a.Scheme));
        Assert.False(a.HonorLabels);
        Assert.True(a.HonorTimestamps);
        var b = config.ScrapeConfigs[1];
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), "https"), (b.ScrapeInterval, b.ScrapeTimeout, b.Scheme)); // timeout capped
        Assert.True(b.HonorLabels);
        Assert.False(b.HonorTimestamps);
    }

    [Fact]
    public void Empty_config_scrapes_nothing()
    {
        Assert.Empty(PromConfig.BindOk(string.Empty).ScrapeConfigs);
    }

    [Fact]
    public void Bad_keys_and_values_are_reported_with_their_full_paths()
    {
        var errors = PromConfig.Errors("""
            config.scrape_configs = [
              { job_name = a, scrape_interval = 1s, scrape_timeout = 5s, scheme = ftp, metrics_path = "metrics", jobname = x }
              { job_name = a }
              { scrape_interval = 1s }
              {
                job_name = c
                static_configs = [ { targets = ["h:1"], lables { x = y } } ]
                relabel_configs = [
                  { action = explode }
                  { action = replace, source_labels = [a] }
                  { action = hashmod, target_label = t }
                  { regex = "(", target_label = t }
                  { action = labeldrop, source_labels = [a], regex = x }
                ]
                basic_auth { username = u, password = p, password_file = "/f" }
                kubernetes_sd_configs = [ { role = service }, { api_server = "https://k8s" } ]
                tls_config { ca_file = "/does/not/exist.pem" }
              }
            ]
            trim_metric_suffixes = true
            """);

        var p = "receivers.prometheus.config.scrape_configs";
        Assert.Contains(errors, e => e.StartsWith($"{p}[0].scrape_timeout: scrape timeout 5s greater than scrape interval 1s", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[0].scheme: invalid scheme \"ftp\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[0].metrics_path:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[0].jobname: unknown key \"jobname\" (did you mean \"job_name\"?)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[1].job_name: found multiple scrape configs with job name \"a\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[2].job_name: job_name is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].static_configs[0].lables: unknown key \"lables\" (did you mean \"labels\"?)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].relabel_configs[0].action: unknown relabel action \"explode\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].relabel_configs[1].target_label: relabel configuration for replace action requires 'target_label' value", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].relabel_configs[2].modulus: relabel configuration for hashmod requires non-zero modulus", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].relabel_configs[3].regex: invalid regular expression \"(\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].relabel_configs[4].source_labels: labeldrop action requires only 'regex'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].basic_auth: at most one of basic_auth password & password_file", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].kubernetes_sd_configs[0].role: role \"service\" is not supported yet", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].kubernetes_sd_configs[1].role: role missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{p}[3].tls_config.ca_file: file \"/does/not/exist.pem\" does not exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("receivers.prometheus.trim_metric_suffixes:", StringComparison.Ordinal));
        Assert.Equal(17, errors.Count);
    }

    [Fact]
    public void Relabel_rules_bind_with_prometheus_defaults()
    {
        var rule = PromConfig.BindOk("config.scrape_configs = [ { job_name = a, relabel_configs = [ { target_label = x } ] } ]").ScrapeConfigs[0].RelabelConfigs[0];

        Assert.Equal((RelabelAction.Replace, ";", "(.*)", "$1", 0UL), (rule.Action, rule.Separator, rule.RegexText, rule.Replacement, rule.Modulus));
        Assert.Empty(rule.SourceLabels);
    }

    [Fact]
    public void Readme_example_binds_without_errors_and_uses_only_declared_keys()
    {
        var example = ReadmeHocon.Parse(ReadmeHocon.FirstBlock(Path.Combine("Receivers", "Prometheus")));
        var defaults = ReadmeHocon.Parse(PromConfig.Defaults);
        var section = example.GetObject().Items["receivers"].GetObject().Items["prometheus"];

        Assert.Empty(ReadmeHocon.UnknownKeys(section, defaults));
        var errors = new ConfigErrors();
        var user = new Akka.Configuration.Config(new Akka.Configuration.Hocon.HoconRoot(section));
        var merged = user.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(PromConfig.Defaults));
        var config = (PrometheusReceiverConfig)PromConfig.Factory.CreateConfig(new ComponentConfigReader(merged, user, "receivers.prometheus", errors));
        // The example's service account files do not exist here; nothing else may be wrong.
        Assert.All(errors.Items, e => Assert.Contains("does not exist", e.Message, StringComparison.Ordinal));
        Assert.Equal(["node", "kubernetes-pods", "kubelet-cadvisor"], config.ScrapeConfigs.Select(s => s.JobName));
        Assert.Equal(TimeSpan.FromSeconds(30), config.ScrapeConfigs[1].ScrapeInterval);
        Assert.Equal(5, config.ScrapeConfigs[1].RelabelConfigs.Count);
    }

    [Fact]
    public void A_collector_yaml_config_runs_unchanged_with_escaped_replacements()
    {
        const string yaml = """
            receivers:
              prometheus:
                config:
                  scrape_configs:
                    - job_name: kubernetes-cadvisor
                      scheme: https
                      tls_config:
                        insecure_skip_verify: true
                      kubernetes_sd_configs:
                        - role: pod
                          namespaces:
                            names: [kube-system]
                      relabel_configs:
                        - target_label: __address__
                          replacement: kubernetes.default.svc:443
                        - source_labels: [__meta_kubernetes_pod_node_name]
                          regex: (.+)
                          target_label: __metrics_path__
                          replacement: /api/v1/nodes/$${1}/proxy/metrics/cadvisor
            exporters:
              debug:
            service:
              pipelines:
                metrics:
                  receivers: [prometheus]
                  exporters: [debug]
            """;

        var spec = ConfigLoader.LoadText(yaml, ComponentRegistry.Builtin(), yaml: true, environment: _ => null);

        var config = (PrometheusReceiverConfig)spec.Receivers[ComponentId.Parse("prometheus")].Config;
        var scrape = Assert.Single(config.ScrapeConfigs);
        Assert.Equal(("https", true), (scrape.Scheme, scrape.Auth.InsecureSkipVerify));
        Assert.Equal(["kube-system"], scrape.KubernetesSdConfigs[0].Namespaces);
        Assert.Equal("/api/v1/nodes/${1}/proxy/metrics/cadvisor", scrape.RelabelConfigs[1].Replacement);
    }
}
