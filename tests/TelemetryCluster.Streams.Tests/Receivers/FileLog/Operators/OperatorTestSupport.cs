using TelemetryCluster.Streams.Config;
using TelemetryCluster.Streams.Receivers.FileLog.Operators;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Receivers.FileLog.Operators;

/// <summary>Reads an operators list from HOCON the way the filelog receiver does and runs lines through it.</summary>
internal static class OperatorTestSupport
{
    public const string Section = "receivers.filelog";

    public static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    /// <summary>Reads <c>operators = [ ... ]</c> (the text between the brackets); returns the spec and every error.</summary>
    public static (OperatorPipelineSpec Spec, IReadOnlyList<ConfigError> Errors) Read(string operators)
    {
        var errors = new ConfigErrors();
        var reader = ComponentConfigReader.Create($"operators = [\n{operators}\n]", "operators = []", Section, errors);
        var spec = OperatorPipelineSpec.Read(reader);
        return (spec, errors.Items);
    }

    /// <summary>Reads a list that must be valid.</summary>
    public static OperatorPipelineSpec Valid(string operators)
    {
        var (spec, errors) = Read(operators);
        Assert.True(errors.Count == 0, "unexpected config errors: " + string.Join("; ", errors));
        return spec;
    }

    /// <summary>The single error a list produces.</summary>
    public static ConfigError SingleError(string operators)
    {
        var (_, errors) = Read(operators);
        Assert.True(errors.Count == 1, $"expected one error, got {errors.Count}: " + string.Join("; ", errors));
        return errors[0];
    }

    public static LogEntry Line(string text, string path = "/var/log/app.log")
    {
        var entry = new LogEntry { Body = text, ObservedTimestamp = Start };
        entry.Attributes["log.file.path"] = path;
        entry.Attributes["log.file.name"] = Path.GetFileName(path);
        return entry;
    }

    public static List<LogEntry> Run(IOperatorPipeline pipeline, params LogEntry[] entries)
    {
        var output = new List<LogEntry>();
        foreach (var entry in entries)
        {
            pipeline.Process(entry, output);
        }

        return output;
    }

    public static List<LogEntry> Run(string operators, params string[] lines) =>
        Run(Valid(operators).Build(new ManualClock(Start)), [.. lines.Select(l => Line(l))]);

    public static LogEntry RunOne(string operators, string line) => Assert.Single(Run(operators, line));

    public static object? Attr(LogEntry entry, string key) => entry.Attributes.TryGetValue(key, out var value) ? value : null;

    public static Dictionary<string, object?> BodyMap(LogEntry entry) => Assert.IsType<Dictionary<string, object?>>(entry.Body);
}

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _elapsedTicks;

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(Interlocked.Read(ref _elapsedTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _elapsedTicks, by.Ticks);
}
