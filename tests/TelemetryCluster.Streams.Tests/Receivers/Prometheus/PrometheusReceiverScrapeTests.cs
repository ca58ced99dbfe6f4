using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Proto.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Receivers.Prometheus;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

public sealed class PrometheusReceiverScrapeTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private static string Job(string address, string extra = "") => $$"""
        config.scrape_configs = [ {
          job_name = app
          scrape_interval = 1s
          static_configs = [ { targets = ["{{address}}"] } ]
          {{extra}}
        } ]
        """;

    [Fact]
    public async Task Scrapes_a_text_target_with_basic_auth_and_prometheus_headers()
    {
        await using var target = await TestHttpServer.StartAsync();
        target.Handler = async ctx =>
        {
            if (ctx.Request.Headers.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("scraper:s3cret")))
            {
                ctx.Response.StatusCode = 401;
                return;
            }

            ctx.Response.ContentType = "text/plain; version=0.0.4";
            await ctx.Response.WriteAsync(ExpositionFixtures.NodeExporterText);
        };
        await using var harness = await PromReceiverHarness.StartAsync(akka, Job(target.Address, """
            metrics_path = "/custom"
            params { format = [prometheus] }
            basic_auth { username = scraper, password = s3cret }
            """));

        var request = await harness.WaitForAsync(r => PromData.MetricOrNull(r, "node_cpu_seconds_total") is not null, what: "node metrics");

        Assert.Equal(1, PromData.Point(request, "up").AsDouble);
        Assert.Equal(2, PromData.Metric(request, "node_cpu_seconds_total").Sum.DataPoints.Count);
        var (path, headers) = target.Requests.First();
        Assert.Equal("/custom?format=prometheus", path);
        Assert.StartsWith("application/openmetrics-text;version=1.0.0", headers["Accept"], StringComparison.Ordinal);
        Assert.Equal("1", headers["X-Prometheus-Scrape-Timeout-Seconds"]);
        Assert.True(harness.Accepted > 0);
        Assert.Equal(harness.Consumer.Items(Signal.Metrics), harness.Accepted);
    }

    [Fact]
    public async Task Bearer_token_file_is_sent_and_openmetrics_is_parsed_by_content_type()
    {
        var dir = Directory.CreateTempSubdirectory("prom-token-");
        try
        {
            var tokenFile = Path.Combine(dir.FullName, "token");
            await File.WriteAllTextAsync(tokenFile, "tok-123\n", TestContext.Current.CancellationToken);
            await using var target = await TestHttpServer.StartAsync();
            target.Handler = async ctx =>
            {
                if (ctx.Request.Headers.Authorization != "Bearer tok-123")
                {
                    ctx.Response.StatusCode = 403;
                    return;
                }

                ctx.Response.ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
                await ctx.Response.WriteAsync(ExpositionFixtures.OpenMetrics);
            };
            await using var harness = await PromReceiverHarness.StartAsync(akka, Job(target.Address, $"bearer_token_file = \"{tokenFile}\""));

            var request = await harness.WaitForAsync(r => PromData.MetricOrNull(r, "latency_seconds") is not null, what: "OpenMetrics histogram");

            Assert.Equal("seconds", PromData.Metric(request, "latency_seconds").Unit);
            Assert.Equal(1_699_999_500UL * 1_000_000_000UL, PromData.Metric(request, "latency_seconds").Histogram.DataPoints[0].StartTimeUnixNano);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_target_that_disappears_reports_up_zero_and_staleness_markers()
    {
        await using var target = await TestHttpServer.StartAsync();
        target.Serve("# TYPE jobs_total counter\njobs_total{queue=\"a\"} 5\ntemperature 20\n");
        await using var harness = await PromReceiverHarness.StartAsync(akka, Job(target.Address));
        await harness.WaitForAsync(r => PromData.MetricOrNull(r, "jobs_total") is not null, what: "a first good scrape");

        await target.DisposeAsync(); // the target goes away: connection refused from now on

        var stale = await harness.WaitForAsync(r => PromData.MetricOrNull(r, "up") is { } up && up.Gauge.DataPoints[0].AsDouble == 0, what: "up 0");
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(stale, "jobs_total").Flags);
        Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(stale, "temperature").Flags);
        Assert.True(harness.Receiver.Counters.Failures("connection") >= 1);
    }

    [Fact]
    public async Task Http_errors_and_garbage_fail_the_scrape_without_crashing()
    {
        await using var target = await TestHttpServer.StartAsync();
        var calls = 0;
        target.Handler = async ctx =>
        {
            switch (Interlocked.Increment(ref calls) % 3)
            {
                case 1:
                    ctx.Response.StatusCode = 500;
                    break;
                case 2:
                    await ctx.Response.WriteAsync("this is { not prometheus\n");
                    break;
                default:
                    await ctx.Response.WriteAsync("ok_metric 1\n");
                    break;
            }
        };
        await using var harness = await PromReceiverHarness.StartAsync(akka, Job(target.Address));

        await harness.WaitForAsync(r => PromData.MetricOrNull(r, "ok_metric") is not null, what: "a good scrape after failures");
        await Wait.UntilAsync(() => harness.Receiver.Counters.Failures("http_status") >= 1 && harness.Receiver.Counters.Failures("parse_error") >= 1,
            TimeSpan.FromSeconds(20), "both failure kinds counted");
    }

    [Fact]
    public async Task Refused_scrapes_are_dropped_and_counted_and_the_next_scrape_carries_cumulative_values()
    {
        await using var target = await TestHttpServer.StartAsync();
        var value = 0;
        target.Handler = async ctx => await ctx.Response.WriteAsync($"# TYPE requests_total counter\nrequests_total {Interlocked.Increment(ref value) * 10}\n");
        var consumer = new FakeConsumer(Signal.Metrics)
        {
            FirstOutcomes = [AckOutcome.Refuse("partition full", TimeSpan.FromSeconds(1)), AckOutcome.Refuse("partition full", TimeSpan.FromSeconds(1))],
        };
        await using var harness = await PromReceiverHarness.StartAsync(akka, Job(target.Address), consumer);

        await Wait.UntilAsync(() => consumer.Calls >= 3, TimeSpan.FromSeconds(20), "three deliveries");

        Assert.Equal(2 * 6, harness.Refused("refused")); // counter + 5 scrape_* gauges, twice
        var accepted = consumer.Batches.Skip(2).First().Metrics;
        Assert.True(PromData.Point(accepted, "requests_total").AsDouble >= 30);
        await Wait.UntilAsync(() => harness.Accepted >= 6, TimeSpan.FromSeconds(10), "the accepted scrape counted");
        Assert.InRange(harness.Accepted, 6, consumer.Batches.Skip(2).Sum(b => (long)b.ItemCount));
        Assert.True(harness.Receiver.Pools[0].ActiveTargets.Count == 1);
    }

    [Fact]
    public async Task Ownership_decides_which_targets_this_node_scrapes_and_a_moved_target_goes_stale()
    {
        await using var a = await TestHttpServer.StartAsync();
        await using var b = await TestHttpServer.StartAsync();
        a.Serve("from_a 1\n");
        b.Serve("from_b 1\n");
        var system = ActorSystem.Create("prom-ownership-" + Guid.NewGuid().ToString("N")[..6], "akka.loglevel = WARNING");
        try
        {
            var ownership = new SwitchableOwnership(key => key.Contains(a.Address, StringComparison.Ordinal));
            system.RegisterExtension(new OwnershipId(ownership));
            await using var harness = await PromReceiverHarness.StartAsync(akka, $$"""
                config.scrape_configs = [ { job_name = app, scrape_interval = 1s, static_configs = [ { targets = ["{{a.Address}}", "{{b.Address}}"] } ] } ]
                """, system: system);

            await harness.WaitForAsync(r => PromData.MetricOrNull(r, "from_a") is not null, what: "target a");
            Assert.Equal([a.Address], harness.Receiver.ActiveTargets.Select(t => t.Instance));
            Assert.Equal(2, harness.Receiver.Pools[0].KnownTargets);

            ownership.Set(key => key.Contains(b.Address, StringComparison.Ordinal)); // "a's owner left": b is ours now, a moved away

            await harness.WaitForAsync(r => PromData.MetricOrNull(r, "from_b") is not null, what: "target b after the move");
            var gone = await harness.WaitForAsync(r => PromData.MetricOrNull(r, "from_a") is { } m && m.Gauge.DataPoints[0].Flags == 1, what: "a's staleness markers");
            Assert.Equal((uint)DataPointFlags.NoRecordedValueMask, PromData.Point(gone, "up").Flags);
            Assert.Equal([b.Address], harness.Receiver.ActiveTargets.Select(t => t.Instance));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class SwitchableOwnership(Func<string, bool> owns) : IScrapeTargetOwnership
    {
        private readonly List<Action> _subscribers = [];
        private Func<string, bool> _owns = owns;

        public bool Owns(string targetKey) => _owns(targetKey);

        public IDisposable Subscribe(Action changed)
        {
            lock (_subscribers)
            {
                _subscribers.Add(changed);
            }

            return new Unsubscribe(() =>
            {
                lock (_subscribers)
                {
                    _subscribers.Remove(changed);
                }
            });
        }

        public void Set(Func<string, bool> owns)
        {
            _owns = owns;
            Action[] subscribers;
            lock (_subscribers)
            {
                subscribers = [.. _subscribers];
            }

            foreach (var s in subscribers)
            {
                s();
            }
        }

        private sealed class Unsubscribe(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }

    private sealed class OwnershipId(IScrapeTargetOwnership ownership) : ExtensionIdProvider<IScrapeTargetOwnership>
    {
        public override IScrapeTargetOwnership CreateExtension(ExtendedActorSystem system) => ownership;
    }
}
