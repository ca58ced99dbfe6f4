using System.Globalization;
using TelemetryCluster.Benchmarks.Harness;
using TelemetryCluster.Benchmarks.Processes;

namespace TelemetryCluster.Benchmarks.Sut;

/// <summary>
/// A reader of log files under test (filelog): the node (file_log → batch → otlp exporter → its sink) or rsyslog
/// (imfile → omfile). Counts the lines it delivered downstream.
/// </summary>
internal interface ILogFileReader : IAsyncDisposable
{
    string Name { get; }

    int Pid { get; }

    /// <summary>A downstream process sampled apart and never counted as the reader's CPU (the node's sink), or null.</summary>
    int? SinkPid { get; }

    /// <summary>Lines (log records) delivered downstream so far.</summary>
    Task<long> DeliveredAsync(CancellationToken cancellationToken);

    bool HasExited { get; }

    string Tail();
}

/// <summary>The node as an <see cref="ILogFileReader"/>: delivered = log records its sink received (GET /count).</summary>
internal sealed class NodeLogReader(NodeSut node) : ILogFileReader
{
    public string Name => "node";

    public int Pid => node.Pid;

    public int? SinkPid => node.SinkPid;

    public bool HasExited => !Measure.ProcFs.IsAlive(node.Pid);

    public NodeSut Node => node;

    public async Task<long> DeliveredAsync(CancellationToken cancellationToken) =>
        (await node.SinkLogCountAsync(cancellationToken).ConfigureAwait(false)).LogRecords;

    public string Tail() => node.Tail();

    public ValueTask DisposeAsync() => node.DisposeAsync();
}

/// <summary>
/// Debian's rsyslogd in the foreground (<c>rsyslogd -n -f CONF -i PIDFILE</c>) with a generated config: its own
/// work directory (imfile state files), <c>imfile</c> on the include glob (inotify mode, the default) into a ruleset
/// with one <c>omfile</c> action, and nothing else (no imuxsock, no imklog). Delivered = the lines of the output
/// file, counted incrementally (only new bytes are read on each call).
/// </summary>
internal sealed class RsyslogReader : ILogFileReader
{
    public const string InstallHint = "rsyslogd (Debian package rsyslog) is not installed: sudo apt-get install -y rsyslog";

    private static readonly string[] Candidates = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd"];

    private readonly ChildProcess _process;
    private readonly string _output;
    private FileStream? _reader;
    private readonly byte[] _buffer = new byte[1 << 20];
    private long _lines;

    private RsyslogReader(ChildProcess process, string output)
    {
        _process = process;
        _output = output;
    }

    public string Name => "rsyslog";

    public int Pid => _process.Pid;

    public int? SinkPid => null;

    public bool HasExited => _process.HasExited;

    /// <summary>The rsyslogd executable; <see cref="SetupException"/> saying how to install it when missing.</summary>
    public static string Executable()
    {
        foreach (var c in Candidates)
        {
            if (File.Exists(c))
            {
                return c;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var c = Path.Combine(dir, "rsyslogd");
            if (File.Exists(c))
            {
                return c;
            }
        }

        throw new SetupException(InstallHint);
    }

    /// <summary>The first line of <c>rsyslogd -v</c> without its " compiled with:", e.g. <c>rsyslogd 8.2302.0 (aka 2023.02)</c>.</summary>
    public static async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        var exe = Executable();
        var first = "";
        var p = ChildProcess.Start("rsyslogd -v", exe, ["-v"], (line, _) =>
        {
            if (first.Length == 0)
            {
                first = string.Join(' ', line.Replace("compiled with:", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        });
        await using (p.ConfigureAwait(false))
        {
            await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        return $"{first} ({exe})";
    }

    /// <summary>The generated config (see the class summary).</summary>
    public static string Config(string workDirectory, string includeGlob, string output, bool persistAfterSubmission) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $$"""
            # written by tests/TelemetryCluster.Benchmarks (filelog)
            global(workDirectory="{{workDirectory}}")
            module(load="imfile")
            input(type="imfile" File="{{includeGlob}}" Tag="bench" ruleset="r"{{(persistAfterSubmission ? " persistStateAfterSubmission=\"on\"" : "")}})
            ruleset(name="r") {
              action(type="omfile" file="{{output}}")
            }

            """);

    /// <summary>Writes the config into <paramref name="directory"/> and starts rsyslogd on it.</summary>
    public static RsyslogReader Start(string directory, string includeGlob, bool persistAfterSubmission)
    {
        var exe = Executable();
        var work = Path.Combine(directory, "rsyslog-work");
        Directory.CreateDirectory(work);
        var output = Path.Combine(directory, "rsyslog-out.log");
        var conf = Path.Combine(directory, "rsyslog.conf");
        File.WriteAllText(conf, Config(work, includeGlob, output, persistAfterSubmission));
        var process = ChildProcess.Start(
            "rsyslog", exe, ["-n", "-f", conf, "-i", Path.Combine(directory, "rsyslogd.pid")], workingDirectory: directory);
        return new RsyslogReader(process, output);
    }

    public Task<long> DeliveredAsync(CancellationToken cancellationToken)
    {
        if (_reader is null)
        {
            if (!File.Exists(_output))
            {
                return Task.FromResult(0L);
            }

            _reader = new FileStream(_output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        }

        int read;
        while ((read = _reader.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            _lines += _buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return Task.FromResult(_lines);
    }

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }
    }
}
