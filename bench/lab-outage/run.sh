#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/lab-outage/run.sh BUILD_DIR: the outage an NFS client sees when a node fails, fails back
# or a share group is moved, on the two-node lab cluster (tests/lab), printed side by side with
#   (a) the failure-detection bound of the cluster's Corosync timeouts (token + consensus, read
#       from the running corosync), and
#   (b) the setup a user would otherwise build: Pacemaker restarting one NFS-Ganesha daemon that
#       has the full export list in its configuration (ocf:heartbeat:anything), plus an
#       ocf:heartbeat:IPaddr2 VIP, the same export ids (file handles survive) and Ganesha's
#       default recovery directory (each node's own /var/lib/nfs/ganesha); once with Ganesha's
#       defaults (Grace_Period 90 s, Lease_Lifetime 60 s) and once with the same grace/lease as
#       the clusres lab (so the difference is not only configuration).
# clusres is set up with the README's admin workflow.  One NFS test client keeps one session
# through all events of a setup (as real clients do); its outages are attributed to events.
# Needs root; one lab per machine (takes the lab lock).  Environment: ROUNDS (clusres rounds
# of kill/failback and of move/move back, default 3), NAIVE_ROUNDS (default 1), SKIP_NAIVE=1,
# SKIP_DEFAULTS=1 (skip the slow naive run with Ganesha's defaults).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(readlink -f "${1:?usage: run.sh BUILD_DIR (configured with --prefix=/usr)}")
rounds=${ROUNDS:-3}
naive_rounds=${NAIVE_ROUNDS:-1}
LAB=$top/tests/lab/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
WORK=$(mktemp -d /tmp/bench-outage.XXXXXX)
# shellcheck source=../../tests/lab/shares.sh
. "$top/tests/lab/shares.sh"
# shellcheck source=../../tests/lib/tap.sh
. "$top/tests/lib/tap.sh" # now_ms, lab_lock
SHARES_CLIENT=$build/tests/nfs-client/clusres-nfs-client
RESULTS=$WORK/results # "setup<TAB>event<TAB>seconds" lines

