#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nfs4-state-check: an NFSv4.0 or NFSv4.1 client that holds an open file and a byte-range
lock through a server's VIP, keeps its lease, and after every event that takes its server away
(failover, failback, planned move, NFS server restart) records what the new server answers,
as RFC 7530 / RFC 8881 say it must:

  old_clientid   4.0: RENEW with the old client id           -> NFS4ERR_STALE_CLIENTID
                 4.1: CREATE_SESSION with the old client id  -> NFS4ERR_STALE_CLIENTID
  old_session    4.1: SEQUENCE on the old session            -> NFS4ERR_BADSESSION
  establish      SETCLIENTID+CONFIRM / EXCHANGE_ID+CREATE_SESSION (same owner and verifier)
  reclaim_open   OPEN CLAIM_PREVIOUS                         -> NFS4_OK
  reclaim_lock   LOCK reclaim=true of the range it held      -> NFS4_OK
  write          WRITE with the reclaimed stateid            -> NFS4_OK (I/O during grace)
  reclaim_complete  4.1: RECLAIM_COMPLETE                    -> NFS4_OK
With --probe, another client (another owner, own connection) then checks the grace period:
  other_open     a non-reclaim OPEN of the same file         -> NFS4ERR_GRACE
  other_lockt    LOCKT of the held range                     -> NFS4ERR_GRACE
and, once the server answers that OPEN with NFS4_OK (grace over, grace_s after the server
answered again):
  other_lock     LOCK of the held range                      -> NFS4ERR_DENIED (still ours)
  late_reclaim   a reclaim OPEN after grace                  -> NFS4ERR_NO_GRACE
--clients N holds N clients (owners ID-0 .. ID-N-1, one lock range each) over --conns
connections that all reclaim at once; the event line then counts the answers per check.

