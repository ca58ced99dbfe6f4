using Google.Protobuf;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Data;

namespace TelemetryCluster.Streams.Receivers.Otlp;

/// <summary>Per-server settings the gRPC services read (registered in that server's own container).</summary>
internal sealed record OtlpGrpcServiceOptions(bool IncludeMetadata);

/// <summary>The body of every Export method: consume, then answer OK or throw the mapped status.</summary>
internal static class OtlpGrpcExport
{
    public static async Task ExportAsync(OtlpExportHandler handler, OtlpGrpcServiceOptions options, IMessage request, ServerCallContext context)
    {
        var metadata = options.IncludeMetadata ? FromMetadata(context) : ClientMetadata.Empty;
        var result = await handler.ExportAsync(request, metadata, context.CancellationToken);
        if (!result.IsOk)
        {
            // grpc-status-details-bin carries google.rpc.Status with RetryInfo when the data was refused.
            throw result.ToRpcException();
        }
    }

    /// <summary>gRPC request metadata as client metadata (binary <c>-bin</c> entries are base64 text).</summary>
    public static ClientMetadata FromMetadata(ServerCallContext context)
    {
        var pairs = new List<KeyValuePair<string, string>>(context.RequestHeaders.Count + 1);
        if (!string.IsNullOrEmpty(context.Host))
        {
            pairs.Add(new(":authority", context.Host));
        }

        foreach (var entry in context.RequestHeaders)
        {
            pairs.Add(new(entry.Key, entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value));
        }

        return ClientMetadata.From(pairs);
    }
}

/// <summary>
/// Binds the services to <see cref="OtlpGrpcMethods"/> (marshallers that keep the received encoding) instead of the
/// generated bases' methods. ASP.NET Core's gRPC binder looks up each method by name on the service and accepts it
/// only as an override of a method of the type that carries <see cref="BindServiceMethodAttribute"/>: hence the
/// abstract bases below.
/// </summary>
internal static class OtlpGrpcBinding
{
    public static void BindMetrics(ServiceBinderBase binder, OtlpMetricsGrpcServiceBase? service) =>
        binder.AddMethod(OtlpGrpcMethods.Metrics, service is null ? null : service.Export);

    public static void BindLogs(ServiceBinderBase binder, OtlpLogsGrpcServiceBase? service) =>
        binder.AddMethod(OtlpGrpcMethods.Logs, service is null ? null : service.Export);

    public static void BindTraces(ServiceBinderBase binder, OtlpTraceGrpcServiceBase? service) =>
        binder.AddMethod(OtlpGrpcMethods.Traces, service is null ? null : service.Export);
}

[BindServiceMethod(typeof(OtlpGrpcBinding), nameof(OtlpGrpcBinding.BindMetrics))]
internal abstract class OtlpMetricsGrpcServiceBase
{
    public abstract Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context);
}

[BindServiceMethod(typeof(OtlpGrpcBinding), nameof(OtlpGrpcBinding.BindLogs))]
internal abstract class OtlpLogsGrpcServiceBase
{
    public abstract Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context);
}

[BindServiceMethod(typeof(OtlpGrpcBinding), nameof(OtlpGrpcBinding.BindTraces))]
internal abstract class OtlpTraceGrpcServiceBase
{
    public abstract Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context);
}

internal sealed class OtlpMetricsGrpcService(OtlpExportHandler handler, OtlpGrpcServiceOptions options) : OtlpMetricsGrpcServiceBase
{
    public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        await OtlpGrpcExport.ExportAsync(handler, options, request, context);
        return new ExportMetricsServiceResponse();
    }
}

internal sealed class OtlpLogsGrpcService(OtlpExportHandler handler, OtlpGrpcServiceOptions options) : OtlpLogsGrpcServiceBase
{
    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        await OtlpGrpcExport.ExportAsync(handler, options, request, context);
        return new ExportLogsServiceResponse();
    }
}

internal sealed class OtlpTraceGrpcService(OtlpExportHandler handler, OtlpGrpcServiceOptions options) : OtlpTraceGrpcServiceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        await OtlpGrpcExport.ExportAsync(handler, options, request, context);
        return new ExportTraceServiceResponse();
    }
}