die() { echo "bench/lab-outage: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
cleanup() {
	shares_client_kill_all
	"$LAB" down >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$SHARES_CLIENT" ] || die "no $SHARES_CLIENT (ninja -C $build)"
lab_lock || die "another lab user holds $LAB_LOCK"
stage=$("$top/tests/lib/stage.sh" "$build") || die "cannot stage $build"

# wait_group_on LETTER NODE ASK: the group runs on NODE (60 s)
placed() { shares_wait_group "$1" "$2" 90 "${3:-node1 node2}" >/dev/null; }
served() { shares_client_wait_served "$1" 120; }
# record SETUP CLIENT...: attribute each client's outages to the events meant for it
# (labels "CLIENT: event")
record() {
	local setup=$1 c
	shift
	for c in "$@"; do
		shares_client_stop "$c" || die "$setup: client $c wrote no report"
		[ "$(shares_client_field "$c" lost)" = 0 ] || log "$setup: client $c LOST acknowledged writes"
		[ "$(shares_client_field "$c" stale)" = 0 ] || log "$setup: client $c saw STALE file handles"
		shares_client_gaps "$c" | awk -F'\t' -v s="$setup" -v c="$c: " \
			'index($1, c) == 1 {print s "\t" substr($1, length(c) + 1) "\t" $2}' >>"$RESULTS"
		[ -s "$WORK/k$c.jsonl" ] && reclaims "$setup" "$c"
	done
	: >"$WORK/events"
}
# The wire checker beside client CLIENT (k<CLIENT>: tests/nfs-client/nfs4-state-check.py, an
# NFSv4.0 client holding an open and a lock on the same VIP): what the new server answered it
# after each of CLIENT's events: "setup<TAB>event<TAB>yes" when it saw NFS4ERR_STALE_CLIENTID for
# its old client id and its OPEN and LOCK reclaims were accepted, else the answers.
reclaims() { # reclaims SETUP CLIENT
	kill -TERM "$(cat "$WORK/k$2.pid")" 2>/dev/null
	python3 - "$WORK/k$2.jsonl" "$WORK/events" "$1" "$2: " >>"$WORK/reclaims" <<-'EOF'
		import json, sys
		evs = [json.loads(l) for l in open(sys.argv[1]) if '"reclaim"' in l]
		marks = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[2])]
		marks = [(float(t), label) for t, label in marks]
		setup, prefix = sys.argv[3], sys.argv[4]
		for i, (t, label) in enumerate(marks):
		    if not label.startswith(prefix):
		        continue
		    end = marks[i + 1][0] if i + 1 < len(marks) else float("inf")
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
		    print("%s\t%s\t%s" % (setup, label[len(prefix):], verdict))
	EOF
}
# kcheck_start CLIENT VIP EXPORT: the wire checker beside CLIENT
kcheck_start() {
	"$LAB" exec client1 python3 "$top/tests/nfs-client/nfs4-state-check.py" --server "$2" \
		--export "$3" --file "k$1" --id "bench-k$1-$$" --out "$WORK/k$1.jsonl" \
		>"$WORK/k$1.log" 2>&1 &
	echo $! >"$WORK/k$1.pid"
	disown
}
# in_grace SETUP NODE: records whether NODE's Ganesha is in grace right after it took a VIP
# over: only then can the failed server's clients reclaim their locks before anyone else.
in_grace() {
	local g
	g=$(shares_ex "$2" dbus-send --system --print-reply --reply-timeout=2000 \
		--dest=org.ganesha.nfsd /org/ganesha/nfsd/admin org.ganesha.nfsd.admin.get_grace \
		2>/dev/null | awk '/boolean/ {print $2; exit}')
	echo "$1 ${g:-unknown}" >>"$WORK/grace"
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

# kill_round SETUP CLIENT VICTIM OTHER KIND PLACED...: kill -9 VICTIM's stack, wait until
# `PLACED... OTHER OTHER` (the group on OTHER, as OTHER sees it), note whether OTHER's Ganesha is
# in grace, wait until CLIENT is served; then restart VICTIM, wait for `PLACED... VICTIM` and the
# client again.  Each kill goes to WORK/kills-SETUP as "epoch survivor client kind".
kill_round() {
	local setup=$1 c=$2 victim=$3 other=$4 kind=$5
	shift 5
	log "$setup: kill -9 $victim${kind:+ ($kind)}"
	shares_event "$c: node kill${kind:+ ($kind)}"
	echo "$(date +%s.%N) $other $c $kind" >>"$WORK/kills-$setup"
	"$LAB" kill "$victim"
	"$@" "$other" "$other" || die "$setup: no failover"
	in_grace "$setup" "$other"
	served "$c" || die "$setup: client not served after failover"
	sleep 2
	log "$setup: restart $victim (failback)"
	shares_event "$c: failback"
	"$LAB" restart "$victim" >/dev/null 2>&1 || die "$victim did not rejoin"
	"$@" "$victim" || die "$setup: no failback"
	served "$c" || die "$setup: client not served after failback"
	sleep 2
}
# move_round SETUP CLIENT GROUP PLACED...: `crm resource move GROUP node2`, then `clear` (home
# to node1), waiting each time for `PLACED... NODE` and for CLIENT to be served.
move_round() {
	local setup=$1 c=$2 group=$3
	shift 3
	log "$setup: crm resource move $group node2, then clear"
	shares_event "$c: planned move"
	shares_ex node1 crm resource move "$group" node2 >/dev/null 2>&1
	"$@" node2 || die "$setup: move failed"
	served "$c" || die "$setup: client not served after move"
	sleep 2
	shares_event "$c: move back"
	shares_ex node1 crm resource clear "$group" >/dev/null 2>&1
	"$@" node1 || die "$setup: move back failed"
	served "$c" || die "$setup: client not served after move back"
	sleep 2
}

# ---- clusres ------------------------------------------------------------------------------------
"$LAB" down >/dev/null 2>&1
log "clusres: lab up 2, README admin workflow"
"$LAB" up 2 --clients 1 --stage "$stage" >/dev/null 2>&1 || die "lab up failed"
shares_configure node1 2>/dev/null || die "admin workflow failed"
placed a node1 && placed b node2 || die "groups did not start"
read -r token consensus <<<"$(detection_bound node1)"
shares_client_start ca 198.18.0.100 /a1
shares_client_start cb 198.18.0.101 /b1
kcheck_start ca 198.18.0.100 /a1
kcheck_start cb 198.18.0.101 /b1
served ca && served cb || die "clients do not get served"
# Which node the DC is decides about one second of the failover: when the DC survives, its
# controller sleeps 1 s before the scheduler runs because its own CIB updates about the lost
# node are still pending (Pacemaker, do_pe_invoke_callback: "Re-asking for the CIB").  So the
# rounds alternate between killing the DC and killing the other node, and report both.
for ((i = 1; i <= 2 * rounds; i++)); do
	dc=$(dc_of node1)
	if ((i % 2)); then victim=$dc; else victim=$([ "$dc" = node1 ] && echo node2 || echo node1); fi
	other=$([ "$victim" = node1 ] && echo node2 || echo node1)
	g=$([ "$victim" = node1 ] && echo a || echo b)
	kind=$([ "$victim" = "$dc" ] && echo "the DC" || echo "not the DC")
	kill_round clusres "c$g" "$victim" "$other" "$kind" placed "$g"
done
# Planned moves come after a quiet period longer than the lease.
sleep 12
for ((i = 1; i <= rounds; i++)); do
	move_round clusres ca shares-a placed a
done
record clusres ca cb
# Where each failover's time went (the survivor's Pacemaker log, the client's report).
while read -r t survivor c kind; do
	python3 "$here/breakdown.py" "$LAB_DIR/$survivor/log-pacemaker/pacemaker.log" "$t" "${c#c}" \
		"$kind" "$WORK/$c.json" >>"$WORK/breakdown"
done <"$WORK/kills-clusres"
"$LAB" down >/dev/null 2>&1

# ---- naive: Pacemaker restarts one Ganesha with the full export list, plus IPaddr2 --------------
naive_setup() { # naive_setup GRACE LEASE (empty: Ganesha's defaults)
	local v4=""
	[ -z "$1" ] || v4="Grace_Period = $1; Lease_Lifetime = $2; "
	# The same exports (ids, pseudo paths, filesystem ids) the share driver would generate, so
	# file handles survive; the recovery database where Ganesha keeps it by default
	# (/var/lib/nfs/ganesha, on each node's own disk), as a user following Ganesha's defaults has.
	shares_ex node1 bash -e -c "
		mkdir -p /srv/nfs/.naive /srv/nfs/a1 /srv/nfs/a2 && chmod 1777 /srv/nfs/a1 /srv/nfs/a2
		cat >/srv/nfs/.naive/ganesha.conf <<-EOF
			NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }
			NFSV4 { ${v4}}
			EXPORT { Export_Id = 3352; Path = \"/srv/nfs/a1\"; Pseudo = \"/a1\"; Access_Type = RW;
				Squash = Root_Squash; Protocols = 4; Transports = TCP; SecType = sys;
				Filesystem_Id = 3352.3352; FSAL { Name = VFS; } }
			EXPORT { Export_Id = 4523; Path = \"/srv/nfs/a2\"; Pseudo = \"/a2\"; Access_Type = RW;
				Squash = Root_Squash; Protocols = 4; Transports = TCP; SecType = sys;
				Filesystem_Id = 4523.4523; FSAL { Name = VFS; } }
		EOF
		crm configure <<-'CRM'
			primitive nfs-daemon ocf:heartbeat:anything \\
			  params binfile=/usr/bin/ganesha.nfsd pidfile=/run/ganesha-naive.pid \\
			    cmdline_options=\"-F -f /srv/nfs/.naive/ganesha.conf -L /var/log/ganesha/naive.log -p /run/ganesha.nfsd.pid\" \\
			  op monitor interval=10s timeout=20s
			primitive vip-a ocf:heartbeat:IPaddr2 params ip=198.18.0.100 cidr_netmask=24 \\
			  op monitor interval=2s
			group nfs nfs-daemon vip-a
			location nfs-home nfs 100: node1
			commit
		CRM
	" >/dev/null 2>&1
}
naive_placed() { # naive_placed NODE [ASK]
	local t0=$SECONDS
	until [ "$(shares_where vip-a "${2:-node1 node2}")" = "$1" ] &&
		[ "$(shares_where nfs-daemon "${2:-node1 node2}")" = "$1" ]; do
		((SECONDS - t0 < 90)) || return 1
		sleep 0.2
	done
}
naive_run() { # naive_run NAME GRACE LEASE LAB-GRACE-OPTS...
	local name=$1 grace=$2 lease=$3 i
	shift 3
	log "$name: lab up 2 $*"
	"$LAB" up 2 --clients 1 --stage "$stage" "$@" >/dev/null 2>&1 || die "lab up failed"
	# What the nfs-ganesha package creates: the default recovery directory, on each node.
	shares_ex node1 mkdir -p /var/lib/nfs/ganesha && shares_ex node2 mkdir -p /var/lib/nfs/ganesha
	naive_setup "$grace" "$lease" || die "naive setup failed"
	naive_placed node1 || die "naive group did not start"
	shares_client_start cn 198.18.0.100 /a1
	kcheck_start cn 198.18.0.100 /a1
	served cn || die "$name: client does not get served"
	for ((i = 1; i <= naive_rounds; i++)); do
		kill_round "$name" cn node1 node2 "" naive_placed
	done
	sleep 12
	for ((i = 1; i <= naive_rounds; i++)); do
		move_round "$name" cn nfs naive_placed
	done
	record "$name" cn
	"$LAB" down >/dev/null 2>&1
}
if [ "${SKIP_NAIVE:-0}" != 1 ]; then
	naive_run "naive-10" 10 10 --grace 10 --lease 10
	[ "${SKIP_DEFAULTS:-0}" = 1 ] || naive_run "naive-defaults" "" "" --grace default --lease default
