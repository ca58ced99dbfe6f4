using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using TelemetryCluster.Streams.Components;

namespace TelemetryCluster.Streams.Exporters.Otlp;

/// <summary>
/// The collector's OTLP exporter error rules (otlpexporter <c>processError</c> / <c>shouldRetry</c>): CANCELLED,
/// DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retryable, RESOURCE_EXHAUSTED only when the
/// status carries RetryInfo, every other code is permanent. A retryable status with a positive RetryInfo delay becomes
/// a <see cref="RetryAfterException"/>, other retryable ones a non-permanent <see cref="ExportException"/>.
/// </summary>
internal static class OtlpExportErrors
{
    public static bool IsRetryable(StatusCode code, bool hasRetryInfo) => code switch
    {
        StatusCode.Cancelled or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.OutOfRange
            or StatusCode.Unavailable or StatusCode.DataLoss => true,
        StatusCode.ResourceExhausted => hasRetryInfo,
        _ => false,
    };

    /// <summary>The exception the exporter throws for a failed call to <paramref name="target"/>.</summary>
    public static Exception Map(RpcException exception, string target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var retryInfo = RetryInfoOf(exception);
        var code = EffectiveCode(exception);
        var message = $"sending to {target} failed: rpc error: code = {code} desc = {exception.Status.Detail}";
        if (!IsRetryable(code, retryInfo is not null))
        {
            return new ExportException(message, permanent: true, exception);
        }

        var delay = retryInfo?.RetryDelay?.ToTimeSpan() ?? TimeSpan.Zero;
        return delay > TimeSpan.Zero
            ? new RetryAfterException($"{message} (server asks to retry after {delay})", delay, exception)
            : new ExportException(message, permanent: false, exception);
    }

    /// <summary>
    /// The status code as grpc-go would report it. Grpc.Net reports a failure of the connection itself (TLS handshake,
    /// reset, HTTP/2 protocol error) as a locally made INTERNAL status with the transport exception attached; grpc-go
    /// (and so the collector) reports those as UNAVAILABLE, which is retryable. A status the server sent has no
    /// attached exception and keeps its code.
    /// </summary>
    public static StatusCode EffectiveCode(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var code = exception.StatusCode;
        return code is StatusCode.Internal or StatusCode.Unknown && IsTransportFailure(exception.Status.DebugException)
            ? StatusCode.Unavailable
            : code;
    }

    private static bool IsTransportFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or HttpProtocolException or IOException or System.Net.Sockets.SocketException
                or System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The RetryInfo detail of the status in <c>grpc-status-details-bin</c>, if any (a malformed one counts as none).</summary>
    public static RetryInfo? RetryInfoOf(RpcException exception)
    {
        try
        {
            return exception.GetRpcStatus()?.GetDetail<RetryInfo>();
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
