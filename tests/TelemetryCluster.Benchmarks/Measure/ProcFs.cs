using System.Globalization;
using System.Runtime.InteropServices;

namespace TelemetryCluster.Benchmarks.Measure;

/// <summary>CPU time from <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks (utime + stime, fields 14 and 15).</summary>
internal readonly record struct CpuTicks(long User, long System)
{
    public long Total => User + System;
}

/// <summary>Memory from <c>/proc/&lt;pid&gt;/status</c>, in KiB.</summary>
internal readonly record struct MemoryKib(long Rss, long HighWaterMark);

/// <summary>Linux /proc readers for one process (the whole process: all its threads).</summary>
internal static class ProcFs
{
    private const int ScClkTck = 2; // _SC_CLK_TCK on Linux (glibc and musl)

    /// <summary>USER_HZ: clock ticks per second for /proc/&lt;pid&gt;/stat times (100 on every Linux here).</summary>
    public static long ClockTicksPerSecond { get; } = ReadClockTicks();

    public static CpuTicks ReadCpu(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return ParseStat(text);
    }

    /// <summary>Parses a stat line. The command name (field 2) may hold spaces and parentheses: split after the last ')'.</summary>
    public static CpuTicks ParseStat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            throw new FormatException("not a /proc/<pid>/stat line");
        }

        // After ") ": field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
        var fields = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new CpuTicks(
            long.Parse(fields[11], CultureInfo.InvariantCulture),
            long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    public static MemoryKib ReadMemory(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = ParseKib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = ParseKib(line);
            }
        }

        return new MemoryKib(rss, hwm);
    }

    /// <summary>Busy ticks of the whole machine from <c>/proc/stat</c> (all CPUs: everything but idle and iowait).</summary>
    public static long ReadMachineBusyTicks()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
        long busy = 0;
        foreach (var i in new[] { 1, 2, 3, 6, 7, 8 })
        {
            busy += i < f.Length ? long.Parse(f[i], CultureInfo.InvariantCulture) : 0;
        }

        return busy;
    }

    /// <summary>The 1-minute load average from <c>/proc/loadavg</c>.</summary>
    public static double LoadAverage1() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

    private static long ParseKib(string line)
    {
        // "VmRSS:\t  123456 kB"
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    private static long ReadClockTicks()
    {
        try
        {
            var v = Sysconf(ScClkTck);
            return v > 0 ? v : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
        catch (EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long Sysconf(int name);
}
