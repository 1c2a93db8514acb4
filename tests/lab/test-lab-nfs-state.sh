#!/bin/bash
# test-lab-nfs-state: what an NFSv4 client is answered after every cluster event, checked on the
# wire (RFC 7530 / RFC 8881), on a real two-node cluster set up with the README's admin workflow.
# Clients (tests/nfs-client/nfs4-state-check.py, on client1) hold an open file and a byte-range
# lock through a VIP and keep their lease:
#   a40, a41   NFSv4.0 / NFSv4.1 on VIP a (share a1), with a probe client
#   b40, b41   the same on VIP b (share b1)
#   alate      NFSv4.0 on VIP a that starts reclaiming (lease - 5 s) after the VIP answers again
#   amany      1000 NFSv4.0 clients on VIP a (share a2) over 16 connections, reclaiming at once
# Events, three rounds in a row: planned move of shares-a to node2 and back (crm resource move /
# clear), a node kill (node1, node2, node1: kill -9 of the whole stack, fencing) and its failback
# (the node restarted), and a Ganesha crash (kill -9; node2, node1, node2).  After each, every
# client whose VIP moved or whose server restarted must see:
#   old client id -> NFS4ERR_STALE_CLIENTID (4.1: old session -> NFS4ERR_BADSESSION);
#   SETCLIENTID/EXCHANGE_ID + OPEN CLAIM_PREVIOUS + LOCK reclaim + WRITE -> NFS4_OK;
#   4.1: RECLAIM_COMPLETE -> NFS4_OK;
# and the probe: a non-reclaim OPEN and a LOCKT -> NFS4ERR_GRACE during grace; grace lasting at
# least Grace_Period from the moment the VIP answered; after it, a LOCK of the held range ->
# NFS4ERR_DENIED (the reclaimed lock is still held) and a reclaim -> NFS4ERR_NO_GRACE.  Clients
# of the other VIP see no event.  A watcher checks that no VIP and no export is ever active on
# two nodes.  Needs root.  TAP.  CLUSRES_BUILD_DIR: a meson build dir with prefix /usr.
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
BUILD=${CLUSRES_BUILD_DIR:-$(readlink -f "$HERE/../..")/build}
WORK=$(mktemp -d /tmp/lab-nfs-state.XXXXXX)
# shellcheck source=shares.sh
. "$HERE/shares.sh"
SHARES_CLIENT=$BUILD/tests/nfs-client/clusres-nfs-client
CHECK=$(readlink -f "$HERE/../nfs-client/nfs4-state-check.py")
VIP_A=198.18.0.100
VIP_B=198.18.0.101
GRACE=8
LEASE=8
ROUNDS=${NFS_STATE_ROUNDS:-3}
MANY=${NFS_STATE_MANY:-1000}

shares_test_begin

# ---- clients -----------------------------------------------------------------------------
start_check() { # start_check NAME VIP EXPORT ARGS...
	local name=$1 vip=$2 export=$3
	shift 3
	"$LAB" exec client1 python3 "$CHECK" --server "$vip" --export "$export" --file "f-$name" \
		--id "lab-$name" --lease "$LEASE" --out "$WORK/$name.jsonl" "$@" \
		>"$WORK/$name.log" 2>&1 &
	echo $! >"$WORK/$name.pid"
	disown
}
lines() { grep -c "\"ev\": \"$2\"" "$WORK/$1.jsonl" 2>/dev/null; } # lines NAME EVENT
ready() { [ "$(lines "$1" ready)" = 1 ]; }
has_line() { [ "$(lines "$1" "$2")" -ge "$3" ]; } # has_line NAME EVENT N

