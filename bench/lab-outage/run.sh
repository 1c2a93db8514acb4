#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/lab-outage/run.sh [--json FILE] BUILD_DIR: what NFS clients see of N shares on the
# two-node lab cluster (tests/lab) when the shares start, a node fails (the DC, and the other
# node), fails back, the shares are moved by hand, one share is added and removed, and what the
# node's cluster stack costs when idle; for every N in SHARES, clusres beside, in the same run:
#   (a) the failure-detection bound of the cluster's Corosync timeouts (token + consensus, read
#       from the running corosync), and
#   (b) the naive setup: Pacemaker restarting one NFS-Ganesha daemon that has all N exports in
#       its configuration (ocf:heartbeat:anything) plus an ocf:heartbeat:IPaddr2 VIP, the same
#       pseudo paths (file handles survive) and Ganesha's default recovery directory (each
#       node's own /var/lib/nfs/ganesha), with the clusres lab's grace/lease (10/10 s); and for
#       the first N once more with Ganesha's defaults (Grace_Period 90 s, Lease_Lifetime 60 s).
# clusres carries the N shares (a1..aN, VIP 198.18.0.100, homed on node1) either as one
# ocf:clusres:shareset resource in a group with the VIP (SETUP_MODE=set, the default) or as N
# ocf:clusres:share primitives and the VIP in one group (SETUP_MODE=group, the README's admin
# workflow for N shares); Ganesha is the README's clone, configured first.
# Clients (client1): NFS test clients writing every 100 ms on the first, middle and last share,
# one session each through all events, plus a wire checker holding an open and a lock on a1
# (did it reclaim?), and probe.py: after every event it looks every share up through the VIP
# (PUTROOTFH+LOOKUP+GETFH), and during an add/remove it probes a share that stays.
# Needs root; one lab per machine (takes the lab lock).  Environment:
#   SHARES        list of share counts, e.g. "2 20 100 500" (default "2")
#   SETUP_MODE    set | group (default set)
#   ROUNDS        rounds of (kill the DC, kill the other node, each with its failback) and of
#                 (move, move back), default 1
#   IDLE_WINDOW   seconds of the idle CPU window (default 60)
#   SKIP_NAIVE=1  no naive setup; SKIP_DEFAULTS=1 no naive run with Ganesha's defaults
#   SET_PARAMS    extra params of the shareset primitive (default "disk=/srv/nfs
#                 recovery_root=/srv/nfs/.recovery")
#   CONTROLD_DEBUG=0  no debug log of pacemaker-controld (it shows the controller's re-ask
#                 sleep directly, see breakdown.py)
# --json FILE: one JSON object per line, per setup ("clusres", "naive") and N, with the keys
# setup, shares, start_s, kill_dc_s, kill_nondc_s, failback_s, move_s, add_s, add_pause_s,
# idle_cpu_pct (what each means: bench/README.md, (e)).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
json_out=""
while [ $# -gt 0 ]; do
	case $1 in
	--json) json_out=$(readlink -f "${2:?--json needs a file}") && shift 2 ;;
	--json=*) json_out=$(readlink -f "${1#--json=}") && shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" && exit 0 ;;
	*) break ;;
	esac
done
build=$(readlink -f "${1:?usage: run.sh [--json FILE] BUILD_DIR (configured with --prefix=/usr)}")
shares_list=${SHARES:-2}
mode=${SETUP_MODE:-set}
rounds=${ROUNDS:-1}
idle_window=${IDLE_WINDOW:-60}
set_params=${SET_PARAMS:-disk=/srv/nfs recovery_root=/srv/nfs/.recovery}
LAB=$top/tests/lab/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
VIP=198.18.0.100
die() {
	echo "bench/lab-outage: $*" >&2
	exit 1
}
log() { echo "[$(date +%T)] $*" >&2; }
for n in $shares_list; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "SHARES: '$n' is not a count"; done
[[ $mode =~ ^(set|group)$ ]] || die "SETUP_MODE is set or group, not '$mode'"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS: '$rounds'"
[[ $idle_window =~ ^[1-9][0-9]*$ ]] || die "IDLE_WINDOW: '$idle_window'"
WORK=$(mktemp -d /tmp/bench-outage.XXXXXX)
# shellcheck source=../../tests/lab/shares.sh
. "$top/tests/lab/shares.sh"
# shellcheck source=../../tests/lib/tap.sh
. "$top/tests/lib/tap.sh" # lab_lock
SHARES_CLIENT=$build/tests/nfs-client/clusres-nfs-client
RESULTS=$WORK/results # "setup<TAB>N<TAB>client<TAB>event|round<TAB>seconds" (client outages)
FIGS=$WORK/figures    # "setup<TAB>N<TAB>key<TAB>value" (everything else)
: >"$RESULTS"
: >"$FIGS"
: >"$WORK/reclaims"
: >"$WORK/grace"
: >"$WORK/events"

cleanup() {
	shares_client_kill_all
	"$LAB" down >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$SHARES_CLIENT" ] || die "no $SHARES_CLIENT (meson compile -C $build)"
lab_lock || die "another lab user holds $LAB_LOCK"
stage=$("$top/tests/lib/stage.sh" "$build") || die "cannot stage $build"
# The controller's debug log shows its "Re-asking for the CIB" sleep (breakdown.py); the lab's
# holder passes its environment to pacemakerd, which passes it to its daemons.
if [ "${CONTROLD_DEBUG:-1}" != 0 ]; then export PCMK_debug=pacemaker-controld; fi

fig() { printf '%s\t%s\t%s\t%s\n' "$SETUP" "$N" "$1" "$2" >>"$FIGS"; }
now() { date +%s.%N; }
since() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.3f}")' "$1"; }

