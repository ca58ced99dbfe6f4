using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>
/// Hands the node's logger factory to an embedded server, raising ASP.NET Core's and gRPC's own categories to
/// Warning: they log every request (and every non-OK gRPC status) at Information/Debug.
/// </summary>
internal sealed class EmbeddedServerLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return IsFramework(categoryName) ? new MinimumLevelLogger(logger, LogLevel.Warning) : logger;
    }

    public void AddProvider(ILoggerProvider provider)
    {
        // The node's factory is configured by the node; an embedded server never adds providers to it.
    }

    public void Dispose()
    {
        // Not ours: the node disposes its logger factory.
    }

    private static bool IsFramework(string category) =>
        category.StartsWith("Microsoft.", StringComparison.Ordinal) || category.StartsWith("Grpc.", StringComparison.Ordinal);

    private sealed class MinimumLevelLogger(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