Output: one JSON object per line on stdout (and --out): {"ev": "ready"}, then per event
{"ev": "reclaim", "n": K, "at" (epoch s, the server answered again), "outage_s",
"answers": {check: {status: count}}} and, with --probe,
{"ev": "after_grace", "n": K, "grace_s", "answers": {...}}.  Runs until SIGTERM/SIGINT.
Exit 0, or 1 when the server did not come back within --max-outage seconds.
"""
import argparse
import json
import signal
import sys
import threading
import time

import nfs4wire as w

OK = "NFS4_OK"


class Out:
    def __init__(self, path):
        self.f = open(path, "a") if path else None
        self.lock = threading.Lock()

    def emit(self, **kv):
        line = json.dumps(kv, sort_keys=True)
        with self.lock:
            print(line, flush=True)
            if self.f:
                self.f.write(line + "\n")
                self.f.flush()


def connect(server, deadline, stop):
    """A new connection, retried until the server answers TCP or @deadline (monotonic)."""
    while not stop.is_set():
        try:
            return w.Conn(server, timeout=3.0, connect_timeout=0.5)
        except w.ConnectionLost:
            if time.monotonic() > deadline:
                return None
            stop.wait(0.05)
    return None


class Holder(threading.Thread):
    """Clients sharing one connection: opens, locks, lease, and the reclaim after events."""

    def __init__(self, args, names, first_range, events, stop):
        super().__init__(daemon=True)
        self.args, self.names, self.events, self.stop = args, names, events, stop
        self.first_range = first_range
        self.conn = None
        self.clients = []
        self.held = {}  # owner -> dict(fh, stateid, offset)
        self.failed = None
        self.ready = threading.Event()
        self.n = 0

    def rng(self, i):
        return (self.first_range + i) * 16, 16

    def setup(self, dir_fh):
        for i, name in enumerate(self.names):
            c = w.Client(self.conn, self.args.minor, name)
            st, step = c.establish()
            if st != OK:
                raise RuntimeError("%s: %s %s" % (name, step, st))
            # RFC 8881 18.51.3: a new 4.1 client with nothing to reclaim says so before it
            # opens anything (Ganesha answers NFS4ERR_GRACE to its OPENs until then).
            if self.args.minor == 1 and c.reclaim_complete() != OK:
                raise RuntimeError("%s: reclaim_complete" % name)
            # A server in grace takes no new OPEN: wait for the end of it, as a client does.
            deadline, attempt = time.monotonic() + self.args.max_grace, 0
            while True:
                owner = "o-%s-%d" % (name, attempt)
                st, o = c.open(owner, dir_fh=dir_fh, name=self.args.file, create=True)
                if st != "NFS4ERR_GRACE" or time.monotonic() > deadline or self.stop.is_set():
                    break
                attempt += 1
                self.stop.wait(0.25)
            if st != OK:
                raise RuntimeError("%s: open %s" % (name, st))
            off, ln = self.rng(i)
            st, _ = c.lock(owner, "l-" + name, o["fh"], o["stateid"], off, ln)
            if st != OK:
                raise RuntimeError("%s: lock %s" % (name, st))
            st = c.write(o["fh"], o["stateid"], off, name.encode()[:ln])
            if st != OK:
                raise RuntimeError("%s: write %s" % (name, st))
            self.clients.append(c)
            self.held[name] = dict(fh=o["fh"], stateid=o["stateid"], offset=off, length=ln,
                                   owner=owner)

    def run(self):
        try:
            self.conn = connect(self.args.server, time.monotonic() + 60, self.stop)
            if self.conn is None:
                raise RuntimeError("no connection to %s" % self.args.server)
            probe = w.Client(self.conn, self.args.minor, "setup-" + self.names[0])
            if self.args.minor == 1:
                st, step = probe.establish()
                if st != OK:
                    raise RuntimeError("setup: %s %s" % (step, st))
            st, dir_fh = probe.lookup(self.args.export)
            if st != OK:
                raise RuntimeError("lookup %s: %s" % (self.args.export, st))
            self.dir_fh = dir_fh
            self.setup(dir_fh)
        except (RuntimeError, w.ConnectionLost) as e:
            self.failed = str(e)
            self.ready.set()
            return
        self.ready.set()
        interval = max(0.2, min(1.0, self.args.lease / 4))
        while not self.stop.wait(interval):
            try:
                for c in self.clients:
                    st = c.renew()
                    if st != OK:
                        raise w.ConnectionLost("renew: " + st)
            except w.ConnectionLost:
                if not self.recover():
                    return

    def recover(self):
        t_lost = time.monotonic()
        self.n += 1
        if self.conn:
            self.conn.close()
        answers = {}

        def note(check, st):
            answers.setdefault(check, {}).setdefault(st, 0)
            answers[check][st] += 1

        deadline = t_lost + self.args.max_outage
        while True:
            conn = connect(self.args.server, deadline, self.stop)
            if conn is None:
                self.failed = "server did not come back within %ss" % self.args.max_outage
                self.events.put(self, self.n, dict(failed=self.failed))
                return False
            try:
                # The first thing a client sends after its connection broke: the lease.
                for c in self.clients:
                    c.conn = conn
                    if self.args.minor == 0:
                        note("old_clientid", c.renew())
                        continue
                    st = c.renew()
                    note("old_session", st)
                    if st != OK:  # a session the server does not know: is the client id?
                        note("old_clientid", c.create_session(c.clientid, 1)[0])
                break
            except w.ConnectionLost:
                answers.clear()
                conn.close()
                self.stop.wait(0.05)
        self.conn = conn
        t_answer, wall = time.monotonic(), time.time()
        kept = all(st == OK for st in answers.get("old_session", answers.get("old_clientid")))
        if not kept:
            if self.args.reclaim_delay > 0:
                self.stop.wait(self.args.reclaim_delay)
            try:
                self.reclaim_all(note)
            except w.ConnectionLost as e:
                note("connection", "lost during reclaim: %s" % e)
        self.events.put(self, self.n, dict(outage_s=round(t_answer - t_lost, 3),
                                           reclaim_s=round(time.monotonic() - t_answer, 3),
                                           answered_at=t_answer, wall=wall, kept=kept,
                                           answers=answers))
        return True

    def reclaim_all(self, note):
        for c in self.clients:
            name = c.owner
            st, step = c.establish()
            note("establish", st if st == OK else "%s:%s" % (step, st))
            if st != OK:
                continue
            h = self.held[name]
            st, o = c.open(h["owner"], file_fh=h["fh"])
            note("reclaim_open", st)
            if st != OK:
                continue
            h["stateid"] = o["stateid"]
            st, _ = c.lock(h["owner"], "l-" + name, h["fh"], o["stateid"], h["offset"],
                           h["length"], reclaim=True)
            note("reclaim_lock", st)
            note("write", c.write(h["fh"], o["stateid"], h["offset"], b"r"))
            if self.args.minor == 1:
                note("reclaim_complete", c.reclaim_complete())


class Events:
    """Collects each holder's report of event K; complete when every holder reported it."""

    def __init__(self, holders_n):
        self.n = holders_n
        self.cv = threading.Condition()
        self.reports = {}

    def put(self, holder, k, report):
        with self.cv:
            self.reports.setdefault(k, []).append(report)
            self.cv.notify_all()

    def wait(self, k, stop):
        with self.cv:
            while len(self.reports.get(k, [])) < self.n and not stop.is_set():
                self.cv.wait(0.2)
            return self.reports.get(k, [])


def merge(reports):
    answers = {}
    for r in reports:
        for check, counts in r.get("answers", {}).items():
            for st, n in counts.items():
                answers.setdefault(check, {}).setdefault(st, 0)
                answers[check][st] += n
    return answers


