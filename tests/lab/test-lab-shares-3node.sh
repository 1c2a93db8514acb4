#!/bin/bash
# test-lab-shares-3node: three nodes, two shares and a VIP homed on each (the README's admin
# workflow for node1/node2, the same commands for node3), three NFS clients keeping one session
# each through the three VIPs for the whole test while
#   1. each node in turn is killed (kill -9 of its stack): its group moves to a survivor, whose
#      GSM is Failover and whose per-home-node opposite counts hold the dead node's 2 shares;
#      the node is restarted and its group fails back (the survivor's count for it drops to 0);
#   2. a network partition cuts node3 off: the minority node is fenced by the majority, its
#      group comes up on a survivor, and fails back after heal + restart.
# Throughout: no VIP and no export ever active on two nodes (watcher), and in the end no client
# lost an acknowledged write or saw a stale file handle; the clients' outages are printed.
# Needs root.  TAP.  CLUSRES_BUILD_DIR: a meson build dir with prefix /usr.
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
BUILD=${CLUSRES_BUILD_DIR:-$(readlink -f "$HERE/../..")/build}
WORK=$(mktemp -d /tmp/lab-shares3.XXXXXX)
# shellcheck source=shares.sh
. "$HERE/shares.sh"
SHARES_CLIENT=$BUILD/tests/nfs-client/clusres-nfs-client
ALL="node1 node2 node3"
declare -A GROUP=([node1]=a [node2]=b [node3]=c)
declare -A VIP=([a]=198.18.0.100 [b]=198.18.0.101 [c]=198.18.0.102)

shares_test_begin

alive_except() { local n; for n in $ALL; do [ "$n" = "$1" ] || echo "$n"; done | tr '\n' ' '; }
fence_offs() { grep -c ' off ' "$LAB_DIR/state/fence.log" 2>/dev/null || true; }
clients_wait() { # clients_wait WHAT: after the cluster side of an event, all clients write again
	if shares_client_wait_served a 60 && shares_client_wait_served b 60 &&
		shares_client_wait_served c 60; then
		ok "$1: all three clients write again"
	else
		not_ok "$1: all three clients write again"
	fi
}

###############################################################################################
"$LAB" up 3 --clients 1 --stage "$STAGE" >&2 || bail "lab up 3 failed"
ok "lab up 3 --clients 1"
if shares_configure node1 && shares_ex node1 bash -e -c "$(shares_group_commands c node3 "${VIP[c]}")" >&2; then
	ok "README admin workflow (groups a, b) + the same commands for node3 (group c)"
else
	not_ok "README admin workflow (groups a, b) + the same commands for node3 (group c)"
fi
for n in $ALL; do
	check "shares-${GROUP[$n]} started on its home $n" quiet shares_wait_group "${GROUP[$n]}" "$n" 90
done
shares_watch_start $ALL
for g in a b c; do shares_client_start "$g" "${VIP[$g]}" "/${g}1"; done
clients_wait "start"

