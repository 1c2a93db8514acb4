#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration test of clusres-nfs-client ($1) against a real NFS-Ganesha:
#   server namespace: private system bus + ganesha.nfsd (NFSv4 only, VFS export, pseudo /data)
#   client namespace: the client, reaching the server over a veth (198.18.0.201 <- .202)
# (1) steady state: no errors; (2) kill -9 ganesha, restart it with the same export: the client
# reconnects, 0 lost, 0 stale, its original handle still valid; (2b) 4 s of dropped packets
# (timeouts instead of resets): same; (3) restart with another Export_Id: the client must
# report stale handles; (4) SIGTERM ends a run with a report.  Everything started is stopped and the
# namespaces deleted on any exit (trap).
# Environment: NC_GRACE (Grace_Period, default 4), NC_LEASE (Lease_Lifetime, default 3),
# NC_IT_KEEP=1 keeps the work directory.
set -u

client=${1:?usage: test-nfs-client.sh CLIENT-BINARY}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=../lib/ganesha.sh
. "$top/tests/lib/ganesha.sh"

tap_preflight "network namespaces, ganesha" ip nft dbus-daemon dbus-send ganesha.nfsd python3 ss

# Known leak inside libnfs 4.0 (see lsan.supp), for runs under -Db_sanitize=address.
export LSAN_OPTIONS="suppressions=$top/tests/nfs-client/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

grace=${NC_GRACE:-4}
lease=${NC_LEASE:-3}
# "default" leaves Grace_Period/Lease_Lifetime to ganesha (90 s / 60 s): for measuring only.
grace_s=$grace
[ "$grace" = default ] && grace_s=90
server_ip=198.18.0.201
client_ip=198.18.0.202
ns_srv=nc-srv-$$
ns_cli=nc-cli-$$
dir=$(mktemp -d /tmp/nc-it.XXXXXX)
client_pid=

ganesha_pid() { [ -s "$dir/ganesha.pid" ] && cat "$dir/ganesha.pid"; }

cleanup() {
  local pid
  [ -n "$client_pid" ] && kill -9 "$client_pid" 2>/dev/null
  pid=$(ganesha_pid) && kill -9 "$pid" 2>/dev/null
  bus_stop
  ip netns delete "$ns_cli" 2>/dev/null
  ip netns delete "$ns_srv" 2>/dev/null
  if [ -n "${NC_IT_KEEP:-}" ]; then echo "# kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network: two namespaces joined by a veth pair ---------------------------------------
{ ganesha_netns_add "$ns_srv" && ganesha_netns_add "$ns_cli"; } || bail "cannot create namespaces"
ip -n "$ns_srv" link add ncs0 type veth peer name ncc0 netns "$ns_cli" || bail "cannot create veth"
ip -n "$ns_srv" addr add "$server_ip/24" dev ncs0
ip -n "$ns_cli" addr add "$client_ip/24" dev ncc0
ip -n "$ns_srv" link set ncs0 up
ip -n "$ns_cli" link set ncc0 up

# ---- private system bus in the server namespace ------------------------------------------
bus_conf "$dir"
bus_start "$ns_srv" "$dir" || bail "dbus-daemon did not start"

# ---- ganesha ---------------------------------------------------------------------------
mkdir -p "$dir/export"
# write_conf EXPORT_ID GRACE_PERIOD: the export is the same path, pseudo path and fsid every
# time; only the Export_Id may change (it is part of every file handle).
write_conf() {
  local g=$2 l=$lease
  [ "$2" = default ] && g='' l=''
  ganesha_conf "$dir/ganesha.conf" "$dir/recovery" "$g" "$l" "Bind_addr = $server_ip;" "EXPORT {
  Export_Id = $1; Path = \"$dir/export\"; Pseudo = /data; Protocols = 4; Transports = TCP;
  Access_Type = RW; Squash = No_Root_Squash; SecType = sys; Filesystem_Id = 100.1;
  FSAL { Name = VFS; }
}"
}
listening() { ip netns exec "$ns_srv" ss -Hltn "sport = :2049" | grep -q LISTEN; }
start_ganesha() {
  ganesha_run "$ns_srv" "$dir/ganesha" NIV_EVENT 10 || return 1
  wait_until 10 listening
}
kill_ganesha() {
  local pid
  pid=$(ganesha_pid) || return 1
  # Gone for good before a new one binds the port.
  ganesha_stop "$pid" 0
}

