#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration test of the share driver: creates a network namespace with the VIP on its
# loopback and a private system bus, then runs test-sd-integration ($1) inside the namespace;
# the test starts and stops the real ganesha.nfsd instances itself.  Everything it starts is
# stopped and the namespace deleted on any exit (trap).
set -u

test_bin=$1
# shellcheck source=../tests/lib/ganesha.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/ganesha.sh"
if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP needs root (network namespace, nftables, ganesha)"
  exit 77
fi
for tool in ip nft dbus-daemon ganesha.nfsd; do
  command -v "$tool" >/dev/null || { echo "Bail out! $tool is not installed"; exit 99; }
done

vip=198.18.0.10
ns=sd-it-$$
dir=$(mktemp -d /tmp/sd-it.XXXXXX)

cleanup() {
  local pidfile
  for pidfile in "$dir"/ganesha-*.pid; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
  bus_stop
  ip netns delete "$ns" 2>/dev/null
  if [ -n "${SD_IT_KEEP:-}" ]; then echo "# kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ganesha_netns_add "$ns" "$vip/32" || { echo "Bail out! cannot create namespace"; exit 99; }
bus_conf "$dir"
bus_start "$ns" "$dir" || { echo "Bail out! dbus-daemon did not start"; exit 99; }

# Two servers with the same exports but their own recovery directories, as two nodes would be.
for node in A B; do
  ganesha_conf "$dir/ganesha-$node.conf" "$dir/recovery-$node" 4 3
done

export SD_IT_DIR=$dir SD_IT_VIP=$vip CLUSRES_RUN_DIR=$dir/run
ip netns exec "$ns" "$test_bin"
