namespace TelemetryCluster.Streams.Config;

/// <summary>One configuration problem: the full path of the offending key (collector style, <c>::</c>-free dotted
/// path with component ids as written, e.g. <c>processors.batch/2.timeout</c>) and what is wrong.</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Collects every error of a load so they can be reported at once.</summary>
public sealed class ConfigErrors
{
    private readonly List<ConfigError> _errors = [];

    public IReadOnlyList<ConfigError> Items => _errors;

    public bool HasErrors => _errors.Count > 0;

    /// <summary>Records an error; an identical one (same path and message) is recorded once.</summary>
    public void Add(string path, string message)
    {
        var error = new ConfigError(path, message);
        if (!_errors.Contains(error))
        {
            _errors.Add(error);
        }
    }
}

/// <summary>Thrown by the loader when the configuration is invalid; carries every error.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception($"invalid configuration ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
