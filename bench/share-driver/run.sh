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
# shellcheck source=../../tests/lib/ganesha.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/ganesha.sh"

build=${1:?usage: run.sh BUILD_DIR [N_SHARES] [N_BASELINE]}
n=${2:-1000}
nb=${3:-100}
bench=$(find "$build" -name bench-sd-ganesha -type f -perm -u+x | head -n1)
[ -x "$bench" ] || { echo "bench-sd-ganesha not built in $build" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }

vip=198.18.0.10
ns=sd-bench-$$
dir=$(mktemp -d /tmp/sd-bench.XXXXXX)

cleanup() {
  [ -s "$dir/ganesha.pid" ] && kill -9 "$(cat "$dir/ganesha.pid")" 2>/dev/null
  bus_stop
  ip netns delete "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ganesha_netns_add "$ns" "$vip/32"
bus_conf "$dir"
bus_start "$ns" "$dir"
ganesha_conf "$dir/ganesha.conf" "$dir/recovery" "${GRACE:-90}" "${LEASE:-60}"
export CLUSRES_RUN_DIR=$dir/run
ganesha_run "$ns" "$dir/ganesha" NIV_WARN 10 || true

echo "== our library: $n shares, enable+disable one after another"
"$bench" pairs "$n" "$dir/exports-pairs"
echo "== our library: $n shares, all enabled then all disabled"
"$bench" bulk "$n" "$dir/exports-bulk"

echo "== baseline: dbus-send process per call, $nb shares"
ganesha_baseline_confs "$dir/baseline" "$nb" RW
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
