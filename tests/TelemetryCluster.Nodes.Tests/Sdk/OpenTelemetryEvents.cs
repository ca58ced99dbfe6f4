using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace TelemetryCluster.Nodes.Tests.Sdk;

/// <summary>
/// The OpenTelemetry .NET SDK's self-diagnostics (its EventSources <c>OpenTelemetry-Sdk</c>,
/// <c>OpenTelemetry-Exporter-OpenTelemetryProtocol</c>, …) recorded while a test runs: this is how the SDK reports
/// what happened to an export (<c>ExportSuccess</c> per answered request; <c>ExportFailure</c>,
/// <c>FailedToReachCollector</c>, <c>HttpRequestFailed</c>, … as errors; dropped items as warnings).
/// </summary>
/// <remarks>EventSource listeners see the whole process; only the tests of one class use the .NET SDK, one at a time.</remarks>
internal sealed class OpenTelemetryEvents : EventListener
{
    public const string ExporterSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";
    public const string SdkSource = "OpenTelemetry-Sdk";

    // Initialized before the base constructor runs, which already calls OnEventSourceCreated for existing sources.
    private readonly ConcurrentQueue<SdkEvent> _events = new();

    public IReadOnlyList<SdkEvent> Events => [.. _events];

    /// <summary>
    /// Events at warning level or worse, except <c>MetricInstrumentIgnored</c>: a MeterProvider warns once for every
    /// instrument of a meter it does not subscribe to (System.Runtime, System.Net.Http, … in this process). Had the
    /// test's own instrument been ignored, nothing would arrive and the count would fail.
    /// </summary>
    public IReadOnlyList<SdkEvent> Problems =>
        [.. _events.Where(e => (e.Level is EventLevel.Warning or EventLevel.Error or EventLevel.Critical) && e.Name != "MetricInstrumentIgnored")];

    /// <summary>Export requests the OTLP exporter saw answered with success.</summary>
    public int ExportSuccesses => _events.Count(e => e.Source == ExporterSource && e.Name == "ExportSuccess");

    public string Describe() =>
        _events.IsEmpty ? "(no OpenTelemetry SDK events)" : "OpenTelemetry SDK events:\n" + string.Join('\n', _events.Select(e => "  " + e));

    /// <summary>
    /// The SDK's own verdict: at least one export answered with success, and no warning or error (failed or retried
    /// exports, dropped items, serialization failures).
    /// </summary>
    public void AssertExportsSucceeded()
    {
        Assert.True(Problems.Count == 0, "the SDK reported problems.\n" + Describe());
        Assert.True(ExportSuccesses > 0, "the OTLP exporter reported no successful export.\n" + Describe());
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }

        base.OnEventSourceCreated(eventSource);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var payload = eventData.Payload?.ToArray() ?? [];
        string message;
        try
        {
            message = eventData.Message is { Length: > 0 } format
                ? string.Format(CultureInfo.InvariantCulture, format, payload)
                : string.Join(", ", payload);
        }
        catch (FormatException)
        {
            message = eventData.Message + " | " + string.Join(", ", payload);
        }

        _events.Enqueue(new SdkEvent(eventData.EventSource.Name, eventData.EventName ?? eventData.EventId.ToString(CultureInfo.InvariantCulture), eventData.Level, message));
    }
}

internal sealed record SdkEvent(string Source, string Name, EventLevel Level, string Message)
{
    public override string ToString() => $"{Level} {Source}/{Name}: {Message}";
}
