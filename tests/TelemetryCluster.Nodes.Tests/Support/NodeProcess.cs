using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace TelemetryCluster.Testing;

/// <summary>
/// A child process (by default the node: <c>dotnet telemetry-cluster.dll …</c>) whose standard output and error are
/// captured line by line, thread-safely, in arrival order. Tests wait for a line with a predicate and a timeout
/// (never a fixed sleep), send SIGTERM, and wait for the exit. Disposing kills the process tree if it still runs.
/// Self-contained so other test projects can link this file (with <see cref="NodeBinary"/>).
/// </summary>
public sealed class NodeProcess : IAsyncDisposable, IDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<OutputLine> _lines = [];
    private readonly List<Waiter> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;
    private int? _exitCode;

    private NodeProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    /// <summary>The command that was started (for failure messages).</summary>
    public string CommandLine { get; }

    public int Id => _process.Id;

    public bool HasExited => _exitCode is not null || (!_disposed && _process.HasExited);

    /// <summary>The exit code; only valid after <see cref="WaitForExitAsync"/> returned.</summary>
    public int ExitCode => _exitCode ?? _process.ExitCode;

    /// <summary>Every line so far, stdout and stderr interleaved in arrival order.</summary>
    public IReadOnlyList<OutputLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Everything captured so far, one line per line, stderr lines prefixed with <c>!</c>.</summary>
    public string Output => string.Join('\n', Lines.Select(l => l.Stream == OutputStream.Stderr ? "!" + l.Text : l.Text));

    /// <summary>Starts <c>dotnet &lt;node dll&gt; args…</c>.</summary>
    public static NodeProcess StartNode(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null) =>
        Start(NodeBinary.DotnetHost, [NodeBinary.Path, .. args], environment, workingDirectory);

    /// <summary>Starts any program with the given arguments (no shell).</summary>
    public static NodeProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A child must not inherit test-host settings that change how it runs.
        info.Environment.Remove("DOTNET_STARTUP_HOOKS");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(key);
                }
                else
                {
                    info.Environment[key] = value;
                }
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process, string.Join(' ', [fileName, .. info.ArgumentList]));
        process.Exited += (_, _) => node._exitCode = process.ExitCode;
        process.OutputDataReceived += (_, e) => node.OnData(e.Data, OutputStream.Stdout);
        process.ErrorDataReceived += (_, e) => node.OnData(e.Data, OutputStream.Stderr);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {node.CommandLine}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>
    /// The first line (already captured or still to come) that matches; fails with the captured output when the
    /// timeout passes or the process exits without printing one.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Waiter waiter;
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (predicate(line.Text))
                {
                    return line.Text;
                }
            }

            if (_stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"the process ended without a matching line.\n{Describe()}");
            }

            waiter = new Waiter(predicate);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Found.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no matching line within {timeout}.\n{Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits for the exit and for both output streams to end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the process did not exit within {timeout}.\n{Describe()}");
        }

        _exitCode = _process.ExitCode;
        return _exitCode.Value;
    }

    /// <summary>Sends SIGTERM (what Kubernetes and docker stop send) to the process.</summary>
    public void Terminate()
    {
        if (HasExited)
        {
            return;
        }

        try
        {
            if (NativeMethods.Kill(_process.Id, SigTerm) == 0)
            {
                return;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // fall back to the kill command below
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        });
        kill?.WaitForExit();
    }

    /// <summary>Kills the process and its children at once.</summary>
    public void Kill()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>The command line, exit state and every captured line, for assertion messages.</summary>
    public string Describe()
    {
        var state = _exitCode is { } code ? $"exited with {code}" : HasExited ? "exited" : "still running";
        return $"--- {CommandLine} ({state}) ---\n{Output}\n--- end of output ---";
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Kill();
        try
        {
            if (_process.WaitForExit(10_000))
            {
                _exitCode ??= _process.ExitCode;
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        _disposed = true;
        _process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnData(string? text, OutputStream stream)
    {
        if (text is null)
        {
            (stream == OutputStream.Stdout ? _stdoutClosed : _stderrClosed).TrySetResult();
            lock (_gate)
            {
                if (_stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
                {
                    foreach (var waiter in _waiters)
                    {
                        waiter.Found.TrySetException(new InvalidOperationException($"the process ended without a matching line.\n{Describe()}"));
                    }
                }
            }

            return;
        }

        lock (_gate)
        {
            _lines.Add(new OutputLine(stream, text));
            foreach (var waiter in _waiters)
            {
                if (!waiter.Found.Task.IsCompleted && waiter.Predicate(text))
                {
                    waiter.Found.TrySetResult(text);
                }
            }
        }
    }

    private sealed record Waiter(Func<string, bool> Predicate)
    {
        public TaskCompletionSource<string> Found { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}

public enum OutputStream
{
    Stdout,
    Stderr,
}

/// <summary>One captured line and the stream it came from.</summary>
public sealed record OutputLine(OutputStream Stream, string Text);
