#!/bin/bash
# test-lab-basics: a 2-node lab cluster runs a crmsh-made Dummy and an IPaddr2 VIP reachable from
# a client; killing the VIP's node gets it fenced by the survivor, which takes the VIP over; the
# node rejoins after a restart and the VIP fails back; `lab down` leaves nothing behind.
# Needs root.  TAP output.  Figures (ms) are printed as diagnostics.
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
VIP=198.18.0.100

cleanup() { "$LAB" down >/dev/null 2>&1; }
lab_test_begin cleanup
"$LAB" up 2 --clients 1 >&2 || bail "lab up 2 failed"
ok "lab up 2 --clients 1"

online() { "$LAB" exec "$1" crm_mon -1 --output-as=xml | grep -o ' online="true"' | wc -l; }
check "node1 sees 2 nodes online" [ "$(online node1)" -eq 2 ]
check "node2 sees 2 nodes online" [ "$(online node2)" -eq 2 ]

running_on() { # running_on RSC NODE
	"$LAB" exec node1 crm_resource --locate -r "$1" 2>/dev/null | grep -q "is running on: $2\b"
}
where() { # where RSC -> node name
	"$LAB" exec "${2:-node1}" crm_resource --locate -r "$1" 2>/dev/null | sed -n 's/.*is running on: \([a-z0-9]*\).*/\1/p' | head -n1
}
has_vip() { ip -n "clr-$1" -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }

"$LAB" exec node1 crm configure primitive dummy ocf:heartbeat:Dummy op monitor interval=10s >&2
check "Dummy created with crmsh starts" wait_until 30 sh -c "'$LAB' exec node1 crm_resource --locate -r dummy | grep -q 'is running on'"

# VIP prefers node1 (stickiness 0) so that it fails back after node1 returns.
"$LAB" exec node1 crm configure primitive vip ocf:heartbeat:IPaddr2 \
	params ip=$VIP cidr_netmask=24 nic=eth0 op monitor interval=5s >&2
"$LAB" exec node1 crm configure location vip-prefers-node1 vip 50: node1 >&2
check "VIP starts on node1" wait_until 30 running_on vip node1
check "VIP address is on node1's eth0" wait_until 10 has_vip node1
check "VIP answers ping from client1" wait_until 10 "$LAB" exec client1 ping -c1 -W1 -q $VIP

victim=node1 survivor=node2
t0=$(now_ms)
"$LAB" kill $victim
check "$victim's stack is dead" [ -z "$(ip netns pids clr-$victim | grep -vx "$(cat "$LAB_DIR/state/nodes/$victim.pid")")" ]
if wait_until 60 has_vip $survivor; then
	t_vip=$(($(now_ms) - t0))
	ok "VIP comes up on $survivor"
else
	not_ok "VIP comes up on $survivor"
fi
check "client1 reaches the VIP (now on $survivor)" wait_until 10 "$LAB" exec client1 ping -c1 -W1 -q $VIP
t_ping=$(($(now_ms) - t0))
check "$survivor fenced $victim (stonith history)" \
	sh -c "'$LAB' exec $survivor stonith_admin --history $victim | grep -q 'reboot of $victim successful'"
check "fencing took the VIP off $victim" sh -c "! ip -n clr-$victim -4 addr show dev eth0 | grep -q ' $VIP/'"
vip_started_on() { [ "$(where vip "$1")" = "$1" ]; } # the start's result is in the CIB
check "crm_mon shows VIP started on $survivor" wait_until 30 vip_started_on $survivor
diag "kill $victim -> VIP on $survivor: ${t_vip:-?} ms; -> client ping ok: $t_ping ms"

t0=$(now_ms)
check "lab restart $victim (rejoins)" "$LAB" restart $victim
t_rejoin=$(($(now_ms) - t0))
both_online() { [ "$(online "$1")" -eq 2 ]; }
check "$survivor sees both nodes online again" wait_until 30 both_online $survivor
if wait_until 60 has_vip $victim; then
	t_back=$(($(now_ms) - t0))
	ok "VIP fails back to $victim"
else
	not_ok "VIP fails back to $victim"
fi
check "VIP gone from $survivor after failback" sh -c "! ip -n clr-$survivor -4 addr show dev eth0 | grep -q ' $VIP/'"
check "client1 reaches the VIP after failback" wait_until 10 "$LAB" exec client1 ping -c1 -W1 -q $VIP
check "Dummy still running" sh -c "'$LAB' exec node1 crm_resource --locate -r dummy | grep -q 'is running on'"
diag "restart $victim -> rejoined: $t_rejoin ms; -> VIP back on $victim: ${t_back:-?} ms"

# Everything the lab started, to check that `down` leaves none of it behind.
pids=$(for ns in $(ip netns list | awk '$1 ~ /^clr-/ {print $1}'); do ip netns pids "$ns"; done)
"$LAB" down
check "lab down succeeds" [ $? -eq 0 ]
check "no clr-* network namespace left" sh -c "! ip netns list | grep -q '^clr-'"
alive=""
for p in $pids; do
	st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
	[ "$st" = Z ] || alive+=" $p"
done
check "no lab process left (${alive:-none})" [ -z "$alive" ]
check "no mount namespace still holds lab mounts" sh -c "! grep -ls '$LAB_DIR' /proc/[0-9]*/mountinfo"
check "lab dir removed" [ ! -e "$LAB_DIR" ]
check "lab down is idempotent" "$LAB" down
tap_done
