namespace TelemetryCluster.Nodes.Cli;

/// <summary>
/// Parses <c>telemetry-cluster [run|validate|components|help|version] [--config FILE]… [--set KEY=VALUE]…</c>.
/// Options take their value as the next argument or after <c>=</c> (<c>--config=a.conf</c>,
/// <c>--set=processors::batch::timeout=2s</c>). A config argument may carry the collector's <c>file:</c> scheme.
/// </summary>
public static class CommandLine
{
    public const string Usage = """
        Usage: telemetry-cluster [command] [options]

        Commands:
          run          Run the node until SIGTERM/SIGINT (default).
          validate     Load and check the configuration; exit 0 when valid, 1 with every error otherwise.
          components   List the built-in component types with their signals and stability.
          help         Show this help.
          version      Show the version.

        Options (run, validate):
          --config FILE      A HOCON (.conf) or collector YAML (.yaml/.yml) file; repeatable, merged in order
                             (later files win). Default: hocon/application.conf next to the executable.
          --set KEY=VALUE    Override one key, collector syntax: --set processors::batch::timeout=2s; repeatable,
                             applied after the files in order.
          -h, --help         Show this help.
        """;

    public static NodeCommand Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = 0;
        var verb = "run";
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            verb = args[0];
            index = 1;
        }

        switch (verb)
        {
            case "help":
                return new HelpCommand();
            case "version":
                return new VersionCommand();
            case "components":
                return ParseNoOptions(args, index, new ComponentsCommand());
            case "run":
            case "validate":
                var config = ParseConfig(args, index, out var error, out var help, out var version);
                if (error is not null)
                {
                    return new UsageError(error);
                }

                if (help)
                {
                    return new HelpCommand();
                }

                if (version)
                {
                    return new VersionCommand();
                }

                return verb == "run" ? new RunCommand(config) : new ValidateCommand(config);
            default:
                return new UsageError($"unknown command \"{verb}\" (valid commands: run, validate, components, help, version)");
        }
    }

    private static NodeCommand ParseNoOptions(IReadOnlyList<string> args, int index, NodeCommand command)
    {
        if (index >= args.Count)
        {
            return command;
        }

        return IsHelp(args[index]) ? new HelpCommand() : new UsageError($"unexpected argument \"{args[index]}\"");
    }

    private static ConfigArguments ParseConfig(IReadOnlyList<string> args, int index, out string? error, out bool help, out bool version)
    {
        var files = new List<string>();
        var sets = new List<string>();
        error = null;
        help = false;
        version = false;
        for (var i = index; i < args.Count; i++)
        {
            var arg = args[i];
            if (IsHelp(arg))
            {
                help = true;
                continue;
            }

            if (arg is "--version" or "-v")
            {
                version = true;
                continue;
            }

            if (TryOption(args, ref i, "--config", out var value, out error))
            {
                if (error is not null)
                {
                    return ConfigArguments.None;
                }

                var file = value.StartsWith("file:", StringComparison.Ordinal) ? value["file:".Length..] : value;
                if (file.Length == 0)
                {
                    error = "--config needs a file name";
                    return ConfigArguments.None;
                }

                files.Add(file);
                continue;
            }

            if (TryOption(args, ref i, "--set", out value, out error))
            {
                if (error is not null)
                {
                    return ConfigArguments.None;
                }

                var equals = value.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    error = $"--set \"{value}\": expected KEY=VALUE, e.g. processors::batch::timeout=2s";
                    return ConfigArguments.None;
                }

                sets.Add(value);
                continue;
            }

            error = arg.StartsWith('-') ? $"unknown option \"{arg}\"" : $"unexpected argument \"{arg}\"";
            return ConfigArguments.None;
        }

        return new ConfigArguments(files, sets);
    }

    /// <summary>Matches <c>--name value</c> and <c>--name=value</c>.</summary>
    private static bool TryOption(IReadOnlyList<string> args, ref int i, string name, out string value, out string? error)
    {
        value = string.Empty;
        error = null;
        var arg = args[i];
        if (arg == name)
        {
            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return true;
            }

            value = args[++i];
            return true;
        }

        if (arg.StartsWith(name + "=", StringComparison.Ordinal))
        {
            value = arg[(name.Length + 1)..];
            if (value.Length == 0)
            {
                error = $"{name} needs a value";
            }

            return true;
        }

        return false;
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "-?";
}
