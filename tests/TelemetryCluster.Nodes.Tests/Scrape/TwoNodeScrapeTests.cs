using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Scrape;

/// <summary>
/// Two real node processes in one cluster, both configured with the same prometheus receiver and twelve targets
/// served by this test: every target is scraped by exactly one node (one connection per target once the split
/// settles), and when a node leaves its targets move to the other.
/// </summary>
public sealed partial class TwoNodeScrapeTests
{
    private const int Targets = 12;

    [GeneratedRegex(@"Job scrape-test: scraping (\d+) of (\d+) target\(s\) on this node")]
    private static partial Regex ScrapingLine();

    [Fact]
    public async Task Each_target_is_scraped_by_exactly_one_node_and_moves_when_its_node_leaves()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var targets = await TargetFarm.StartAsync(Targets);
        var ports = FreePorts.Take(4);
        var dir = Directory.CreateTempSubdirectory("two-node-scrape-");
        try
        {
            var seed = $"akka.tcp://telemetry-cluster@127.0.0.1:{ports[0]}";
            var configA = Write(dir, "a.conf", Config(ports[0], ports[2], seed, targets.Addresses));
            var configB = Write(dir, "b.conf", Config(ports[1], ports[3], seed, targets.Addresses));
            await using var a = NodeProcess.StartNode(["--config", configA]);
            await a.WaitForLineAsync(l => Owned(l) == Targets, TimeSpan.FromSeconds(60), ct); // alone: A owns all
            await using var b = NodeProcess.StartNode(["--config", configB]);

            // The split: both nodes report their share, and the shares add up.
            await WaitUntilAsync(() => Latest(a) is > 0 and < Targets && Latest(b) is > 0 and < Targets && Latest(a) + Latest(b) == Targets,
                TimeSpan.FromSeconds(60), () => $"A: {Latest(a)}, B: {Latest(b)}\nA:\n{a.Output}\nB:\n{b.Output}");

            // Steady state: in a window after the split, each target is asked over exactly one connection (one node).
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct); // let scrapes that started before the split finish
            targets.StartWindow();
            await WaitUntilAsync(() => targets.WindowRequests.Count == Targets && targets.WindowRequests.Values.All(r => r.Count >= 3),
                TimeSpan.FromSeconds(30), () => "targets not scraped in the window: " + targets.Describe());
            Assert.All(targets.WindowRequests, kv => Assert.Single(kv.Value.Select(r => r.Connection).Distinct()));
            var connections = targets.WindowRequests.Values.Select(r => r[0].RemotePort).ToList();
            Assert.Equal(Targets, connections.Distinct().Count());

            // B leaves (SIGTERM: graceful leave); A takes every target again.
            b.Terminate();
            await b.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);
            await WaitUntilAsync(() => Latest(a) == Targets, TimeSpan.FromSeconds(60), () => a.Output);
            targets.StartWindow();
            await WaitUntilAsync(() => targets.WindowRequests.Count == Targets && targets.WindowRequests.Values.All(r => r.Count >= 2),
                TimeSpan.FromSeconds(30), () => "targets not scraped after B left: " + targets.Describe());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static int? Owned(string line) =>
        ScrapingLine().Match(line) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    private static int Latest(NodeProcess node) =>
        node.Lines.Select(l => Owned(l.Text)).LastOrDefault(n => n is not null) ?? -1;

    private static string Write(DirectoryInfo dir, string name, string text)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Config(int remoting, int management, string seed, IEnumerable<string> addresses) => $$"""
        cluster {
          hostname = "127.0.0.1"
          port = {{remoting}}
          seed-nodes = ["{{seed}}"]
          drain-timeout = 5s
          management { endpoint = "127.0.0.1:{{management}}" }
        }
        receivers {
          prometheus {
            config {
              scrape_configs = [
                {
                  job_name = scrape-test
                  scrape_interval = 500ms
                  static_configs = [ { targets = [{{string.Join(", ", addresses.Select(a => $"\"{a}\""))}}] } ]
                }
              ]
            }
          }
        }
        exporters { debug { verbosity = basic } }
        service {
          pipelines { metrics { receivers = [prometheus], exporters = [debug] } }
          telemetry { logs { level = info } }
        }
        akka.cluster {
          split-brain-resolver.stable-after = 5s
          failure-detector { heartbeat-interval = 1s, acceptable-heartbeat-pause = 3s }
        }
        """;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time: " + describe());
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Several /metrics targets on one Kestrel server (one port each), recording who asked.</summary>
    private sealed class TargetFarm : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private ConcurrentDictionary<int, List<(string Connection, int RemotePort)>> _window = new();

        private TargetFarm(WebApplication app) => _app = app;

        public IReadOnlyList<string> Addresses => [.. _app.Urls.Select(u => new Uri(u).Authority)];

        public IReadOnlyDictionary<int, List<(string Connection, int RemotePort)>> WindowRequests => _window;

        public static async Task<TargetFarm> StartAsync(int count)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                for (var i = 0; i < count; i++)
                {
                    kestrel.Listen(IPAddress.Loopback, 0);
                }
            });
            var app = builder.Build();
            var farm = new TargetFarm(app);
            app.Run(async ctx =>
            {
                var list = farm._window.GetOrAdd(ctx.Connection.LocalPort, _ => []);
                lock (list)
                {
                    list.Add((ctx.Connection.Id, ctx.Connection.RemotePort));
                }

                ctx.Response.ContentType = "text/plain; version=0.0.4";
                await ctx.Response.WriteAsync($"# TYPE target_port gauge\ntarget_port {ctx.Connection.LocalPort}\n");
            });
            await app.StartAsync();
            return farm;
        }

        public void StartWindow() => _window = new();

        public string Describe() => string.Join(", ", _window.Select(kv => $"{kv.Key}: {kv.Value.Count}"));

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
