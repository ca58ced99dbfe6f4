using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Engine;
using TelemetryCluster.Streams.Extensions.HealthCheck;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Extensions.HealthCheck;

public sealed partial class HealthCheckExtensionTests : IAsyncLifetime
{
    private const string NotAvailable = "{\"status\":\"Server not available\",\"upSince\":\"0001-01-01T00:00:00Z\",\"uptime\":\"\"}";

    private static readonly PipelineId Metrics = new(Signal.Metrics, null);
    private static readonly PipelineId Logs = new(Signal.Logs, "qelog");
    private static readonly ComponentId Otlp = new("otlp", null);
    private static readonly ComponentId Batch = new("batch", null);
    private static readonly ComponentId Exporter = new("otlphttp", "backend");
    private static readonly ComponentId Debug = new("debug", null);

    private readonly ComponentStatusRegistry _registry = new(TimeProvider.System);
    private readonly List<HealthCheckExtension> _started = [];
    private ActorSystem _system = null!;
    private EngineTelemetry _telemetry = null!;
    private HttpClient _http = null!;

    [GeneratedRegex(@"^(\d+h)?(\d+m)?\d+(\.\d+)?(s|ms|µs|ns)$")]
    private static partial Regex GoDuration();

    public ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("health-check-tests", "akka.loglevel = WARNING\nakka.stdout-loglevel = OFF");
        _telemetry = new EngineTelemetry();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var extension in _started)
        {
            await extension.StopAsync(CancellationToken.None);
        }

        _http.Dispose();
        _telemetry.Dispose();
        await _system.Terminate();
    }

    [Fact]
    public async Task Answers_503_with_the_collector_body_before_running()
    {
        var extension = await StartAsync();

        using var response = await GetAsync(extension, "/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(NotAvailable, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(response.Headers.ConnectionClose, "keep-alives are off: every answer closes the connection");
    }

    [Fact]
    public async Task Answers_200_with_rfc3339_up_since_and_go_uptime_when_running()
    {
        var extension = await StartAsync();
        _registry.SetServiceState(ServiceState.Running);
        var readySince = _registry.Service.ReadySince!.Value;

        using var response = await GetAsync(extension, "/");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["status", "upSince", "uptime"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Server available", root.GetProperty("status").GetString());
        var upSince = root.GetProperty("upSince").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$", upSince);
        Assert.Equal(readySince, DateTimeOffset.Parse(upSince, CultureInfo.InvariantCulture));
        Assert.Matches(GoDuration(), root.GetProperty("uptime").GetString()!);
    }

    [Fact]
    public async Task While_draining_liveness_stays_up_and_readiness_goes_down()
    {
        var extension = await StartAsync();
        _registry.SetServiceState(ServiceState.Running);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/readyz"));

        _registry.SetServiceState(ServiceState.Draining);

        using var root = await GetAsync(extension, "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, root.StatusCode);
        Assert.Equal(NotAvailable, await root.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/livez"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOfAsync(extension, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOfAsync(extension, "/status"));

        _registry.SetServiceState(ServiceState.Stopped);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOfAsync(extension, "/livez"));
    }

    [Fact]
    public async Task Liveness_and_readiness_while_starting()
    {
        var extension = await StartAsync();

        using var live = await GetAsync(extension, "/livez");
        using var ready = await GetAsync(extension, "/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("{\"live\":true,\"state\":\"starting\"}", await live.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("{\"ready\":false,\"state\":\"starting\"}", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Response_body_strings_replace_the_json()
    {
        var extension = await StartAsync(Config() with { HealthyBody = "I'm OK", UnhealthyBody = "I'm not well" });

        using var before = await GetAsync(extension, "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal("I'm not well", await before.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("text/plain", before.Content.Headers.ContentType?.MediaType);

        _registry.SetServiceState(ServiceState.Running);
        using var after = await GetAsync(extension, "/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("I'm OK", await after.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Custom_path_is_exact_and_other_paths_are_404()
    {
        var extension = await StartAsync(Config() with { Path = "/health/status" });
        _registry.SetServiceState(ServiceState.Running);

        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/health/status"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(extension, "/"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(extension, "/health/status/x"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/livez"));
    }

    [Fact]
    public async Task Root_path_answers_the_whole_tree_like_go_servemux()
    {
        var extension = await StartAsync();
        _registry.SetServiceState(ServiceState.Running);

        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/anything/below"));
    }

    [Fact]
    public async Task Status_is_healthy_when_every_component_is_ok()
    {
        var extension = await StartAsync();
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);

        using var response = await GetAsync(extension, "/status");
        using var json = await JsonAsync(response);
        var root = json.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(root.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusOK", root.GetProperty("status").GetString());
        Assert.Equal(extension.StartTime, DateTimeOffset.Parse(root.GetProperty("start_time").GetString()!, CultureInfo.InvariantCulture));
        Assert.True(root.TryGetProperty("status_time", out _));
        Assert.False(root.TryGetProperty("error", out _));
        Assert.False(root.TryGetProperty("components", out _), "components only with ?verbose");

        using var notVerbose = await GetAsync(extension, "/status?verbose=false");
        using var notVerboseJson = await JsonAsync(notVerbose);
        Assert.False(notVerboseJson.RootElement.TryGetProperty("components", out _));
    }

    [Fact]
    public async Task Status_is_503_and_starting_before_running()
    {
        var extension = await StartAsync();
        RegisterPipelines();

        using var response = await GetAsync(extension, "/status?verbose");
        using var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("StatusStarting", json.RootElement.GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Exporter_in_recoverable_error_past_the_recovery_window_makes_its_pipeline_unhealthy()
    {
        var extension = await StartAsync(Config() with { RecoveryDuration = TimeSpan.Zero });
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);
        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.RecoverableError, "connection refused (backend:4318)");

        using var response = await GetAsync(extension, "/status?verbose");
        using var json = await JsonAsync(response);
        var root = json.RootElement;

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(root.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusRecoverableError", root.GetProperty("status").GetString());
        Assert.Equal("connection refused (backend:4318)", root.GetProperty("error").GetString());

        var pipelines = root.GetProperty("components");
        var metrics = pipelines.GetProperty("pipeline:metrics");
        Assert.False(metrics.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusRecoverableError", metrics.GetProperty("status").GetString());
        Assert.False(metrics.TryGetProperty("start_time", out _));

        var exporter = metrics.GetProperty("components").GetProperty("exporter:otlphttp/backend");
        Assert.False(exporter.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusRecoverableError", exporter.GetProperty("status").GetString());
        Assert.Equal("connection refused (backend:4318)", exporter.GetProperty("error").GetString());

        var receiver = metrics.GetProperty("components").GetProperty("receiver:otlp");
        Assert.True(receiver.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusOK", receiver.GetProperty("status").GetString());
        Assert.Equal("StatusOK", metrics.GetProperty("components").GetProperty("processor:batch").GetProperty("status").GetString());

        var logs = pipelines.GetProperty("pipeline:logs/qelog");
        Assert.True(logs.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusOK", logs.GetProperty("status").GetString());

        // Readiness and liveness are about the node, not its exporters.
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/livez"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/"));
    }

    [Fact]
    public async Task Recoverable_error_inside_the_recovery_window_is_still_healthy()
    {
        var extension = await StartAsync(Config() with { RecoveryDuration = TimeSpan.FromHours(1) });
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);
        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.RecoverableError, "timeout");

        using var response = await GetAsync(extension, "/status");
        using var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.RootElement.GetProperty("healthy").GetBoolean());
        Assert.Equal("StatusRecoverableError", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Permanent_error_outranks_recoverable_and_is_unhealthy_at_once()
    {
        var extension = await StartAsync(Config() with { RecoveryDuration = TimeSpan.FromHours(1) });
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);
        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.RecoverableError, "timeout");
        _registry.Report(ComponentKind.Exporter, Debug, ComponentStatus.PermanentError, "bad data");

        using var response = await GetAsync(extension, "/status?pipeline=metrics");
        using var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("StatusPermanentError", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("bad data", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Pipeline_filter_narrows_to_one_pipeline_and_unknown_is_404()
    {
        var extension = await StartAsync(Config() with { RecoveryDuration = TimeSpan.Zero });
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);
        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.RecoverableError, "connection refused");

        using var logs = await GetAsync(extension, "/status?pipeline=logs/qelog&verbose=1");
        using var logsJson = await JsonAsync(logs);
        Assert.Equal(HttpStatusCode.OK, logs.StatusCode);
        Assert.True(logsJson.RootElement.GetProperty("healthy").GetBoolean());
        Assert.True(logsJson.RootElement.TryGetProperty("start_time", out _));
        var components = logsJson.RootElement.GetProperty("components").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["exporter:debug", "receiver:otlp"], components);

        using var metrics = await GetAsync(extension, "/status?pipeline=metrics");
        using var metricsJson = await JsonAsync(metrics);
        Assert.Equal(HttpStatusCode.InternalServerError, metrics.StatusCode);
        Assert.False(metricsJson.RootElement.GetProperty("healthy").GetBoolean());
        Assert.False(metricsJson.RootElement.TryGetProperty("components", out _));

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(extension, "/status?pipeline=traces"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(extension, "/status?pipeline=metrics/other"));
    }

    [Fact]
    public async Task Cluster_parameter_is_ignored_for_now()
    {
        var extension = await StartAsync();
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);

        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/status?cluster"));
    }

    [Fact]
    public async Task Pipeline_check_makes_the_collector_path_fail_while_a_pipeline_is_unhealthy()
    {
        var extension = await StartAsync(Config() with
        {
            RecoveryDuration = TimeSpan.Zero,
            CheckCollectorPipeline = new CheckCollectorPipelineConfig(true, TimeSpan.FromMinutes(5), 5),
        });
        RegisterPipelines();
        ReportAllOk();
        _registry.SetServiceState(ServiceState.Running);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/"));

        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.RecoverableError, "connection refused");
        using var failing = await GetAsync(extension, "/");
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        Assert.Equal(NotAvailable, await failing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.Ok);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/"));
    }

    [Fact]
    public async Task Exposes_the_bound_port_and_stops_listening_on_stop()
    {
        var extension = await StartAsync();
        Assert.InRange(extension.Port, 1, 65535);
        Assert.Contains(extension.Addresses, a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));

        await extension.StopAsync(TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _http.GetAsync(new Uri($"http://127.0.0.1:{extension.Port}/livez"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Localhost_with_port_zero_listens_on_loopback()
    {
        var extension = await StartAsync(Config() with { Endpoint = new HealthCheckEndpoint("localhost", 0) });

        Assert.InRange(extension.Port, 1, 65535);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(extension, "/livez"));
    }

    [Fact]
    public async Task Start_fails_when_the_port_is_taken()
    {
        var first = await StartAsync();
        var second = new HealthCheckExtension(Context(), Config() with { Endpoint = new HealthCheckEndpoint("127.0.0.1", first.Port) });

        await Assert.ThrowsAnyAsync<IOException>(() => second.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, second.Port);
    }

    [Fact]
    public async Task Two_instances_run_side_by_side()
    {
        var first = await StartAsync();
        var second = await StartAsync(Config() with { Path = "/health" });
        _registry.SetServiceState(ServiceState.Running);

        Assert.NotEqual(first.Port, second.Port);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(first, "/"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(second, "/health"));
    }

    [Fact]
    public async Task Factory_creates_the_extension()
    {
        var factory = new HealthCheckExtensionFactory();
        var extension = (HealthCheckExtension)factory.CreateExtension(Context(), Config());
        _started.Add(extension);

        await extension.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOfAsync(extension, "/"));
    }

    private static HealthCheckConfig Config() => HealthCheckConfig.Default with { Endpoint = new HealthCheckEndpoint("127.0.0.1", 0) };

    private async Task<HealthCheckExtension> StartAsync(HealthCheckConfig? config = null)
    {
        var extension = new HealthCheckExtension(Context(), config ?? Config());
        _started.Add(extension);
        await extension.StartAsync(TestContext.Current.CancellationToken);
        return extension;
    }

    private ComponentContext Context() => new(
        new ComponentId("health_check", null),
        ComponentKind.Extension,
        NullLoggerFactory.Instance,
        TimeProvider.System,
        _registry,
        _telemetry,
        _system,
        _system.Materializer());

    private void RegisterPipelines()
    {
        _registry.Register(Metrics, ComponentKind.Receiver, Otlp);
        _registry.Register(Metrics, ComponentKind.Processor, Batch);
        _registry.Register(Metrics, ComponentKind.Exporter, Exporter);
        _registry.Register(Metrics, ComponentKind.Exporter, Debug);
        _registry.Register(Logs, ComponentKind.Receiver, Otlp);
        _registry.Register(Logs, ComponentKind.Exporter, Debug);
    }

    private void ReportAllOk()
    {
        _registry.Report(ComponentKind.Receiver, Otlp, ComponentStatus.Ok);
        _registry.Report(ComponentKind.Processor, Batch, ComponentStatus.Ok);
        _registry.Report(ComponentKind.Exporter, Exporter, ComponentStatus.Ok);
        _registry.Report(ComponentKind.Exporter, Debug, ComponentStatus.Ok);
    }

    private Task<HttpResponseMessage> GetAsync(HealthCheckExtension extension, string pathAndQuery) =>
        _http.GetAsync(new Uri($"http://127.0.0.1:{extension.Port}{pathAndQuery}"), TestContext.Current.CancellationToken);

    private async Task<HttpStatusCode> StatusOfAsync(HealthCheckExtension extension, string pathAndQuery)
    {
        using var response = await GetAsync(extension, pathAndQuery);
        return response.StatusCode;
    }

    private static async Task<JsonDocument> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
}