fi

# ---- Report -------------------------------------------------------------------------------------
echo "Ganesha in grace right after taking a VIP over (the failed server's clients can reclaim"
echo "their state and locks before any other client can take them):"
awk '{n[$1]++; if ($2 == "true") y[$1]++} END {for (s in n) printf "  %-16s %d of %d failovers\n", s, y[s], n[s]}' "$WORK/grace" | sort
echo
echo "clusres failovers, seconds after the kill -9 (survivor's Pacemaker log; client report):"
printf '  %-12s %6s %7s %10s %7s %7s %7s\n' "victim was" lost policy scheduled fenced vip-up served
awk -F'\t' '{printf "  %-12s %6s %7s %10s %7s %7s %7s\n", $1, $2, $3, $4, $5, $6, $7}' "$WORK/breakdown"
echo "  (lost: corosync's new membership reached the controller; scheduled - policy = 1 s is"
echo "   Pacemaker's own sleep when CIB updates are pending; served: the client's outage ended)"
echo
touch "$WORK/reclaims"
python3 - "$RESULTS" "$token" "$consensus" "$rounds" "$naive_rounds" "$WORK/reclaims" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
recl = [l.rstrip("\n").split("\t") for l in open(sys.argv[6]) if l.strip()]
token, consensus = int(sys.argv[2]), int(sys.argv[3])
bound = (token + consensus) / 1000
setups = [("clusres", "clusres"), ("naive-10", "naive, grace 10"),
          ("naive-defaults", "naive, defaults")]
