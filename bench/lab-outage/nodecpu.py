#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nodecpu.py NETNS SECONDS: CPU used by everything a lab node runs, over a window, in % of one
core, printed as JSON {"pct", "window_s", "by_comm": {comm: pct}}.

The lab has no cgroup per node, so the processes are summed: every pid in the node's network
namespace (`ip netns pids`: corosync, the Pacemaker daemons, dbus-daemon, clusres-rhs,
ganesha.nfsd and any agent running at that moment, and the node's holder), each counted with
utime + stime + cutime + cstime from /proc/PID/stat.  A process that exits during the window
(an agent fork, a dbus-send) is reaped by a parent inside the node (pacemaker-execd, the host,
or the holder, which is the node's child subreaper), whose cutime/cstime then holds the dead
child's whole CPU time: the sum before and after the window differs by exactly what the node
used during it.  The window is the one fixed sleep of the benchmark: it is what is measured.
Nothing may be run inside the node during the window (an nsenter'd command's parent is outside
the node, so its CPU would not be counted).
"""
import json
import os
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def snapshot(netns):
    pids = subprocess.run(["ip", "netns", "pids", netns], capture_output=True, text=True,
                          check=True).stdout.split()
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
        except OSError:
            continue  # gone since the listing: its parent's cutime has it
        comm = s[s.index("(") + 1:s.rindex(")")]
        f = s[s.rindex(")") + 2:].split()
        # fields 14-17 (utime stime cutime cstime) are f[11:15] after "pid (comm) "
        ticks = sum(int(x) for x in f[11:15])
        start = f[19]  # starttime: tells a reused pid apart
        out[(pid, start)] = (comm, ticks)
    return out


def main():
    netns, window = sys.argv[1], float(sys.argv[2])
    a = snapshot(netns)
    t0 = time.monotonic()
    time.sleep(window)
    b = snapshot(netns)
    dt = time.monotonic() - t0
    by = {}
    for k in set(a) | set(b):
        comm = (b.get(k) or a.get(k))[0]
        d = (b[k][1] if k in b else 0) - (a[k][1] if k in a else 0)
        by[comm] = by.get(comm, 0) + d
    # A process alive at the start and gone at the end counts negative here and its time shows
    # up in its reaper's cutime: the total is right, a per-comm figure can be off by that.
    total = sum(by.values())
    pct = lambda ticks: round(100.0 * ticks / HZ / dt, 2)  # noqa: E731
    print(json.dumps({"pct": pct(total), "window_s": round(dt, 1),
                      "by_comm": {c: pct(v) for c, v in sorted(by.items(), key=lambda x: -x[1])
                                  if v}}))


if __name__ == "__main__":
    main()
