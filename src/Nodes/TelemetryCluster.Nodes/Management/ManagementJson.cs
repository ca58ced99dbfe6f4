using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TelemetryCluster.Nodes.Management;

/// <summary>JSON settings of the management answers: camelCase names (as Akka Management's HTTP API), nulls left out.</summary>
internal static class ManagementJson
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>Read-only (frozen at start), so the shared instance cannot be changed.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
