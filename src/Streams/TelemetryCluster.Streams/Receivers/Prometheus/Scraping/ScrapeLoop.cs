using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Receivers.Prometheus.Exposition;

namespace TelemetryCluster.Streams.Receivers.Prometheus.Scraping;

/// <summary>What a scrape loop needs from its receiver.</summary>
internal sealed record ScrapeEnvironment(
    ComponentContext Context,
    IReceiverConsumer Consumer,
    ILogger Logger,
    PrometheusReceiverCounters Counters,
    string UserAgent);

/// <summary>
/// Scrapes one target every <c>scrape_interval</c> (after a per-target offset, as Prometheus spreads its targets),
/// translates each body with the target's <see cref="ScrapeState"/> and offers the result to the pipelines. A scrape
/// is delivered or dropped as a whole: a refusal (backpressure) drops it and counts its points with the reason; the
/// next scrape carries the cumulative values anyway. One delivery at a time per target, so memory stays bounded.
/// </summary>
internal sealed class ScrapeLoop : IAsyncDisposable
{
    private readonly ScrapeEnvironment _env;
    private readonly ScrapeConfig _config;
    private readonly HttpClient _client;
    private readonly ScrapeState _state;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private int _stopped;

    public ScrapeLoop(ScrapeEnvironment env, ScrapeConfig config, HttpClient client, ScrapeTarget target)
    {
        _env = env;
        _config = config;
        _client = client;
        Target = target;
        _state = new ScrapeState(config, target);
    }

