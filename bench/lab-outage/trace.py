#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""trace.py: where one failover's time goes, per resource action, from the survivor's
Pacemaker log (millisecond stamps) and, optionally, the host's view of the same starts.

trace.py PACEMAKER_LOG KILL_EPOCH TITLE LAST_RESOURCE RESOURCE_REGEX [CLUSRESCTL_STATUS_FILE]

From the first transition the scheduler calculated after the kill (the failover) until the
start of LAST_RESOURCE (the group's VIP) returned, each start action of a resource whose name
matches RESOURCE_REGEX (the group's members), in the order the controller initiated them:
  at        s after the kill when the controller initiated it ("Initiating start operation")
  dispatch  ms from that to the executor running the agent ("executing - rsc:...")
  agent     ms the agent process ran (the executor's "execution time"; for clusres: the agent's
            fork/exec, its call to the host, the host's Online of the DLL with the share
            driver's Ganesha calls, and the reply)
  host      ms of the host's last DLL call for that instance (clusresctl status, taken after
            the failover: "Online" only if no later call replaced it; "-" otherwise)
  record    ms from the agent's exit to the controller's "Result of start operation" (the
            executor's report, the controller's CIB update of the operation history)
  next      ms from that result to the next action's initiation (the graph's next step;
            negative when the next one was started before this one ended)
and a summary: scheduler (policy engine entered -> "Calculated transition"), the controller's
re-ask sleep if any (see breakdown.py), the sums of each column and the span from the first
initiation to the last result.  Ganesha's own share of "host" is not separable here: its log
has one-second stamps.
"""
import datetime
import re
import sys

log, kill, title, last_rsc = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
mine = re.compile(sys.argv[5])
status = sys.argv[6] if len(sys.argv) > 6 else None
year = datetime.datetime.fromtimestamp(kill, datetime.timezone.utc).year
stamp = re.compile(r"^(\w{3} +\d+ [\d:]+\.\d{3}) ")


def when(line):
    m = stamp.match(line)
    if not m:
        return None
    t = datetime.datetime.strptime(f"{year} {m.group(1)}", "%Y %b %d %H:%M:%S.%f")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def interval_ms(s):
    """Pacemaker's readable interval ("120ms", "1.234s", "2m3s") in ms."""
    ms, num = 0.0, ""
    for unit_m in re.finditer(r"([\d.]+)(ms|s|m|h)", s):
        num, unit = float(unit_m.group(1)), unit_m.group(2)
        ms += num * {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}[unit]
    return ms


RE = {
    "policy": re.compile(r"pacemaker-controld.*State transition \S+ -> S_POLICY_ENGINE"),
    "reask": re.compile(r"pacemaker-controld.*Re-asking for the CIB"),
    "invoke": re.compile(r"pacemaker-controld.*Invoking the scheduler"),
    "calc": re.compile(r"pacemaker-schedulerd.*Calculated transition (\d+)"),
    "init": re.compile(r"pacemaker-controld.*Initiating (start) operation (\S+)_start_0 "),
    "exec": re.compile(r"pacemaker-execd.*executing - rsc:(\S+) action:(start) call_id:(\d+)"),
    "done": re.compile(r"pacemaker-execd.*\s(\S+) (start) \(call (\d+)(?:, PID \d+)?\) exited "
                       r"with status (-?\d+) \(execution time ([^ )]+)"),
    "result": re.compile(r"pacemaker-controld.*Result of (start) operation for (\S+) on \S+: "
                         r"(\S+)"),
}
marks, acts, order, reasks, graph = {}, {}, [], 0, None
for line in open(log, errors="replace"):
    t = when(line)
    if t is None or t < kill:
        continue
    if "policy" not in marks and RE["policy"].search(line):
        marks["policy"] = t
    if "calc" not in marks:
        if RE["reask"].search(line):
            reasks += 1
        if RE["invoke"].search(line):
            marks["invoke"] = t
        m = RE["calc"].search(line)
        if m:
            marks["calc"], graph = t, m.group(1)
        continue
    m = RE["init"].search(line)
    if m:
        r = m.group(2)
        if r not in acts and mine.fullmatch(r):
            acts[r] = {"init": t}
            order.append(r)
        continue
    m = RE["exec"].search(line)
    if m and m.group(1) in acts:
        acts[m.group(1)].setdefault("exec", t)
        continue
    m = RE["done"].search(line)
    if m and m.group(1) in acts:
        a = acts[m.group(1)]
        a.setdefault("done", t)
        a.setdefault("agent", interval_ms(m.group(5)))
        a.setdefault("rc", m.group(4))
        continue
    m = RE["result"].search(line)
    if m and m.group(2) in acts:
        acts[m.group(2)].setdefault("result", t)
        if m.group(2) == last_rsc:
            break

host = {}
if status:
    # clusresctl status: "  NAME  TYPE  STATE  LAST-CALL  DURATION ms  AGE s  CALLS  FLAGS"
    for line in open(status, errors="replace"):
        f = line.split()
        if len(f) >= 6 and f[4] != "DURATION" and f[5] == "ms":
            host[f[0]] = (f[3], float(f[4]))

print(f"{title}: per-action trace (survivor's pacemaker.log; times in ms unless marked s)")
if "calc" not in marks:
    print("  no transition calculated after the kill in this log")
    sys.exit(0)
sched_from = marks.get("invoke") or marks.get("policy")
print(f"  scheduler: policy engine entered {marks['policy'] - kill:.2f} s after the kill"
      if "policy" in marks else "  scheduler: policy engine entry not logged")
print(f"  controller re-ask sleep (controld_schedulerd.c:460 sleep(1)): {reasks} x 1 s"
      + ("" if reasks or "invoke" in marks else " (debug lines absent: see breakdown's column)"))
if sched_from:
    print(f"  transition {graph} calculated {marks['calc'] - kill:.2f} s after the kill, "
          f"{(marks['calc'] - sched_from) * 1000:.0f} ms after "
          + ("the scheduler was invoked" if "invoke" in marks else "the policy engine state"))
print(f"  {'action':24s} {'at s':>7s} {'dispatch':>9s} {'agent':>7s} {'host':>16s} "
      f"{'record':>7s} {'next':>7s}")
sums = {"dispatch": 0.0, "agent": 0.0, "record": 0.0, "next": 0.0, "host": 0.0}
for i, r in enumerate(order):
    a = acts[r]
    d = (a["exec"] - a["init"]) * 1000 if "exec" in a else None
    rec = (a["result"] - a["done"]) * 1000 if "result" in a and "done" in a else None
    nxt = None
    if i + 1 < len(order) and "result" in a:
        nxt = (acts[order[i + 1]]["init"] - a["result"]) * 1000
    h = host.get(r)
    hs = f"{h[1]:.1f} {h[0]}" if h and h[0] == "Online" else "-"
    for k, v in (("dispatch", d), ("agent", a.get("agent")), ("record", rec), ("next", nxt)):
        sums[k] += v or 0
    if h and h[0] == "Online":
        sums["host"] += h[1]
    fmt = lambda v: "-" if v is None else f"{v:.0f}"  # noqa: E731
    print(f"  {r + ' start':24s} {a['init'] - kill:7.2f} {fmt(d):>9s} {fmt(a.get('agent')):>7s} "
          f"{hs:>16s} {fmt(rec):>7s} {fmt(nxt):>7s}")
if order:
    first, last = acts[order[0]]["init"], max(a.get("result", 0) for a in acts.values())
    print(f"  {len(order)} starts: dispatch {sums['dispatch']:.0f}, agent {sums['agent']:.0f} "
          f"(host {sums['host']:.0f}), record {sums['record']:.0f}, next {sums['next']:.0f}; "
          f"span {(last - first) * 1000:.0f} ms = {(last - first) * 1000 / len(order):.0f} "
          "ms per action")
