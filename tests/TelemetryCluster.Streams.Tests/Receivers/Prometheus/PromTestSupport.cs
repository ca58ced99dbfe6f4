using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Prometheus;
using TelemetryCluster.Streams.Receivers.Prometheus.Discovery;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Prometheus;

/// <summary>A real HTTP(S) server on 127.0.0.1 with a dynamic port whose answer the test swaps at will.</summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHttpServer(WebApplication app) => _app = app;

    /// <summary>Answers every request; replace to change what the target serves.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = static ctx =>
    {
        ctx.Response.StatusCode = 404;
        return Task.CompletedTask;
    };

    public ConcurrentQueue<(string PathAndQuery, Dictionary<string, string> Headers)> Requests { get; } = new();

    public int Port => new Uri(_app.Urls.First()).Port;

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<TestHttpServer> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var server = new TestHttpServer(app);
        app.Run(ctx =>
        {
            server.Requests.Enqueue((ctx.Request.Path + ctx.Request.QueryString,
                ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            return server.Handler(ctx);
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>Serves a fixed body with a content type.</summary>
    public void Serve(string body, string contentType = "text/plain; version=0.0.4; charset=utf-8") =>
        Handler = async ctx =>
        {
            ctx.Response.ContentType = contentType;
            await ctx.Response.WriteAsync(body, ctx.RequestAborted);
        };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A started <see cref="PrometheusReceiver"/> with a recording consumer.</summary>
internal sealed class PromReceiverHarness : IAsyncDisposable
{
    private PromReceiverHarness(PrometheusReceiver receiver, FakeConsumer consumer, EngineTelemetry telemetry, ComponentId id)
    {
        Receiver = receiver;
        Consumer = consumer;
        Telemetry = telemetry;
        Id = id;
    }

    public PrometheusReceiver Receiver { get; }

    public FakeConsumer Consumer { get; }

    public EngineTelemetry Telemetry { get; }

    public ComponentId Id { get; }

    public static async Task<PromReceiverHarness> StartAsync(
        OtlpAkkaFixture akka, string hocon, FakeConsumer? consumer = null, KubernetesEnvironment? kubernetes = null, ILoggerFactory? loggers = null, Akka.Actor.ActorSystem? system = null)
    {
        var config = PromConfig.BindOk(hocon);
        var telemetry = new EngineTelemetry();
        var id = ComponentId.Parse("prometheus");
        var context = new ComponentContext(id, ComponentKind.Receiver, loggers ?? NullLoggerFactory.Instance, TimeProvider.System,
            new ComponentStatusRegistry(TimeProvider.System), telemetry, system ?? akka.System, akka.Materializer);
        var receiver = new PrometheusReceiver(context, config, kubernetes ?? new KubernetesEnvironment(null, null, "/nonexistent"));
        consumer ??= new FakeConsumer(Signal.Metrics);
        await receiver.StartAsync(consumer, TestContext.Current.CancellationToken);
        return new PromReceiverHarness(receiver, consumer, telemetry, id);
    }

    public IReadOnlyList<ExportMetricsServiceRequest> Requests => [.. Consumer.Batches.Select(b => b.Metrics)];

    public long Accepted => Telemetry.Total(ComponentKind.Receiver, Id, Signal.Metrics, Outcomes.Accepted);

    public long Refused(string reason) => Telemetry.Get(ComponentKind.Receiver, Id, Signal.Metrics, Outcomes.Refused, reason);

    /// <summary>Waits until a delivered request satisfies the predicate; returns it.</summary>
    public async Task<ExportMetricsServiceRequest> WaitForAsync(Func<ExportMetricsServiceRequest, bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            foreach (var request in Requests)
            {
                if (predicate(request))
                {
                    return request;
                }
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no delivered scrape matched {what ?? "the condition"}; got {Requests.Count} request(s) with metrics "
            + string.Join(", ", Requests.SelectMany(PromData.Metrics).Select(m => m.Name).Distinct().Take(40)));
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.StopAsync(CancellationToken.None);
        await Receiver.DisposeAsync();
        Telemetry.Dispose();
    }
}

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
