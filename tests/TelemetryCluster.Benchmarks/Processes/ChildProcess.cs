using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TelemetryCluster.Benchmarks.Processes;

/// <summary>
/// A child process whose stdout and stderr are read line by line (so its pipes never fill), handed to a
/// line callback, and kept in a short tail for error messages. Its stdin is a pipe held open until
/// <see cref="StopAsync"/>, so children that watch stdin (the floor) also exit if the benchmark dies.
/// Stopping: close stdin, SIGTERM, wait, then SIGKILL — only this process, by its id.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int TailLines = 60;

    private readonly Process _process;
    private readonly Action<string, bool>? _onLine;
    private readonly Queue<string> _tail = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private ChildProcess(Process process, Action<string, bool>? onLine)
    {
        _process = process;
        _onLine = onLine;
        _stdout = PumpAsync(process.StandardOutput, isStdErr: false);
        _stderr = PumpAsync(process.StandardError, isStdErr: true);
    }

    public int Pid => _process.Id;

    public string Name { get; private init; } = "";

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="fileName"/>; <paramref name="onLine"/> gets (line, isStdErr) on a reader thread.</summary>
    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        Action<string, bool>? onLine = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new ChildProcess(process, onLine) { Name = name };
    }

    /// <summary>Completes when the process has exited and all its output has been read.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_stdout, _stderr).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last lines of stdout and stderr, for error messages.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // already gone
            }

            _ = Kill(_process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(_stdout, _stderr).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, bool isStdErr)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (_tail)
            {
                _tail.Enqueue(isStdErr ? "[stderr] " + line : line);
                while (_tail.Count > TailLines)
                {
                    _tail.Dequeue();
                }
            }

            _onLine?.Invoke(line, isStdErr);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