# ---- where things run ----------------------------------------------------------------------
# group_on NODE ASK GROUP COUNT: every one of the COUNT members of GROUP is started on NODE, as
# ASK's crm_mon sees it.
group_on() {
	shares_ex "$2" crm_mon -1 --output-as=xml 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
node, group, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    root = ET.fromstring(sys.stdin.read())
except ET.ParseError:
    sys.exit(1)
for g in root.iter("group"):
    if g.get("id") == group:
        rs = g.findall("resource")
        ok = [r for r in rs if r.get("role") == "Started" and r.get("failed") == "false"
              and [n.get("name") for n in r.findall("node")] == [node]]
        sys.exit(0 if len(rs) == count and len(ok) == count else 1)
sys.exit(1)' "$1" "$3" "$4"
}
# placed NODE [ASK]: the setup's group runs on NODE (timeout grows with N: a group of N
# primitives starts one share after the other)
placed() {
	local deadline=$((SECONDS + 120 + 2 * N))
	until group_on "$1" "${2:-node1}" "$GROUP" "$MEMBERS"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}
dc_of() { # the DC as NODE sees it
	shares_ex "$1" crm_mon -1 --output-as=xml 2>/dev/null |
		sed -n 's/.*<current_dc [^>]*name="\([a-z0-9]*\)".*/\1/p'
}
detection_bound() { # token + consensus of the running corosync on NODE, in ms
	local token consensus
	token=$(shares_ex "$1" corosync-cmapctl -g runtime.config.totem.token | awk '{print $NF}')
	consensus=$(shares_ex "$1" corosync-cmapctl -g runtime.config.totem.consensus | awk '{print $NF}')
	echo "$token $consensus"
}
ganesha_on_both() {
	local out
	out=$(shares_ex node1 crm_resource --locate -r ganesha 2>/dev/null) || return 1
	grep -q 'running on: node1' <<<"$out" && grep -q 'running on: node2' <<<"$out"
}
wait_for() { # wait_for SECONDS CMD...: poll CMD every 0.2 s
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# ---- clients --------------------------------------------------------------------------------
# The writing clients: first, middle and last share (fewer when N < 3).
client_shares() {
	local mid=$(((N + 1) / 2))
	printf '%s\n' 1 "$mid" "$N" | awk '!seen[$0]++'
}
clients_start() {
	local i
	CLIENTS=""
	for i in $(client_shares); do
		shares_client_start "ca$i" "$VIP" "/a$i"
		CLIENTS+=" ca$i"
	done
	kcheck_start ca1 "$VIP" /a1
	for i in $CLIENTS; do shares_client_wait_served "$i" 120 || die "$SETUP: client $i not served"; done
}
clients_served() {
	local c
	for c in $CLIENTS; do
		shares_client_wait_served "$c" $((120 + N)) || die "$SETUP N=$N: client $c not served after $1"
	done
}
# event LABEL: every client's outages from now to the next event belong to LABEL (round ROUND)
event() { shares_event "all: $1|$ROUND"; }
# probe_start NAME PROBE-ARGS...: probe.py on client1 in the background (its JSON in
# WORK/NAME.out); returns after its first sweep, so that a change timed from now on does not
# count Python's start-up.
probe_start() {
	local name=$1
	shift
	rm -f "$WORK/$name.ready" "$WORK/$name.out"
	"$LAB" exec client1 python3 "$here/probe.py" "$@" --ready "$WORK/$name.ready" >"$WORK/$name.out" 2>&1 &
	echo $! >"$WORK/$name.pid"
	wait_for 60 test -e "$WORK/$name.ready" || die "probe $name did not start: $(cat "$WORK/$name.out")"
}
# probe_at NAME: waits until the probe ends; sets AT to the epoch of the sweep that saw its
# condition met (empty if it timed out).  Not in a $(...): `wait` needs the probe's parent.
probe_at() {
	wait "$(cat "$WORK/$1.pid")" || true
	rm -f "$WORK/$1.pid"
	AT=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().split("\n")[-2])["at"] or "")' \
		"$WORK/$1.out" 2>/dev/null) || AT=""
}
minus() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a - b}'; }
# all_served FROM LABEL: after an event has played out (the group placed, the clients
# served), probe.py looks every share up through the VIP until all answer; records how long
# after FROM that was (an upper bound: the sweep starts only then).
all_served() {
	local out
	out=$("$LAB" exec client1 python3 "$here/probe.py" served --server "$VIP" --prefix a \
		--count "$N" --since "$1" --timeout $((120 + 2 * N))) || die "$SETUP N=$N: not every share served after $2: $out"
	fig "all served: $2|$ROUND" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["elapsed_s"])' "$out")"
}
# The wire checker beside client CLIENT (k<CLIENT>: tests/nfs-client/nfs4-state-check.py, an
# NFSv4.0 client holding an open and a lock on the same VIP).
kcheck_start() { # kcheck_start CLIENT VIP EXPORT
	rm -f "$WORK/k$1.jsonl"
	"$LAB" exec client1 python3 "$top/tests/nfs-client/nfs4-state-check.py" --server "$2" \
		--export "$3" --file "k$1" --id "bench-k$1-$$-$SETUP" --out "$WORK/k$1.jsonl" \
		>"$WORK/k$1.log" 2>&1 &
	echo $! >"$WORK/k$1.pid"
	disown
}
kcheck_reclaims() {
	local c
	c=$(grep -c '"reclaim"' "$WORK/kca1.jsonl" 2>/dev/null) || true
	echo "${c:-0}"
}
kcheck_after() { [ "$(kcheck_reclaims)" -gt "$1" ]; }
# What the new server answered the wire checker after each of ca1's events: "yes" when it saw
# NFS4ERR_STALE_CLIENTID for its old client id and its OPEN and LOCK reclaims were accepted.
reclaims() {
	kill -TERM "$(cat "$WORK/kca1.pid")" 2>/dev/null || true
	rm -f "$WORK/kca1.pid" # a pid file left behind would be killed at exit, maybe reused
	python3 - "$WORK/kca1.jsonl" "$WORK/events" "$SETUP" "$N" "all: " >>"$WORK/reclaims" <<-'EOF'
		import json, sys
		try:
		    evs = [json.loads(l) for l in open(sys.argv[1]) if '"reclaim"' in l]
		except OSError:
		    evs = []
		marks = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[2])]
		marks = [(float(t), label) for t, label in marks]
		setup, n, prefix = sys.argv[3], sys.argv[4], sys.argv[5]
		for i, (t, label) in enumerate(marks):
		    if not label.startswith(prefix):
		        continue
		    if not label[len(prefix):].startswith(("node kill", "failback", "planned move",
		                                           "move back")):
		        continue  # events that move no VIP: nothing to reclaim
		    end = next((u for u, l in marks[i + 1:] if l.startswith(prefix)), float("inf"))
		    mine = [e for e in evs if t <= e["at"] < end]
		    if not mine:
		        verdict = "no event seen"
		    else:
		        a = mine[0]["answers"]
		        ok = (set(a.get("old_clientid", {})) == {"NFS4ERR_STALE_CLIENTID"} and
		              set(a.get("reclaim_open", {})) == {"NFS4_OK"} and
		              set(a.get("reclaim_lock", {})) == {"NFS4_OK"})
		        verdict = "yes" if ok else "NO: " + ",".join(
		            "%s=%s" % (k, "/".join(v)) for k, v in sorted(a.items()))
		    print("%s\t%s\t%s\t%s" % (setup, n, label[len(prefix):].split("|")[0], verdict))
	EOF
}
# record: stop the clients, attribute each client's outages to its events
record() {
	local c
	for c in $CLIENTS; do
		shares_client_stop "$c" || die "$SETUP: client $c wrote no report"
		[ "$(shares_client_field "$c" lost)" = 0 ] || log "$SETUP N=$N: client $c LOST acknowledged writes"
		[ "$(shares_client_field "$c" stale)" = 0 ] || log "$SETUP N=$N: client $c saw STALE file handles"
		shares_client_gaps "$c" | awk -F'\t' -v s="$SETUP" -v n="$N" -v c="$c" \
			'index($1, "all: ") == 1 {print s "\t" n "\t" c "\t" substr($1, 6) "\t" $2}' >>"$RESULTS"
	done
	reclaims
	: >"$WORK/events"
}

