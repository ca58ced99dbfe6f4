using System.Collections.Concurrent;
using Akka;
using Akka.Streams.Dsl;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Tests.Engine;

/// <summary>Test components for driving the engine directly: a receiver that exposes its consumer, an exporter
/// that can be blocked and made to fail, and a processor that mutates payloads.</summary>
internal abstract class FakeFactory(string type, ComponentKind kind) : IComponentFactory
{
    public string Type { get; } = type;

    public IReadOnlyList<string> Aliases { get; } = [];

    public ComponentKind Kind { get; } = kind;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Metrics] = Stability.Development,
        [Signal.Logs] = Stability.Development,
        [Signal.Traces] = Stability.Development,
    };

    public Stability Stability => Stability.Development;

    public string DefaultsResource => "none";

    public object CreateConfig(ComponentConfigReader reader) => new object();
}

internal sealed class FakeReceiverFactory() : FakeFactory("fakein", ComponentKind.Receiver), IReceiverFactory
{
    public ConcurrentDictionary<ComponentId, FakeReceiver> Created { get; } = new();

    public IReceiver CreateReceiver(ComponentContext context, object config) => Created.GetOrAdd(context.Id, _ => new FakeReceiver());
}

internal sealed class FakeReceiver : IReceiver
{
    public IReceiverConsumer? Consumer { get; private set; }

    public bool Stopped { get; private set; }

    public Task StartAsync(IReceiverConsumer consumer, CancellationToken cancellationToken)
    {
        Consumer = consumer;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stopped = true;
        return Task.CompletedTask;
    }
}

internal sealed class GateExporterFactory() : FakeFactory("gate", ComponentKind.Exporter), IExporterFactory
{
    public ConcurrentDictionary<ComponentId, GateExporter> Created { get; } = new();

    public Func<ComponentId, object>? Settings { get; init; }

    public IExporter CreateExporter(ComponentContext context, object config) => Created.GetOrAdd(context.Id, _ => new GateExporter());
}

/// <summary>Exports only while the gate is open; counts what it exported; can throw a given number of times.</summary>
internal sealed class GateExporter : IExporter
{
    private readonly object _lock = new();
    private TaskCompletionSource _gate = NewOpenGate();
    private long _items;
    private int _failuresLeft;

    public long Items => Interlocked.Read(ref _items);

    public int Batches;

    public ConcurrentQueue<TelemetryBatch> Received { get; } = new();

    public void Close()
    {
        lock (_lock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    public void FailNext(int times) => Interlocked.Exchange(ref _failuresLeft, times);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Exports started (waiting at the gate or done).</summary>
    public int Entered;

    public async Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Entered);
        Task gate;
        lock (_lock)
        {
            gate = _gate.Task;
        }

        await gate.WaitAsync(cancellationToken);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("backend unavailable");
        }

        Received.Enqueue(batch);
        Interlocked.Add(ref _items, batch.ItemCount);
        Interlocked.Increment(ref Batches);
    }

    public Task ShutdownAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static TaskCompletionSource NewOpenGate()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}

/// <summary>Renames every metric in place (declares MutatesData).</summary>
internal sealed class RenameProcessorFactory() : FakeFactory("rename", ComponentKind.Processor), IProcessorFactory
{
    public IProcessor CreateProcessor(ComponentContext context, PipelineId pipeline, object config) => new RenameProcessor();

    private sealed class RenameProcessor : IProcessor
    {
        public bool MutatesData => true;

        public Flow<TelemetryBatch, TelemetryBatch, NotUsed> CreateFlow() => Flow.Create<TelemetryBatch>().Select(b =>
        {
            foreach (var rm in b.Metrics.ResourceMetrics)
            {
                foreach (var sm in rm.ScopeMetrics)
                {
                    foreach (var m in sm.Metrics)
                    {
                        m.Name = "renamed." + m.Name;
                    }
                }
            }

            return b;
        });
    }
}

/// <summary>An exporter config carrying the kit settings (timeout, retries, consumers).</summary>
internal sealed record KitConfig(TelemetryCluster.Streams.Engine.ExporterSettings Exporter) : IExporterConfig;

internal static class Requests
{
    /// <summary>A metrics request with <paramref name="points"/> gauge points in one metric.</summary>
    public static ExportMetricsServiceRequest Metrics(int points, string name = "m")
    {
        var gauge = new Gauge();
        for (var i = 0; i < points; i++)
        {
            gauge.DataPoints.Add(new NumberDataPoint { AsDouble = i, TimeUnixNano = (ulong)(i + 1) });
        }

        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = new Resource(),
                    ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = name, Gauge = gauge } } } },
                },
            },
        };
    }
}
