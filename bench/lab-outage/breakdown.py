#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where one failover's time goes, from the survivor's Pacemaker log (millisecond stamps).

breakdown.py PACEMAKER_LOG KILL_EPOCH GROUP_LETTER KIND [CLIENT_REPORT.json]
prints one tab-separated line:
  kind, lost, policy, cib_sleep, scheduled, fenced, vip_up, served   (seconds after the kill)
lost: the controller saw the node leave (corosync's new membership); policy: it entered
S_POLICY_ENGINE; cib_sleep: how long the controller slept in do_pe_invoke_callback before it
asked the scheduler (Pacemaker 2.1.5, daemons/controld/controld_schedulerd.c:458-460: while
other CIB updates of the controller are pending it logs "Re-asking for the CIB" at debug level
and calls sleep(1), blocking its whole main loop); counted from those debug lines when the
controller logs at debug level (PCMK_debug=pacemaker-controld), else inferred ("~1.00") from a
gap of at least 0.95 s between policy and scheduled; scheduled: the scheduler calculated the
transition; fenced: the fence agent returned; vip_up: the group's IPaddr2 start returned;
served: the client's outage ended (from its JSON report).
"""
import datetime
import json
import re
import sys

log, kill, group, kind = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
report = sys.argv[5] if len(sys.argv) > 5 else None
year = datetime.datetime.utcfromtimestamp(kill).year
stamp = re.compile(r"^(\w{3} +\d+ [\d:]+\.\d{3}) ")


def when(line):
    m = stamp.match(line)
    if not m:
        return None
    t = datetime.datetime.strptime(f"{year} {m.group(1)}", "%Y %b %d %H:%M:%S.%f")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


marks = {}
patterns = [
    ("lost", re.compile(r"pacemaker-controld.*Node \S+ state is now lost")),
    ("policy", re.compile(r"pacemaker-controld.*State transition \S+ -> S_POLICY_ENGINE")),
    ("scheduled", re.compile(r"pacemaker-schedulerd.*Calculated transition")),
    ("fenced", re.compile(r"pacemaker-fenced.*Operation 'reboot' .* returned 0")),
    ("vip_up", re.compile(rf"Result of start operation for vip-{group} on \S+: ok")),
]
reask = re.compile(r"pacemaker-controld.*Re-asking for the CIB")
debug = re.compile(r"pacemaker-controld.*\bdebug: ")
sleeps, controld_debug = 0, False
for line in open(log, errors="replace"):
    t = when(line)
    if t is None or t < kill:
        continue
    if not controld_debug and debug.search(line):
        controld_debug = True
    # Each "Re-asking" line is followed by one sleep(1); only those before the transition count.
    if reask.search(line) and "scheduled" not in marks:
        sleeps += 1
    for name, pat in patterns:
        # The first occurrence after the kill.  Not chained: lines stamped in the same
        # millisecond by different daemons come in either order.
        if name not in marks and pat.search(line):
            marks[name] = t
served = None
if report:
    r = json.load(open(report))
    for o in r.get("outages", []):
        s = datetime.datetime.strptime(o["start"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        if kill - 0.5 <= s and o.get("ended"):
            served = s + o["duration_s"]
            break
if controld_debug:
    sleep = f"{sleeps * 1.0:.2f}"
elif marks.get("policy") and marks.get("scheduled"):
    sleep = "~1.00" if marks["scheduled"] - marks["policy"] >= 0.95 else "~0.00"
else:
    sleep = "-"
cols = [f"{c - kill:.2f}" if c else "-" for c in [marks.get(n) for n, _ in patterns] + [served]]
print("\t".join([kind] + cols[:2] + [sleep] + cols[2:]))
