using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Engine;

/// <summary>
/// The exporter kit around one exporter instance (one per exporter id on a node, shared by its pipelines):
/// per-attempt timeout, retry_on_failure with jittered backoff, status reports to the health registry, counts
/// with the collector's outcome names, and the release of each batch's acks with the final outcome.
/// </summary>
internal sealed partial class ExporterRunner
{
    private readonly ComponentContext _context;
    private readonly ILogger _logger;
    private readonly Random _jitter = new();
    private int _consecutiveFailures;

    public ExporterRunner(ComponentContext context, IExporter exporter, ExporterSettings settings)
    {
        _context = context;
        Exporter = exporter;
        Settings = settings;
        _logger = context.CreateLogger();
    }

    public ComponentId Id => _context.Id;

    public IExporter Exporter { get; }

    public ExporterSettings Settings { get; }

    /// <summary>
    /// Exports the batch with retries and releases its acks once with the outcome. Never throws: failures become
    /// outcomes (Refused for retryable ones that ran out of time, Failed for permanent ones) and are counted.
    /// </summary>
    public async Task<AckOutcome> ExportAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (!Exporter.HandlesEncodedEntries)
        {
            OtlpWire.Expand(batch.Payload);
        }

        var outcome = await ExportWithRetriesAsync(batch, cancellationToken).ConfigureAwait(false);
        batch.Acks.ReleaseAll(outcome);
        return outcome;
    }

    private async Task<AckOutcome> ExportWithRetriesAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        var time = _context.Time;
        var started = time.GetTimestamp();
        var retry = Settings.Retry;
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                await AttemptAsync(batch, cancellationToken).ConfigureAwait(false);
                OnSuccess(batch);
                return AckOutcome.Accepted;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return OnGiveUp(batch, "shutdown", AckOutcome.Refuse("export cancelled by shutdown", TimeSpan.FromSeconds(1)));
            }
            catch (ExportException ex) when (ex.Permanent)
            {
                LogPermanentFailure(_logger, Id.ToString(), batch.ItemCount, ex.Message);
                _context.Status.Report(ComponentKind.Exporter, Id, ComponentStatus.PermanentError, ex.Message);
                return OnGiveUp(batch, "permanent_error", AckOutcome.Fail(ex.Message));
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            var failures = Interlocked.Increment(ref _consecutiveFailures);
            _context.Status.Report(ComponentKind.Exporter, Id, ComponentStatus.RecoverableError, failure.Message);
            var elapsed = time.GetElapsedTime(started);
            var delay = retry.Backoff(attempt, NextJitter());
            if (failure is RetryAfterException throttled && throttled.RetryAfter > delay)
            {
                // The backend said when to come back (RetryInfo / Retry-After): never sooner.
                delay = throttled.RetryAfter;
            }

            var budgetLeft = retry.MaxElapsedTime <= TimeSpan.Zero || elapsed + delay < retry.MaxElapsedTime;
            if (!retry.Enabled || !budgetLeft)
            {
                LogGaveUp(_logger, Id.ToString(), batch.ItemCount, attempt, failure.Message);
                return OnGiveUp(batch, "retries_exhausted", AckOutcome.Refuse(failure.Message, retry.InitialInterval));
            }

            if (failures == 1 || failures % 100 == 0)
            {
                LogRetrying(_logger, Id.ToString(), failure.Message, delay, failures);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return OnGiveUp(batch, "shutdown", AckOutcome.Refuse("export cancelled by shutdown", TimeSpan.FromSeconds(1)));
            }
        }
    }

    private async Task AttemptAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (Settings.Timeout <= TimeSpan.Zero)
        {
            await Exporter.ExportAsync(batch, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var timeout = new CancellationTokenSource(Settings.Timeout, _context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await Exporter.ExportAsync(batch, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"export timed out after {Settings.Timeout}");
        }
    }

    private void OnSuccess(TelemetryBatch batch)
    {
        _context.Telemetry.Add(ComponentKind.Exporter, Id, batch.Signal, Outcomes.Sent, batch.ItemCount);
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        _context.Status.Report(ComponentKind.Exporter, Id, ComponentStatus.Ok);
    }

    private AckOutcome OnGiveUp(TelemetryBatch batch, string reason, AckOutcome outcome)
    {
        _context.Telemetry.Add(ComponentKind.Exporter, Id, batch.Signal, Outcomes.SendFailed, batch.ItemCount, reason);
        return outcome;
    }

    private double NextJitter()
    {
        lock (_jitter)
        {
            return _jitter.NextDouble();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exporter {Exporter} failed: {Error}; retrying in {Delay} ({Failures} consecutive failures)")]
    private static partial void LogRetrying(ILogger logger, string exporter, string error, TimeSpan delay, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exporter {Exporter} gave up on {Items} items after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string exporter, int items, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exporter {Exporter} rejected {Items} items permanently: {Error}")]
    private static partial void LogPermanentFailure(ILogger logger, string exporter, int items, string error);
}
