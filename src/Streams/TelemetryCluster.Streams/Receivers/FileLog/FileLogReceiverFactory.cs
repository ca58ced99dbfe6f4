using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// The <c>file_log</c> receiver (old name <c>filelog</c>, which existing ADOT configs use; accepted with a deprecation
/// warning): tails files matched by globs, follows rotation, keeps checkpoints that advance only after the pipeline
/// acknowledged the lines. Logs only.
/// </summary>
public sealed class FileLogReceiverFactory : IReceiverFactory
{
    public const string TypeName = "file_log";

    public const string OldTypeName = "filelog";

    public string Type => TypeName;

    public IReadOnlyList<string> Aliases { get; } = [OldTypeName];

    public ComponentKind Kind => ComponentKind.Receiver;

    public IReadOnlyDictionary<Signal, Stability> Signals { get; } = new Dictionary<Signal, Stability>
    {
        [Signal.Logs] = Stability.Beta,
    };

    public Stability Stability => Stability.Beta;

    public string DefaultsResource => "Receivers/FileLog/defaults.conf";

    public object CreateConfig(ComponentConfigReader reader) => FileLogReceiverConfig.Bind(reader);

    public IReceiver CreateReceiver(ComponentContext context, object config)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new FileLogReceiver(context, config as FileLogReceiverConfig
            ?? throw new ArgumentException($"expected {nameof(FileLogReceiverConfig)}, got {config?.GetType().Name ?? "null"}", nameof(config)));
    }
}
