using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Streams.Components;

/// <summary>What every component instance gets from the engine when it is created.</summary>
public sealed record ComponentContext(
    ComponentId Id,
    ComponentKind Kind,
    ILoggerFactory LoggerFactory,
    TimeProvider Time,
    ComponentStatusRegistry Status,
    EngineTelemetry Telemetry,
    ActorSystem System,
    IMaterializer Materializer)
{
    /// <summary>The node's directory for local state (<c>cluster.storage-dir</c>, default <c>./data</c>), as a full path.</summary>
    public string StorageDirectory { get; init; } = global::System.IO.Path.GetFullPath("data");

    public ILogger CreateLogger() => LoggerFactory.CreateLogger($"TelemetryCluster.{Kind}.{Id}");
}
