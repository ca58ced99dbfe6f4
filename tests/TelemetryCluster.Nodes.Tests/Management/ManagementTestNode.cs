using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Management;
using TelemetryCluster.Nodes.Tests.Hosting;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Extensions.HealthCheck;
using TelemetryCluster.Testing;

namespace TelemetryCluster.Nodes.Tests.Management;

/// <summary>
/// One in-process node (the real node wiring through <see cref="NodeHost"/>) on loopback with the test receiver and
/// recording exporter, its management endpoint on a free port, and an HTTP client for it. Disposing stops the node
/// (if still running) and the host.
/// </summary>
internal sealed class ManagementTestNode : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ManagementTestNode(IHost host, Task<int> run, TestComponents components, IReceiverConsumer consumer)
    {
        Host = host;
        Run = run;
        Components = components;
        Consumer = consumer;
        System = host.Services.GetRequiredService<ActorSystem>();
        Endpoint = host.Services.GetRequiredService<ManagementEndpoint>();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Endpoint.Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public IHost Host { get; }

    public Task<int> Run { get; }

    public TestComponents Components { get; }

    public IReceiverConsumer Consumer { get; }

    public ActorSystem System { get; }

    public Cluster Cluster => Cluster.Get(System);

    public string Address => Cluster.SelfAddress.ToString();

    public ManagementEndpoint Endpoint { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// The node's configuration: remoting on 127.0.0.1 with a free port, the management endpoint on
    /// <paramref name="managementPort"/> (0 = free), one metrics pipeline testin → record, plus <paramref name="extra"/>.
    /// With <paramref name="healthCheckPort"/> the node also runs health_check there.
    /// </summary>
    public static string Config(string extra = "", int managementPort = 0, int? healthCheckPort = null) => $$"""
        cluster {
          port = 0
          drain-timeout = 5s
          management.endpoint = "127.0.0.1:{{managementPort}}"
          metrics-view.report-interval = 200ms
        }
        receivers { testin {} }
        exporters { record {} }
        {{(healthCheckPort is { } port ? $"extensions {{ health_check {{ endpoint = \"127.0.0.1:{port}\" }} }}" : string.Empty)}}
        service {
          {{(healthCheckPort is null ? string.Empty : "extensions = [health_check]")}}
          pipelines {
            metrics { receivers = [testin], exporters = [record] }
          }
        }
        {{extra}}
        """;

    /// <summary>Starts a node and waits until its pipelines run (the management endpoint starts before them).</summary>
    public static async Task<ManagementTestNode> StartAsync(string hocon, CancellationToken cancellationToken)
    {
        var components = new TestComponents();
        var registry = new ComponentRegistry(
            [.. components.Registry.All, new HealthCheckExtensionFactory(), new Streams.Exporters.Prometheus.PrometheusExporterFactory()],
            factory => factory is HealthCheckExtensionFactory or Streams.Exporters.Prometheus.PrometheusExporterFactory
                ? ComponentRegistry.EmbeddedDefaults(factory)
                : components.Registry.LoadDefaults(factory));
        var spec = ConfigLoader.LoadText(hocon, registry);
        var builder = NodeHost.CreateBuilder(spec);
        builder.Logging.ClearProviders();
        if (TestContext.Current.TestOutputHelper is { } output)
        {
            builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        }

        var host = builder.Build();
        var run = NodeHost.RunAsync(host, cancellationToken);
        try
        {
            var consumer = await components.Receiver.Started.WaitAsync(Timeout, cancellationToken);
            return new ManagementTestNode(host, run, components, consumer);
        }
        catch
        {
            await StopAsync(host, run);
            host.Dispose();
            throw;
        }
    }

    /// <summary>Offers a batch of <paramref name="points"/> metric points to the node's pipelines.</summary>
    public Task<AckOutcome> SendAsync(int points, CancellationToken cancellationToken) =>
        Consumer.ConsumeAsync(TelemetryBatch.Create(Otlp.Metrics(points), AckSet.Of(new Ack())), cancellationToken);

    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(path, cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>The Up members this node sees.</summary>
    public int UpMembers => Cluster.State.Members.Count(m => m.Status == MemberStatus.Up);

    /// <summary>Stops the node (as SIGTERM would) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await StopAsync(Host, Run);
        return await Run;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(Host, Run);
        Http.Dispose();
        Host.Dispose();
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds or <see cref="Timeout"/> passes.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"timed out after {Timeout} waiting for {what}");
            }
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, cancellationToken);

    private static async Task StopAsync(IHost host, Task<int> run)
    {
        if (!run.IsCompleted)
        {
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }

        try
        {
            await run.WaitAsync(Timeout);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // reported by the test's own assertions; the host is disposed anyway
        }
    }
}
