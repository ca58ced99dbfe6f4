namespace TelemetryCluster.Nodes.Cli;

/// <summary>A parsed command line.</summary>
public abstract record NodeCommand;

/// <summary>The configuration a command loads: files in merge order and <c>--set</c> overrides in order.</summary>
public sealed record ConfigArguments(IReadOnlyList<string> Files, IReadOnlyList<string> Sets)
{
    public static ConfigArguments None { get; } = new([], []);
}

/// <summary><c>run</c> (the default): start the node and run until SIGTERM.</summary>
public sealed record RunCommand(ConfigArguments Config) : NodeCommand;

/// <summary><c>validate</c>: load and check the configuration, print every problem, exit 0 or 1.</summary>
public sealed record ValidateCommand(ConfigArguments Config) : NodeCommand;

/// <summary><c>components</c>: list the built-in component types.</summary>
public sealed record ComponentsCommand : NodeCommand;

/// <summary><c>help</c>, <c>--help</c>, <c>-h</c>.</summary>
public sealed record HelpCommand : NodeCommand;

/// <summary><c>version</c>, <c>--version</c>, <c>-v</c>.</summary>
public sealed record VersionCommand : NodeCommand;

/// <summary>The arguments could not be parsed; <see cref="Message"/> says why.</summary>
public sealed record UsageError(string Message) : NodeCommand;
