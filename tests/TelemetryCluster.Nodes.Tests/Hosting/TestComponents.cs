using System.Collections.Concurrent;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Nodes.Tests.Hosting;

/// <summary>
/// A receiver the test drives (<c>testin</c>) and an exporter that records what it got (<c>record</c>), so the node
/// wiring can be tested in-process without network components. One instance per test (no static state).
/// </summary>
internal sealed class TestComponents
{
    public TestComponents()
    {
        Receiver = new TestReceiverFactory();
        Exporter = new RecordingExporterFactory();
        Registry = new ComponentRegistry([Receiver, Exporter], factory => factory switch
        {
            TestReceiverFactory => "fail_on_start = false",
            RecordingExporterFactory => "delay = 0ms",
            _ => string.Empty,
        });
    }

    public TestReceiverFactory Receiver { get; }

    public RecordingExporterFactory Exporter { get; }

    public ComponentRegistry Registry { get; }

    private static readonly IReadOnlyDictionary<Signal, Stability> AllSignals = new Dictionary<Signal, Stability>
    {
        [Signal.Traces] = Stability.Development,
        [Signal.Metrics] = Stability.Development,
        [Signal.Logs] = Stability.Development,
    };

    internal sealed class TestReceiverFactory : IReceiverFactory
    {
        private readonly TaskCompletionSource<IReceiverConsumer> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Type => "testin";

        public IReadOnlyList<string> Aliases { get; } = [];

        public ComponentKind Kind => ComponentKind.Receiver;

        public IReadOnlyDictionary<Signal, Stability> Signals => AllSignals;

        public Stability Stability => Stability.Development;

        public string DefaultsResource => string.Empty;

        /// <summary>Completes with the engine's consumer once the receiver was started.</summary>
        public Task<IReceiverConsumer> Started => _started.Task;

        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object CreateConfig(ComponentConfigReader reader) => reader.GetBool("fail_on_start");

        public IReceiver CreateReceiver(ComponentContext context, object config) => new Receiver(this, (bool)config);

        private sealed class Receiver(TestReceiverFactory factory, bool failOnStart) : IReceiver
        {
            public Task StartAsync(IReceiverConsumer consumer, CancellationToken cancellationToken)
            {
                if (failOnStart)
                {
                    throw new InvalidOperationException("testin: address already in use (simulated)");
                }

                factory._started.TrySetResult(consumer);
                return Task.CompletedTask;
            }

            public Task StopAsync(CancellationToken cancellationToken)
            {
                factory.Stopped.TrySetResult();
                return Task.CompletedTask;
            }
        }
    }

    internal sealed class RecordingExporterFactory : IExporterFactory
    {
        private long _items;

        public string Type => "record";

        public IReadOnlyList<string> Aliases { get; } = [];

        public ComponentKind Kind => ComponentKind.Exporter;

        public IReadOnlyDictionary<Signal, Stability> Signals => AllSignals;

        public Stability Stability => Stability.Development;

        public string DefaultsResource => string.Empty;

        public long Items => Interlocked.Read(ref _items);

        /// <summary>Runs on every export (e.g. to look at the cluster state while draining).</summary>
        public Action<TelemetryBatch>? OnExport { get; set; }

        public ConcurrentQueue<TelemetryBatch> Batches { get; } = new();

        public TaskCompletionSource ShutDown { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object CreateConfig(ComponentConfigReader reader) => reader.GetDuration("delay");

        public IExporter CreateExporter(ComponentContext context, object config) => new Exporter(this, (TimeSpan)config, context.Time);

        private sealed class Exporter(RecordingExporterFactory factory, TimeSpan delay, TimeProvider time) : IExporter
        {
            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public async Task ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, cancellationToken);
                }

                factory.OnExport?.Invoke(batch);
                factory.Batches.Enqueue(batch);
                Interlocked.Add(ref factory._items, batch.ItemCount);
            }

            public Task ShutdownAsync(CancellationToken cancellationToken)
            {
                factory.ShutDown.TrySetResult();
                return Task.CompletedTask;
            }
        }
    }
}
