using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Receivers.FileLog;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>
/// The receiver writes records as bytes (<see cref="LogRecordEncoder"/>): they must be byte for byte what
/// Google.Protobuf writes for the record built as objects (<see cref="ExpectedRecord"/>), and a batch must expand to
/// the request the object path built.
/// </summary>
public sealed class LogRecordEncoderTests
{
    private static readonly DateTimeOffset Observed = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Cases => [.. EntryCases().Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Record_bytes_equal_google_protobuf_encoding(string name)
    {
        var entry = EntryCases()[name];
        var encoder = new LogRecordEncoder(capacity: 8);
        encoder.Write(entry);

        var expected = new ScopeLogs();
        expected.LogRecords.Add(ExpectedRecord(entry));
        Assert.Equal(expected.ToByteArray(), encoder.Written.ToArray());
    }

    [Fact]
    public void Random_entries_encode_like_google_protobuf()
    {
        var random = new Random(42);
        var encoder = new LogRecordEncoder(capacity: 16);
        var expected = new ScopeLogs();
        for (var i = 0; i < 2000; i++)
        {
            var entry = RandomEntry(random, depth: 0);
            encoder.Write(entry);
            expected.LogRecords.Add(ExpectedRecord(entry));
        }

        Assert.Equal(expected.ToByteArray(), encoder.Written.ToArray());
    }

    [Fact]
    public void Batch_is_encoded_entries_that_expand_to_the_object_request()
    {
        var builder = new LogBatchBuilder(new Dictionary<string, string> { ["host.name"] = "h1" });
        var entries = new List<LogEntry>();
        for (var i = 0; i < 300; i++)
        {
            var entry = new LogEntry { Body = $"line {i} {new string('x', i)}", ObservedTimestamp = Observed.AddTicks(i) };
            entry.Attributes["log.file.name"] = "QELog.log";
            if (i % 7 == 0)
            {
                entry.ScopeName = "scope-" + (i % 2);
            }

            if (i % 11 == 0)
            {
                entry.Resource["k8s.pod.name"] = "pod-" + (i % 3);
            }

            entries.Add(entry);
            builder.Add(entry);
        }

        var (request, _, count, _) = builder.Take();
        Assert.Equal(300, count);
        Assert.True(OtlpWire.HasEncoded(request));
        Assert.Equal(300, OtlpItems.Count(request));

        // The same grouping built as objects: resource (in order of first use), then scope name (in order of first use).
        var expected = new ExportLogsServiceRequest();
        foreach (var entry in entries)
        {
            var resource = new Resource();
            resource.Attributes.Add(new KeyValue { Key = "host.name", Value = new AnyValue { StringValue = "h1" } });
            foreach (var (k, v) in entry.HasResource ? entry.Resource : [])
            {
                resource.Attributes.Add(new KeyValue { Key = k, Value = new AnyValue { StringValue = (string)v! } });
            }

            var resourceLogs = expected.ResourceLogs.FirstOrDefault(r => r.Resource.Equals(resource));
            if (resourceLogs is null)
            {
                resourceLogs = new ResourceLogs { Resource = resource };
                expected.ResourceLogs.Add(resourceLogs);
            }

            var scopeName = entry.ScopeName ?? string.Empty;
            var scope = resourceLogs.ScopeLogs.FirstOrDefault(s => s.Scope.Name == scopeName);
            if (scope is null)
            {
                scope = new ScopeLogs { Scope = new InstrumentationScope { Name = scopeName } };
                resourceLogs.ScopeLogs.Add(scope);
            }

            scope.LogRecords.Add(ExpectedRecord(entry));
        }

        Assert.Equal(expected.ToByteArray(), OtlpWire.ToByteArray(request));
        OtlpWire.Expand(request);
        Assert.Equal(expected, request);

        // The builder starts over with its buffers reused.
        var next = new LogEntry { Body = "again", ObservedTimestamp = Observed };
        builder.Add(next);
        var (second, _, secondCount, _) = builder.Take();
        Assert.Equal(1, secondCount);
        OtlpWire.Expand(second);
        Assert.Equal("again", second.ResourceLogs.Single().ScopeLogs.Single().LogRecords.Single().Body.StringValue);
    }

    /// <summary>The record the receiver built as objects before it wrote bytes (the reference encoding).</summary>
    private static LogRecord ExpectedRecord(LogEntry entry)
    {
        var record = new LogRecord
        {
            ObservedTimeUnixNano = LogRecordEncoder.UnixNanos(entry.ObservedTimestamp),
            TimeUnixNano = entry.Timestamp is { } time ? LogRecordEncoder.UnixNanos(time) : 0,
            SeverityNumber = (SeverityNumber)Math.Clamp(entry.Severity, 0, 24),
            Flags = entry.TraceFlags,
        };
        if (entry.SeverityText is { } text)
        {
            record.SeverityText = text;
        }

        if (entry.Body is not null)
        {
            record.Body = LogBatchBuilder.ToAnyValue(entry.Body);
        }

        var attributes = entry.Attributes;
        if (attributes.Count > 0)
        {
            var target = record.Attributes;
            target.Capacity = attributes.Count;
            foreach (var (name, value) in attributes)
            {
                target.Add(new KeyValue { Key = name, Value = LogBatchBuilder.ToAnyValue(value) });
            }
        }

        if (entry.TraceId is { Length: 16 } traceId)
        {
            record.TraceId = ByteString.CopyFrom(traceId);
        }

        if (entry.SpanId is { Length: 8 } spanId)
        {
            record.SpanId = ByteString.CopyFrom(spanId);
        }

        return record;
    }

    private static Dictionary<string, LogEntry> EntryCases()
    {
        LogEntry Entry(Action<LogEntry> set)
        {
            var e = new LogEntry { ObservedTimestamp = Observed };
            set(e);
            return e;
        }

        return new Dictionary<string, LogEntry>
        {
            ["empty"] = new LogEntry(),
            ["plain line"] = Entry(e => e.Body = "2026-11-26 INFO3 Load Generator Counter #1"),
            ["long body"] = Entry(e => e.Body = new string('a', 20_000)),
            ["non-ascii"] = Entry(e => e.Body = "grüße 日本 \ud83d\ude00"),
            ["lone surrogate"] = Entry(e => e.Body = "bad \ud800 half"),
            ["empty body and key"] = Entry(e =>
            {
                e.Body = "";
                e.Attributes[""] = "";
            }),
            ["all scalars"] = Entry(e =>
            {
                e.Timestamp = Observed.AddDays(-1);
                e.Severity = 9;
                e.SeverityText = "INFO";
                e.TraceFlags = 1;
                e.TraceId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
                e.SpanId = Enumerable.Range(1, 8).Select(i => (byte)i).ToArray();
                e.Attributes["s"] = "v";
                e.Attributes["t"] = true;
                e.Attributes["f"] = false;
                e.Attributes["l"] = -5L;
                e.Attributes["i"] = int.MinValue;
                e.Attributes["d"] = 1.5;
                e.Attributes["x"] = 2.25f;
                e.Attributes["b"] = new byte[] { 0, 1, 2 };
                e.Attributes["n"] = null;
                e.Attributes["dt"] = Observed;
                e.Attributes["g"] = Guid.Empty;
            }),
            ["severity out of range"] = Entry(e => e.Severity = 99),
            ["time before epoch"] = Entry(e => e.Timestamp = DateTimeOffset.UnixEpoch.AddDays(-1)),
            ["wrong id lengths"] = Entry(e =>
            {
                e.TraceId = new byte[3];
                e.SpanId = new byte[16];
            }),
            ["nested"] = Entry(e =>
            {
                e.Body = new Dictionary<string, object?>
                {
                    ["msg"] = "hello",
                    ["list"] = new List<object?> { 1L, "two", null, new Dictionary<string, object?> { ["deep"] = new string('d', 300) } },
                    ["empty map"] = new Dictionary<string, object?>(),
                    ["empty list"] = new List<object?>(),
                };
            }),
        };
    }

    private static LogEntry RandomEntry(Random random, int depth)
    {
        var entry = new LogEntry { ObservedTimestamp = Observed.AddSeconds(random.Next(-10, 10)) };
        if (random.Next(3) == 0)
        {
            entry.Timestamp = Observed.AddMilliseconds(random.Next());
        }

        entry.Severity = random.Next(-2, 30);
        entry.SeverityText = random.Next(3) == 0 ? null : RandomString(random, 8);
        entry.Body = random.Next(5) == 0 ? null : RandomValue(random, depth);
        var attributes = random.Next(6);
        for (var i = 0; i < attributes; i++)
        {
            entry.Attributes[RandomString(random, 6) + i] = RandomValue(random, depth);
        }

        entry.TraceFlags = random.Next(3) == 0 ? (uint)random.Next() : 0;
        return entry;
    }

    private static object? RandomValue(Random random, int depth) => random.Next(depth > 2 ? 7 : 9) switch
    {
        0 => null,
        1 => RandomString(random, random.Next(2) == 0 ? 10 : 400),
        2 => random.Next(2) == 0,
        3 => random.NextInt64(long.MinValue, long.MaxValue),
        4 => random.NextDouble() * 1e6,
        5 => RandomBytes(random),
        6 => random.Next(),
        7 => Enumerable.Range(0, random.Next(4)).ToDictionary(i => "k" + i, _ => RandomValue(random, depth + 1)),
        _ => Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1)).ToList(),
    };

    private static string RandomString(Random random, int max)
    {
        var chars = new char[random.Next(max + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(10) == 0 ? (char)random.Next(0x80, 0x3000) : (char)random.Next(0x20, 0x7f);
        }

        return new string(chars);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(40)];
        random.NextBytes(bytes);
        return bytes;
    }
}