run_client() { # run_client NAME ARGS...: client in the client namespace, in the background
  local name=$1
  shift
  ip netns exec "$ns_cli" "$client" --server "$server_ip" --export /data --file "$name.dat" \
    --id "nc-it-$name" --report "$dir/$name.json" "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  client_pid=$!
}
# records NAME: how many records (64 bytes each) of client NAME the export holds.
records() { echo $(($(stat -c %s "$dir/export/$1.dat" 2>/dev/null || echo 0) / 64)); }
written() { [ "$(records "$1")" -ge "$2" ]; } # written NAME N
finish_client() { # finish_client NAME: waits, sets rc to its exit status, shows its output
  rc=0
  wait "$client_pid" || rc=$?
  client_pid=
  sed 's/^/# /' "$dir/$1.out" "$dir/$1.err" | tail -n 25
}
# Clients without --duration run until the test has seen what it waits for (records written
# after an event); stop_client ends one with SIGTERM (it writes its report and exits).
stop_client() { # stop_client NAME: as finish_client, after a SIGTERM
  kill -TERM "$client_pid" 2>/dev/null
  finish_client "$1"
}

write_conf 77 "$grace"
start_ganesha || bail "ganesha did not start: $(tail -n 5 "$dir/ganesha.log")"
if [ "$grace" = default ]; then lease=default; fi
diag "ganesha up (Grace_Period=$grace Lease_Lifetime=$lease); waiting for its first grace to end"
# A fresh server is in grace too: wait it out (asking ganesha over the private bus) so (1)
# measures steady state only.
out_of_grace() {
  dbus-send --system --print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/admin \
    org.ganesha.nfsd.admin.get_grace 2>/dev/null | grep -q 'boolean false'
}
wait_until $((grace_s + 10)) out_of_grace || bail "ganesha did not leave grace"

# (1) steady state --------------------------------------------------------------------------
run_client steady --duration 5
finish_client steady
check "steady: exit 0" [ "$rc" = 0 ]
expect "$dir/steady.json" "r['acked'] >= 30 and r['errors'] == 0 and r['outages'] == []" \
  "steady: >= 30 records acked in 5 s, no errors"
expect "$dir/steady.json" "r['lost'] == 0 and r['stale'] == 0 and r['reconnects'] == 0" \
  "steady: lost=0 stale=0 reconnects=0"
expect "$dir/steady.json" "r['verified'] >= r['acked'] and r['verify_passes'] >= 4" \
  "steady: every record read back and verified"
expect "$dir/steady.json" "r['gap_max_s'] < 1.0" "steady: longest gap under 1 s"
check "steady: progress lines" grep -Eq '^t=[0-9.]+s acked=[0-9]+ gap_max=[0-9.]+s reconnects=0 stale=0 lost=0$' "$dir/steady.out"
check "steady: file holds the records" [ "$(stat -c %s "$dir/export/steady.dat")" -ge $((30 * 64)) ]

