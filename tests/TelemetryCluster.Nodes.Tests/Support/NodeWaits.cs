using System.Net;
using Xunit;

namespace TelemetryCluster.Testing;

/// <summary>HTTP probes and condition waits for tests that drive a <see cref="NodeProcess"/>.</summary>
public static class NodeWaits
{
    /// <summary>GET <paramref name="url"/>: status, body and content type; a null status when nothing answers.</summary>
    public static async Task<(HttpStatusCode? Status, string Body, string? ContentType)> TryGetAsync(HttpClient client, string url)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, string.Empty, null);
        }
    }

    /// <summary><see cref="UntilAsync(NodeProcess, Func{Task{bool}}, string, TimeSpan, CancellationToken)"/> with 90 s.</summary>
    public static Task UntilAsync(NodeProcess node, Func<Task<bool>> condition, string what, CancellationToken ct) =>
        UntilAsync(node, condition, what, TimeSpan.FromSeconds(90), ct);

    /// <summary>Polls <paramref name="condition"/> every 200 ms; fails with the node's output when it exits or <paramref name="timeout"/> passes.</summary>
    public static async Task UntilAsync(NodeProcess node, Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (!await condition())
        {
            if (node.HasExited)
            {
                Assert.Fail($"the node exited while waiting for {what}.\n{node.Describe()}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"timed out waiting for {what}.\n{node.Describe()}");
            }
        }
    }
}
