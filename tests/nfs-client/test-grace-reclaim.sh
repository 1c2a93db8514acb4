#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Grace and reclaim against real NFS-Ganesha 4.3, measured (TAP diagnostics "measured: ...").
# Two clusres-nfs-client ($1) runs side by side in a client namespace: "rec" reclaims its open
# with OPEN(CLAIM_PREVIOUS) as the Linux client does (the default), "norec" runs with
# --no-reclaim (waits for grace to end, then opens anew: the bounded case).
#   (i)  restart: kill -9 Ganesha, start it again on the same RecoveryRoot.  Its recovery
#        database names both clients, so it is in grace for Grace_Period.
#   (ii) takeover: two Ganesha "nodes" (namespaces A and B) export the same directory and keep
#        their recovery databases on the same "shared storage" (one RecoveryRoot per node, see
#        the layout below); the clients write through the VIP on A; A dies (kill -9, link
#        down); B takes over in the product's order: first the share driver's
#        sd_ganesha_takeover (through gr-takeover, $2) links B's RecoveryRoot/<vip>, sends
#        grace("5:<vip>") to B, which reads A's clients, and points the VIP's link at B; then
#        the VIP comes up on B (last, as IPaddr2 after the shares in the product's group).
#   (iii) NFSv4.1: Grace_Period 60 s, the only known client is nfs41-reclaim.py ($3); it comes
#        back after a restart and sends RECLAIM_COMPLETE: grace ends early.  Then it does not
#        come back (Grace_Period 5 s): grace ends at Grace_Period (the bound).
# Checked both times: 0 lost, 0 stale; the reclaiming client writes again within a few seconds
# of the server coming back (during grace); the other one only after grace; grace ends no later
# than Grace_Period + Ganesha's 5 s reaper tick (the bound).  Also shown: a server whose
# recovery database is empty leaves grace at once.  A v4.0 client (libnfs 4.0 speaks only
# NFSv4.0) cannot end grace early: Ganesha 4.3 counts only NFSv4.1 RECLAIM_COMPLETE
# (nfs_try_lift_grace: "reclaim complete(0) clid count(2)"); that is measured too.
#
# Shared-storage layout (what the lab must use; the share driver keeps the links, see
# share-driver/README.md "Grace and reclaim"):
#   $shared/nodeA                 RecoveryRoot of node A; Ganesha 4.3 records its clients in
#                                 v4recov/node0/<client-ip>-(<len>:<client id string>)
#   $shared/nodeB                 RecoveryRoot of node B
#   $shared/by-vip/<vip>          -> ../nodeA/v4recov/node0  (clients of the VIP's server now)
#   $shared/nodeB/<vip>/v4recov   -> ../../by-vip/<vip>   read by grace("5:<vip>") on B, which
#                                 takes RecoveryRoot/<vip>/v4recov and every directory below it
#                                 as one client name (so it must point at node0 itself)
# Needs root.  Environment: GR_GRACE (Grace_Period, default 8), GR_KEEP=1 keeps the work dir.
set -u

client=${1:?usage: test-grace-reclaim.sh CLIENT-BINARY GR-TAKEOVER NFS41-RECLAIM.PY}
takeover=${2:?usage: test-grace-reclaim.sh CLIENT-BINARY GR-TAKEOVER NFS41-RECLAIM.PY}
reclaim41=${3:?usage: test-grace-reclaim.sh CLIENT-BINARY GR-TAKEOVER NFS41-RECLAIM.PY}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=../lib/ganesha.sh
. "$top/tests/lib/ganesha.sh"

tap_preflight "network namespaces, ganesha" ip dbus-daemon dbus-send ganesha.nfsd python3 ss
export LSAN_OPTIONS="suppressions=$top/tests/nfs-client/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

grace=${GR_GRACE:-8}
lease=5
# The reaper lifts grace: it checks every 5 s (Ganesha's reaper_delay), so the bound is
# Grace_Period + 5 s, plus a little for the polling.
bound_ms=$(((grace + 6) * 1000))
vip=198.18.0.100
# shellcheck disable=SC2034 # read through ${!ip} below
a_ip=198.18.0.11
# shellcheck disable=SC2034
b_ip=198.18.0.12
cli_ip=198.18.0.2
ns_a=gr-a-$$
ns_b=gr-b-$$
ns_c=gr-c-$$
dir=$(mktemp -d /tmp/gr-it.XXXXXX)
chmod 755 "$dir"
shared=$dir/shared
pids=()

cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "$dir"/*.pid; do [ -s "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null; done
  ip netns delete "$ns_a" 2>/dev/null
  ip netns delete "$ns_b" 2>/dev/null
  ip netns delete "$ns_c" 2>/dev/null
  if [ -n "${GR_KEEP:-}" ]; then echo "# kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network: the client namespace holds the "switch" (a bridge) ----------------------------
ganesha_netns_add "$ns_a" && ganesha_netns_add "$ns_b" && ganesha_netns_add "$ns_c" ||
  bail "cannot create namespaces"
ip -n "$ns_c" link add br0 type bridge && ip -n "$ns_c" link set br0 up &&
  ip -n "$ns_c" addr add "$cli_ip/24" dev br0 || bail "cannot create the bridge"
for n in a b; do
  ns=ns_$n ip=${n}_ip
  ip -n "${!ns}" link add eth0 type veth peer name "v$n" netns "$ns_c" &&
    ip -n "$ns_c" link set "v$n" master br0 && ip -n "$ns_c" link set "v$n" up &&
    ip -n "${!ns}" addr add "${!ip}/24" dev eth0 && ip -n "${!ns}" link set eth0 up ||
    bail "cannot wire node $n"
done

# ---- one private system bus per node --------------------------------------------------------
for n in a b; do
  mkdir -p "$dir/bus-$n"
  bus_conf "$dir/bus-$n"
  ns=ns_$n
  bus_start "${!ns}" "$dir/bus-$n" || bail "dbus-daemon $n did not start"
  cp "$dir/bus-$n/bus.pid" "$dir/dbus-$n.pid"
done
bus_of() { echo "unix:path=$dir/bus-$1/system_bus_socket"; }

# ---- Ganesha per node: same export (Export_Id, Path, Pseudo, Filesystem_Id) everywhere ----
mkdir -p "$dir/export" "$shared/by-vip"
chmod 777 "$dir/export"
write_conf() { # write_conf NODE
  ganesha_conf "$dir/g-$1.conf" "$shared/node${1^^}" "$grace" "$lease" "" "EXPORT {
  Export_Id = 77; Path = \"$dir/export\"; Pseudo = /data; Protocols = 4; Transports = TCP;
  Access_Type = RW; Squash = No_Root_Squash; SecType = sys; Filesystem_Id = 100.1;
  FSAL { Name = VFS; }
}"
}
# admin NODE METHOD [ARG]: admin call to NODE's Ganesha; prints the reply.
admin() {
  DBUS_SYSTEM_BUS_ADDRESS=$(bus_of "$1") dbus-send --system --print-reply --reply-timeout=2000 \
    --dest=org.ganesha.nfsd /org/ganesha/nfsd/admin "org.ganesha.nfsd.admin.$2" ${3:+"$3"}
}
in_grace() { ! admin "$1" get_grace 2>/dev/null | grep -q 'boolean false'; }
out_of_grace() { ! in_grace "$1"; }
start_ganesha() { # start_ganesha NODE
  local ns=ns_$1
  DBUS_SYSTEM_BUS_ADDRESS=$(bus_of "$1") ganesha_run "${!ns}" "$dir/g-$1" NIV_EVENT 10 &&
    wait_until 10 listening "$1"
}
listening() { local ns=ns_$1; ip netns exec "${!ns}" ss -Hltn "sport = :2049" | grep -q LISTEN; }
kill_ganesha() { [ -s "$dir/g-$1.pid" ] && ganesha_stop "$(cat "$dir/g-$1.pid")" 0; }
# grace_ms NODE T0: waits (60 s at most) until NODE is out of grace; prints ms since T0.
grace_ms() {
  wait_until 60 out_of_grace "$1" || true
  echo $(($(now_ms) - $2))
}

# The clients run until the test has seen what it waits for, then get SIGTERM (they write their
# report and exit): how long that takes is up to the machine, not a fixed duration.
run_client() { # run_client NAME SERVER ARGS...
  local name=$1 server=$2
  shift 2
  ip netns exec "$ns_c" "$client" --server "$server" --export /data --file "$name.dat" \
    --id "gr-$name" --report "$dir/$name.json" "$@" \
    >"$dir/$name.out" 2>"$dir/$name.err" &
  pids+=($!)
  eval "pid_$name=$!"
}
# records NAME: how many records (64 bytes each) of client NAME the export holds.
records() { echo $(($(stat -c %s "$dir/export/$1.dat" 2>/dev/null || echo 0) / 64)); }
# written NAME N: the export holds at least N records of client NAME.
written() { [ "$(records "$1")" -ge "$2" ]; }
# writing_again NAME...: each client NAME wrote 5 records more than when mark_clients ran.
mark_clients() {
  local name
  for name in "$@"; do eval "mark_$name=$(records "$name")"; done
}
writing_again() {
  local name mark
  for name in "$@"; do
    mark=mark_$name
    written "$name" $((${!mark} + 5)) || return 1
  done
}
# recorded NODE PATTERN N: NODE's recovery database lists N clients whose name matches PATTERN.
recorded() {
  [ "$(find "$shared/node$1/v4recov" -mindepth 2 -maxdepth 2 -name "$2" 2>/dev/null | wc -l)" = "$3" ]
}
# clients_up NODE PATTERN NAME...: every client NAME writes (5 records acknowledged by the
# server) and NODE's recovery database knows them.
clients_up() {
  local node=$1 pattern=$2 name
  shift 2
  for name in "$@"; do written "$name" 5 || return 1; done
  recorded "$node" "$pattern" $#
}
finish_client() { # finish_client NAME: SIGTERM, waits; rc_NAME = exit status; shows its stderr
  local pid=pid_$1 rc=0
  kill -TERM "${!pid}" 2>/dev/null
  wait "${!pid}" || rc=$?
  eval "rc_$1=$rc"
  sed "s/^/# $1: /" "$dir/$1.err" | tail -n 8
}

# ================= (i) restart on the same RecoveryRoot =====================================
ip -n "$ns_a" addr add "$vip/24" dev eth0 || bail "cannot add the VIP"
write_conf a
t0=$(now_ms)
start_ganesha a || bail "ganesha A did not start: $(tail -n 5 "$dir/g-a.log")"
ms=$(grace_ms a "$t0")
diag "measured: empty recovery database: grace ended ${ms} ms after the start (Grace_Period=${grace}s)"
check "empty recovery database: grace ends at once (< 3 s)" [ "$ms" -lt 3000 ]

run_client rec "$vip"
run_client norec "$vip" --no-reclaim
check "both clients write and are recorded in A's recovery database" \
  wait_until 20 clients_up A '*gr-*' rec norec
mark_clients rec norec
kill_ganesha a || bail "cannot kill ganesha A"
sleep 0.5 # the outage under test: the server stays down a moment before its restart
t0=$(now_ms)
start_ganesha a || bail "ganesha A did not restart: $(tail -n 5 "$dir/g-a.log")"
ms=$(grace_ms a "$t0")
# The --no-reclaim client writes only once grace is over.
check "restart: both clients write again" wait_until 30 writing_again rec norec
finish_client rec
finish_client norec
diag "measured: restart, 2 known v4.0 clients: grace lasted ${ms} ms (Grace_Period=${grace}s)"
check "restart: grace bounded by Grace_Period (+5 s reaper tick)" [ "$ms" -le "$bound_ms" ]
check "restart: a v4.0 reclaim cannot end grace early (Ganesha counts only RECLAIM_COMPLETE)" \
  [ "$ms" -ge $(((grace - 1) * 1000)) ]
check "restart: ganesha logged the known clients" grep -q 'clid count(2)' "$dir/g-a.log"
# shellcheck disable=SC2154 # rc_* are set by finish_client (eval)
check "restart: both clients exit 0" [ "$rc_rec$rc_norec" = 00 ]
expect "$dir/rec.json" "r['reclaims'] == 1 and r['outages'][0]['reclaimed'] and r['grace_errors'] == 0" \
  "restart: the reclaiming client reclaimed its open (no NFS4ERR_GRACE)"
expect "$dir/rec.json" "r['lost'] == 0 and r['stale'] == 0 and r['outages'][0]['old_handle_valid'] is True" \
  "restart: reclaiming client lost=0 stale=0, handle still valid"
expect "$dir/rec.json" "r['reconnect_to_write_max_s'] < 1.0 and r['gap_max_s'] < 5.0" \
  "restart: reclaiming client writes again within 1 s of reconnecting, during grace"
expect "$dir/norec.json" "r['reclaims'] == 0 and r['grace_errors'] > 0 and r['lost'] == 0 and r['stale'] == 0" \
  "restart: --no-reclaim client waited out grace (NFS4ERR_GRACE), lost=0 stale=0"
expect "$dir/norec.json" "r['reconnect_to_write_max_s'] >= $grace - 2" \
  "restart: --no-reclaim client's wait is bounded below by the grace period"
diag "measured: restart: reclaim gap $(json "$dir/rec.json" "r['gap_max_s']") s" \
  "(reconnect->write $(json "$dir/rec.json" "r['reconnect_to_write_max_s']") s);" \
  "--no-reclaim gap $(json "$dir/norec.json" "r['gap_max_s']") s" \
  "(reconnect->write $(json "$dir/norec.json" "r['reconnect_to_write_max_s']") s)"

# ================= (ii) takeover of A's VIP by B ============================================
# B's own grace at start (empty database) is over at once; A serves the VIP and says so.
write_conf b
start_ganesha b || bail "ganesha B did not start: $(tail -n 5 "$dir/g-b.log")"
wait_until 10 out_of_grace b ||
  bail "ganesha B did not leave grace"
wait_until 30 out_of_grace a ||
  bail "ganesha A did not leave grace"
# A serves the VIP: the share driver's sd_ganesha_recovery_claim (via gr-takeover).
"$takeover" claim "$shared" nodeA "$vip" || bail "recovery claim by A failed"

run_client trec "$vip"
run_client tnorec "$vip" --no-reclaim
wait_until 20 clients_up A '*gr-t*' trec tnorec ||
  bail "the takeover clients do not write through A or are not in its recovery database"
mark_clients trec tnorec
# Node A dies: its Ganesha is killed and its link goes down (the VIP with it).
kill_ganesha a || bail "cannot kill ganesha A"
ip -n "$ns_a" link set eth0 down
t0=$(now_ms)
# Node B takes the VIP over in the product's order (the share group: the shares start, then
# the IPaddr2 VIP).  First the share driver's sd_ganesha_takeover on B: link
# nodeB/<vip>/v4recov, grace("5:<vip>"), then by-vip/<vip> -> nodeB (the next takeover reads
# B's clients).  B is in grace with A's clients loaded before any client can reach it: a
# client that reached B first would get NFS4ERR_NO_GRACE for its reclaim.
DBUS_SYSTEM_BUS_ADDRESS=$(bus_of b) "$takeover" takeover "$shared" nodeB "$vip" ||
  bail "takeover of $vip by B failed"
check "takeover: B is in grace before the VIP answers on it" in_grace b
# Then the VIP, last (IPaddr2 would send a gratuitous ARP; the client re-resolves).
ip -n "$ns_b" addr add "$vip/24" dev eth0 || bail "cannot move the VIP"
ip -n "$ns_c" neigh flush all
ms=$(grace_ms b "$t0")
check "takeover: both clients write again, through B" wait_until 30 writing_again trec tnorec
# While they hold their leases: a client is in the database from its first open until its
# lease expires (Lease_Lifetime after it stopped, or it would be a known client forever).
check "takeover: B recorded both clients in its own database" wait_until 10 recorded B '*gr-t*' 2
finish_client trec
finish_client tnorec
diag "measured: takeover, 2 known v4.0 clients: grace on B lasted ${ms} ms (Grace_Period=${grace}s)"
check "takeover: B read A's clients through RecoveryRoot/<vip>" \
  grep -q "Recovery for nodeid .* dir ($shared/nodeB/$vip/v4recov" "$dir/g-b.log"
# A's database may still hold the clients of (i) until their leases expire: 2 or more.
check "takeover: B knows A's clients" grep -Eq 'clid count\(([2-9])\)' "$dir/g-b.log"
check "takeover: grace on B bounded by Grace_Period (+5 s reaper tick)" [ "$ms" -le "$bound_ms" ]
# shellcheck disable=SC2154
check "takeover: both clients exit 0" [ "$rc_trec$rc_tnorec" = 00 ]
expect "$dir/trec.json" "r['reclaims'] == 1 and r['outages'][0]['reclaimed'] and r['grace_errors'] == 0" \
  "takeover: the reclaiming client reclaimed its open on B"
expect "$dir/trec.json" "r['lost'] == 0 and r['stale'] == 0 and r['outages'][0]['old_handle_valid'] is True" \
  "takeover: reclaiming client lost=0 stale=0, handle valid on B"
expect "$dir/trec.json" "r['reconnect_to_write_max_s'] < 1.0" \
  "takeover: reclaiming client writes within 1 s of reconnecting to B"
expect "$dir/tnorec.json" "r['lost'] == 0 and r['stale'] == 0 and r['reconnect_to_write_max_s'] >= $grace - 2" \
  "takeover: --no-reclaim client lost=0 stale=0, waited for B's grace"
diag "measured: takeover: reclaim gap $(json "$dir/trec.json" "r['gap_max_s']") s" \
  "(reconnect->write $(json "$dir/trec.json" "r['reconnect_to_write_max_s']") s);" \
  "--no-reclaim gap $(json "$dir/tnorec.json" "r['gap_max_s']") s" \
  "(reconnect->write $(json "$dir/tnorec.json" "r['reconnect_to_write_max_s']") s)"

check "takeover: the VIP's recovery link now names B" \
  [ "$(readlink "$shared/by-vip/$vip")" = ../nodeB/v4recov/node0 ]
kill_ganesha b

# ================= (iii) NFSv4.1 RECLAIM_COMPLETE ends grace early ==========================
# Node A again, on a fresh RecoveryRoot and with a long Grace_Period: its only known client is
# an NFSv4.1 one (nfs41-reclaim.py) that comes back and sends RECLAIM_COMPLETE.
long_grace=60
grace_saved=$grace
grace=$long_grace
ip -n "$ns_a" link set eth0 up
ip -n "$ns_b" addr del "$vip/24" dev eth0
ip -n "$ns_c" neigh flush all
shared=$dir/shared41
write_conf a
start_ganesha a || bail "ganesha A did not start: $(tail -n 5 "$dir/g-a.log")"
wait_until 10 out_of_grace a || bail "ganesha A did not leave its first grace"
run41() { # run41 NAME ARGS...: the v4.1 client in the client namespace
  local name=$1
  shift
  ip netns exec "$ns_c" python3 "$reclaim41" --server "$vip" "$@" >"$dir/$name.out" 2>&1
}
run41 v41-first --id gr-v41 --hold 4 &
pids+=($!)
check "v4.1: client recorded in the recovery database" wait_until 10 recorded A '*gr-v41*' 1
kill_ganesha a || bail "cannot kill ganesha A"
t0=$(now_ms)
start_ganesha a || bail "ganesha A did not restart: $(tail -n 5 "$dir/g-a.log")"
run41 v41-back --id gr-v41 --hold 1
rc41=$?
ms=$(grace_ms a "$t0")
sed 's/^/# v41: /' "$dir/v41-back.out"
diag "measured: restart, 1 known v4.1 client that sent RECLAIM_COMPLETE: grace lasted ${ms} ms" \
  "(Grace_Period=${long_grace}s)"
check "v4.1: RECLAIM_COMPLETE accepted in grace" [ "$rc41" = 0 ]
check "v4.1: grace ended early once every known client reclaimed (< 10 s of ${long_grace} s)" \
  [ "$ms" -lt 10000 ]
check "v4.1: ganesha counted the reclaim" grep -q 'reclaim complete(1) clid count(1)' "$dir/g-a.log"

# Bounded: the v4.1 client does not come back; a short Grace_Period ends grace.
kill_ganesha a || bail "cannot kill ganesha A"
grace=5
write_conf a
t0=$(now_ms)
start_ganesha a || bail "ganesha A did not restart: $(tail -n 5 "$dir/g-a.log")"
ms=$(grace_ms a "$t0")
diag "measured: restart, 1 known v4.1 client that never came back: grace lasted ${ms} ms" \
  "(Grace_Period=${grace}s)"
check "v4.1 absent: grace lasts Grace_Period" [ "$ms" -ge 4000 ]
check "v4.1 absent: grace bounded by Grace_Period (+5 s reaper tick)" [ "$ms" -le 11000 ]
grace=$grace_saved
kill_ganesha a
tap_done
