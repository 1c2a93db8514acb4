#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Share-driver figures against a real NFS-Ganesha in a private network namespace and bus:
#   1. our library: enable_share+disable_share per share, 1000 shares, one D-Bus connection
#      (one share after the other, and all enabled then all disabled)
#   2. baseline: a dbus-send process per AddExport/RemoveExport, 100 shares
#      (lab-facts: 3.2 ms per AddExport with dbus-send)
#   3. how long Ganesha stays in grace after enable_failover with no known clients
# usage: run.sh BUILD_DIR [N_SHARES] [N_BASELINE]   (root; cleans up on any exit)
# LEASE / GRACE set Ganesha's Lease_Lifetime / Grace_Period (default 60 / 90, Ganesha's own).
set -eu

build=${1:?usage: run.sh BUILD_DIR [N_SHARES] [N_BASELINE]}
n=${2:-1000}
nb=${3:-100}
bench=$(find "$build" -name bench-sd-ganesha -type f -perm -u+x | head -n1)
[ -x "$bench" ] || { echo "bench-sd-ganesha not built in $build" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }

vip=198.18.0.10
ns=sd-bench-$$
dir=$(mktemp -d /tmp/sd-bench.XXXXXX)
bus_pid=

cleanup() {
  [ -s "$dir/ganesha.pid" ] && kill -9 "$(cat "$dir/ganesha.pid")" 2>/dev/null
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  ip netns delete "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add "$vip/32" dev lo
cat >"$dir/bus.conf" <<BUS
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy user="root">
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <policy context="default">
    <deny own="*"/>
    <deny send_type="method_call"/>
  </policy>
</busconfig>
BUS
ip netns exec "$ns" dbus-daemon --config-file="$dir/bus.conf" --fork --print-pid=3 3>"$dir/bus.pid"
bus_pid=$(cat "$dir/bus.pid")
mkdir -p "$dir/recovery"
cat >"$dir/ganesha.conf" <<CONF
NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }
NFSV4 { Grace_Period = ${GRACE:-90}; Lease_Lifetime = ${LEASE:-60}; RecoveryRoot = "$dir/recovery"; }
CONF
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/system_bus_socket CLUSRES_RUN_DIR=$dir/run
ip netns exec "$ns" ganesha.nfsd -f "$dir/ganesha.conf" -L "$dir/ganesha.log" -p "$dir/ganesha.pid" -N NIV_WARN
for _ in $(seq 100); do
  dbus-send --system --reply-timeout=1000 --print-reply --dest=org.ganesha.nfsd \
    /org/ganesha/nfsd/admin org.ganesha.nfsd.admin.get_grace >/dev/null 2>&1 && break
  sleep 0.1
done

echo "== our library: $n shares, enable+disable one after another"
"$bench" pairs "$n" "$dir/exports-pairs"
echo "== our library: $n shares, all enabled then all disabled"
"$bench" bulk "$n" "$dir/exports-bulk"

echo "== baseline: dbus-send process per call, $nb shares"
mkdir -p "$dir/baseline"
for i in $(seq 0 $((nb - 1))); do
  id=$((30000 + i))
  mkdir -p "$dir/baseline/s$i"
  cat >"$dir/baseline/s$i.conf" <<EXP
EXPORT { Export_Id = $id; Path = "$dir/baseline/s$i"; Pseudo = "/b$i"; Access_Type = RW;
  Squash = Root_Squash; Protocols = 4; Transports = TCP; SecType = sys;
  Filesystem_Id = $id.$id; FSAL { Name = VFS; } }
EXP
done
t0=$(date +%s%N)
for i in $(seq 0 $((nb - 1))); do
  id=$((30000 + i))
  dbus-send --system --print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/ExportMgr \
    org.ganesha.nfsd.exportmgr.AddExport string:"$dir/baseline/s$i.conf" \
    string:"EXPORT(Export_Id=$id)" >/dev/null
  dbus-send --system --print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/ExportMgr \
    org.ganesha.nfsd.exportmgr.RemoveExport uint16:$id >/dev/null
done
t1=$(date +%s%N)
awk -v ns=$((t1 - t0)) -v n="$nb" 'BEGIN { printf "shares %d\ntotal_ms %.1f\nper_share_ms %.3f\n", n, ns / 1e6, ns / 1e6 / n }'

echo "== grace after enable_failover (no known clients), 10 runs, Lease_Lifetime ${LEASE:-60}"
"$bench" grace 10 198.18.0.100
