#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where one failover's time goes, from the survivor's Pacemaker log (millisecond stamps).

breakdown.py PACEMAKER_LOG KILL_EPOCH GROUP_LETTER KIND [CLIENT_REPORT.json]
prints one tab-separated line:
  kind, lost, policy, scheduled, fenced, vip_up, served   (seconds after the kill)
lost: the controller saw the node leave (corosync's new membership); policy: it entered
S_POLICY_ENGINE; scheduled: the scheduler calculated the transition (a 1 s gap to policy is
Pacemaker's own "Re-asking for the CIB" sleep); fenced: the fence agent returned; vip_up: the
group's IPaddr2 start returned; served: the client's outage ended (from its JSON report).
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
for line in open(log, errors="replace"):
    t = when(line)
    if t is None or t < kill:
        continue
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
cols = [marks.get(n) for n, _ in patterns] + [served]
print("\t".join([kind] + [f"{c - kill:.2f}" if c else "-" for c in cols]))
