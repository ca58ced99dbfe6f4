using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Streams.Shared.Tls;

/// <summary>The validation rules a client and a server <c>tls</c> section share, with the collector's messages.</summary>
internal static class TlsConfigChecks
{
    /// <summary>At most one of <c>{fileKey}</c> and <c>{pemKey}</c>; the error is reported at <c>{pemKey}</c>.</summary>
    public static void EitherFileOrPem(ComponentConfigReader r, string p, string fileKey, string? file, string pemKey, string? pem)
    {
        if (file is not null && pem is not null)
        {
            r.Error(p + pemKey, $"set either {fileKey} or {pemKey}, not both");
        }
    }

    /// <summary><c>min_version</c> and <c>max_version</c> are known versions; <c>cipher_suites</c> and <c>curve_preferences</c> are not set.</summary>
    public static void CheckProtocol(ComponentConfigReader r, string p, ITlsSettings settings)
    {
        if (!TlsVersions.TryParse(settings.MinVersion, out _))
        {
            r.Error(p + "min_version", $"unsupported TLS version \"{settings.MinVersion}\" (valid values: [1.0 1.1 1.2 1.3])");
        }

        if (settings.MaxVersion is not null && !TlsVersions.TryParse(settings.MaxVersion, out _))
        {
            r.Error(p + "max_version", $"unsupported TLS version \"{settings.MaxVersion}\" (valid values: [1.0 1.1 1.2 1.3])");
        }

        if (r.GetStringList(p + "cipher_suites").Count > 0)
        {
            r.Error(p + "cipher_suites", "choosing cipher suites is not supported yet (the platform's secure defaults are used)");
        }

        if (r.GetStringList(p + "curve_preferences").Count > 0)
        {
            r.Error(p + "curve_preferences", "choosing curves is not supported yet (the platform's secure defaults are used)");
        }
    }

    /// <summary>Every configured file exists.</summary>
    public static void FilesExist(ComponentConfigReader r, string p, params ReadOnlySpan<(string Key, string? File)> files)
    {
        foreach (var (key, file) in files)
        {
            if (file is not null && !File.Exists(file))
            {
                r.Error(p + key, $"file \"{file}\" does not exist");
            }
        }
    }
}
