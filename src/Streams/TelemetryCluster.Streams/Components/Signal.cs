namespace TelemetryCluster.Streams.Components;

/// <summary>The telemetry signal a pipeline carries. Names are the collector's pipeline type names.</summary>
public enum Signal
{
    Traces,
    Metrics,
    Logs,
}

public static class SignalNames
{
    public static string ToConfigName(this Signal signal) => signal switch
    {
        Signal.Traces => "traces",
        Signal.Metrics => "metrics",
        Signal.Logs => "logs",
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, null),
    };

    public static bool TryParse(string text, out Signal signal)
    {
        switch (text)
        {
            case "traces": signal = Signal.Traces; return true;
            case "metrics": signal = Signal.Metrics; return true;
            case "logs": signal = Signal.Logs; return true;
            default: signal = default; return false;
        }
    }
}