setups = [(s, l) for s, l in setups if any(r[0] == s for r in rows)]
events = [("node kill (the DC)", "node kill: the DC"),
          ("node kill (not the DC)", "node kill: not the DC"),
          ("node kill", "node kill (naive: either)"),
          ("failback", "failback (node back)"),
          ("planned move", "crm resource move"), ("move back", "crm resource clear")]
def cell(s, e):
    v = [float(r[2]) for r in rows if r[0] == s and r[1] == e]
    if not v:
        return "-"
    if len(v) == 1:
        return f"{v[0]:.2f}"
    return f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"
print(f"client-observed outage through the VIP, s: median (min-max) over {sys.argv[4]} "
      f"rounds (clusres, each kind) / {sys.argv[5]} (naive)")
print(f"{'':28s}" + "".join(f"{l:>24s}" for _, l in setups))
def reclaimed(s, e):
    v = [r[2] for r in recl if r[0] == s and r[1] == e]
    return f"{sum(x == 'yes' for x in v)}/{len(v)} reclaimed" if v else "-"
for e, label in events:
    if any(r[1] == e for r in rows):
        print(f"{label:28s}" + "".join(f"{cell(s, e):>24s}" for s, _ in setups))
        print(f"{'':28s}" + "".join(f"{reclaimed(s, e):>24s}" for s, _ in setups))
print("reclaimed: the wire checker on the same VIP got NFS4ERR_STALE_CLIENTID for its old client id")
print("and its OPEN (CLAIM_PREVIOUS) and LOCK reclaims accepted, as RFC 7530 requires")
for r in recl:
    if r[2] != "yes":
        print(f"  {r[0]} {r[1]}: {r[2]}")
print(f"(a) detection bound: token {token} ms + consensus {consensus} ms = {bound:.2f} s")
print("naive = Pacemaker restarting one NFS-Ganesha with the full export list "
      "(ocf:heartbeat:anything) + IPaddr2; defaults = Grace_Period 90 s, Lease_Lifetime 60 s")
def worst(pred):
    v = [float(r[2]) for r in rows if r[0] == "clusres" and pred(r[1])]
    return max(v) if v else None
for label, pred in [("node kill, the DC", lambda e: e == "node kill (the DC)"),
                    ("node kill, not the DC", lambda e: e == "node kill (not the DC)")]:
    w = worst(pred)
    if w is not None:
        print(f"target: {label} <= detection + 2 s = {bound + 2:.2f} s (worst {w:.2f}): "
              + ("PASS" if w <= bound + 2 else "FAIL"))
w = worst(lambda e: e in ("planned move", "move back"))
if w is not None:
    print(f"target: planned move < 1 s (worst {w:.2f}): " + ("PASS" if w < 1 else "FAIL"))
EOF
