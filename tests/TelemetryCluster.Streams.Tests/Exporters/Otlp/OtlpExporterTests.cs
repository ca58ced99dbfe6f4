using System.Diagnostics;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Exporters.Otlp;
using TelemetryCluster.Streams.Receivers.Otlp;
using TelemetryCluster.Streams.Tests.Receivers.Otlp;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Otlp;

/// <summary>The exporter against our own OTLP receiver (started on 127.0.0.1:0 with a fake consumer).</summary>
public sealed class OtlpExporterTests(OtlpAkkaFixture akka) : IClassFixture<OtlpAkkaFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OtlpReceiverConfig GrpcOnly(bool includeMetadata = false) =>
        new() { Grpc = OtlpReceiverHarness.LocalGrpc with { IncludeMetadata = includeMetadata } };

    [Fact]
    public async Task Exports_each_signal_with_exact_counts_and_identical_payloads()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly());
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));
        var metrics = OtlpRequests.Metrics(7);
        var logs = OtlpRequests.Logs(5);
        var traces = OtlpRequests.Traces(3);

        await exporter.ExportAsync(OtlpExporterTesting.Batch(metrics), Ct);
        await exporter.ExportAsync(OtlpExporterTesting.Batch(logs), Ct);
        await exporter.ExportAsync(OtlpExporterTesting.Batch(traces), Ct);

        Assert.Equal(7, receiver.Consumer.Items(Signal.Metrics));
        Assert.Equal(5, receiver.Consumer.Items(Signal.Logs));
        Assert.Equal(3, receiver.Consumer.Items(Signal.Traces));
        Assert.Equal(3, receiver.Consumer.Calls);
        Assert.Equal(metrics, Assert.Single(receiver.Consumer.Batches, b => b.Signal == Signal.Metrics).Metrics);
        Assert.Equal(logs, Assert.Single(receiver.Consumer.Batches, b => b.Signal == Signal.Logs).Logs);
        Assert.Equal(traces, Assert.Single(receiver.Consumer.Batches, b => b.Signal == Signal.Traces).Traces);
        Assert.Equal(7, receiver.Accepted(Signal.Metrics));
    }

    [Fact]
    public async Task Many_concurrent_exports_share_one_channel()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly());
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(1 + (i % 5))), Ct)));

        Assert.Equal(200, receiver.Consumer.Calls);
        Assert.Equal(Enumerable.Range(0, 200).Sum(i => 1 + (i % 5)), receiver.Consumer.Items(Signal.Logs));
    }

    [Fact]
    public async Task Configured_headers_arrive_as_metadata()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly(includeMetadata: true));
        var config = OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value) with
        {
            Headers = new Dictionary<string, string> { ["X-Scope-OrgID"] = "team-a", ["authorization"] = "Bearer abc", ["trace-bin"] = "raw" },
        };
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, config);

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct);

        var metadata = Assert.Single(receiver.Consumer.Batches).Metadata;
        Assert.Equal(["team-a"], metadata.Get("x-scope-orgid"));
        Assert.Equal(["Bearer abc"], metadata.Get("authorization"));
        Assert.Equal([Convert.ToBase64String("raw"u8)], metadata.Get("trace-bin"));
        Assert.False(metadata.Contains("grpc-internal-encoding-request"));
    }

    [Fact]
    public async Task Refusal_is_retryable_and_carries_the_retry_info_delay()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Refuse("memory limit reached", TimeSpan.FromSeconds(7)) };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly(), consumer);
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));

        var e = await Assert.ThrowsAsync<RetryAfterException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Traces(2)), Ct));

        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
        Assert.Contains("Unavailable", e.Message, StringComparison.Ordinal);
        Assert.Contains("memory limit reached", e.Message, StringComparison.Ordinal);
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, Assert.IsType<Grpc.Core.RpcException>(e.InnerException).StatusCode);
    }

    [Fact]
    public async Task Permanent_failure_downstream_is_a_permanent_export_exception()
    {
        var consumer = new FakeConsumer { Outcome = AckOutcome.Fail("bad data") };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly(), consumer);
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(2)), Ct));

        Assert.True(e.Permanent);
        Assert.Contains("Internal", e.Message, StringComparison.Ordinal);
        Assert.Contains("bad data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signal_without_a_pipeline_downstream_is_permanent()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly(), new FakeConsumer(Signal.Metrics));
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(1)), Ct));

        Assert.True(e.Permanent);
        Assert.Contains("Unimplemented", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_retryable()
    {
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(OtlpExporterTesting.UnusedPort()));

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct));

        Assert.False(e.Permanent);
        Assert.Contains("Unavailable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recovers_when_the_endpoint_comes_back()
    {
        var port = OtlpExporterTesting.UnusedPort();
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(port));
        await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct));

        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { Endpoint = $"127.0.0.1:{port}" } };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, config);

        // As the exporter kit does: retry the retryable failure (the channel reconnects with its own backoff).
        var attempts = 0;
        for (var started = Stopwatch.StartNew(); ; attempts++)
        {
            try
            {
                await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(4)), Ct);
                break;
            }
            catch (ExportException e) when (!e.Permanent && started.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.Equal(4, receiver.Consumer.Items(Signal.Metrics));
        Assert.InRange(attempts, 0, 100);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_an_operation_cancelled()
    {
        var consumer = new FakeConsumer { Delay = (_, token) => Task.Delay(TimeSpan.FromSeconds(30), token) };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly(), consumer);
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), cts.Token));

        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task Timeout_is_sent_as_the_grpc_deadline_and_expiry_is_retryable()
    {
        var consumer = new FakeConsumer { Delay = (_, token) => Task.Delay(TimeSpan.FromSeconds(30), token) };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly(), consumer);
        var config = OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value) with
        {
            Exporter = OtlpExporterConfig.DefaultExporterSettings with { Timeout = TimeSpan.FromMilliseconds(300) },
        };
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, config);

        var e = await Assert.ThrowsAsync<ExportException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct));

        Assert.False(e.Permanent);
        Assert.Contains("DeadlineExceeded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_and_shutdown_own_the_channel()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly());
        var exporter = (OtlpExporter)new OtlpExporterFactory().CreateExporter(
            OtlpExporterTesting.Context(akka), OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));

        await Assert.ThrowsAsync<InvalidOperationException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct));
        await exporter.StartAsync(Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => exporter.StartAsync(Ct));
        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct);
        await exporter.ShutdownAsync(Ct);
        await exporter.ShutdownAsync(Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(1)), Ct));

        Assert.Equal(1, receiver.Consumer.Calls);
    }

    [Fact]
    public async Task Tls_with_a_private_ca()
    {
        using var pki = new TestPki();
        using var server = pki.Server(withLoopbackIp: true, "localhost");
        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { Tls = new OtlpTlsConfig { CertPem = server.ExportCertificatePem(), KeyPem = TestPki.KeyPem(server) } } };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, config);
        var port = receiver.Receiver.GrpcPort!.Value;

        await using var trusted = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = $"127.0.0.1:{port}", Tls = new OtlpClientTlsConfig { CaFile = pki.CaFile } });
        await trusted.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(2)), Ct);

        // https:// forces TLS even with insecure = true.
        await using var https = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = $"https://localhost:{port}", Tls = new OtlpClientTlsConfig { Insecure = true, CaPem = pki.Ca.ExportCertificatePem() } });
        await https.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(3)), Ct);

        // System roots do not know the test CA; skip-verify accepts anything.
        await using var untrusted = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = $"127.0.0.1:{port}" });
        var e = await Assert.ThrowsAsync<ExportException>(() => untrusted.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(100)), Ct));
        await using var skip = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = $"127.0.0.1:{port}", Tls = new OtlpClientTlsConfig { InsecureSkipVerify = true } });
        await skip.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(4)), Ct);

        // Plaintext against a TLS server fails (retryable: the connection is refused/reset).
        await using var plaintext = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(port));
        var p = await Assert.ThrowsAsync<ExportException>(() => plaintext.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(100)), Ct));

        Assert.False(e.Permanent, e.ToString());
        Assert.False(p.Permanent, p.ToString());
        Assert.Equal(9, receiver.Consumer.Items(Signal.Metrics));
    }

    [Fact]
    public async Task Server_name_override_names_the_server_certificate()
    {
        using var pki = new TestPki();
        using var server = pki.Server(withLoopbackIp: false, "otlp.test.internal");
        var config = new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { Tls = new OtlpTlsConfig { CertPem = server.ExportCertificatePem(), KeyPem = TestPki.KeyPem(server) } } };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, config);
        var endpoint = $"127.0.0.1:{receiver.Receiver.GrpcPort}";

        await using var mismatch = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = endpoint, Tls = new OtlpClientTlsConfig { CaFile = pki.CaFile } });
        await Assert.ThrowsAsync<ExportException>(() => mismatch.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(100)), Ct));
        await using var overridden = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig
        {
            Endpoint = endpoint,
            Tls = new OtlpClientTlsConfig { CaFile = pki.CaFile, ServerNameOverride = "otlp.test.internal" },
        });
        await overridden.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(2)), Ct);

        Assert.Equal(2, receiver.Consumer.Items(Signal.Logs));
    }

    [Fact]
    public async Task Mutual_tls_with_a_client_certificate()
    {
        using var pki = new TestPki();
        using var server = pki.Server(withLoopbackIp: true, "localhost");
        using var client = pki.Client();
        var tls = new OtlpTlsConfig { CertPem = server.ExportCertificatePem(), KeyPem = TestPki.KeyPem(server), ClientCaFile = pki.CaFile };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { Tls = tls } });
        var endpoint = $"localhost:{receiver.Receiver.GrpcPort}";

        await using var anonymous = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = endpoint, Tls = new OtlpClientTlsConfig { CaFile = pki.CaFile } });
        await Assert.ThrowsAsync<ExportException>(() => anonymous.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Traces(100)), Ct));
        await using var authenticated = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig
        {
            Endpoint = endpoint,
            Tls = new OtlpClientTlsConfig
            {
                CaFile = pki.CaFile,
                CertFile = pki.WritePem("client.crt", client.ExportCertificatePem()),
                KeyFile = pki.WritePem("client.key", TestPki.KeyPem(client)),
            },
        });
        await authenticated.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Traces(3)), Ct);

        Assert.Equal(3, receiver.Consumer.Items(Signal.Traces));
    }

    [Fact]
    public async Task Exports_over_a_unix_socket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"otlp-exp-{Guid.NewGuid():N}.sock");
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, new OtlpReceiverConfig { Grpc = new OtlpGrpcConfig { Endpoint = path, Transport = "unix" } });
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, new OtlpExporterConfig { Endpoint = "unix://" + path, Tls = new OtlpClientTlsConfig { Insecure = true } });

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(6)), Ct);

        Assert.Equal(6, receiver.Consumer.Items(Signal.Logs));
    }

    [Fact]
    public async Task Round_robin_balancer_resolves_the_host_name()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly());
        var config = new OtlpExporterConfig
        {
            Endpoint = $"localhost:{receiver.Receiver.GrpcPort}",
            Tls = new OtlpClientTlsConfig { Insecure = true },
            BalancerName = "round_robin",
            WaitForReady = true,
        };
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, config);

        for (var i = 0; i < 5; i++)
        {
            await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Metrics(2)), Ct);
        }

        Assert.Equal(10, receiver.Consumer.Items(Signal.Metrics));
    }

    [Fact]
    public async Task Round_robin_balancer_over_tls()
    {
        using var pki = new TestPki();
        using var server = pki.Server(withLoopbackIp: true, "localhost");
        var tls = new OtlpTlsConfig { CertPem = server.ExportCertificatePem(), KeyPem = TestPki.KeyPem(server) };
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, new OtlpReceiverConfig { Grpc = OtlpReceiverHarness.LocalGrpc with { Tls = tls } });
        var config = new OtlpExporterConfig
        {
            Endpoint = $"localhost:{receiver.Receiver.GrpcPort}",
            Tls = new OtlpClientTlsConfig { CaFile = pki.CaFile },
            BalancerName = "round_robin",
            WaitForReady = true,
        };
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, config);

        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(3)), Ct);
        await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Logs(3)), Ct);

        Assert.Equal(6, receiver.Consumer.Items(Signal.Logs));
    }

    [Fact]
    public async Task Keepalive_and_compression_settings_do_not_change_the_data()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly());
        var port = receiver.Receiver.GrpcPort!.Value;
        foreach (var compression in Enum.GetValues<OtlpCompression>())
        {
            var config = OtlpExporterTesting.Plaintext(port) with
            {
                Compression = compression,
                Keepalive = new OtlpKeepaliveConfig { Time = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(5), PermitWithoutStream = true },
            };
            await using var exporter = await OtlpExporterTesting.StartAsync(akka, config);
            await exporter.ExportAsync(OtlpExporterTesting.Batch(OtlpRequests.Traces(4)), Ct);
        }

        Assert.Equal(4 * Enum.GetValues<OtlpCompression>().Length, receiver.Consumer.Items(Signal.Traces));
        Assert.All(receiver.Consumer.Batches, b => Assert.Equal(OtlpRequests.Traces(4), b.Traces));
    }

    [Fact]
    public async Task Large_payloads_round_trip_byte_for_byte()
    {
        await using var receiver = await OtlpReceiverHarness.StartAsync(akka, GrpcOnly());
        await using var exporter = await OtlpExporterTesting.StartAsync(akka, OtlpExporterTesting.Plaintext(receiver.Receiver.GrpcPort!.Value));
        var request = OtlpRequests.Metrics(2_000, attributeBytes: 500); // ~1.3 MB before compression

        await exporter.ExportAsync(OtlpExporterTesting.Batch(request), Ct);

        var received = Assert.Single(receiver.Consumer.Batches).Metrics;
        Assert.Equal(request.ToByteArray(), received.ToByteArray());
    }
}
