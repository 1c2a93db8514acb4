#!/bin/bash
# test-lab-partition: cut the network of one node of a 2-node cluster (two_node: both halves keep
# quorum and race to fence each other).  Exactly one node must end up fenced, and the VIP must
# never be configured on both nodes at once: both nodes' eth0 are sampled every 200 ms for the
# whole test.  priority-fencing-delay + a priority on the VIP make the VIP's node win the race.
# Needs root.  TAP output.
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
VIP=198.18.0.100
SAMPLES=$(mktemp /tmp/lab-partition.XXXXXX)
poller=""

cleanup() {
	[ -n "$poller" ] && kill "$poller" 2>/dev/null && wait "$poller" 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -f "$SAMPLES"
}
lab_test_begin cleanup
"$LAB" up 2 --clients 1 >&2 || bail "lab up 2 failed"
ok "lab up 2 --clients 1"

has_vip() { ip -n "clr-$1" -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }
stack_alive() { "$LAB" status | grep -q "^$1 .*pacemakerd=yes"; }
fence_offs() { grep -c ' off ' "$LAB_DIR/state/fence.log" 2>/dev/null || true; }

"$LAB" exec node1 crm configure property priority-fencing-delay=5s >&2
"$LAB" exec node1 crm configure primitive vip ocf:heartbeat:IPaddr2 \
	params ip=$VIP cidr_netmask=24 nic=eth0 meta priority=10 op monitor interval=5s >&2
"$LAB" exec node1 crm configure location vip-prefers-node1 vip 50: node1 >&2
check "VIP up on node1" wait_until 30 has_vip node1

# Sampler: one line per 200 ms: "<ms> <vip on node1> <vip on node2>"
(
	trap 'exit 0' TERM
	next=$(now_ms)
	while :; do
		a=0 b=0
		has_vip node1 && a=1
		has_vip node2 && b=1
		echo "$(now_ms) $a $b" >>"$SAMPLES"
		next=$((next + 200))
		rest=$((next - $(now_ms)))
		[ "$rest" -gt 0 ] && sleep "0.$(printf %03d "$rest")"
	done
) &
poller=$!

# The sampler runs (a few samples of the healthy cluster) before the cut.
sampled() { [ "$(wc -l <"$SAMPLES")" -ge 5 ]; }
wait_until 20 sampled || bail "the VIP sampler does not run"
t0=$(now_ms)
"$LAB" cut node1
ok "cut node1 (holds the VIP)"
if wait_until 60 sh -c "[ \$(grep -c ' off ' '$LAB_DIR/state/fence.log' 2>/dev/null) -ge 1 ]"; then
	ok "a node was fenced"
	diag "cut -> first fencing: $(($(now_ms) - t0)) ms"
else
	not_ok "a node was fenced"
fi
# The race is over once one node is dead and the other has recorded that fencing as done: a
# dead node fences nobody, so the delayed side of the race (node2's, priority-fencing-delay
# 5 s) can no longer happen.
fenced() { # fenced WINNER LOSER
	stack_alive "$1" && ! stack_alive "$2" &&
		"$LAB" exec "$1" stonith_admin --history "$2" 2>/dev/null | grep -q "reboot of $2 successful"
}
race_over() { fenced node1 node2 || fenced node2 node1; }
check "the fencing race is over (one node dead, its fencing recorded)" wait_until 60 race_over
check "exactly one fencing happened ($(fence_offs))" [ "$(fence_offs)" -eq 1 ]
diag "fence log: $(tr '\n' ';' <"$LAB_DIR/state/fence.log")"
check "node1 (the VIP's node) survived" stack_alive node1
check "node2 was fenced (stack dead)" sh -c "! '$HERE/lab' status | grep -q '^node2 .*pacemakerd=yes'"
check "node1 recorded the fencing of node2" \
	sh -c "'$LAB' exec node1 stonith_admin --history node2 | grep -q 'reboot of node2 successful'"
check "VIP still on node1" has_vip node1
check "VIP not on node2" sh -c "! ip -n clr-node2 -4 addr show dev eth0 | grep -q ' $VIP/'"

"$LAB" heal node1
check "lab restart node2 after heal (rejoins)" "$LAB" restart node2
check "node1 sees both nodes online" wait_until 30 sh -c "[ \$('$LAB' exec node1 crm_mon -1 --output-as=xml | grep -o ' online=\"true\"' | wc -l) -eq 2 ]"
# The cluster settles (no action pending on the DC) before the VIP's place is judged.
check "the cluster settles after the rejoin" quiet "$LAB" exec node1 crm_resource --wait --timeout=60s
check "VIP on node1 only after rejoin" sh -c "ip -n clr-node1 -4 addr show dev eth0 | grep -q ' $VIP/' && ! ip -n clr-node2 -4 addr show dev eth0 | grep -q ' $VIP/'"
check "client1 reaches the VIP" wait_until 10 "$LAB" exec client1 ping -c1 -W1 -q $VIP

kill "$poller" 2>/dev/null
wait "$poller" 2>/dev/null
poller=""
n=$(wc -l <"$SAMPLES")
both=$(awk '$2 == 1 && $3 == 1' "$SAMPLES" | wc -l)
none=$(awk '$2 == 0 && $3 == 0' "$SAMPLES" | wc -l)
span=$(awk 'NR == 1 {f = $1} {l = $1} END {print l - f}' "$SAMPLES")
check "sampled VIP placement every ~200 ms ($n samples over $span ms)" [ "$n" -ge 50 ] && [ $((span / (n - 1))) -le 250 ]
check "VIP never on both nodes at once ($both of $n samples)" [ "$both" -eq 0 ]
diag "samples: $n, VIP on neither node: $none"
check "lab down" "$LAB" down
check "no clr-* network namespace left" sh -c "! ip netns list | grep -q '^clr-'"
tap_done