# 1. Each node fails in turn -------------------------------------------------------------------
for n in $ALL; do
	g=${GROUP[$n]}
	others=$(alive_except "$n")
	shares_event "kill -9 $n"
	t0=$(now_ms)
	"$LAB" kill "$n"
	to=""
	deadline=$(($(now_ms) + 60000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		to=$(shares_where "vip-$g" "$others")
		[ -n "$to" ] && [ "$to" != "$n" ] && quiet shares_wait_group "$g" "$to" 5 "$others" && break
		to=""
		sleep 0.2
	done
	if [ -n "$to" ]; then
		ok "kill -9 $n: shares-$g on $to after $(($(now_ms) - t0)) ms"
		check_status "$to" "share-${g}1" "GlobalState=Failover LocalState=Failover NodesMatch=0 .*OPNodeShareCounts=\[.*'$n=2'.*\]" \
			"$to: GSM Failover, ${g}1 LSM Failover, opposite count for $n = 2"
	else
		not_ok "kill -9 $n: shares-$g on a survivor"
	fi
	clients_wait "$n killed"
	shares_event "$n restarted (failback)"
	t0=$(now_ms)
	check "lab restart $n" "$LAB" restart "$n"
	if quiet shares_wait_group "$g" "$n" 60; then
		ok "$n back: shares-$g failed back ($(($(now_ms) - t0)) ms after the restart began)"
	else
		not_ok "$n back: shares-$g failed back"
	fi
	if [ -n "$to" ]; then
		h=${GROUP[$to]}
		check_status "$to" "share-${h}1" "OPNodeShareCount=0 OPNodeShareCounts=\[\]" \
			"$to: no opposite-node share left after the failback"
	fi
	check_status "$n" "share-${g}1" "GlobalState=Online LocalState=Online NodesMatch=1 .*NodeShareCount=2" \
		"$n: GSM Online, counts its 2 shares again"
	clients_wait "$n back"
done

# 2. Partition: node3 cut off (minority) ---------------------------------------------------------
offs0=$(fence_offs)
shares_event "partition: node3 cut off"
t0=$(now_ms)
"$LAB" cut node3
if wait_until 60 sh -c "[ \$(grep -c ' off ' '$LAB_DIR/state/fence.log' 2>/dev/null) -gt $offs0 ]"; then
	ok "cut node3: a node was fenced after $(($(now_ms) - t0)) ms"
else
	not_ok "cut node3: a node was fenced"
fi
check "the fenced node is node3, the minority" sh -c "grep ' off ' '$LAB_DIR/state/fence.log' | tail -n1 | grep -q ' off node3 '"
to=""
deadline=$(($(now_ms) + 60000))
while [ "$(now_ms)" -lt "$deadline" ]; do
	to=$(shares_where vip-c "node1 node2")
	[ -n "$to" ] && [ "$to" != node3 ] && quiet shares_wait_group c "$to" 5 "node1 node2" && break
	to=""
	sleep 0.2
done
check "shares-c on a majority node (${to:-none})" [ -n "$to" ]
# node3 is dead once fenced: from then on nobody is left who could fence again (node3 had no
# quorum anyway, and the majority fenced the node it lost).
node3_dead() { ! "$LAB" status | grep -q '^node3 .*pacemakerd=yes'; }
check "node3's stack is dead (fenced)" wait_until 30 node3_dead
check "exactly one fencing for the partition" [ "$(fence_offs)" -eq $((offs0 + 1)) ]
homes_kept() { [ "$(shares_where vip-a "node1 node2")" = node1 ] && [ "$(shares_where vip-b "node1 node2")" = node2 ]; }
check "node1 and node2 still run their own groups" homes_kept
clients_wait "partition"
"$LAB" heal node3
shares_event "node3 healed and restarted"
check "lab restart node3 after heal" "$LAB" restart node3
check "shares-c failed back to node3" quiet shares_wait_group c node3 60
clients_wait "node3 back"

shares_watch_stop
for g in a b c; do
	if ! shares_client_stop "$g"; then
		not_ok "client $g wrote its report"
		continue
	fi
	check "client $g (${VIP[$g]}): no acknowledged write lost ($(shares_client_field "$g" acked) acked)" \
		[ "$(shares_client_field "$g" lost)" = 0 ]
	check "client $g: no stale file handle in one session over 8 events" [ "$(shares_client_field "$g" stale)" = 0 ]
	diag "client $g: longest gap $(shares_client_field "$g" gap_max_s) s, reconnects $(shares_client_field "$g" reconnects)"
	diag "client $g: longest gap per event (s):"
	shares_client_gaps "$g" | awk -F'\t' '{printf "#   %-30s %6.2f\n", $1, $2}'
done
rounds=$(cat "$WORK/watch.rounds" 2>/dev/null || echo 0)
if [ -s "$WORK/twice.log" ]; then
	not_ok "no VIP or export active on two nodes ($rounds watch rounds)"
	indent <"$WORK/twice.log"
else
	check "no VIP or export active on two nodes ($rounds watch rounds)" [ "$rounds" -gt 100 ]
fi
tap_done