# ---- events ---------------------------------------------------------------------------------
# in_grace NODE: is NODE's Ganesha in grace right after it took the VIP over?  Only then can the
# failed server's clients reclaim their locks before anyone else.
in_grace() {
	local g
	g=$(shares_ex "$1" dbus-send --system --print-reply --reply-timeout=2000 \
		--dest=org.ganesha.nfsd /org/ganesha/nfsd/admin org.ganesha.nfsd.admin.get_grace \
		2>/dev/null | awk '/boolean/ {print $2; exit}') || true
	echo "$SETUP ${g:-unknown}" >>"$WORK/grace"
}
# recovery_quiet: the two nodes' Ganesha recovery databases (shared storage) have no client in
# common.  The share driver's host waits for that before it takes a VIP back to a node the VIP
# left (share-driver/README.md, "A node the VIP left drops its clients"): up to a lease and a
# reaper tick after a move or a failback.  Waiting here first measures the event, not that wait
# (before a kill, a move and a move back; not before a failback: node1's host is new then, and
# does not wait).
recovery_disjoint() {
	python3 - "$LAB_DIR/shared/.recovery" <<-'EOF'
		import os, sys
		def clients(node):
		    d = os.path.join(sys.argv[1], node, "v4recov", "node0")
		    return set(os.listdir(d)) if os.path.isdir(d) else set()
		sys.exit(1 if clients("node1") & clients("node2") else 0)
	EOF
}
recovery_quiet() {
	[ "$SETUP" = clusres ] || return 0
	wait_for 120 recovery_disjoint || log "$SETUP: recovery databases still share clients after 120 s"
}
# kill_event KIND: kill -9 node1's stack (KIND: "the DC" or "not the DC"), wait until the group
# runs on node2 and every client and every share is served; then restart node1 (failback).
kill_event() {
	local kind=$1 k t
	recovery_quiet
	k=$(kcheck_reclaims)
	log "$SETUP N=$N: kill -9 node1 ($kind)"
	event "node kill ($kind)"
	t=$(now)
	echo "$t ${kind// /_} $N $ROUND" >>"$WORK/kills-$SETUP"
	"$LAB" kill node1
	placed node2 node2 || die "$SETUP N=$N: no failover"
	in_grace node2
	clients_served "the node kill"
	all_served "$t" "node kill ($kind)"
	if [ "$SETUP" = clusres ]; then
		shares_ex node2 clusresctl status >"$WORK/status-$N-$ROUND-${kind// /_}" 2>/dev/null || true
	fi
	wait_for 60 kcheck_after "$k" || log "$SETUP: the wire checker saw no reclaim after the kill"
	k=$(kcheck_reclaims)
	log "$SETUP N=$N: restart node1 (failback)"
	# the two failbacks of a round apart
	ROUND=$ROUND/${kind// /_} event "failback"
	t=$(now)
	"$LAB" restart node1 >/dev/null 2>&1 || die "node1 did not rejoin"
	placed node1 || die "$SETUP N=$N: no failback"
	clients_served "the failback"
	all_served "$t" "failback"
	wait_for 60 kcheck_after "$k" || log "$SETUP: the wire checker saw no reclaim after the failback"
}
# node2_gone: node1 is the DC and has fenced node2 (offline, not unclean)
node2_gone() {
	shares_ex node1 crm_mon -1 --output-as=xml 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.read())
dc = r.find("summary/current_dc")
n2 = [n for n in r.iter("node") if n.get("name") == "node2" and n.get("unclean") is not None]
sys.exit(0 if dc is not None and dc.get("name") == "node1" and n2
         and n2[0].get("online") == "false" and n2[0].get("unclean") == "false" else 1)'
}
# make_node1_dc: kill node2 (which runs nothing of the group), wait until node1 (now the DC)
# has fenced it, restart it.  Not an event the clients are asked about.
make_node1_dc() {
	log "$SETUP N=$N: node2 is the DC: kill and restart it so that node1 becomes the DC"
	event "(making node1 the DC)"
	"$LAB" kill node2
	wait_for 120 node2_gone || die "node1 did not become the DC or did not fence node2"
	"$LAB" restart node2 >/dev/null 2>&1 || die "node2 did not rejoin"
	placed node1 || die "$SETUP: group left node1"
}
kill_rounds() {
	local dc
	dc=$(dc_of node1)
	if [ "$dc" = node1 ]; then
		kill_event "the DC" # node2 is the DC afterwards (node1 rejoins as a member)
		kill_event "not the DC"
	else
		kill_event "not the DC"
		make_node1_dc
		kill_event "the DC"
	fi
}
move_rounds() {
	local k t
	recovery_quiet
	k=$(kcheck_reclaims)
	log "$SETUP N=$N: crm resource move $GROUP node2, then clear"
	event "planned move"
	t=$(now)
	shares_ex node1 crm resource move "$GROUP" node2 >/dev/null 2>&1 || die "crm resource move failed"
	placed node2 || die "$SETUP: move failed"
	clients_served "the move"
	all_served "$t" "planned move"
	wait_for 60 kcheck_after "$k" || true
	recovery_quiet
	k=$(kcheck_reclaims)
	event "move back"
	t=$(now)
	shares_ex node1 crm resource clear "$GROUP" >/dev/null 2>&1 || die "crm resource clear failed"
	placed node1 || die "$SETUP: move back failed"
	clients_served "the move back"
	all_served "$t" "move back"
	wait_for 60 kcheck_after "$k" || true
}
# add_remove: add share a<N+1> to the running setup, wait until it is served through the VIP,
# then remove it and wait until the VIP answers NFS4ERR_NOENT for it; meanwhile probe.py looks
# a share that stays up every 20 ms (the longest pause it saw) and the clients write on.
add_remove() {
	local new=$((N + 1)) what t out c mid=$(((N + 1) / 2))
	for what in add remove; do
		rm -f "$WORK/pause-$what.json" "$WORK/pause-$what.json.ready"
		"$LAB" exec client1 python3 "$here/probe.py" pause --server "$VIP" --name "a$mid" \
			--out "$WORK/pause-$what.json" >/dev/null 2>&1 &
		echo $! >"$WORK/pause.pid"
		wait_for 30 test -e "$WORK/pause-$what.json.ready" || die "$SETUP: pause probe not served"
		probe_start "w-$what" wait --server "$VIP" --name "a$new" \
			"$([ $what = add ] && echo --present || echo --absent)" --timeout 300
		log "$SETUP N=$N: $what share a$new"
		event "$what one share"
		t=$(now)
		"share_$what" "$new"
		probe_at "w-$what"
		out=$AT
		[ -n "$out" ] || die "$SETUP N=$N: share a$new not ${what}ed: $(cat "$WORK/w-$what.out")"
		fig "$what one share" "$(minus "$out" "$t")"
		# the clients go on writing for a second after the change is seen (no fixed wait for
		# the change itself: that was waited for above)
		for c in $CLIENTS; do shares_client_wait_served "$c" 60 || die "$SETUP: $c not served after $what"; done
		kill -TERM "$(cat "$WORK/pause.pid")" 2>/dev/null || true
		wait_for 10 test -s "$WORK/pause-$what.json" || die "$SETUP: pause probe wrote nothing"
		wait "$(cat "$WORK/pause.pid")" || true
		rm -f "$WORK/pause.pid"
		fig "$what pause" "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
# A pause: the longest time between two answers beyond the usual one (the probe interval and
# the round trip); a failed probe means the share was not served at all for that long.
extra = (r["gap_max_s"] or 0) - (r["gap_median_s"] or 0)
print("%.3f %s %s %s %s" % (max(extra, 0), r["gap_max_s"], r["gap_median_s"], r["failed"], r["probes"]))' "$WORK/pause-$what.json")"
	done
}