# verify NAME N KIND: the checks of event N for client NAME (KIND: probe, reclaim), as TAP
verify() {
	local out
	if out=$(python3 - "$WORK/$1.jsonl" "$2" "$3" "$GRACE" <<-'EOF'
		import json, sys
		path, n, kind, grace = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
		evs = [json.loads(l) for l in open(path)]
		rec = [e for e in evs if e["ev"] in ("reclaim", "failed") and e["n"] == n]
		bad = []
		if not rec or rec[0]["ev"] == "failed":
		    print("no reclaim: %s" % (rec[0] if rec else "no event line")); sys.exit(1)
		r = rec[0]
		a, minor = r["answers"], 1 if "old_session" in r["answers"] else 0
		want = {"old_clientid": "NFS4ERR_STALE_CLIENTID", "establish": "NFS4_OK",
		        "reclaim_open": "NFS4_OK", "reclaim_lock": "NFS4_OK", "write": "NFS4_OK"}
		if minor:
		    want.update(old_session="NFS4ERR_BADSESSION", reclaim_complete="NFS4_OK")
		for check, status in want.items():
		    got = a.get(check, {})
		    if set(got) != {status}:
		        bad.append("%s=%s (want %s)" % (check, got, status))
		summary = "reclaims %s" % sum(a.get("reclaim_lock", {}).values())
		if kind == "probe":
		    g = [e for e in evs if e["ev"] == "after_grace" and e["n"] == n]
		    if not g or "failed" in g[0]:
		        bad.append("probe: %s" % (g[0] if g else "no after_grace line"))
		    else:
		        pa = g[0]["answers"]
		        want = {"other_open": "NFS4ERR_GRACE", "other_lockt": "NFS4ERR_GRACE",
		                "open_after_grace": "NFS4_OK", "other_lock": "NFS4ERR_DENIED",
		                "late_reclaim": "NFS4ERR_NO_GRACE"}
		        for check, status in want.items():
		            if pa.get(check) != status:
		                bad.append("%s=%s (want %s)" % (check, pa.get(check), status))
		        # Ganesha's reaper ends grace on its tick after Grace_Period: never before.
		        if g[0]["grace_s"] < grace - 0.5:
		            bad.append("grace lasted %.1f s after the VIP answered (< %g)" %
		                       (g[0]["grace_s"], grace))
		        summary += ", grace %.1f s" % g[0]["grace_s"]
		print("; ".join(bad) if bad else summary)
		sys.exit(1 if bad else 0)
	EOF
	); then ok "$1 event $2: $out"; else
		not_ok "$1 event $2"
		diag "$out"
	fi
}

PROBES="a40 a41 b40 b41"
ALL="a40 a41 b40 b41 alate amany"
declare -A EVENTS
for c in $ALL; do EVENTS[$c]=0; done
# after_event WHAT CLIENTS...: each of CLIENTS saw one more event, every other client none.
after_event() {
	local what=$1 c kind timeout
	shift
	for c in "$@"; do
		EVENTS[$c]=$((EVENTS[$c] + 1))
		case " $PROBES " in *" $c "*) kind=probe ;; *) kind=reclaim ;; esac
		timeout=$((GRACE * 4 + 90))
		if [ $kind = probe ]; then
			wait_until "$timeout" has_line "$c" after_grace "${EVENTS[$c]}" ||
				wait_until 5 has_line "$c" failed 1
		else
			wait_until "$timeout" has_line "$c" reclaim "${EVENTS[$c]}" ||
				wait_until 5 has_line "$c" failed 1
		fi
		verify "$c" "${EVENTS[$c]}" "$kind"
	done
	for c in $ALL; do
		if [ "$(lines "$c" reclaim)" != "${EVENTS[$c]}" ]; then
			not_ok "$what: $c saw $(lines "$c" reclaim) events, expected ${EVENTS[$c]}"
		fi
	done
}
group_on() { quiet shares_wait_group "$1" "$2" 120; }
new_ganesha() { local p; p=$(shares_ganesha_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ]; }

###############################################################################################
"$LAB" up 2 --clients 1 --stage "$STAGE" --grace "$GRACE" --lease "$LEASE" >&2 ||
	bail "lab up 2 failed"
