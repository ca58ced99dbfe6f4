using System.Globalization;
using System.Text.Unicode;

namespace TelemetryCluster.Benchmarks.Load;

/// <summary>
/// The filelog workload's lines (BENCHMARKS.md), ≈100 B each:
/// <c>2026-11-26 INFO3 Load Generator Counter #N batch_index=batch_B item_index=item_I a=test b=5 c=3 d=true</c>
/// with N the line number, B = N / 100 and I = N % 100. Written into a caller's buffer without allocations.
/// </summary>
internal static class LogLines
{
    /// <summary>Items per batch_index (the line number's last two digits are item_index).</summary>
    public const int ItemsPerBatch = 100;

    /// <summary>More than any line takes (long.MaxValue numbers included).</summary>
    public const int MaxLineBytes = 192;

    /// <summary>Writes line <paramref name="n"/> (with its <c>\n</c>) into <paramref name="destination"/>; the bytes written.</summary>
    public static int Write(long n, Span<byte> destination)
    {
        var ok = Utf8.TryWrite(
            destination,
            CultureInfo.InvariantCulture,
            $"2026-11-26 INFO3 Load Generator Counter #{n} batch_index=batch_{n / ItemsPerBatch} item_index=item_{n % ItemsPerBatch} a=test b=5 c=3 d=true\n",
            out var written);
        return ok ? written : throw new ArgumentException("buffer too small for a line", nameof(destination));
    }

    /// <summary>Appends lines [<paramref name="first"/>, <paramref name="end"/>) to <paramref name="stream"/>, in chunks of <paramref name="buffer"/>.</summary>
    public static long Append(Stream stream, long first, long end, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(buffer);
        long bytes = 0;
        var used = 0;
        for (var n = first; n < end; n++)
        {
            if (buffer.Length - used < MaxLineBytes)
            {
                stream.Write(buffer, 0, used);
                bytes += used;
                used = 0;
            }

            used += Write(n, buffer.AsSpan(used));
        }

        stream.Write(buffer, 0, used);
        return bytes + used;
    }

    /// <summary>Writes a file of <paramref name="lines"/> lines (numbered from 0); its size in bytes.</summary>
    public static long WriteFile(string path, long lines)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        return Append(stream, 0, lines, new byte[1 << 20]);
    }

    /// <summary>
    /// Appends to <paramref name="path"/> at <paramref name="linesPerSecond"/>: every <paramref name="tick"/> it writes
    /// (and flushes, one write call) the lines due by then, so the average rate holds even when a tick is late. Lines are
    /// numbered from <paramref name="firstLine"/>. Runs until <paramref name="stop"/>; returns the lines written.
    /// </summary>
    public static async Task<long> AppendAtRateAsync(
        string path, long firstLine, double linesPerSecond, TimeSpan tick, TimeProvider time, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(time);
        await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        var buffer = new byte[1 << 20];
        var start = time.GetTimestamp();
        long written = 0;
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                // At most one buffer per tick (≈ 5k lines): a long stall is caught up over a few ticks.
                var due = Math.Min((long)(time.GetElapsedTime(start).TotalSeconds * linesPerSecond), written + (buffer.Length / MaxLineBytes));
                if (due > written)
                {
                    Append(stream, firstLine + written, firstLine + due, buffer);
                    written = due;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // window over
        }

        return written;
    }
}
