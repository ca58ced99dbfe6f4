using System.Reflection;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Config;

namespace TelemetryCluster.Nodes.Cli;

/// <summary>
/// The <c>telemetry-cluster</c> entry point: parses the command line and runs the command. Exit codes: 0 success,
/// 1 invalid configuration or a failed/unrequested stop of the node, 2 bad command line.
/// </summary>
public sealed class NodeProgram(TextWriter output, TextWriter error, Func<string, string?> environment)
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    /// <summary>The process entry point (<c>Program.Main</c>).</summary>
    public static Task<int> MainAsync(string[] args) =>
        new NodeProgram(Console.Out, Console.Error, Environment.GetEnvironmentVariable).RunAsync(args, CancellationToken.None);

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        switch (CommandLine.Parse(args))
        {
            case HelpCommand:
                await output.WriteLineAsync(CommandLine.Usage.AsMemory(), cancellationToken).ConfigureAwait(false);
                return Success;
            case VersionCommand:
                await output.WriteLineAsync($"telemetry-cluster {Version}".AsMemory(), cancellationToken).ConfigureAwait(false);
                return Success;
            case UsageError usage:
                await error.WriteLineAsync($"error: {usage.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync("Run 'telemetry-cluster help' for usage.".AsMemory(), cancellationToken).ConfigureAwait(false);
                return BadUsage;
            case ComponentsCommand:
                ComponentsPrinter.Print(ComponentRegistry.Builtin().All, output);
                return Success;
            case ValidateCommand validate:
                return Validate(validate.Config);
            case RunCommand run:
                return await RunNodeAsync(run.Config, cancellationToken).ConfigureAwait(false);
            default:
                return BadUsage;
        }
    }

    private int Validate(ConfigArguments arguments)
    {
        if (!TryLoad(arguments, out var spec, out _))
        {
            return Failure;
        }

        output.WriteLine("configuration is valid");
        foreach (var warning in spec.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }

        return Success;
    }

    private async Task<int> RunNodeAsync(ConfigArguments arguments, CancellationToken cancellationToken)
    {
        if (!TryLoad(arguments, out var spec, out var settings))
        {
            return Failure;
        }

        return await NodeHost.RunAsync(spec, settings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads and validates everything a node needs; prints every error (one per line, with its path).</summary>
    private bool TryLoad(ConfigArguments arguments, out PipelineSpec spec, out NodeSettings settings)
    {
        spec = null!;
        settings = null!;
        var files = arguments.Files;
        if (files.Count == 0)
        {
            var found = DefaultConfig.Locate();
            if (found is null)
            {
                error.WriteLine($"error: no --config given and {DefaultConfig.RelativePath} was not found next to the executable");
                return false;
            }

            files = [found];
        }

        try
        {
            spec = ConfigLoader.Load(new ConfigSources(files, arguments.Sets, environment), ComponentRegistry.Builtin());
            settings = NodeSettings.FromSpec(spec);
            return true;
        }
        catch (ConfigException ex)
        {
            error.WriteLine($"configuration is invalid ({ex.Errors.Count} error{(ex.Errors.Count == 1 ? "" : "s")}):");
            foreach (var e in ex.Errors)
            {
                error.WriteLine($"  {e.Path}: {e.Message}");
            }

            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {ex.Message}");
            return false;
        }
    }

    private static string Version =>
        typeof(NodeProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(NodeProgram).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