# ---- clusres configuration ------------------------------------------------------------------
# The README's Ganesha clone, word for word (the part of the admin workflow before the shares).
ganesha_commands() {
	shares_workflow | awk '/^primitive nfs-ganesha /,/^clone ganesha /'
}
share_list() { # share_list COUNT: "a1=/srv/nfs/a1 a2=..."
	local i out=""
	for ((i = 1; i <= $1; i++)); do out+="a$i=/srv/nfs/a$i "; done
	echo "${out% }"
}
share_primitive() { # share_primitive I: the README's share primitive for a<I>
	cat <<-EOF
		primitive share-a$1 ocf:clusres:share \\
		  params share_name=a$1 path=/srv/nfs/a$1 home_node=node1 vip=$VIP disk=/srv/nfs \\
		    recovery_root=/srv/nfs/.recovery \\
		  op monitor interval=10s timeout=20s op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10
	EOF
}
shares_commands() { # the shares, the VIP, the group and its constraints (after "ganesha")
	local i members=""
	if [ "$mode" = group ]; then
		for ((i = 1; i <= N; i++)); do
			share_primitive "$i"
			members+="share-a$i "
		done
	else
		cat <<-EOF
			primitive shares-a ocf:clusres:shareset \\
			  params vip=$VIP home_node=node1 shares="$(share_list "$N")" $set_params \\
			  op monitor interval=10s timeout=20s op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10 \\
			  op start timeout=120s op stop timeout=120s
		EOF
		members="shares-a "
	fi
	cat <<-EOF
		primitive vip-a ocf:heartbeat:IPaddr2 params ip=$VIP cidr_netmask=24 \\
		  op monitor interval=2s
		group $GROUP ${members}vip-a
		colocation $GROUP-with-ganesha inf: $GROUP ganesha
		order ganesha-before-$GROUP Mandatory: ganesha $GROUP
		location $GROUP-home $GROUP 100: node1
		commit
	EOF
}
clusres_share_add() {
	if [ "$mode" = group ]; then
		{
			share_primitive "$1"
			echo "modgroup $GROUP add share-a$1 before vip-a"
			echo commit
		} | shares_ex node1 crm configure >/dev/null 2>&1
	else
		shares_ex node1 crm resource param shares-a set shares "$(share_list "$1")" >/dev/null 2>&1
	fi
}
clusres_share_remove() {
	if [ "$mode" = group ]; then
		# Out of the group first: stopping a group member stops the members after it (the VIP).
		shares_ex node1 crm configure modgroup "$GROUP" remove "share-a$1" >/dev/null 2>&1
		shares_ex node1 crm resource stop "share-a$1" >/dev/null 2>&1
	else
		shares_ex node1 crm resource param shares-a set shares "$(share_list "$N")" >/dev/null 2>&1
	fi
}
clusres_share_removed() { # after the measurement: the stopped primitive leaves the CIB
	[ "$mode" = group ] || return 0
	wait_for 60 sh -c "! '$LAB' exec node1 crm_resource --locate -r share-a$1 2>/dev/null | grep -q 'is running'"
	shares_ex node1 crm configure delete "share-a$1" >/dev/null 2>&1 || log "could not delete share-a$1"
}

