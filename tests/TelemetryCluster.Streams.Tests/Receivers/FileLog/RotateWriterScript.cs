namespace TelemetryCluster.Streams.Tests.Receivers.FileLog;

/// <summary>The writer + rotator process of the rotation tests (Python 3), written to the test directory and run with python3.</summary>
internal static class RotateWriterScript
{
    public const string Text = """"
#!/usr/bin/env python3
"""Writer + rotator for the file_log rotation tests (a real separate process).

Appends `total` lines of about 100 bytes at `rate` lines/s to DIR/QELog.log and, every `every` lines, rotates it with
the next operation of the cycle:
  move_in        rename QELog.log -> QELog.log.N (inside the include pattern); the writer keeps writing a few lines to
                 the renamed file through its open handle, then reopens QELog.log (a new file)
  move_out       rename QELog.log -> old/QELog.N (outside the pattern), same late writes, then reopen
  copytruncate   copy QELog.log -> QELog.log.N (inside the pattern), truncate QELog.log, keep writing to it
  gzip           gzip the oldest uncompressed QELog.log.N into QELog.log.N.gz and delete it (a rotation to .gz of a
                 file the receiver knows)
  copytruncate_out (only with --lossy) copy to old/ (outside the pattern), truncate
Each line is "gen=G seq=S pad": G names the file generation the line went into, S counts lines from 1.
Copy and truncate run under the writer's lock (like an application that pauses during rotation), so no line is lost
by the rotation itself. Prints "done N" at the end.
"""
import gzip
import os
import shutil
import sys
import time

d, total, rate, every = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
lossy = "--lossy" in sys.argv
ops = ["move_in", "move_out", "copytruncate", "gzip"] + (["copytruncate_out"] if lossy else [])
path = os.path.join(d, "QELog.log")
old = os.path.join(d, "old")
os.makedirs(old, exist_ok=True)
f = open(path, "a", buffering=1)
gen = 1
rotation = 0
late = 0          # lines still to write into a moved file before reopening
moved_gen = None
pad = "x" * 64
start = time.monotonic()
uncompressed = []


def line(g, s):
    return f"gen={g:04d} seq={s:08d} {pad}\n"


for seq in range(1, total + 1):
    if late > 0:
        f.write(line(moved_gen, seq))
        f.flush()
        late -= 1
        if late == 0:
            f.close()
            f = open(path, "a", buffering=1)
    else:
        f.write(line(gen, seq))
        f.flush()
    if seq % every == 0 and late == 0:
        op = ops[rotation % len(ops)]
        rotation += 1
        if op in ("move_in", "move_out"):
            target = os.path.join(d, f"QELog.log.{rotation}") if op == "move_in" else os.path.join(old, f"QELog.{rotation}")
            os.rename(path, target)
            if op == "move_in":
                uncompressed.append(target)
            moved_gen = gen
            gen += 1
            late = 5
        elif op in ("copytruncate", "copytruncate_out"):
            target = os.path.join(d, f"QELog.log.{rotation}") if op == "copytruncate" else os.path.join(old, f"QELog.{rotation}")
            shutil.copyfile(path, target)
            if op == "copytruncate":
                uncompressed.append(target)
            os.truncate(path, 0)
            gen += 1
        elif op == "gzip" and uncompressed:
            src = uncompressed.pop(0)
            with open(src, "rb") as i, gzip.open(src + ".gz", "wb") as o:
                shutil.copyfileobj(i, o)
            os.remove(src)
    due = start + seq / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
f.close()
print(f"done {total}", flush=True)
"""";

    public static string WriteTo(string directory)
    {
        var path = System.IO.Path.Combine(directory, "rotate_writer.py");
        File.WriteAllText(path, Text);
        return path;
    }
}
