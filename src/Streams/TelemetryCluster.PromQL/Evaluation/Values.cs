namespace TelemetryCluster.PromQL;

/// <summary>One sample of a series: timestamp in ms and value.</summary>
public readonly record struct Point(long T, double V);

/// <summary>One element of an instant vector (T is the sample's own timestamp for plain selectors, else the eval time).</summary>
public readonly record struct Sample(Labels Metric, long T, double V);

/// <summary>One series of a range vector / matrix.</summary>
public sealed record SeriesPoints(Labels Metric, List<Point> Points);

/// <summary>A PromQL value.</summary>
public abstract record QueryValue;

public sealed record ScalarValue(long T, double V) : QueryValue;

public sealed record StringValue(long T, string V) : QueryValue;

public sealed record VectorValue(List<Sample> Samples) : QueryValue;

public sealed record MatrixValue(List<SeriesPoints> Series) : QueryValue;

/// <summary>Static type of an expression.</summary>
public enum ValueType
{
    Scalar,
    Vector,
    Matrix,
    String,
}

internal static class ValueTypeNames
{
    public static string Name(this ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.Vector => "instant vector",
        ValueType.Matrix => "range vector",
        _ => "string",
    };

    public static string ApiName(this ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.Vector => "vector",
        ValueType.Matrix => "matrix",
        _ => "string",
    };
}

/// <summary>A syntax or type error in a query (HTTP 400 bad_data).</summary>
public sealed class PromQLParseException(string message, bool isQueryParameterError = true) : Exception(message)
{
    /// <summary>False for errors Prometheus reports without the `invalid parameter "query"` prefix.</summary>
    public bool IsQueryParameterError { get; } = isQueryParameterError;
}

/// <summary>A query that cannot be executed (HTTP 422 execution).</summary>
public sealed class PromQLExecutionException(string message) : Exception(message);

/// <summary>The query ran past its timeout (HTTP 503 timeout).</summary>
public sealed class PromQLTimeoutException(string message) : Exception(message);
