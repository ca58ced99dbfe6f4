using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Nodes.Hosting;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes;

/// <summary>Builds and runs a node process on the generic host.</summary>
public static partial class NodeHost
{
    /// <summary>
    /// A host builder with the node registered and console logging configured. Environment variables and
    /// appsettings files are not read: the node's configuration is the loaded <paramref name="spec"/>.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(PipelineSpec spec, NodeSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        settings ??= NodeSettings.FromSpec(spec);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "telemetry-cluster",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddLogging(logging => logging.AddTelemetryClusterConsole(NodeLogging.LevelOf(spec)));
        // SIGTERM/SIGINT stop the host (which runs CoordinatedShutdown) instead of ending the process at once; the
        // empty builder does not register the console lifetime by itself.
        builder.Services.AddSingleton<IHostLifetime, ConsoleLifetime>();
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.AddTelemetryClusterNode(spec, settings);
        return builder;
    }

    /// <summary>
    /// Runs a node until SIGTERM/SIGINT (or until its ActorSystem stops on its own) and returns the process exit
    /// code: 0 after a clean drain, 1 when the pipelines failed to start or the node went down unrequested.
    /// </summary>
    public static async Task<int> RunAsync(PipelineSpec spec, NodeSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var host = CreateBuilder(spec, settings).Build();
        try
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TelemetryCluster.Node");
            foreach (var warning in spec.Warnings)
            {
                LogConfigWarning(logger, warning);
            }

            return await RunAsync(host, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Disposing flushes the console logger.
            await DisposeAsync(host).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a built node host; see <see cref="RunAsync(PipelineSpec, NodeSettings?, CancellationToken)"/>.</summary>
    public static async Task<int> RunAsync(IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var lifetime = host.Services.GetRequiredService<NodeLifetime>();
        var plan = host.Services.GetRequiredService<ShutdownPlan>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TelemetryCluster.Node");
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var reason = Describe(ex);
            lifetime.Fail(reason);
            LogStartFailed(logger, reason);

            // Leave the cluster and terminate the ActorSystem (Akka.Hosting runs CoordinatedShutdown on host stop).
            using var stop = new CancellationTokenSource(plan.HostShutdownTimeout, time);
            await host.StopAsync(stop.Token).ConfigureAwait(false);
            return lifetime.ExitCode;
        }

        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (lifetime.Failure is { } failure)
        {
            LogStoppedWithFailure(logger, failure);
        }

        return lifetime.ExitCode;
    }

    /// <summary>
    /// The messages of an exception chain without the wrappers (Akka wraps a bind failure in nested
    /// AggregateExceptions): "Failed to bind to [127.0.0.1:4053]: Address already in use".
    /// </summary>
    internal static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException)
            {
                continue;
            }

            var message = current.Message.Replace("See InnerException for details.", string.Empty, StringComparison.Ordinal).Trim().TrimEnd('.');
            if (message.Length > 0 && !messages.Contains(message))
            {
                messages.Add(message);
            }
        }

        return messages.Count == 0 ? exception.GetType().Name : string.Join(": ", messages);
    }

    private static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    private static partial void LogConfigWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The node failed to start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The node stopped after a failure: {Reason}")]
    private static partial void LogStoppedWithFailure(ILogger logger, string reason);
}