# ---- naive configuration --------------------------------------------------------------------
# The same pseudo paths; export ids 1000+I (the same on both nodes: one file on the shared
# storage), filesystem ids alike.
naive_export() {
	printf 'EXPORT { Export_Id = %d; Path = "/srv/nfs/a%d"; Pseudo = "/a%d"; Access_Type = RW; Squash = Root_Squash; Protocols = 4; Transports = TCP; SecType = sys; Filesystem_Id = %d.%d; FSAL { Name = VFS; } }\n' \
		$((1000 + $1)) "$1" "$1" $((1000 + $1)) $((1000 + $1))
}
naive_conf() { # naive_conf GRACE LEASE (empty: Ganesha's defaults)
	local i
	echo "NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }"
	if [ -n "$1" ]; then echo "NFSV4 { Grace_Period = $1; Lease_Lifetime = $2; }"; fi
	for ((i = 1; i <= N; i++)); do naive_export "$i"; done
}
naive_commands() {
	cat <<-'EOF'
		primitive nfs-daemon ocf:heartbeat:anything \
		  params binfile=/usr/bin/ganesha.nfsd pidfile=/run/ganesha-naive.pid \
		    cmdline_options="-F -f /srv/nfs/.naive/ganesha.conf -L /var/log/ganesha/naive.log -p /run/ganesha.nfsd.pid" \
		  op monitor interval=10s timeout=20s
		primitive vip-a ocf:heartbeat:IPaddr2 params ip=198.18.0.100 cidr_netmask=24 \
		  op monitor interval=2s
		group nfs nfs-daemon vip-a
		location nfs-home nfs 100: node1
		commit
	EOF
}
ganesha_call() { # ganesha_call NODE METHOD ARGS...: org.ganesha.nfsd.exportmgr on NODE
	local node=$1 method=$2
	shift 2
	shares_ex "$node" dbus-send --system --print-reply --reply-timeout=10000 --dest=org.ganesha.nfsd \
		/org/ganesha/nfsd/ExportMgr "org.ganesha.nfsd.exportmgr.$method" "$@" >/dev/null 2>&1
}
# What an admin of the naive setup does: the export into the configuration file (for the next
# start) and into the running Ganesha (AddExport / RemoveExport over D-Bus).
naive_share_add() {
	naive_export "$1" >"$LAB_DIR/shared/.naive/add.conf"
	cat "$LAB_DIR/shared/.naive/add.conf" >>"$LAB_DIR/shared/.naive/ganesha.conf"
	ganesha_call node1 AddExport string:/srv/nfs/.naive/add.conf "string:EXPORT(Export_Id=$((1000 + $1)))" ||
		log "naive: AddExport failed"
}
naive_share_remove() {
	ganesha_call node1 RemoveExport "uint16:$((1000 + $1))" || log "naive: RemoveExport failed"
	grep -v "Export_Id = $((1000 + $1));" "$LAB_DIR/shared/.naive/ganesha.conf" >"$WORK/naive.conf"
	cat "$WORK/naive.conf" >"$LAB_DIR/shared/.naive/ganesha.conf"
}
share_add() { "${SETUP%%-*}_share_add" "$@"; }
share_remove() { "${SETUP%%-*}_share_remove" "$@"; }

