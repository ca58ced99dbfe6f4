using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Nodes.Management;

/// <summary>Log messages of the management endpoint, cluster bootstrap and the MetricsView wiring.</summary>
internal static partial class ManagementTelemetry
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Management endpoint listening on {Addresses} (mutating routes {Protection})")]
    public static partial void Started(ILogger logger, string addresses, string protection);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Management endpoint stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The management endpoint could not start on {Endpoint}; the node runs without it")]
    public static partial void StartFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Management: {Operation} (requested from {Remote})")]
    public static partial void MemberOperation(ILogger logger, string operation, string remote);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Cluster bootstrap: {Discovery} discovery of \"{Service}\", self contact point {ContactPoint}, {Required} contact points required")]
    public static partial void BootstrapStarting(ILogger logger, string discovery, string service, Uri contactPoint, int required);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "cluster.bootstrap.enabled is set together with cluster.seed-nodes: the static seed nodes are used and bootstrap is off")]
    public static partial void BootstrapIgnored(ILogger logger);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Management request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);
}