ok "lab up 2 --clients 1 (Grace_Period $GRACE s, Lease_Lifetime $LEASE s)"
if shares_configure node1; then ok "README admin workflow ran verbatim on node1"; else
	not_ok "README admin workflow ran verbatim on node1"
fi
check "shares-a on node1" group_on a node1
check "shares-b on node2" group_on b node2
e1=$(ps -o args= -p "$(shares_ganesha_pid node1)" | sed -n 's/.* -E \([0-9]*\).*/\1/p')
e2=$(ps -o args= -p "$(shares_ganesha_pid node2)" | sed -n 's/.* -E \([0-9]*\).*/\1/p')
check "each node's Ganesha runs with an epoch of its own (node1 $e1, node2 $e2)" \
	sh -c "[ -n '$e1' ] && [ -n '$e2' ] && [ '$e1' != '$e2' ]"
shares_watch_start node1 node2
start_check a40 "$VIP_A" /a1 --minor 0 --probe
start_check a41 "$VIP_A" /a1 --minor 1 --probe
start_check b40 "$VIP_B" /b1 --minor 0 --probe
start_check b41 "$VIP_B" /b1 --minor 1 --probe
start_check alate "$VIP_A" /a1 --minor 0 --reclaim-delay $((LEASE - 5))
start_check amany "$VIP_A" /a2 --minor 0 --clients "$MANY" --conns 16
for c in $ALL; do
	if wait_until 120 ready "$c"; then ok "$c holds its open and lock"; else
		not_ok "$c holds its open and lock"
		cat "$WORK/$c.log" | indent
	fi
done

for ((round = 1; round <= ROUNDS; round++)); do
	# Planned move, both directions.
	shares_event "round $round: move shares-a to node2"
	shares_ex node1 crm resource move shares-a node2 >/dev/null 2>&1
	check "round $round: shares-a moved to node2" group_on a node2
	after_event "move to node2" a40 a41 alate amany
	shares_event "round $round: move shares-a back"
	shares_ex node1 crm resource clear shares-a >/dev/null 2>&1
	check "round $round: shares-a back on node1" group_on a node1
	after_event "move back" a40 a41 alate amany

	# Node kill and failback: node1, node2, node1.
	if ((round % 2)); then victim=node1 other=node2 g=a moved="a40 a41 alate amany"; else
		victim=node2 other=node1 g=b moved="b40 b41"
	fi
	shares_event "round $round: kill -9 $victim"
	"$LAB" kill "$victim"
	check "round $round: kill -9 $victim: shares-$g on $other" quiet shares_wait_group "$g" "$other" 120 "$other"
	after_event "failover from $victim" $moved
	shares_event "round $round: $victim back (failback)"
	"$LAB" restart "$victim" >&2 || not_ok "round $round: restart $victim"
	check "round $round: failback: shares-$g on $victim" group_on "$g" "$victim"
	after_event "failback to $victim" $moved

	# Ganesha crash: node2, node1, node2.
	if ((round % 2)); then node=node2 crashed="b40 b41"; else node=node1 crashed="a40 a41 alate amany"; fi
	old=$(shares_ganesha_pid "$node")
	shares_event "round $round: kill -9 Ganesha on $node"
	kill -9 "$old"
	check "round $round: Ganesha on $node restarted" wait_until 90 new_ganesha "$node" "$old"
	after_event "Ganesha restart on $node" $crashed
done

shares_watch_stop
if [ -s "$WORK/twice.log" ]; then
	not_ok "no VIP or export active on two nodes"
	indent <"$WORK/twice.log"
else
	ok "no VIP or export active on two nodes ($(cat "$WORK/watch.rounds" 2>/dev/null) watch rounds)"
fi
for c in $ALL; do
	[ -f "$WORK/$c.pid" ] && kill -TERM "$(cat "$WORK/$c.pid")" 2>/dev/null
done
tap_done
