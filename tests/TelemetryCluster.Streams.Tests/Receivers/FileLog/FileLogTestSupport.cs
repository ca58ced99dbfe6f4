using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.FileLog;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>One log record as the consumer saw it.</summary>
internal sealed record ReceivedLine(string Body, string? FileName, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// The receiver's downstream in Streams-level tests: records every log record of every batch it accepts, in arrival
/// order. <see cref="Decide"/> may refuse or fail a batch (then nothing of it is recorded, as a pipeline that did not
/// take it).
/// </summary>
internal sealed class RecordingConsumer : IReceiverConsumer
{
    private readonly ConcurrentQueue<ReceivedLine> _lines = new();
    private int _calls;

    public IReadOnlySet<Signal> Signals { get; } = new HashSet<Signal> { Signal.Logs };

    public Func<int, AckOutcome>? Decide { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<ReceivedLine> Lines => [.. _lines];

    public int Count => _lines.Count;

    public Task<AckOutcome> ConsumeAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        var outcome = Decide?.Invoke(call) ?? AckOutcome.Accepted;
        if (outcome.IsAccepted)
        {
            // The receiver sends encoded entries (records as protobuf bytes): parse them as a component would.
            TelemetryCluster.Streams.Data.OtlpWire.Expand(batch.Logs);
            foreach (var resource in batch.Logs.ResourceLogs)
            {
                foreach (var scope in resource.ScopeLogs)
                {
                    foreach (var record in scope.LogRecords)
                    {
                        var attributes = record.Attributes.ToDictionary(a => a.Key, a => (object?)(a.Value.ValueCase switch
                        {
                            OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.IntValue => a.Value.IntValue,
                            _ => a.Value.StringValue,
                        }));
                        var body = record.Body?.ValueCase == OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.BytesValue
                            ? System.Text.Encoding.UTF8.GetString(record.Body.BytesValue.Span)
                            : record.Body?.StringValue ?? string.Empty;
                        _lines.Enqueue(new ReceivedLine(body, attributes.TryGetValue("log.file.name", out var n) ? n as string : null, attributes));
                    }
                }
            }
        }

        batch.Acks.ReleaseAll(outcome);
        return Task.FromResult(outcome);
    }

    public async Task WaitForCountAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Count < count)
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"expected {count} lines, got {Count}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}

/// <summary>Builds a file_log receiver from HOCON through the real factory and runs it against a consumer.</summary>
internal sealed class FileLogHarness : IAsyncDisposable
{
    private readonly ActorSystem _system;

    public FileLogHarness(string storageDirectory)
    {
        _system = ActorSystem.Create("filelog-test", "akka.loglevel = WARNING");
        StorageDirectory = storageDirectory;
    }

    public string StorageDirectory { get; }

    public ActorSystem System => _system;

    public EngineTelemetry Telemetry { get; } = new();

    public static string Defaults()
    {
        using var stream = typeof(FileLogReceiverFactory).Assembly.GetManifestResourceStream("TelemetryCluster.Streams.Receivers/FileLog/defaults.conf")
            ?? throw new InvalidOperationException("defaults.conf is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static FileLogReceiverConfig Bind(string hocon, out ConfigErrors errors, string id = "file_log")
    {
        errors = new ConfigErrors();
        var reader = ComponentConfigReader.Create(hocon, Defaults(), "receivers." + id, errors);
        return (FileLogReceiverConfig)new FileLogReceiverFactory().CreateConfig(reader);
    }

    public FileLogReceiver Create(string hocon, string id = "file_log")
    {
        var config = Bind(hocon, out var errors, id);
        Assert.Empty(errors.Items);
        var context = new ComponentContext(
            ComponentId.Parse(id),
            ComponentKind.Receiver,
            NullLoggerFactory.Instance,
            TimeProvider.System,
            new ComponentStatusRegistry(TimeProvider.System),
            Telemetry,
            _system,
            _system.Materializer())
        {
            StorageDirectory = StorageDirectory,
        };
        return (FileLogReceiver)new FileLogReceiverFactory().CreateReceiver(context, config);
    }

    public async ValueTask DisposeAsync()
    {
        Telemetry.Dispose();
        await _system.Terminate();
    }
}

/// <summary>A temporary directory removed at the end of the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "filelog-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