    public ScrapeTarget Target { get; }

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops the loop; with <paramref name="markStale"/> (the target went away) delivers staleness markers for its series.</summary>
    public async Task StopAsync(bool markStale, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _stop.Dispose();

        if (markStale)
        {
            await DeliverAsync(_state.Gone(_env.Context.Time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(markStale: false, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Prometheus-style offset: targets of one job start at stable, spread points of the interval.</summary>
    internal static TimeSpan Offset(string key, TimeSpan interval)
    {
        var hash = StableHash.Of(key);
        return TimeSpan.FromTicks((long)(hash % (ulong)Math.Max(1, interval.Ticks)));
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var time = _env.Context.Time;
        try
        {
            await Task.Delay(Offset(Target.Key, _config.ScrapeInterval), time, cancellationToken).ConfigureAwait(false);
            var next = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                await ScrapeOnceAsync(cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                next += _config.ScrapeInterval;
                if (next <= now)
                {
                    var behind = (now - next).Ticks / _config.ScrapeInterval.Ticks + 1;
                    next += TimeSpan.FromTicks(behind * _config.ScrapeInterval.Ticks); // skip missed ticks
                }

                await Task.Delay(next - now, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            PrometheusReceiverLog.LoopFailed(_env.Logger, e, Target.Url);
        }
    }

    internal async Task ScrapeOnceAsync(CancellationToken cancellationToken)
    {
        var time = _env.Context.Time;
        var started = time.GetUtcNow();
        var timestamp = time.GetTimestamp();
        ExportMetricsServiceRequest request;
        byte[]? bytes = null;
        char[]? chars = null;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_config.ScrapeTimeout);
            using var message = new HttpRequestMessage(HttpMethod.Get, Target.Url);
            message.Headers.TryAddWithoutValidation("Accept", ScrapeHttp.Accept);
            message.Headers.TryAddWithoutValidation("User-Agent", _env.UserAgent);
            message.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds",
                _config.ScrapeTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));
            ScrapeHttp.ApplyAuth(message, _config.Auth);
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ScrapeFailedException($"server returned HTTP status {(int)response.StatusCode} {response.ReasonPhrase}", "http_status");
            }

            var openMetrics = response.Content.Headers.ContentType?.MediaType is "application/openmetrics-text";
            int length;
            (bytes, length) = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
            chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(length));
            var charCount = Encoding.UTF8.GetChars(bytes, 0, length, chars, 0);
            var duration = time.GetElapsedTime(timestamp);
            request = _state.Scraped(chars.AsSpan(0, charCount), openMetrics, started, duration, out var counts);
            _env.Counters.Scraped(counts.Scraped);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the target (or a secret file) does, the scrape fails and the loop goes on.
            var reason = e switch
            {
                OperationCanceledException => "timeout",
                ExpositionFormatException => "parse_error",
                SampleLimitExceededException => "sample_limit",
                ScrapeFailedException f => f.Reason,
                HttpRequestException or IOException or System.Security.Authentication.AuthenticationException => "connection",
                _ => "error",
            };
            var message = e is OperationCanceledException ? $"context deadline exceeded ({_config.ScrapeTimeout.TotalSeconds}s)" : e.Message;
            PrometheusReceiverLog.ScrapeFailed(_env.Logger, Target.Url, message);
            _env.Counters.Failed(reason);
            request = _state.Failed(started, time.GetElapsedTime(timestamp));
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }

            if (chars is not null)
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        await DeliverAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = _config.BodySizeLimit > 0 ? _config.BodySizeLimit : long.MaxValue;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var length = 0;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= Array.MaxLength / 2)
                        {
                            throw new ScrapeFailedException("body too large", "body_size_limit");
                        }

                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer, length);
                    }

                    length += read;
                    if (length > limit)
                    {
                        throw new ScrapeFailedException($"body size limit of {limit} bytes exceeded", "body_size_limit");
                    }
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private async Task DeliverAsync(ExportMetricsServiceRequest request, CancellationToken cancellationToken)
    {
        var ack = new Ack();
        var batch = TelemetryBatch.Create(request, AckSet.Of(ack));
        if (batch.ItemCount == 0)
        {
            ack.Release(AckOutcome.Accepted);
            return;
        }

        var id = _env.Context.Id;
        AckOutcome outcome;
        try
        {
            outcome = await _env.Consumer.ConsumeAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _env.Context.Telemetry.Add(ComponentKind.Receiver, id, Signal.Metrics, Outcomes.Refused, batch.ItemCount, "cancelled");
            throw;
        }
        catch (Exception e)
        {
            PrometheusReceiverLog.ConsumeFailed(_env.Logger, e, Target.Url);
            _env.Context.Telemetry.Add(ComponentKind.Receiver, id, Signal.Metrics, Outcomes.Refused, batch.ItemCount, "error");
            return;
        }

        if (outcome.IsAccepted)
        {
            _env.Context.Telemetry.Add(ComponentKind.Receiver, id, Signal.Metrics, Outcomes.Accepted, batch.ItemCount);
            return;
        }

        var reason = outcome.Status == AckStatus.Refused ? "refused" : "failed";
        PrometheusReceiverLog.ScrapeRefused(_env.Logger, Target.Url, outcome.Reason ?? reason);
        _env.Context.Telemetry.Add(ComponentKind.Receiver, id, Signal.Metrics, Outcomes.Refused, batch.ItemCount, reason);
    }
}

/// <summary>A scrape that failed for a reason other than transport or parsing (status code, size limit).</summary>
internal sealed class ScrapeFailedException(string message, string reason) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>Receiver-level scrape counters (tests and the management endpoint read them).</summary>
internal sealed class PrometheusReceiverCounters
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private long _scrapes;
    private long _samples;

    public long Scrapes => Interlocked.Read(ref _scrapes);

    public long Samples => Interlocked.Read(ref _samples);

    public long Failures(string reason) => _failures.TryGetValue(reason, out var n) ? n : 0;

    public long TotalFailures => _failures.Values.Sum();

    public void Scraped(int samples)
    {
        Interlocked.Increment(ref _scrapes);
        Interlocked.Add(ref _samples, samples);
    }

    public void Failed(string reason)
    {
        Interlocked.Increment(ref _scrapes);
        _failures.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }
}
