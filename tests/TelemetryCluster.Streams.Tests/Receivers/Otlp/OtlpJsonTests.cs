using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using TelemetryCluster.Streams.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

public sealed class OtlpJsonTests
{
    /// <summary>The OTLP/JSON shape of the spec's trace example (hex ids, integer kind, typed attribute values).</summary>
    private const string Traces = """
        {
          "resourceSpans": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my.service" } },
                  { "key": "host.cpus", "value": { "intValue": "8" } }
                ]
              },
              "scopeSpans": [
                {
                  "scope": { "name": "my.library", "version": "1.0.0", "attributes": [{ "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }] },
                  "spans": [
                    {
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174",
                      "parentSpanId": "EEE19B7EC3C1B173",
                      "name": "I'm a server span",
                      "startTimeUnixNano": "1544712660000000000",
                      "endTimeUnixNano": "1544712661000000000",
                      "kind": 2,
                      "attributes": [
                        { "key": "my.span.attr", "value": { "stringValue": "some value" } },
                        { "key": "retries", "value": { "intValue": 3 } },
                        { "key": "ratio", "value": { "doubleValue": 0.25 } },
                        { "key": "tags", "value": { "arrayValue": { "values": [{ "stringValue": "a" }, { "boolValue": true }] } } }
                      ],
                      "links": [{ "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "1112131415161718" }],
                      "status": { "code": 2, "message": "boom" },
                      "someFutureField": { "nested": [1, 2, 3] }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    private const string Metrics = """
        {
          "resourceMetrics": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "my.service" } }] },
            "scopeMetrics": [{
              "scope": { "name": "my.library", "version": "1.0.0" },
              "metrics": [
                {
                  "name": "my.counter", "unit": "1", "description": "I am a Counter",
                  "sum": {
                    "aggregationTemporality": 1, "isMonotonic": true,
                    "dataPoints": [{
                      "asDouble": 5, "startTimeUnixNano": "1544712660300000000", "timeUnixNano": 1544712660300000123,
                      "attributes": [{ "key": "my.counter.attr", "value": { "stringValue": "some value" } }],
                      "exemplars": [{ "timeUnixNano": "1544712660300000000", "asInt": "9007199254740993",
                                      "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174" }]
                    }]
                  }
                },
                {
                  "name": "my.histogram", "unit": "ms",
                  "histogram": {
                    "aggregationTemporality": 2,
                    "dataPoints": [
                      { "startTimeUnixNano": "1544712660300000000", "timeUnixNano": "1544712660300000000", "count": 3, "sum": 3,
                        "bucketCounts": [1, "1", 1], "explicitBounds": [1, 5], "min": 0, "max": 2 },
                      { "startTimeUnixNano": "1544712660300000000", "timeUnixNano": "1544712660300000000", "count": "2", "sum": 8,
                        "bucketCounts": [0, 1, 1], "explicitBounds": [1, 5] }
                    ]
                  }
                },
                {
                  "name": "my.gauge",
                  "gauge": { "dataPoints": [{ "asInt": -12, "timeUnixNano": "1544712660300000000" }] }
                }
              ]
            }]
          }]
        }
        """;

    private const string Logs = """
        {
          "resourceLogs": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "my.service" } }] },
            "scopeLogs": [{
              "scope": { "name": "my.library" },
              "logRecords": [
                {
                  "timeUnixNano": "1544712660300000000", "observedTimeUnixNano": "1544712660300000000",
                  "severityNumber": 10, "severityText": "Information",
                  "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
                  "body": { "stringValue": "Example log record" },
                  "attributes": [
                    { "key": "bytes.attribute", "value": { "bytesValue": "AQID" } },
                    { "key": "map.attribute", "value": { "kvlistValue": { "values": [{ "key": "some.map.key", "value": { "stringValue": "some value" } }] } } }
                  ],
                  "flags": 1
                },
                { "body": { "stringValue": "no ids" }, "traceId": "", "spanId": "" }
              ]
            }]
          }]
        }
        """;

    [Fact]
    public void Parses_the_trace_example_with_hex_ids_and_integer_enums()
    {
        var request = OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(Traces));

        var resourceSpans = Assert.Single(request.ResourceSpans);
        Assert.Equal(8, resourceSpans.Resource.Attributes[1].Value.IntValue);
        var span = Assert.Single(Assert.Single(resourceSpans.ScopeSpans).Spans);
        Assert.Equal("5b8efff798038103d269b633813fc60c", Convert.ToHexStringLower(span.TraceId.Span));
        Assert.Equal("eee19b7ec3c1b174", Convert.ToHexStringLower(span.SpanId.Span));
        Assert.Equal("eee19b7ec3c1b173", Convert.ToHexStringLower(span.ParentSpanId.Span));
        Assert.Equal(Span.Types.SpanKind.Server, span.Kind);
        Assert.Equal(1544712660000000000UL, span.StartTimeUnixNano);
        Assert.Equal(3, span.Attributes[1].Value.IntValue);
        Assert.Equal(0.25, span.Attributes[2].Value.DoubleValue);
        Assert.True(span.Attributes[3].Value.ArrayValue.Values[1].BoolValue);
        Assert.Equal("0102030405060708090a0b0c0d0e0f10", Convert.ToHexStringLower(span.Links[0].TraceId.Span));
        Assert.Equal("1112131415161718", Convert.ToHexStringLower(span.Links[0].SpanId.Span));
        Assert.Equal(Status.Types.StatusCode.Error, span.Status.Code);
    }

    [Fact]
    public void Parses_the_metrics_example_with_full_precision_64_bit_numbers()
    {
        var request = OtlpJson.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetBytes(Metrics));

        var metrics = request.ResourceMetrics[0].ScopeMetrics[0].Metrics;
        Assert.Equal(3, metrics.Count);
        var sumPoint = metrics[0].Sum.DataPoints[0];
        Assert.Equal(1544712660300000123UL, sumPoint.TimeUnixNano); // a JSON number beyond 2^53 keeps every digit
        Assert.Equal(9007199254740993L, sumPoint.Exemplars[0].AsInt);
        Assert.Equal("5b8efff798038103d269b633813fc60c", Convert.ToHexStringLower(sumPoint.Exemplars[0].TraceId.Span));
        Assert.Equal("eee19b7ec3c1b174", Convert.ToHexStringLower(sumPoint.Exemplars[0].SpanId.Span));
        Assert.Equal(OpenTelemetry.Proto.Metrics.V1.AggregationTemporality.Delta, metrics[0].Sum.AggregationTemporality);
        Assert.Equal([1UL, 1UL, 1UL], metrics[1].Histogram.DataPoints[0].BucketCounts);
        Assert.Equal(2UL, metrics[1].Histogram.DataPoints[1].Count);
        Assert.Equal(-12L, metrics[2].Gauge.DataPoints[0].AsInt);
        Assert.Equal(4, TelemetryCluster.Streams.Data.OtlpItems.Count(request));
    }

    [Fact]
    public void Parses_the_logs_example()
    {
        var request = OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(Logs));

        var records = request.ResourceLogs[0].ScopeLogs[0].LogRecords;
        Assert.Equal(2, records.Count);
        Assert.Equal(SeverityNumber.Info2, records[0].SeverityNumber);
        Assert.Equal("5b8efff798038103d269b633813fc60c", Convert.ToHexStringLower(records[0].TraceId.Span));
        Assert.Equal([1, 2, 3], records[0].Attributes[0].Value.BytesValue.ToByteArray());
        Assert.Equal("some value", records[0].Attributes[1].Value.KvlistValue.Values[0].Value.StringValue);
        Assert.Equal(1u, records[0].Flags);
        Assert.True(records[1].TraceId.IsEmpty);
        Assert.True(records[1].SpanId.IsEmpty);
    }

    [Fact]
    public void Accepts_proto_field_names_too()
    {
        const string snake = """
            {"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
              "parent_span_id":"eee19b7ec3c1b173","name":"x","kind":"SPAN_KIND_CLIENT","start_time_unix_nano":"5"}]}]}]}
            """;

        var span = OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(snake)).ResourceSpans[0].ScopeSpans[0].Spans[0];

        Assert.Equal(OtlpRequests.TraceId, span.TraceId.ToByteArray());
        Assert.Equal(OtlpRequests.ParentSpanId, span.ParentSpanId.ToByteArray());
        Assert.Equal(Span.Types.SpanKind.Client, span.Kind);
        Assert.Equal(5UL, span.StartTimeUnixNano);
    }

    [Fact]
    public void Attribute_keys_named_like_ids_are_not_rewritten()
    {
        const string json = """
            {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[
              {"key":"traceId","value":{"stringValue":"not hex at all"}},
              {"key":"x","value":{"kvlistValue":{"values":[{"key":"spanId","value":{"stringValue":"zz"}}]}}}]}]}]}]}
            """;

        var record = OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(json)).ResourceLogs[0].ScopeLogs[0].LogRecords[0];

        Assert.Equal("not hex at all", record.Attributes[0].Value.StringValue);
        Assert.Equal("zz", record.Attributes[1].Value.KvlistValue.Values[0].Value.StringValue);
    }

    [Theory]
    [InlineData("\"traceId\": \"5b8efff798038103d269b633813fc60\"")] // 31 chars
    [InlineData("\"traceId\": \"5b8efff798038103d269b633813fc60cz\"")]
    [InlineData("\"spanId\": \"eee19b7ec3c1b17g\"")]
    [InlineData("\"parentSpanId\": \"AQIDBAUGBwg=\"")] // base64 is not OTLP/JSON
    public void Invalid_hex_ids_are_rejected(string field)
    {
        var json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + field + "}]}]}]}";

        Assert.Throws<OtlpJsonException>(() => OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"resourceLogs\": 5}")]
    [InlineData("{\"resourceLogs\": []} {}")]
    [InlineData("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"severityNumber\": {}}]}]}]}")]
    public void Malformed_documents_are_rejected(string json) =>
        Assert.Throws<OtlpJsonException>(() => OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Formats_hex_ids_integer_enums_and_camel_case_names()
    {
        var json = OtlpJson.Format(OtlpRequests.Traces(1));

        using var doc = JsonDocument.Parse(json);
        var span = doc.RootElement.GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0].GetProperty("spans")[0];
        Assert.Equal("5b8efff798038103d269b633813fc60c", span.GetProperty("traceId").GetString());
        Assert.Equal("eee19b7ec3c1b174", span.GetProperty("spanId").GetString());
        Assert.Equal("eee19b7ec3c1b173", span.GetProperty("parentSpanId").GetString());
        Assert.Equal(JsonValueKind.Number, span.GetProperty("kind").ValueKind);
        Assert.Equal(2, span.GetProperty("kind").GetInt32());
        Assert.Equal("1700000000000000000", span.GetProperty("startTimeUnixNano").GetString());
    }

    [Fact]
    public void Round_trips_every_signal()
    {
        IMessage[] messages = [OtlpRequests.Traces(3), OtlpRequests.Logs(2), OtlpRequests.Metrics(4),
            OtlpJson.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetBytes(Metrics)),
            OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(Traces)),
            OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(Logs))];

        foreach (var message in messages)
        {
            var back = OtlpJson.Parse(message.Descriptor, OtlpJson.FormatUtf8(message));
            Assert.Equal(message, back);
        }
    }

    [Fact]
    public void Empty_response_formats_as_an_empty_object() =>
        Assert.Equal("{}", OtlpJson.Format(new ExportTraceServiceResponse()));

    [Fact]
    public void Escaped_strings_survive()
    {
        const string json = """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a\"b\\c\u00e9\n"}}]}]}]}""";

        var record = OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(json)).ResourceLogs[0].ScopeLogs[0].LogRecords[0];

        Assert.Equal("a\"b\\c\u00e9\n", record.Body.StringValue);
    }
}
