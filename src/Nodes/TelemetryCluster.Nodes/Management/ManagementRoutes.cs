using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using TelemetryCluster.Nodes.Hosting;
using TelemetryCluster.Nodes.MetricsView;
using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// The routes of the management endpoint (see README.md): read-only cluster, shard and pipeline views, the
/// membership operations (bearer token when configured), and the Cluster Bootstrap contact point.
/// </summary>
internal sealed class ManagementRoutes(ActorSystem system, IServiceProvider services, ManagementSettings settings, ILogger logger)
{
    private const string MembersPrefix = "/cluster/members/";
    private static readonly TimeSpan ShardStatsTimeout = TimeSpan.FromSeconds(5);

    private readonly Cluster _cluster = Cluster.Get(system);
    private readonly byte[]? _token = settings.Token is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value is { Length: > 0 } value ? value.TrimEnd('/') : string.Empty;
        var method = http.Request.Method;
        var cancellationToken = http.RequestAborted;
        try
        {
            switch (path)
            {
                case "/cluster/members" when HttpMethods.IsGet(method):
                    await WriteJsonAsync(http, StatusCodes.Status200OK, ClusterMembersReport.Members(_cluster, services.GetRequiredService<MemberUpTimes>())).ConfigureAwait(false);
                    return;
                case "/cluster/shards" when HttpMethods.IsGet(method):
                    await WriteJsonAsync(http, StatusCodes.Status200OK, await ShardsReport.CollectAsync(system, services.GetRequiredService<PipelineSpec>(), ShardStatsTimeout, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                    return;
                case "/cluster/status" when HttpMethods.IsGet(method):
                    await ClusterStatusAsync(http, cancellationToken).ConfigureAwait(false);
                    return;
                case "/pipelines" when HttpMethods.IsGet(method):
                    await WriteJsonAsync(http, StatusCodes.Status200OK, Pipelines()).ConfigureAwait(false);
                    return;
                case "/bootstrap/seed-nodes" when HttpMethods.IsGet(method):
                    await SeedNodesAsync(http).ConfigureAwait(false);
                    return;
                case "/cluster/members" or "/cluster/shards" or "/cluster/status" or "/pipelines" or "/bootstrap/seed-nodes":
                    await MethodNotAllowedAsync(http, "GET").ConfigureAwait(false);
                    return;
            }

            if (path.StartsWith(MembersPrefix, StringComparison.Ordinal) && path.Length > MembersPrefix.Length)
            {
                var address = Uri.UnescapeDataString(path[MembersPrefix.Length..]);
                if (HttpMethods.IsPut(method))
                {
                    await MemberOperationAsync(http, address).ConfigureAwait(false);
                }
                else if (HttpMethods.IsGet(method))
                {
                    await MemberAsync(http, address).ConfigureAwait(false);
                }
                else
                {
                    await MethodNotAllowedAsync(http, "GET, PUT").ConfigureAwait(false);
                }

                return;
            }

            await ErrorAsync(http, StatusCodes.Status404NotFound, $"no route {path}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client went away
        }
    }

    private async Task ClusterStatusAsync(HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            var view = await services.GetRequiredService<MetricsViewClient>().GetViewAsync(cancellationToken).ConfigureAwait(false);
            await WriteJsonAsync(http, StatusCodes.Status200OK, MetricsViewClient.ToJson(view)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, $"the cluster view did not answer: {e.Message}").ConfigureAwait(false);
        }
    }

    private PipelinesInfo Pipelines()
    {
        var host = services.GetRequiredService<PipelineHostService>().Host;
        var segments = host is null ? Enumerable.Empty<PipelineSegment>() : PipelinesReport.SegmentsOf(host.Segments);
        return PipelinesReport.Build(
            _cluster.SelfAddress.ToString(),
            services.GetRequiredService<PipelineSpec>(),
            services.GetRequiredService<ComponentStatusRegistry>(),
            services.GetRequiredService<EngineTelemetry>(),
            segments);
    }

    private async Task SeedNodesAsync(HttpContext http)
    {
        var seedNodes = ClusterMembersReport.SeedNodes(_cluster, CoordinatedShutdown.Get(system).ShutdownReason is not null);
        if (seedNodes is null)
        {
            await ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, $"this node is leaving or shutting down ({_cluster.SelfMember.Status})").ConfigureAwait(false);
            return;
        }

        // Exactly what Akka.Management's own route answers: the bootstrap prober deserializes it with Newtonsoft.
        var body = Encoding.UTF8.GetBytes(Newtonsoft.Json.JsonConvert.SerializeObject(seedNodes));
        await WriteAsync(http, StatusCodes.Status200OK, body).ConfigureAwait(false);
    }

