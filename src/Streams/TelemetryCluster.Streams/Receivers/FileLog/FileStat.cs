using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TelemetryCluster.Streams.Receivers.FileLog;

/// <summary>
/// What the receiver needs to know about a file: identity (device, inode), size, modification time, owner and mode.
/// Read with Linux <c>statx(2)</c> (its struct has one layout on every architecture); where that is missing the
/// identity is unknown (0/0) and the receiver falls back to fingerprints alone, as the collector does.
/// </summary>
internal readonly record struct FileStat(ulong Device, ulong Inode, long Size, long MtimeTicks, uint Uid, uint Gid, int Mode)
{
    public bool HasIdentity => Inode != 0;

    public bool SameFile(in FileStat other) => HasIdentity && Device == other.Device && Inode == other.Inode;
}

internal static partial class FileStats
{
    private const int AtFdcwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private static readonly bool Available = OperatingSystem.IsLinux() && Probe();

    /// <summary>Stat of an open file (follows nothing: it is the open inode).</summary>
    public static FileStat Of(SafeFileHandle handle, string path)
    {
        if (Available)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                if (Statx((int)handle.DangerousGetHandle(), [0], AtEmptyPath, StatxBasicStats, out var buffer) == 0)
                {
                    return ToStat(buffer);
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        return Fallback(path, RandomAccess.GetLength(handle));
    }

    /// <summary>Stat of a path (following symlinks); null when it does not exist or cannot be read.</summary>
    public static FileStat? OfPath(string path)
    {
        if (Available)
        {
            return Statx(AtFdcwd, Utf8Z(path), 0, StatxBasicStats, out var buffer) == 0 ? ToStat(buffer) : null;
        }

        try
        {
            var info = new FileInfo(path);
            return info.Exists ? Fallback(path, info.Length) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static FileStat Fallback(string path, long size)
    {
        var mtime = 0L;
        try
        {
            mtime = File.GetLastWriteTimeUtc(path).Ticks;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return new FileStat(0, 0, size, mtime, 0, 0, 0);
    }

    private static FileStat ToStat(in StatxBuffer b) => new(
        ((ulong)b.DevMajor << 32) | b.DevMinor,
        b.Inode,
        (long)b.Size,
        DateTime.UnixEpoch.Ticks + (b.MtimeSec * TimeSpan.TicksPerSecond) + (b.MtimeNsec / 100),
        b.Uid,
        b.Gid,
        b.Mode);

    private static bool Probe()
    {
        try
        {
            return Statx(AtFdcwd, Utf8Z("/"), 0, StatxBasicStats, out var buffer) == 0 && buffer.Inode != 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    private static byte[] Utf8Z(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

#pragma warning disable SYSLIB1054, CA5392 // blittable arguments only; libc resolved by name
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, byte[] path, int flags, uint mask, out StatxBuffer buffer);
#pragma warning restore SYSLIB1054, CA5392

    /// <summary>struct statx (linux/stat.h): 256 bytes, the same on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
