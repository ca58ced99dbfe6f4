using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Akka.Configuration;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Management;

/// <summary>
/// Reads optional values of the <c>cluster { }</c> block for the management, bootstrap and MetricsView settings:
/// <c>null</c> (or absent) means "not set"; a bad value is added to the errors with its full path and the default is
/// used, so that every error is reported at once. Values from <c>--set</c> arrive as text and are accepted.
/// </summary>
internal static class NodeConfigValues
{
    public static string? String(Config root, string path)
    {
        if (!root.HasPath(path))
        {
            return null;
        }

        var value = root.GetValue(path);
        if (value is null || value.IsObject() || value.IsArray())
        {
            return null;
        }

        var text = value.GetString();
        return string.IsNullOrWhiteSpace(text) || text == "null" ? null : text.Trim();
    }

    public static bool Bool(Config root, string path, bool fallback, ConfigErrors errors)
    {
        var text = String(root, path);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return fallback;
            case "true" or "on" or "yes":
                return true;
            case "false" or "off" or "no":
                return false;
            default:
                errors.Add(path, $"must be true or false, got \"{text}\"");
                return fallback;
        }
    }

    public static int Int(Config root, string path, int fallback, int min, int max, ConfigErrors errors)
    {
        var text = String(root, path);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add(path, $"must be a whole number from {min} to {max}, got \"{text}\"");
            return fallback;
        }

        return value;
    }

    public static TimeSpan Duration(Config root, string path, TimeSpan fallback, TimeSpan min, ConfigErrors errors)
    {
        var text = String(root, path);
        if (text is null)
        {
            return fallback;
        }

        TimeSpan value;
        try
        {
            value = root.GetTimeSpan(path, fallback, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or ArgumentException)
        {
            errors.Add(path, $"must be a duration such as 2s or 500ms, got \"{text}\"");
            return fallback;
        }

        if (value < min)
        {
            errors.Add(path, $"must be at least {Format(min)}, got \"{text}\"");
            return fallback;
        }

        return value;
    }

    public static IReadOnlyList<string> StringList(Config root, string path, ConfigErrors errors)
    {
        if (!root.HasPath(path))
        {
            return [];
        }

        var value = root.GetValue(path);
        if (value is null || value.Values.Count == 0)
        {
            return [];
        }

        if (value.IsArray())
        {
            return value.GetArray().Select(v => v.GetString()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
        }

        if (value.IsObject())
        {
            errors.Add(path, "must be a list of strings");
            return [];
        }

        var single = value.GetString();
        return string.IsNullOrWhiteSpace(single) || single == "null" ? [] : [single.Trim()];
    }

    /// <summary>
    /// Parses <c>host:port</c> (IPv6 hosts in brackets); an empty host means every interface. Port 0 is allowed when
    /// <paramref name="allowPortZero"/>.
    /// </summary>
    public static bool TryParseHostPort(string text, bool allowPortZero, out string host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = string.Empty;
        port = 0;
        var trimmed = text.Trim();
        var colon = trimmed.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"\"{trimmed}\" has no port (expected host:port, e.g. \"0.0.0.0:8558\")";
            return false;
        }

        host = trimmed[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"\"{trimmed}\": an IPv6 host must be written in brackets, e.g. \"[::1]:8558\"";
            return false;
        }

        if (!int.TryParse(trimmed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port > 65535 || (port == 0 && !allowPortZero))
        {
            error = $"\"{trimmed}\": port must be a number from {(allowPortZero ? 0 : 1)} to 65535";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>True for an empty host, <c>0.0.0.0</c> or <c>::</c> (every interface).</summary>
    public static bool IsWildcard(string host) => host.Length == 0 || host == "0.0.0.0" || host == "::" || host == "*";

    /// <summary><c>host:port</c>, with brackets around an IPv6 host.</summary>
    public static string HostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    private static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1 && value.Milliseconds == 0 ? $"{value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" : $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
}
