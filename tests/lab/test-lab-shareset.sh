#!/bin/bash
# test-lab-shareset: 100 NFS shares in one share set (ocf:clusres:shareset) on a real two-node
# cluster, set up with the README's two admin workflows (run verbatim, the set's with N=100),
# with NFS clients on the first, a middle and the last share through the set's VIP while:
#   1. failover: kill -9 of node1's whole stack -> the set and its VIP on node2;
#   2. failback: node1 restarted -> home again;
#   3. planned move: `crm resource move set-s node2`, then `crm resource clear set-s`.
# After each event all 100 shares are exported by exactly the node that runs the set.  The
# clients keep one session each: no acknowledged write lost, no stale file handle, and each
# reclaimed its state in grace with none refused; a watcher checks all along that no VIP and no
# export is ever active on two nodes.  Needs root.  TAP.  CLUSRES_BUILD_DIR: a meson build dir
# with prefix /usr.
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
BUILD=${CLUSRES_BUILD_DIR:-$(readlink -f "$HERE/../..")/build}
WORK=$(mktemp -d /tmp/lab-shareset.XXXXXX)
# shellcheck source=shares.sh
. "$HERE/shares.sh"
SHARES_CLIENT=$BUILD/tests/nfs-client/clusres-nfs-client
N=100
VIP_S=198.18.0.105
CLIENTS=(s001 s050 s100)

shares_test_begin

# set_on NODE: the set and its VIP both run on NODE
set_on() { [ "$(shares_where shares-s "node1 node2")" = "$1" ] && [ "$(shares_where vip-s "node1 node2")" = "$1" ]; }
# member_exports NODE: how many of the set's shares NODE's Ganesha exports
member_exports() { shares_exports "$1" | grep -c '^/srv/nfs/s[0-9]*$'; }
# all_on NODE OTHER: every member exported on NODE, none on OTHER
all_on() { [ "$(member_exports "$1")" = "$N" ] && [ "$(member_exports "$2")" = 0 ]; }
clients_wait() { # clients_wait WHAT
	local c ok=1
	for c in "${CLIENTS[@]}"; do shares_client_wait_served "$c" 60 || ok=0; done
	[ $ok = 1 ] && ok "$1: every client writes again" || not_ok "$1: every client writes again"
}
placed() { # placed WHAT NODE OTHER T0
	if wait_until 120 set_on "$2"; then
		ok "$1: set-s on $2 after $(($(now_ms) - $4)) ms"
	else
		not_ok "$1: set-s on $2"
		shares_ex "$2" crm_mon -1 --include=failcounts,operations 2>&1 | tail -n 20 | indent
	fi
	check "$1: all $N shares exported on $2 and none on $3" wait_until 30 all_on "$2" "$3"
}

###############################################################################################
"$LAB" up 2 --clients 1 --stage "$STAGE" >&2 || bail "lab up 2 failed"
ok "lab up 2 --clients 1"
check "README admin workflow ran verbatim on node1" shares_configure node1
check "README share-set workflow ran verbatim on node1 with N=$N" shares_set_configure "$N" node1
t0=$(now_ms)
placed "start" node1 node2 "$t0"
check "clusresctl shares on node1: $N members of shares-s online" sh -c \
	"[ \"\$('$LAB' exec node1 clusresctl shares | grep -c 'shares-s .*Online')\" = $N ]"
shares_watch_start node1 node2
for c in "${CLIENTS[@]}"; do shares_client_start "$c" "$VIP_S" "/$c"; done
clients_wait "start"

shares_event "failover (kill -9 node1)"
t0=$(now_ms)
"$LAB" kill node1
placed "kill -9 node1" node2 node1 "$t0"
clients_wait "failover"

shares_event "failback (node1 restarted)"
t0=$(now_ms)
check "lab restart node1 (rejoins)" "$LAB" restart node1
placed "failback" node1 node2 "$t0"
clients_wait "failback"

shares_event "planned move to node2"
t0=$(now_ms)
shares_ex node1 crm resource move set-s node2 >/dev/null 2>&1
placed "crm resource move set-s node2" node2 node1 "$t0"
clients_wait "move to node2"
shares_event "planned move back to node1"
t0=$(now_ms)
shares_ex node1 crm resource clear set-s >/dev/null 2>&1
placed "crm resource clear set-s" node1 node2 "$t0"
clients_wait "move back"

for c in "${CLIENTS[@]}"; do
	if ! shares_client_stop "$c"; then
		not_ok "client $c wrote its report"
		tail -n 5 "$WORK/$c.log" | indent
		continue
	fi
	check "client $c: acknowledged writes ($(shares_client_field "$c" acked))" \
		[ "$(shares_client_field "$c" acked)" -gt 0 ]
	check "client $c: no acknowledged write lost" [ "$(shares_client_field "$c" lost)" = 0 ]
	check "client $c: no stale file handle in its one session" [ "$(shares_client_field "$c" stale)" = 0 ]
	check "client $c: reclaimed in grace ($(shares_client_field "$c" reclaims)), none refused" \
		[ "$(shares_client_field "$c" reclaims)" -gt 0 ] && [ "$(shares_client_field "$c" reclaim_refused)" = 0 ]
	diag "client $c: longest gap per event (s):"
	shares_client_gaps "$c" | awk -F'\t' '{printf "#   %-30s %6.2f\n", $1, $2}'
done
shares_watch_stop
rounds=$(cat "$WORK/watch.rounds" 2>/dev/null || echo 0)
if [ -s "$WORK/twice.log" ]; then
	not_ok "no VIP or export active on two nodes ($rounds watch rounds)"
	indent <"$WORK/twice.log"
else
	check "no VIP or export active on two nodes ($rounds watch rounds)" [ "$rounds" -gt 100 ]
fi
tap_done
