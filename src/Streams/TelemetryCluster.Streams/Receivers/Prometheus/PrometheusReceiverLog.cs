using Microsoft.Extensions.Logging;

namespace TelemetryCluster.Streams.Receivers.Prometheus;

/// <summary>The receiver's log messages. Nothing is logged per sample; scrape failures log at Debug (they show in <c>up</c>).</summary>
internal static partial class PrometheusReceiverLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Prometheus receiver started with {Jobs} scrape job(s)")]
    public static partial void Started(ILogger logger, int jobs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Prometheus receiver stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Scrape of {Url} failed: {Reason}")]
    public static partial void ScrapeFailed(ILogger logger, Uri url, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Scrape of {Url} not delivered ({Reason}); the next scrape carries the cumulative values")]
    public static partial void ScrapeRefused(ILogger logger, Uri url, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Job {Job}: scraping {Owned} of {Total} target(s) on this node")]
    public static partial void TargetsChanged(ILogger logger, string job, int owned, int total);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Job {Job}: target dropped: {Reason}")]
    public static partial void TargetInvalid(ILogger logger, string job, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Kubernetes discovery for job {Job} ({Url}) failed, retrying in {Delay}")]
    public static partial void DiscoveryFailed(ILogger logger, Exception exception, string job, string url, TimeSpan delay);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Delivering a scrape of {Url} failed")]
    public static partial void ConsumeFailed(ILogger logger, Exception exception, Uri url);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Scrape loop of {Url} failed unexpectedly")]
    public static partial void LoopFailed(ILogger logger, Exception exception, Uri url);
}
