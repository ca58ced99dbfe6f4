using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>
/// The answer to one export request, in gRPC terms; the HTTP transport maps it with the collector's table.
/// A refusal always carries a retry delay (google.rpc.RetryInfo / Retry-After).
/// </summary>
internal readonly record struct OtlpExportResult(StatusCode Code, string Message, TimeSpan? RetryAfter = null)
{
    public static OtlpExportResult Ok { get; } = new(StatusCode.OK, string.Empty);

    public bool IsOk => Code == StatusCode.OK;

    /// <summary>The collector's gRPC code → HTTP status mapping (otlpreceiver internal/errors).</summary>
    public int HttpStatus => ToHttpStatus(Code);

    public static int ToHttpStatus(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.Cancelled or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.OutOfRange
            or StatusCode.Unavailable or StatusCode.DataLoss => 503,
        StatusCode.ResourceExhausted => 429,
        StatusCode.InvalidArgument => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.Unimplemented => 404,
        _ => 500,
    };

    /// <summary>The google.rpc.Status body / grpc-status-details-bin of this result.</summary>
    public Google.Rpc.Status ToRpcStatus()
    {
        var status = new Google.Rpc.Status { Code = (int)Code, Message = Message };
        if (RetryAfter is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        return status;
    }

    public RpcException ToRpcException() => ToRpcStatus().ToRpcException();
}

/// <summary>
/// Hands decoded requests to the pipelines and turns the ack outcome into the client's answer; counts accepted and
/// refused items. Shared by the gRPC services and the HTTP handler of one receiver instance.
/// </summary>
internal sealed class OtlpExportHandler(ComponentContext context, IReceiverConsumer consumer, ILogger logger)
{
    /// <summary>Retry delay sent with a refusal that did not name one.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    public IReadOnlySet<Signal> Signals => consumer.Signals;

    public ILogger Logger => logger;

    public async Task<OtlpExportResult> ExportAsync(IMessage request, ClientMetadata metadata, CancellationToken cancellationToken)
    {
        var ack = new Ack();
        var batch = TelemetryBatch.Create(request, AckSet.Of(ack), metadata);
        if (batch.ItemCount == 0)
        {
            ack.Release(AckOutcome.Accepted); // the collector answers empty requests at once, without the pipeline
            return OtlpExportResult.Ok;
        }

        var signal = batch.Signal;
        AckOutcome outcome;
        try
        {
            outcome = await consumer.ConsumeAsync(batch, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Count(signal, Outcomes.Refused, batch.ItemCount, "cancelled");
            return new OtlpExportResult(StatusCode.Cancelled, "request cancelled by the client");
        }
        catch (Exception e)
        {
            // The consumer never throws for data problems: this is the engine stopping or failing. Retryable.
            OtlpReceiverLog.ConsumeFailed(logger, e, signal.ToConfigName());
            Count(signal, Outcomes.Refused, batch.ItemCount, "error");
            return new OtlpExportResult(StatusCode.Unavailable, "the pipeline could not take the data, retry later", DefaultRetryAfter);
        }

        switch (outcome.Status)
        {
            case AckStatus.Accepted:
                Count(signal, Outcomes.Accepted, batch.ItemCount, null);
                return OtlpExportResult.Ok;
            case AckStatus.Refused:
                {
                    var reason = string.IsNullOrEmpty(outcome.Reason) ? "data refused, retry later" : outcome.Reason;
                    Count(signal, Outcomes.Refused, batch.ItemCount, outcome.Reason ?? "refused");
                    OtlpReceiverLog.RequestNotAccepted(logger, signal.ToConfigName(), nameof(StatusCode.Unavailable), reason);
                    var delay = outcome.RetryAfter is { } after && after > TimeSpan.Zero ? after : DefaultRetryAfter;
                    return new OtlpExportResult(StatusCode.Unavailable, reason, delay);
                }

            default:
                {
                    var reason = string.IsNullOrEmpty(outcome.Reason) ? "data could not be processed" : outcome.Reason;
                    Count(signal, Outcomes.Refused, batch.ItemCount, outcome.Reason ?? "failed");
                    OtlpReceiverLog.RequestNotAccepted(logger, signal.ToConfigName(), nameof(StatusCode.Internal), reason);
                    return new OtlpExportResult(StatusCode.Internal, reason);
                }
        }
    }

    private void Count(Signal signal, string outcome, int items, string? reason) =>
        context.Telemetry.Add(ComponentKind.Receiver, context.Id, signal, outcome, items, reason);
}
