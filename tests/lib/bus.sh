# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bus.sh: a private system bus (dbus-daemon) for tests and benchmarks, optionally inside a
# network namespace.  Sourced.  Sets bus_daemon_pid (bus_start) and exports
# DBUS_SYSTEM_BUS_ADDRESS so that every later client (GDBus, dbus-send, clusres) uses it.

# bus_conf DIR [root|any]: writes DIR/bus.conf, a system bus listening on
# DIR/system_bus_socket.  root (default): only root may own names and call methods; any: every
# user may (Ganesha's exports are then reachable by the tests' unprivileged helpers too).
bus_conf() {
  local dir=$1 policy
  if [ "${2:-root}" = any ]; then
    policy='  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>'
  else
    policy='  <policy user="root">
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <policy context="default">
    <deny own="*"/>
    <deny send_type="method_call"/>
  </policy>'
  fi
  cat >"$dir/bus.conf" <<BUS
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
$policy
</busconfig>
BUS
}

# bus_start NS DIR: starts dbus-daemon in network namespace NS ("-": this one) with
# DIR/bus.conf, sets bus_daemon_pid (also in DIR/bus.pid) and waits until the bus answers
# (5 s at most).
# Exports DBUS_SYSTEM_BUS_ADDRESS, so that every later client uses this bus.
bus_start() {
  local ns=$1 dir=$2 i
  local inns=()
  [ "$ns" = - ] || inns=(ip netns exec "$ns")
  "${inns[@]}" dbus-daemon --config-file="$dir/bus.conf" --fork --print-pid=3 \
    3>"$dir/bus.pid" || return 1
  bus_daemon_pid=$(cat "$dir/bus.pid")
  [ -n "$bus_daemon_pid" ] || return 1
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/system_bus_socket
  for i in $(seq 50); do
    dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.GetId >/dev/null 2>&1 && return 0
    [ "$i" = 50 ] || sleep 0.1
  done
  return 1
}

# bus_stop: ends the bus bus_start started (if any).
bus_stop() {
  [ -n "${bus_daemon_pid:-}" ] || return 0
  kill "$bus_daemon_pid" 2>/dev/null
  bus_daemon_pid=
}

# run_dir_kill RUN_DIR: ends every process (but this shell) whose environment carries
# CLUSRES_RUN_DIR=RUN_DIR: all a test started (bus, hosts, applications) and nothing else.
# SIGTERM, 0.3 s, then SIGKILL for what is left.
run_dir_pids() {
  grep -lsz "^CLUSRES_RUN_DIR=$1\$" /proc/[0-9]*/environ 2>/dev/null |
    sed 's|/proc/\([0-9]*\)/environ|\1|' | grep -vx "$$"
}
run_dir_kill() {
  local p
  for p in $(run_dir_pids "$1"); do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in $(run_dir_pids "$1"); do kill -9 "$p" 2>/dev/null; done
  return 0
}
