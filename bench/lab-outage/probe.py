#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""probe.py: what an NFSv4 client sees of the shares through a VIP, for bench/lab-outage.

One TCP connection (re-made when it breaks), stateless COMPOUNDs: PUTROOTFH + LOOKUP(share) +
GETFH per share ("served" = the server answers the share's root handle through the VIP).  No
client id, no open state, so grace does not matter and nothing is left on the server.

  probe.py served --server VIP --prefix a --count N [--timeout S] [--since EPOCH] [--ready F]
      polls until every share a1..aN is served; prints JSON {"at", "elapsed_s", "sweeps",
      "missing"} (elapsed from --since, default from the start of the probe); exit 1 on timeout
  probe.py wait --server VIP --name a3 --present|--absent [--timeout S] [--since EPOCH] [--ready F]
      polls (every 10 ms) until the share is served / answered NFS4ERR_NOENT; same JSON
  --ready F: F appears after the first sweep.  Python's start-up takes a second or more on a
  busy machine: a caller timing a change starts the probe first, waits for F, then makes the
  change and takes "at" (the epoch of the sweep that saw it done) minus its own start time.
  probe.py pause --server VIP --name a2 --out FILE [--interval-ms 20]
      looks the share up every interval until SIGTERM; FILE.ready appears after the first
      answer; on SIGTERM it writes to FILE the longest time between two successful answers,
      their median, and how many failed (a pause the share's clients would see while another
      share is added or removed)
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "nfs-client"))
import nfs4wire as w  # noqa: E402

CHUNK = 30  # shares per COMPOUND (3 operations each; Ganesha caps operations per COMPOUND)


class Prober:
    def __init__(self, server):
        self.server, self.conn = server, None

    def _compound(self, ops):
        if self.conn is None:
            self.conn = w.Conn(self.server, timeout=1.0, connect_timeout=0.5, machine="probe")
        try:
            return self.conn.compound(0, ops)
        except w.ConnectionLost:
            self.conn.close()
            self.conn = None
            raise

    def status(self, names):
        """{name: status} for NAMES, one COMPOUND per CHUNK names; a lost connection gives
        'NOCONN' for the names not answered."""
        out, todo = {}, list(names)
        while todo:
            chunk = todo[:CHUNK]
            ops = []
            for n in chunk:
                ops += [w.op_putrootfh(), w.op_lookup(n), w.op_getfh()]
            try:
                res = self._compound(ops)
            except w.ConnectionLost:
                for n in todo:
                    out[n] = "NOCONN"
                return out
            done = sum(1 for num, st, _ in res.ops if num == w.OP["GETFH"] and st == "NFS4_OK")
            for n in chunk[:done]:
                out[n] = "NFS4_OK"
            if done < len(chunk):
                # the COMPOUND stopped at the first failing operation: that share's status
                out[chunk[done]] = res.last()[1] if res.ops else res.status
                todo = chunk[done + 1:] + todo[len(chunk):]
            else:
                todo = todo[len(chunk):]
        return out


def report(since, start, ok_at, sweeps, missing):
    t0 = since if since is not None else start
    print(json.dumps({"at": ok_at, "elapsed_s": None if ok_at is None else round(ok_at - t0, 3),
                      "sweeps": sweeps, "missing": missing[:10], "n_missing": len(missing)}))


def ready(a, sweeps):
    if sweeps == 1 and a.ready:
        open(a.ready, "w").close()


def cmd_served(a):
    p, names = Prober(a.server), [f"{a.prefix}{i}" for i in range(1, a.count + 1)]
    start = time.time()
    pending, sweeps = list(names), 0
    while time.time() - start < a.timeout:
        sweeps += 1
        st = p.status(pending)
        ready(a, sweeps)
        pending = [n for n in pending if st.get(n) != "NFS4_OK"]
        if not pending:
            report(a.since, start, time.time(), sweeps, [])
            return 0
        time.sleep(0.02)
    report(a.since, start, None, sweeps, pending)
    return 1


def cmd_wait(a):
    p, start, sweeps = Prober(a.server), time.time(), 0
    want = "NFS4_OK" if a.present else "NFS4ERR_NOENT"
    while time.time() - start < a.timeout:
        sweeps += 1
        got = p.status([a.name]).get(a.name)
        ready(a, sweeps)
        if got == want:
            report(a.since, start, time.time(), sweeps, [])
            return 0
        time.sleep(0.01)
    report(a.since, start, None, sweeps, [a.name])
    return 1


def cmd_pause(a):
    p, oks, fails, stop = Prober(a.server), [], 0, []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        try:
            if p.status([a.name]).get(a.name) == "NFS4_OK":
                oks.append(time.time())
                if len(oks) == 1:
                    open(a.out + ".ready", "w").close()
            else:
                fails += 1
        except Exception:  # noqa: BLE001 - anything but an answer is a failed probe
            fails += 1
        time.sleep(a.interval_ms / 1000)
    gaps = [b - x for x, b in zip(oks, oks[1:])]
    r = {"probes": len(oks) + fails, "ok": len(oks), "failed": fails,
         "gap_max_s": round(max(gaps), 3) if gaps else None,
         "gap_median_s": round(statistics.median(gaps), 3) if gaps else None}
    with open(a.out + ".tmp", "w") as f:
        json.dump(r, f)
    os.rename(a.out + ".tmp", a.out)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("served")
    s.add_argument("--prefix", required=True)
    s.add_argument("--count", type=int, required=True)
    x = sub.add_parser("wait")
    x.add_argument("--name", required=True)
    g = x.add_mutually_exclusive_group(required=True)
    g.add_argument("--present", action="store_true")
    g.add_argument("--absent", action="store_true")
    for q in (s, x):
        q.add_argument("--timeout", type=float, default=600)
        q.add_argument("--since", type=float)
        q.add_argument("--ready")
    z = sub.add_parser("pause")
    z.add_argument("--name", required=True)
    z.add_argument("--out", required=True)
    z.add_argument("--interval-ms", type=int, default=20)
    for q in (s, x, z):
        q.add_argument("--server", required=True)
    a = ap.parse_args()
    return {"served": cmd_served, "wait": cmd_wait, "pause": cmd_pause}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
