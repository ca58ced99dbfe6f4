using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Extensions.HealthCheck;
using TelemetryCluster.Streams.Receivers.Otlp;

namespace TelemetryCluster.Streams.Exporters.Prometheus;

/// <summary>Settings of the <c>prometheus</c> exporter; defaults live in <c>defaults.conf</c>.</summary>
internal sealed record PrometheusExporterConfig
{
    /// <summary>The collector's strategy names, in config spelling.</summary>
    public static readonly string[] StrategyNames = Enum.GetNames<TranslationStrategy>();

    public required HealthCheckEndpoint Endpoint { get; init; }

    public string Namespace { get; init; } = string.Empty;

    /// <summary>Sanitised label name → value, sorted by name.</summary>
    public IReadOnlyList<PrometheusLabel> ConstLabels { get; init; } = [];

    public bool SendTimestamps { get; init; }

    public TimeSpan MetricExpiration { get; init; } = TimeSpan.FromMinutes(5);

    public bool ResourceToTelemetryConversion { get; init; }

    public bool EnableOpenMetrics { get; init; }

    public bool WithoutScopeInfo { get; init; }

    public bool AddMetricSuffixes { get; init; } = true;

    /// <summary>Null = unset (then <see cref="AddMetricSuffixes"/> decides).</summary>
    public TranslationStrategy? Strategy { get; init; }

    public OtlpTlsConfig? Tls { get; init; }

    /// <summary>Whether names get unit and type suffixes.</summary>
    public bool Suffixes => Strategy is { } strategy ? PrometheusNaming.WithSuffixes(strategy) : AddMetricSuffixes;

    public static PrometheusExporterConfig Bind(ComponentConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var endpointText = reader.GetString("endpoint");
        HealthCheckEndpoint endpoint = new("localhost", 8889);
        if (string.IsNullOrWhiteSpace(endpointText))
        {
            reader.Error("endpoint", "endpoint is required (host:port, e.g. \"0.0.0.0:8889\")");
        }
        else if (!HealthCheckEndpoint.TryParse(endpointText, out var parsed, out var error))
        {
            reader.Error("endpoint", error.Replace("13133", "8889", StringComparison.Ordinal));
        }
        else
        {
            endpoint = parsed;
        }

        var expiration = reader.GetDuration("metric_expiration");
        if (expiration <= TimeSpan.Zero)
        {
            reader.Error("metric_expiration", "metric_expiration must be greater than 0");
        }

        var constLabels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in reader.GetStringMap("const_labels"))
        {
            var name = PrometheusNaming.LabelName(key);
            if (name.Length == 0 || name.StartsWith("__", StringComparison.Ordinal))
            {
                reader.Error("const_labels." + key, $"\"{key}\" is not a usable label name");
            }
            else if (constLabels.ContainsKey(name))
            {
                reader.Error("const_labels." + key, $"\"{key}\" becomes the label name \"{name}\", which another const label already has");
            }
            else if (value.Length > 0)
            {
                constLabels[name] = value;
            }
        }

        TranslationStrategy? strategy = null;
        var strategyText = reader.GetString("translation_strategy").Trim();
        if (strategyText.Length > 0)
        {
            if (Enum.TryParse<TranslationStrategy>(strategyText, ignoreCase: false, out var parsedStrategy) && Enum.IsDefined(parsedStrategy) && !char.IsAsciiDigit(strategyText[0]))
            {
                strategy = parsedStrategy;
            }
            else
            {
                reader.Error("translation_strategy", $"invalid translation_strategy \"{strategyText}\" (valid values: [{string.Join(' ', StrategyNames)}]){Suggestions.Hint(strategyText, StrategyNames)}");
            }
        }

        return new PrometheusExporterConfig
        {
            Endpoint = endpoint,
            Namespace = reader.GetString("namespace"),
            ConstLabels = [.. constLabels.Select(kv => new PrometheusLabel(kv.Key, kv.Value))],
            SendTimestamps = reader.GetBool("send_timestamps"),
            MetricExpiration = expiration,
            ResourceToTelemetryConversion = reader.GetBool("resource_to_telemetry_conversion.enabled"),
            EnableOpenMetrics = reader.GetBool("enable_open_metrics"),
            WithoutScopeInfo = reader.GetBool("without_scope_info"),
            AddMetricSuffixes = reader.GetBool("add_metric_suffixes"),
            Strategy = strategy,
            Tls = OtlpTlsConfig.Bind(reader, "tls"),
        };
    }
}