    private async Task MemberAsync(HttpContext http, string address)
    {
        var member = ClusterMembersReport.Find(_cluster, address);
        var members = ClusterMembersReport.Members(_cluster, services.GetRequiredService<MemberUpTimes>());
        var info = member is null ? null : members.Members.FirstOrDefault(m => m.Address == member.Address.ToString());
        if (info is null)
        {
            await ErrorAsync(http, StatusCodes.Status404NotFound, $"member {address} not found").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(http, StatusCodes.Status200OK, info).ConfigureAwait(false);
    }

    /// <summary><c>PUT /cluster/members/{address}</c> with <c>operation=leave|down</c> (form field or query).</summary>
    private async Task MemberOperationAsync(HttpContext http, string address)
    {
        if (!Authorized(http.Request))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await ErrorAsync(http, StatusCodes.Status401Unauthorized, "a valid bearer token is required").ConfigureAwait(false);
            return;
        }

        var operation = await OperationAsync(http.Request).ConfigureAwait(false);
        if (!string.Equals(operation, "leave", StringComparison.OrdinalIgnoreCase) && !string.Equals(operation, "down", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(http, StatusCodes.Status400BadRequest, $"unknown operation \"{operation}\" (expected leave or down)").ConfigureAwait(false);
            return;
        }

        var member = ClusterMembersReport.Find(_cluster, address);
        if (member is null)
        {
            await ErrorAsync(http, StatusCodes.Status404NotFound, $"member {address} not found").ConfigureAwait(false);
            return;
        }

        string message;
        if (string.Equals(operation, "leave", StringComparison.OrdinalIgnoreCase))
        {
            _cluster.Leave(member.Address);
            message = $"Leaving {member.Address}";
        }
        else
        {
            _cluster.Down(member.Address);
            message = $"Downing {member.Address}";
        }

        ManagementTelemetry.MemberOperation(logger, message, http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        await WriteJsonAsync(http, StatusCodes.Status200OK, new { message }).ConfigureAwait(false);
    }

    private static async Task<string> OperationAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (form.TryGetValue("operation", out var fromForm) && !StringValues.IsNullOrEmpty(fromForm))
            {
                return fromForm.ToString().Trim();
            }
        }

        return request.Query.TryGetValue("operation", out var fromQuery) ? fromQuery.ToString().Trim() : string.Empty;
    }

    private bool Authorized(HttpRequest request)
    {
        if (_token is null)
        {
            return true;
        }

        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private static Task MethodNotAllowedAsync(HttpContext http, string allow)
    {
        http.Response.Headers.Allow = allow;
        return ErrorAsync(http, StatusCodes.Status405MethodNotAllowed, $"method {http.Request.Method} not allowed (allowed: {allow})");
    }

    private static Task ErrorAsync(HttpContext http, int statusCode, string error) =>
        WriteJsonAsync(http, statusCode, new { error });

    private static Task WriteJsonAsync<T>(HttpContext http, int statusCode, T value) =>
        WriteAsync(http, statusCode, JsonSerializer.SerializeToUtf8Bytes(value, ManagementJson.Options));

    private static async Task WriteAsync(HttpContext http, int statusCode, byte[] body)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = ManagementJson.ContentType;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
    }
}