# ---- one setup at one N ---------------------------------------------------------------------
# mkdirs COUNT: the shares' directories on the shared storage (a<COUNT+1> for the add)
mkdirs() {
	shares_ex node1 bash -e -c "for i in \$(seq 1 $(($1 + 1))); do mkdir -p /srv/nfs/a\$i; chmod 1777 /srv/nfs/a\$i; done"
}
idle() { # idle: CPU of each node's whole stack over IDLE_WINDOW s, clients stopped
	local n out
	# settled: no actions pending anywhere (the last event's monitors scheduled)
	shares_ex node1 crm_resource --wait --timeout=120s >/dev/null 2>&1 || log "$SETUP: cluster not settled"
	log "$SETUP N=$N: idle CPU over ${idle_window}s"
	local pids=""
	for n in node1 node2; do
		python3 "$here/nodecpu.py" "clr-$n" "$idle_window" >"$WORK/cpu-$SETUP-$N-$n.json" &
		pids+=" $!"
	done
	# shellcheck disable=SC2086 # pids: a list
	wait $pids
	for n in node1 node2; do
		out=$(cat "$WORK/cpu-$SETUP-$N-$n.json")
		fig "idle cpu $n" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pct"])' "$out")"
		fig "idle cpu $n by process" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1])["by_comm"]; print(" ".join(f"{k}={v}" for k, v in list(d.items())[:6]))' "$out")"
	done
}
run_setup() { # run_setup SETUP [LAB-UP OPTIONS...]: SETUP = clusres | naive | naive-defaults
	SETUP=$1
	shift
	local t out crm_s
	ROUND=0
	"$LAB" down >/dev/null 2>&1 || true
	log "$SETUP N=$N: lab up 2 $*"
	"$LAB" up 2 --clients 1 --stage "$stage" "$@" >/dev/null 2>&1 || die "lab up failed"
	mkdirs "$N"
	if [ "$SETUP" = clusres ]; then
		GROUP=$([ "$mode" = group ] && echo shares-a || echo group-a)
		MEMBERS=$([ "$mode" = group ] && echo $((N + 1)) || echo 2)
		{
			ganesha_commands
			echo commit
		} | shares_ex node1 crm configure >/dev/null 2>&1 || die "Ganesha clone: crm configure failed"
		wait_for 120 ganesha_on_both || die "Ganesha clone did not start"
		shares_commands >"$WORK/config.crm"
	else
		GROUP=nfs MEMBERS=2
		shares_ex node1 mkdir -p /var/lib/nfs/ganesha /srv/nfs/.naive
		shares_ex node2 mkdir -p /var/lib/nfs/ganesha
		if [ "$SETUP" = naive ]; then naive_conf 10 10; else naive_conf "" ""; fi >"$LAB_DIR/shared/.naive/ganesha.conf"
		naive_commands >"$WORK/config.crm"
	fi
	# Initial start: from the configuration's commit until every share is served.
	probe_start start served --server "$VIP" --prefix a --count "$N" --timeout $((300 + 2 * N))
	t=$(now)
	shares_ex node1 crm configure <"$WORK/config.crm" >/dev/null 2>&1 || die "$SETUP: crm configure failed"
	crm_s=$(since "$t")
	probe_at start
	out=$AT
	[ -n "$out" ] || die "$SETUP N=$N: shares not served after the start: $(cat "$WORK/start.out")"
	fig "start" "$(minus "$out" "$t")"
	fig "crm configure" "$crm_s"
	placed node1 || die "$SETUP N=$N: group not on node1"
	[ "$SETUP" != clusres ] || read -r TOKEN CONSENSUS <<<"$(detection_bound node1)"
	clients_start
	for ((ROUND = 1; ROUND <= rounds; ROUND++)); do kill_rounds; done
	for ((ROUND = 1; ROUND <= rounds; ROUND++)); do move_rounds; done
	ROUND=1
	if [ "$SETUP" != naive-defaults ]; then
		add_remove
		[ "$SETUP" != clusres ] || clusres_share_removed "$((N + 1))"
	fi
	record
	[ "$SETUP" = naive-defaults ] || idle
	# Where each failover's time went (the survivor's Pacemaker log, ca1's report).
	local k kind n r
	while read -r k kind n r; do
		kind=${kind//_/ }
		python3 "$here/breakdown.py" "$LAB_DIR/node2/log-pacemaker/pacemaker.log" "$k" a \
			"$kind" "$WORK/ca1.json" | sed "s/^/$SETUP\t$N\t/" >>"$WORK/breakdown"
		if [ "$SETUP" = clusres ]; then
			python3 "$here/trace.py" "$LAB_DIR/node2/log-pacemaker/pacemaker.log" "$k" \
				"$SETUP ($mode) N=$N, node kill ($kind), round $r" vip-a 'share-a[0-9]+|shares-a|vip-a' \
				"$WORK/status-$N-$r-${kind// /_}" >>"$WORK/trace" 2>&1 || true
			echo >>"$WORK/trace"
		fi
	done < <(cat "$WORK/kills-$SETUP" 2>/dev/null || true)
	rm -f "$WORK/kills-$SETUP"
	"$LAB" down >/dev/null 2>&1 || true
}

first=1
for N in $shares_list; do
	run_setup clusres
	if [ "${SKIP_NAIVE:-0}" != 1 ]; then
		run_setup naive --grace 10 --lease 10
		if [ $first = 1 ] && [ "${SKIP_DEFAULTS:-0}" != 1 ]; then run_setup naive-defaults --grace default --lease default; fi
	fi
	first=0
done

# ---- Report ---------------------------------------------------------------------------------
echo "bench/lab-outage: SHARES=\"$shares_list\" SETUP_MODE=$mode ROUNDS=$rounds, $(date -u '+%F %T') UTC, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Ganesha in grace right after taking the VIP over (the failed server's clients can reclaim"
echo "their state and locks before any other client can take them):"
awk '{n[$1]++; if ($2 == "true") y[$1]++} END {for (s in n) printf "  %-16s %d of %d failovers\n", s, y[s], n[s]}' "$WORK/grace" | sort
echo
echo "Failovers, seconds after the kill -9 of node1 (node2's Pacemaker log; client ca1's report):"
printf '  %-14s %5s %-12s %6s %7s %9s %10s %7s %7s %7s\n' setup N "victim was" lost policy cib-sleep scheduled fenced vip-up served
awk -F'\t' '{printf "  %-14s %5s %-12s %6s %7s %9s %10s %7s %7s %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}' "$WORK/breakdown" 2>/dev/null || true
echo "  (lost: corosync's new membership reached the controller; cib-sleep: the controller's"
echo "   sleep(1) in do_pe_invoke_callback while its own CIB updates are pending, Pacemaker 2.1.5"
echo "   daemons/controld/controld_schedulerd.c:460, counted from its debug log, ~ = inferred;"
echo "   served: ca1's outage ended)"
echo
if [ -s "$WORK/trace" ]; then
	cat "$WORK/trace"
fi
python3 - "$RESULTS" "$FIGS" "$WORK/reclaims" "${TOKEN:-0}" "${CONSENSUS:-0}" "$json_out" "$mode" <<'EOF'
import json, statistics, sys
from collections import defaultdict
res = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
figs = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
recl = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.strip()]
token, consensus, json_out, mode = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]

