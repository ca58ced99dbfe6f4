namespace TelemetryCluster.Benchmarks.Measure;

/// <summary>One process over one measurement window.</summary>
internal sealed record ProcessWindow(
    int Pid,
    double ElapsedSeconds,
    double CpuSeconds,
    double RssMedianMiB,
    double RssMaxMiB,
    double HighWaterMarkMiB,
    int RssSamples)
{
    /// <summary>Average cores used over the window (1.0 = one core fully busy).</summary>
    public double CpuCores => ElapsedSeconds > 0 ? CpuSeconds / ElapsedSeconds : double.NaN;
}

/// <summary>The whole machine over a window: busy cores, and the part of it used by processes other than the sampled ones.</summary>
internal sealed record MachineWindow(double ElapsedSeconds, double BusyCores, double OtherProcessesCores, double LoadAverage1);

/// <summary>
/// Samples processes over a window: CPU as the utime+stime difference between the window's ends, divided by
/// wall time; RSS (VmRSS) every <c>interval</c> for median and max; VmHWM at the end (peak since start).
/// </summary>
internal sealed class WindowSampler : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly int[] _pids;
    private readonly Dictionary<int, CpuTicks> _startCpu;
    private readonly Dictionary<int, List<long>> _rssKib;
    private readonly long _startTimestamp;
    private readonly long _startMachineTicks;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    private WindowSampler(IReadOnlyList<int> pids, TimeProvider time, TimeSpan interval, CancellationToken cancellationToken)
    {
        _time = time;
        _pids = [.. pids];
        _rssKib = _pids.ToDictionary(p => p, _ => new List<long>());
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _startCpu = _pids.ToDictionary(p => p, ProcFs.ReadCpu);
        _startMachineTicks = ProcFs.ReadMachineBusyTicks();
        _startTimestamp = time.GetTimestamp();
        SampleRss();
        _loop = LoopAsync(interval, _stop.Token);
    }

    public static WindowSampler Start(IReadOnlyList<int> pids, TimeProvider time, CancellationToken cancellationToken) =>
        new(pids, time, TimeSpan.FromMilliseconds(250), cancellationToken);

    /// <summary>The machine over the window; set by <see cref="StopAsync"/>.</summary>
    public MachineWindow? Machine { get; private set; }

    public async Task<IReadOnlyDictionary<int, ProcessWindow>> StopAsync()
    {
        var endCpu = _pids.ToDictionary(p => p, ProcFs.ReadCpu);
        var endMachine = ProcFs.ReadMachineBusyTicks();
        var elapsed = _time.GetElapsedTime(_startTimestamp).TotalSeconds;
        var hz = (double)ProcFs.ClockTicksPerSecond;
        var busy = (endMachine - _startMachineTicks) / hz / elapsed;
        var ours = _pids.Sum(p => (endCpu[p].Total - _startCpu[p].Total) / hz) / elapsed;
        Machine = new MachineWindow(elapsed, busy, Math.Max(0, busy - ours), ProcFs.LoadAverage1());
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        SampleRss();
        var result = new Dictionary<int, ProcessWindow>();
        foreach (var pid in _pids)
        {
            var samples = _rssKib[pid].Select(k => k / 1024.0).ToArray();
            var cpuSeconds = (endCpu[pid].Total - _startCpu[pid].Total) / (double)ProcFs.ClockTicksPerSecond;
            var hwm = ProcFs.ReadMemory(pid).HighWaterMark / 1024.0;
            result[pid] = new ProcessWindow(
                pid,
                elapsed,
                cpuSeconds,
                Harness.Stats.Median(samples),
                samples.Length > 0 ? samples.Max() : double.NaN,
                hwm,
                samples.Length);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // process gone: nothing more to sample
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                SampleRss();
            }
        }
        catch (OperationCanceledException)
        {
            // window over
        }
    }

    private void SampleRss()
    {
        foreach (var pid in _pids)
        {
            var list = _rssKib[pid];
            lock (list)
            {
                list.Add(ProcFs.ReadMemory(pid).Rss);
            }
        }
    }
}
