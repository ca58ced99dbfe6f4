using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace TelemetryCluster.Streams.Data;

/// <summary>
/// The three OTLP <c>Export</c> methods with request marshallers that keep and re-use the received encoding
/// (<see cref="OtlpWire"/>); the otlp receiver binds them and the otlp exporter calls them. Same service and method
/// names as the generated clients, so the wire is unchanged.
/// </summary>
public static class OtlpGrpcMethods
{
    public static Method<ExportMetricsServiceRequest, ExportMetricsServiceResponse> Metrics { get; } = Create(
        "opentelemetry.proto.collector.metrics.v1.MetricsService", ExportMetricsServiceRequest.Parser, ExportMetricsServiceResponse.Parser);

    public static Method<ExportLogsServiceRequest, ExportLogsServiceResponse> Logs { get; } = Create(
        "opentelemetry.proto.collector.logs.v1.LogsService", ExportLogsServiceRequest.Parser, ExportLogsServiceResponse.Parser);

    public static Method<ExportTraceServiceRequest, ExportTraceServiceResponse> Traces { get; } = Create(
        "opentelemetry.proto.collector.trace.v1.TraceService", ExportTraceServiceRequest.Parser, ExportTraceServiceResponse.Parser);

    private static Method<TRequest, TResponse> Create<TRequest, TResponse>(
        string service, Google.Protobuf.MessageParser<TRequest> requestParser, Google.Protobuf.MessageParser<TResponse> responseParser)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        new(MethodType.Unary, service, "Export", OtlpWire.GrpcMarshaller(requestParser), OtlpWire.PlainGrpcMarshaller(responseParser));
}
