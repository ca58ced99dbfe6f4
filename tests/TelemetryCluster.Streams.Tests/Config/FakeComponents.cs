using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Tests.Config;

/// <summary>Small stand-ins for real components, with their own defaults HOCON, for the config loader's tests.</summary>
internal abstract class FakeFactory(string type, ComponentKind kind, string defaults, params Signal[] signals) : IComponentFactory
{
    public string Type { get; } = type;

    public virtual IReadOnlyList<string> Aliases { get; } = [];

    public ComponentKind Kind { get; } = kind;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = signals.ToDictionary(s => s, _ => Stability.Beta);

    public Stability Stability => Stability.Beta;

    public string DefaultsResource => $"Fakes/{Type}/defaults.conf";

    public string Defaults { get; } = defaults;

    public abstract object CreateConfig(ComponentConfigReader reader);
}

internal sealed record OtlpReceiverConfig(string? GrpcEndpoint, int MaxRecvMsgSizeMib, string? HttpEndpoint, IReadOnlyList<string> CorsOrigins);

internal sealed class FakeOtlpReceiver() : FakeFactory("otlp", ComponentKind.Receiver, """
    protocols {
      grpc {
        endpoint = "localhost:4317"
        max_recv_msg_size_mib = 4
        keepalive { server_parameters { time = 2h, timeout = 20s } }
      }
      http {
        endpoint = "localhost:4318"
        cors { allowed_origins = [] }
      }
    }
    """, Signal.Traces, Signal.Metrics, Signal.Logs)
{
    public override object CreateConfig(ComponentConfigReader reader)
    {
        var grpc = reader.IsSet("protocols.grpc") ? reader.GetSection("protocols.grpc") : null;
        var http = reader.IsSet("protocols.http") ? reader.GetSection("protocols.http") : null;
        if (grpc is null && http is null)
        {
            reader.Error("protocols", "must specify at least one protocol when using the OTLP receiver");
        }

        return new OtlpReceiverConfig(
            grpc?.GetString("endpoint"),
            grpc?.GetInt("max_recv_msg_size_mib", 1, 1024) ?? 0,
            http?.GetString("endpoint"),
            http?.GetStringList("cors.allowed_origins") ?? []);
    }
}

internal sealed record FileLogConfig(IReadOnlyList<string> Include, string StartAt, long MaxLogSize, TimeSpan PollInterval);

internal sealed class FakeFileLogReceiver() : FakeFactory("file_log", ComponentKind.Receiver, """
    include = []
    exclude = []
    start_at = end
    max_log_size = 1MiB
    poll_interval = 200ms
    operators = []
    """, Signal.Logs)
{
    public override IReadOnlyList<string> Aliases { get; } = ["filelog"];

    public override object CreateConfig(ComponentConfigReader reader) => new FileLogConfig(
        reader.GetStringList("include"),
        reader.GetChoice("start_at", "beginning", "end"),
        reader.GetByteSize("max_log_size"),
        reader.GetDuration("poll_interval"));
}

internal sealed record BatchConfig(TimeSpan Timeout, int SendBatchSize, int SendBatchMaxSize, IReadOnlyList<string> MetadataKeys);

internal sealed class FakeBatchProcessor() : FakeFactory("batch", ComponentKind.Processor, """
    timeout = 200ms
    send_batch_size = 8192
    send_batch_max_size = 0
    metadata_keys = []
    """, Signal.Traces, Signal.Metrics, Signal.Logs)
{
    public override object CreateConfig(ComponentConfigReader reader)
    {
        var config = new BatchConfig(
            reader.GetDuration("timeout"),
            reader.GetInt("send_batch_size", 0),
            reader.GetInt("send_batch_max_size", 0),
            reader.GetStringList("metadata_keys"));
        if (config.SendBatchMaxSize > 0 && config.SendBatchMaxSize < config.SendBatchSize)
        {
            reader.Error("send_batch_max_size", "must be greater or equal to send_batch_size");
        }

        return config;
    }
}

internal sealed record DebugConfig(string Verbosity, int SamplingInitial);

internal sealed class FakeDebugExporter() : FakeFactory("debug", ComponentKind.Exporter, """
    verbosity = basic
    sampling_initial = 2
    """, Signal.Traces, Signal.Metrics, Signal.Logs)
{
    public override IReadOnlyList<string> Aliases { get; } = ["logging"];

    public override object CreateConfig(ComponentConfigReader reader) =>
        new DebugConfig(reader.GetChoice("verbosity", "basic", "normal", "detailed"), reader.GetInt("sampling_initial", 1));
}

internal sealed record PrometheusConfig(string Endpoint, string Namespace, IReadOnlyDictionary<string, string> ConstLabels);

internal sealed class FakePrometheusExporter() : FakeFactory("prometheus", ComponentKind.Exporter, """
    endpoint = "localhost:8889"
    namespace = ""
    const_labels {}
    """, Signal.Metrics)
{
    public override object CreateConfig(ComponentConfigReader reader) =>
        new PrometheusConfig(reader.GetString("endpoint"), reader.GetString("namespace"), reader.GetStringMap("const_labels"));
}

internal sealed record HealthCheckConfig(string Endpoint, string Path);

internal sealed class FakeHealthCheckExtension() : FakeFactory("health_check", ComponentKind.Extension, """
    endpoint = "localhost:13133"
    path = "/"
    """)
{
    public override object CreateConfig(ComponentConfigReader reader) => new HealthCheckConfig(reader.GetString("endpoint"), reader.GetString("path"));
}

/// <summary>A factory whose binding throws, to check that a buggy factory becomes a config error, not a crash.</summary>
internal sealed class FakeThrowingProcessor() : FakeFactory("explode", ComponentKind.Processor, "", Signal.Logs)
{
    public override object CreateConfig(ComponentConfigReader reader) => throw new InvalidOperationException("boom");
}

internal static class FakeRegistry
{
    public static IReadOnlyList<FakeFactory> Factories() =>
    [
        new FakeOtlpReceiver(), new FakeFileLogReceiver(), new FakeBatchProcessor(), new FakeThrowingProcessor(),
        new FakeDebugExporter(), new FakePrometheusExporter(), new FakeHealthCheckExtension(),
    ];

    public static ComponentRegistry Create() => new(Factories(), f => ((FakeFactory)f).Defaults);
}

/// <summary>Config files under the temp directory with unique names, deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly List<string> _paths = [];

    public string Write(string extension, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tc-config-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, content);
        _paths.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _paths)
        {
            File.Delete(path);
        }
    }
}