# client outage per (setup, N, event, round): the longest of the clients'
per_round = defaultdict(float)
for setup, n, client, ev, secs in res:
    label, _, rnd = ev.rpartition("|")
    k = (setup, int(n), label, rnd)
    per_round[k] = max(per_round[k], float(secs))
def outages(setup, n, label):
    return [v for (s, m, l, _), v in per_round.items() if s == setup and m == n and l == label]
def fig(setup, n, key):
    return [f[3] for f in figs if f[0] == setup and int(f[1]) == n and f[2] == key]
def figf(setup, n, key):
    v = fig(setup, n, key)
    return float(v[0]) if v and v[0] not in ("", "None") else None
def med(v):
    return statistics.median(v) if v else None

ns = sorted({int(f[1]) for f in figs} | {int(r[1]) for r in res})
setups = [s for s in ("clusres", "naive", "naive-defaults")
          if any(f[0] == s for f in figs) or any(r[0] == s for r in res)]
rows = {}
for s in setups:
    for n in ns:
        kill_dc = outages(s, n, "node kill (the DC)")
        kill_nondc = outages(s, n, "node kill (not the DC)")
        fb = outages(s, n, "failback")
        mv = [max(a, b) for a, b in zip(outages(s, n, "planned move"), outages(s, n, "move back"))]
        add, rm = figf(s, n, "add one share"), figf(s, n, "remove one share")
        pauses = [float(p.split()[0]) for p in fig(s, n, "add pause") + fig(s, n, "remove pause")
                  if p.strip()]
        pauses += outages(s, n, "add one share") + outages(s, n, "remove one share")
        rows[(s, n)] = {
            "setup": s, "shares": n, "start_s": figf(s, n, "start"),
            "kill_dc_s": med(kill_dc), "kill_nondc_s": med(kill_nondc), "failback_s": med(fb),
            "move_s": med(mv),
            "add_s": max(add, rm) if add is not None and rm is not None else None,
            "add_pause_s": max(pauses) if pauses else None,
            "idle_cpu_pct": figf(s, n, "idle cpu node1"),
            "_add": add, "_rm": rm, "_fb": fb, "_dc": kill_dc, "_ndc": kill_nondc,
            "_mv": outages(s, n, "planned move"), "_mb": outages(s, n, "move back"),
            "_idle2": figf(s, n, "idle cpu node2"), "_crm": figf(s, n, "crm configure"),
        }

def cell(v, spread=None):
    if v is None:
        return "-"
    if spread and len(spread) > 1:
        return f"{v:.2f} ({min(spread):.2f}-{max(spread):.2f})"
    return f"{v:.2f}"