def probe_grace(args, holder, answered_at, stop, k):
    """Another client during and after grace (see the module's doc)."""
    answers = {}
    conn = connect(args.server, time.monotonic() + 30, stop)
    if conn is None:
        return dict(failed="probe: no connection")
    fh = holder.held[holder.names[0]]["fh"]
    off, ln = holder.held[holder.names[0]]["offset"], holder.held[holder.names[0]]["length"]
    other = w.Client(conn, args.minor, "other-%s-%d-%d" % (args.id, k, int(time.time())))
    try:
        st, step = other.establish()
        if st != OK:
            return dict(failed="probe: %s %s" % (step, st))
        if args.minor == 1:
            answers["other_reclaim_complete"] = other.reclaim_complete()
        st, o = other.open("po-1", dir_fh=holder.dir_fh, name=args.file)
        answers["other_open"] = st
        answers["other_lockt"] = other.lockt("pl", fh, off, ln)[0]
        # Poll until the server takes a new OPEN: then grace is over.
        n = 1
        deadline = time.monotonic() + args.max_grace
        while st == "NFS4ERR_GRACE" and time.monotonic() < deadline and not stop.is_set():
            stop.wait(0.25)
            n += 1
            st, o = other.open("po-%d" % n, dir_fh=holder.dir_fh, name=args.file)
        grace_s = round(time.monotonic() - answered_at, 3)
        answers["open_after_grace"] = st
        if st == OK:
            answers["other_lock"] = other.lock("po-%d" % n, "pl", o["fh"], o["stateid"], off,
                                               ln)[0]
            other.close("po-%d" % n, o["fh"], o["stateid"])
        late = w.Client(conn, args.minor, "late-%s-%d-%d" % (args.id, k, int(time.time())))
        st, step = late.establish()
        answers["late_reclaim"] = late.open("lo", file_fh=fh)[0] if st == OK else st
        return dict(grace_s=grace_s, answers=answers)
    except w.ConnectionLost as e:
        return dict(failed="probe: connection lost: %s" % e, answers=answers)
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--server", required=True, help="the VIP")
    ap.add_argument("--export", required=True, help="pseudo path of the export, e.g. /a1")
    ap.add_argument("--file", required=True, help="file in the export to open and lock")
    ap.add_argument("--id", required=True, help="client owner (prefix with --clients)")
    ap.add_argument("--minor", type=int, choices=(0, 1), default=0, help="NFSv4 minor version")
    ap.add_argument("--clients", type=int, default=1, help="clients held (default 1)")
    ap.add_argument("--conns", type=int, default=16, help="connections they share (max)")
    ap.add_argument("--lease", type=float, default=10, help="server's lease (s): renew pace")
    ap.add_argument("--reclaim-delay", type=float, default=0,
                    help="wait this long after the server answers again before reclaiming")
    ap.add_argument("--probe", action="store_true", help="check grace with another client")
    ap.add_argument("--max-outage", type=float, default=180)
    ap.add_argument("--max-grace", type=float, default=180)
    ap.add_argument("--out", help="also append the JSON lines to this file")
    args = ap.parse_args()
    if args.clients < 1 or args.conns < 1:
        ap.error("--clients and --conns must be at least 1")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    out = Out(args.out)
    names = ["%s-%d" % (args.id, i) if args.clients > 1 else args.id for i in range(args.clients)]
    k = min(args.conns, args.clients)
    groups = [names[i::k] for i in range(k)]
    events = Events(k)
    holders, first = [], 0
    for g in groups:
        holders.append(Holder(args, g, first, events, stop))
        first += len(g)
    t0 = time.monotonic()
    for h in holders:
        h.start()
    for h in holders:
        h.ready.wait()
    bad = [h.failed for h in holders if h.failed]
    if bad:
        out.emit(ev="setup_failed", why=bad[0])
        return 1
    out.emit(ev="ready", clients=args.clients, minor=args.minor,
             setup_s=round(time.monotonic() - t0, 3))
    n = 0
    while not stop.is_set():
        n += 1
        reports = events.wait(n, stop)
        if stop.is_set():
            break
        failed = [r["failed"] for r in reports if "failed" in r]
        if failed:
            out.emit(ev="failed", n=n, why=failed[0])
            return 1
        answered = min(r["answered_at"] for r in reports)
        out.emit(ev="reclaim", n=n, at=round(min(r["wall"] for r in reports), 3),
                 kept=all(r["kept"] for r in reports),
                 outage_s=max(r["outage_s"] for r in reports),
                 reclaim_s=max(r["reclaim_s"] for r in reports), answers=merge(reports))
        if args.probe and not all(r["kept"] for r in reports):
            res = probe_grace(args, holders[0], answered, stop, n)
            out.emit(ev="after_grace", n=n, **res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