# (2) kill -9 and restart with the same export ----------------------------------------------
run_client same
wait_until 20 written same 5 || bail "the client does not write"
n=$(records same)
t0=$(now_ms)
kill_ganesha || bail "cannot kill ganesha"
sleep 0.5 # the outage under test: the server stays down a moment before its restart
start_ganesha || bail "ganesha did not restart: $(tail -n 5 "$dir/ganesha.log")"
diag "ganesha restarted $(($(now_ms) - t0)) ms after the kill"
check "same export: the client writes again" wait_until $((grace_s + 30)) written same $((n + 5))
stop_client same
check "same export: exit 0" [ "$rc" = 0 ]
expect "$dir/same.json" "r['reconnects'] >= 1 and len(r['outages']) == 1" "same export: reconnected once"
expect "$dir/same.json" "r['lost'] == 0 and r['stale'] == 0" "same export: lost=0 stale=0"
expect "$dir/same.json" "r['outages'][0]['old_handle_valid'] is True" \
  "same export: the original file handle is still valid"
expect "$dir/same.json" "r['outages'][0]['ended'] and r['gap_max_s'] >= 0.5" \
  "same export: outage ended, gap reported"
expect "$dir/same.json" "r['acked'] > 0 and r['verified'] >= r['acked'] and r['verify_passes'] > 0" \
  "same export: all records verified after the outage"
diag "measured: gap $(json "$dir/same.json" "r['gap_max_s']") s with Grace_Period=$grace," \
  "grace errors $(json "$dir/same.json" "r['grace_errors']")"

# (2b) network blackout without a restart (a VIP in transit): timeouts, no reset ------------
run_client blackout
wait_until 20 written blackout 5 || bail "the client does not write"
ip netns exec "$ns_srv" nft -f - <<'NFT' || bail "cannot install the nft drop rule"
table inet nc_blackout {
  chain input { type filter hook input priority 0; policy accept; tcp dport 2049 drop; }
}
NFT
n=$(records blackout)
sleep 4 # the blackout under test
ip netns exec "$ns_srv" nft delete table inet nc_blackout
check "blackout: the client writes again" wait_until 30 written blackout $((n + 5))
stop_client blackout
check "blackout: exit 0" [ "$rc" = 0 ]
expect "$dir/blackout.json" "r['reconnects'] >= 1 and r['lost'] == 0 and r['stale'] == 0" \
  "blackout: reconnected, lost=0 stale=0"
# The blackout's outage is the last one (a client started while the server is still in the
# previous step's grace has one before it).
expect "$dir/blackout.json" "r['outages'][-1]['old_handle_valid'] is True and r['outages'][-1]['ended']" \
  "blackout: original handle still valid, service back"
expect "$dir/blackout.json" "3.5 <= r['gap_max_s'] <= 10" "blackout: gap covers the 4 s blackout"
diag "measured: gap $(json "$dir/blackout.json" "r['gap_max_s']") s for a 4 s blackout"

# (3) restart with another Export_Id: handles must go stale, and the client must say so ------
run_client other
wait_until 20 written other 5 || bail "the client does not write"
n=$(records other)
kill_ganesha || bail "cannot kill ganesha"
write_conf 78 "$grace"
start_ganesha || bail "ganesha did not restart: $(tail -n 5 "$dir/ganesha.log")"
check "other Export_Id: the client writes again (reopened by path)" \
  wait_until $((grace_s + 30)) written other $((n + 5))
stop_client other
check "other Export_Id: exit 1" [ "$rc" = 1 ]
expect "$dir/other.json" "r['stale'] >= 1 and r['outages'][0]['old_handle_valid'] is False" \
  "other Export_Id: stale handle detected"
expect "$dir/other.json" "r['lost'] == 0 and r['reconnects'] >= 1" \
  "other Export_Id: reconnected by path, nothing lost"

# (4) SIGTERM ends a run cleanly with a report --------------------------------------------
run_client sig
# The 6th record is written only after the 5th was acknowledged.
check "SIGTERM: the client writes" wait_until 20 written sig 6
stop_client sig
check "SIGTERM: exit 0" [ "$rc" = 0 ]
expect "$dir/sig.json" "r['acked'] >= 5 and r['errors'] == 0 and r['passed']" \
  "SIGTERM: report written, no errors"

tap_done
