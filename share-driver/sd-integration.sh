#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration test of the share driver: creates a network namespace with the VIP on its
# loopback and a private system bus, then runs test-sd-integration ($1) inside the namespace;
# the test starts and stops the real ganesha.nfsd instances itself.  Everything it starts is
# stopped and the namespace deleted on any exit (trap).
set -u

test_bin=$1
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
bus_pid=

cleanup() {
  local pidfile
  for pidfile in "$dir"/ganesha-*.pid; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  ip netns delete "$ns" 2>/dev/null
  if [ -n "${SD_IT_KEEP:-}" ]; then echo "# kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns" || { echo "Bail out! cannot create namespace"; exit 99; }
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
ip netns exec "$ns" dbus-daemon --config-file="$dir/bus.conf" --fork --print-pid=3 3>"$dir/bus.pid" ||
  { echo "Bail out! dbus-daemon did not start"; exit 99; }
bus_pid=$(cat "$dir/bus.pid")

# Two servers with the same exports but their own recovery directories, as two nodes would be.
for node in A B; do
  mkdir -p "$dir/recovery-$node"
  cat >"$dir/ganesha-$node.conf" <<CONF
NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }
NFSV4 { Grace_Period = 4; Lease_Lifetime = 3; RecoveryRoot = "$dir/recovery-$node"; }
CONF
done

export SD_IT_DIR=$dir SD_IT_VIP=$vip CLUSRES_RUN_DIR=$dir/run
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/system_bus_socket
ip netns exec "$ns" "$test_bin"