have2 = ("clusres", 2) in rows and rows[("clusres", 2)]["kill_dc_s"] is not None
for n in ns:
    cr = rows.get(("clusres", n))
    print(f"\nN = {n} shares   (clusres: SETUP_MODE={mode}; client outages in s, median (min-max) "
          "over rounds of the longest outage of the clients on the first, middle and last share)")
    cols = [s for s in setups if (s, n) in rows]
    print(f"  {'':38s}" + "".join(f"{s:>20s}" for s in cols) + "   target (clusres)")
    def line(label, key, spread=None, target=None, ok=None):
        vals = "".join(f"{cell(rows[(s, n)][key], rows[(s, n)].get(spread) if spread else None):>20s}"
                       for s in cols)
        verdict = ""
        if target:
            v = cr[key] if cr else None
            verdict = f"   {target}" + ("" if ok is None else ": " + (
                "-" if v is None else ("PASS" if ok(v) else "FAIL")))
        print(f"  {label:38s}{vals}{verdict}")
    line("initial start (commit -> all served)", "start_s", target="<= 10 s", ok=lambda v: v <= 10)
    base = rows[("clusres", 2)] if have2 else None
    for key, label, sp in (("kill_dc_s", "node kill, the DC", "_dc"),
                           ("kill_nondc_s", "node kill, not the DC", "_ndc")):
        if n != 2 and base and base[key] is not None:
            line(label, key, sp, target=f"<= N=2 + 1 s = {base[key] + 1:.2f} s",
                 ok=lambda v, b=base[key]: v <= b + 1)
        else:
            line(label, key, sp, target="N=2 reference" if n == 2 else "no N=2 in this run",
                 ok=None)
    line("failback (node back)", "failback_s", "_fb", target="<= 1.5 s", ok=lambda v: v <= 1.5)
    mt = "< 1 s" if n == 2 else "<= 1.5 s"
    line("planned move (worst of move, back)", "move_s", None, target=mt,
         ok=(lambda v: v < 1) if n == 2 else (lambda v: v <= 1.5))
    for s in cols:
        r = rows[(s, n)]
        if r["_mv"]:
            print(f"  {'':38s}{s}: crm resource move {cell(med(r['_mv']), r['_mv'])}, "
                  f"clear {cell(med(r['_mb']), r['_mb'])}")
    line("add/remove one share (worst)", "add_s", target="<= 1 s", ok=lambda v: v <= 1)
    for s in cols:
        r = rows[(s, n)]
        if r["_add"] is not None:
            print(f"  {'':38s}{s}: add {cell(r['_add'])} s, remove {cell(r['_rm'])} s "
                  "(until served / NFS4ERR_NOENT through the VIP)")
    line("  pause on another share", "add_pause_s", target="0 (< 0.05 s)", ok=lambda v: v < 0.05)
    line("idle CPU node1, % of one core", "idle_cpu_pct", target="<= 5 %", ok=lambda v: v <= 5)
    print(f"  {'idle CPU node2, % of one core':38s}" +
          "".join(f"{cell(rows[(s, n)]['_idle2']):>20s}" for s in cols))
    for s in cols:
        for f in figs:
            if f[0] == s and int(f[1]) == n and f[2].startswith("idle cpu") and "by process" in f[2]:
                print(f"  {'':38s}{s} {f[2].split()[2]}: {f[3]}")
    for s in cols:
        srv = [(f[2][len("all served: "):], f[3]) for f in figs
               if f[0] == s and int(f[1]) == n and f[2].startswith("all served: ")]
        if srv:
            print(f"  {'all shares checked served by, s after:':38s}{s}: " +
                  ", ".join(f"{e.split('|')[0]} {v}" for e, v in srv))
    for s in cols:
        c = rows[(s, n)]["_crm"]
        if c is not None:
            print(f"  {'(crm configure itself took, s)':38s}{s}: {c:.2f}")
    for s in cols:
        rs = [r for r in recl if r[0] == s and int(r[1]) == n]
        if rs:
            yes = sum(r[3] == "yes" for r in rs)
            print(f"  {'reclaimed (wire checker on a1)':38s}{s}: {yes}/{len(rs)}" +
                  "".join(f"; {r[2]}: {r[3]}" for r in rs if r[3] != "yes"))
print()
print(f"(a) detection bound: token {token} ms + consensus {consensus} ms = "
      f"{(token + consensus) / 1000:.2f} s")
print("start: from `crm configure` (with commit) until probe.py got every share's root handle "
      "through the VIP; clusres: Ganesha's clone was started before, naive: its start is in it.")
print("node kill: kill -9 of node1's whole stack, node1 the DC or not; failback: node1 restarted "
      "until served again (the restart itself included); move: `crm resource move` and `clear`.")
print("add/remove: until probe.py got the new share's handle / NFS4ERR_NOENT for the removed one; "
      "pause: the longest time between two answers for another share (probed every 20 ms) beyond "
      "their median, or a client's outage, during the add and the remove.")
print("idle: CPU of every process of the node (corosync, Pacemaker, dbus, clusres-rhs, agents, "
      "Ganesha), from /proc utime+stime+cutime+cstime, clients stopped, cluster settled.")
print("naive = Pacemaker restarting one NFS-Ganesha with all exports in its configuration "
      "(ocf:heartbeat:anything) + IPaddr2; add/remove: the export appended to its configuration "
      "file and AddExport/RemoveExport over D-Bus; naive-defaults: Grace_Period 90 s, "
      "Lease_Lifetime 60 s.")
if json_out:
    with open(json_out, "w") as f:
        for (s, n), r in sorted(rows.items()):
            if s in ("clusres", "naive"):
                f.write(json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                                    for k, v in r.items() if not k.startswith("_")}) + "\n")
    print(f"JSON: {json_out}")
EOF
