#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Integration test of clusres-ocf against the real resource host on a private system bus:
# resource-agents' ocf-tester over genapp and resdll, the agent's own promises (probe without a
# host, failure detection, deep monitors, reload-agent, separate hosts, spawning the host), and
# Pacemaker's crm_resource --validate on a DESTDIR install mounted over /usr in a private
# mount namespace.  Needs root.  Prints TAP.
#
# usage: test-ocf-tester.sh BUILD_ROOT AGENT RHS TESTDLL RNG
set -uo pipefail
# shellcheck source=../../tests/lib/bus.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/bus.sh"

build_root=$1 agent=$2 rhs=$3 testdll=$4 rng=$5
genapp_so=$build_root/resource-agent/types/genapp/genapp.so

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check DESC CMD...: ok if CMD succeeds
  local desc=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; sed 's/^/# /' "$tmp/out"; fi
}
# poll SECONDS CMD...: runs CMD every 100 ms until it succeeds; status 1 after SECONDS.
poll() {
  local end=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
  done
}
expect_rc() { # expect_rc WANT DESC CMD...
  local want=$1 desc=$2; shift 2
  "$@" >"$tmp/out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$desc (rc $rc)"; else
    not_ok "$desc (rc $rc, want $want)"; sed 's/^/# /' "$tmp/out"; fi
}

if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP needs root"   # only reached when run by hand: meson runs it as root
  exit 77
fi

tmp=$(mktemp -d /tmp/clusres-ocf-it.XXXXXX)
chmod 755 "$tmp" # ocf-tester runs meta-data as nobody

# Every process we started (dbus-daemon, hosts, applications) carries our run dir in its
# environment: end exactly those.
cleanup() {
  run_dir_kill "$tmp/run"
  bus_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/run" "$tmp/registry" "$tmp/types" "$tmp/agents" "$tmp/app"
export CLUSRES_RUN_DIR=$tmp/run CLUSRES_REGISTRY_DIR=$tmp/registry CLUSRES_TYPES_DIR=$tmp/types
export CLUSRES_RHS=$rhs
ln -s "$testdll" "$tmp/types/ocftest.so"
for t in genapp resdll; do ln -s "$agent" "$tmp/agents/$t"; done
have_genapp=0
if [ -f "$genapp_so" ]; then ln -s "$genapp_so" "$tmp/types/genapp.so"; have_genapp=1; fi

# A private system bus without activation: the agent must start the host itself.
bus_conf "$tmp" any
bus_start - "$tmp" || { echo "Bail out! dbus-daemon did not start"; exit 99; }

# ocf-tester checks meta-data against the OCF 1.0 DTD; clusres speaks OCF 1.1 (unique-group,
# reloadable), so the copy we run checks against the 1.1 RNG instead.
sed "s|^METADATA_LINT=.*|METADATA_LINT=\"xmllint --noout --relaxng $rng -\"|" \
  /usr/sbin/ocf-tester >"$tmp/ocf-tester"
chmod 755 "$tmp/ocf-tester"

host_pid() { # PID of the host serving bus name $1
  gdbus call --system --dest "$1" --object-path /org/clusres/ResourceHost \
    --method org.freedesktop.DBus.Properties.Get org.clusres.ResourceHost1 Pid 2>/dev/null |
    sed -n 's/.*uint32 \([0-9]*\).*/\1/p'
}
ra() { # ra AGENT ACTION RESOURCE [NAME=VALUE...]: runs the agent like pacemaker-execd
  local a=$1 action=$2 rsc=$3; shift 3
  local kv envs=(OCF_ROOT=/usr/lib/ocf OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1
    OCF_RESOURCE_INSTANCE="$rsc" OCF_RESKEY_CRM_meta_timeout=20000)
  for kv in "$@"; do
    case $kv in OCF_*) envs+=("$kv") ;; *) envs+=("OCF_RESKEY_$kv") ;; esac
  done
  env "${envs[@]}" "$tmp/agents/$a" "$action"
}

echo "# host: $rhs"
# ---- ocf-tester --------------------------------------------------------------------------
if [ $have_genapp = 1 ]; then
  check "ocf-tester genapp" "$tmp/ocf-tester" -n app1 -o "CommandLine=/bin/sleep 600" \
    "$tmp/agents/genapp"
else
  echo "# genapp.so not built: ocf-tester runs on the test DLL through resdll only"
fi
check "ocf-tester resdll (test DLL)" "$tmp/ocf-tester" -n r1 -o dll=ocftest -o type=ocftest \
  -o "Path=$tmp/app/r1" -o "Label=first" "$tmp/agents/resdll"
host=$(host_pid org.clusres.ResourceHost)
[ -n "$host" ] && ok "the agent started the host (pid $host) without D-Bus activation" ||
  not_ok "no host owns org.clusres.ResourceHost"
[ -S "$tmp/run/rhs.sock" ] && ok "the host listens on its peer socket" ||
  not_ok "no peer socket $tmp/run/rhs.sock"

# ---- lifecycle details ---------------------------------------------------------------------
R=(dll=ocftest type=ocftest "Path=$tmp/app/r2" Label=one)
expect_rc 0 "start r2" ra resdll start r2 "${R[@]}"
check "start created the marker" test -f "$tmp/app/r2"
expect_rc 0 "monitor r2 (depth 0)" ra resdll monitor r2 "${R[@]}" CRM_meta_interval=7000
expect_rc 0 "monitor r2 (OCF_CHECK_LEVEL=20)" ra resdll monitor r2 "${R[@]}" OCF_CHECK_LEVEL=20
expect_rc 0 "reload-agent r2 with Label=two" ra resdll reload-agent r2 "${R[@]/Label=one/Label=two}"
check "reload-agent applied Label live" grep -qx two "$tmp/app/r2"
ra resdll reload-agent r2 "${R[@]/Label=one/Label=later}" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'stored' "$tmp/out" && grep -qx two "$tmp/app/r2" &&
  ok "reload-agent answered PROPERTIES_STORED: 0 with a note" ||
  { not_ok "reload-agent with a stored-only value (rc $rc)"; sed 's/^/# /' "$tmp/out"; }
rm -f "$tmp/app/r2"
expect_rc 1 "monitor r2 after its marker vanished: failed" ra resdll monitor r2 "${R[@]}" \
  OCF_CHECK_LEVEL=10
expect_rc 0 "stop r2 after the failure" ra resdll stop r2 "${R[@]}"
expect_rc 7 "monitor r2 after stop" ra resdll monitor r2 "${R[@]}"
expect_rc 0 "stop r2 again (idempotent)" ra resdll stop r2 "${R[@]}"
expect_rc 6 "start with Weight=abc: the host answers InvalidArgs" ra resdll start r5 \
  dll=ocftest type=ocftest "Path=$tmp/app/r5" Weight=abc
expect_rc 7 "monitor with a bad common parameter: r2's real state, stopped" ra resdll monitor r2 \
  "${R[@]}" pending_timeout=soon
expect_rc 5 "start of a type whose DLL is missing" ra resdll start r6 dll=nosuch type=nosuch

# ---- separate host -------------------------------------------------------------------------
S=(dll=ocftest type=ocftest "Path=$tmp/app/sep-1" separate_monitor=true)
expect_rc 0 "start sep-1 in a separate host" ra resdll start sep-1 "${S[@]}"
check "the separate host has its own peer socket" test -S "$tmp/run/rhs-sep_2d1.sock"
sep=$(host_pid org.clusres.ResourceHost.Separate.sep_2d1)
[ -n "$sep" ] && [ "$sep" != "$host" ] && ok "sep-1 runs in host $sep, not in $host" ||
  not_ok "no separate host for sep-1 ($sep)"
expect_rc 0 "monitor sep-1" ra resdll monitor sep-1 "${S[@]}"
expect_rc 0 "stop sep-1" ra resdll stop sep-1 "${S[@]}"

# ---- no host: probes must not start one -----------------------------------------------------
no_host() { [ -z "$(host_pid org.clusres.ResourceHost)" ]; }
for p in $host $sep; do kill "$p"; done
poll 20 no_host
rm -f "$tmp/run/rhs.sock"
expect_rc 7 "probe of a never-started resource with no host" ra resdll monitor never \
  dll=ocftest type=ocftest CRM_meta_interval=0
expect_rc 0 "stop of a never-started resource with no host" ra resdll stop never \
  dll=ocftest type=ocftest
[ -z "$(host_pid org.clusres.ResourceHost)" ] && [ ! -S "$tmp/run/rhs.sock" ] &&
  ok "no host was started for them" || not_ok "a host was started by a probe"
expect_rc 0 "start r3 starts the host again" ra resdll start r3 dll=ocftest type=ocftest \
  "Path=$tmp/app/r3"
expect_rc 0 "stop r3" ra resdll stop r3 dll=ocftest type=ocftest "Path=$tmp/app/r3"

# ---- D-Bus activation: with a service file the bus starts the host, not the agent ----------
h=$(host_pid org.clusres.ResourceHost)
[ -n "$h" ] && kill "$h"
poll 20 no_host
mkdir -p "$tmp/services"
cat >"$tmp/services/org.clusres.ResourceHost.service" <<SVC
[D-BUS Service]
Name=org.clusres.ResourceHost
Exec=$rhs
User=root
SVC
sed -i "s|<auth>EXTERNAL</auth>|&<servicedir>$tmp/services</servicedir>|" "$tmp/bus.conf"
kill -HUP "$bus_daemon_pid"
activatable() { # the bus read the new configuration: it can activate the host
  dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.ListActivatableNames | grep -q '"org.clusres.ResourceHost"'
}
check "the bus reloaded its configuration (the host is activatable)" poll 20 activatable
rm -f "$tmp/run/rhs.sock"
expect_rc 0 "start r4 with the host activatable" ra resdll start r4 dll=ocftest type=ocftest \
  "Path=$tmp/app/r4"
h=$(host_pid org.clusres.ResourceHost)
if [ -n "$h" ] && tr '\0' '\n' <"/proc/$h/environ" | grep -q '^DBUS_STARTER_BUS_TYPE='; then
  ok "the bus activated the host (pid $h)"
else
  not_ok "the host (pid $h) was not started by D-Bus activation"
fi
expect_rc 0 "monitor r4 (peer socket again)" ra resdll monitor r4 dll=ocftest type=ocftest
expect_rc 0 "stop r4" ra resdll stop r4 dll=ocftest type=ocftest

# ---- a host killed during a stop: the agent calls a new one, which finishes the stop -----------
# The crash point (host built with -Dfault_injection) kills the host activated for the stop just
# after it recorded "offlining"; the next host finds that record and stops the application.
if [ $have_genapp = 1 ] && [ "${CLUSRES_TEST_FAULT_INJECTION:-0}" = 1 ]; then
  G=(CommandLine="/bin/sleep 6007")
  app7() { # pid of r7's application
    local p
    for p in /proc/[0-9]*; do
      [ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "/bin/sleep 6007 " ] && echo "${p#/proc/}"
    done
  }
  expect_rc 0 "start r7 (genapp)" ra genapp start r7 "${G[@]}"
  pid7=$(app7)
  [ -n "$pid7" ] && ok "r7's application runs (pid $pid7)" || not_ok "r7's application runs"
  h=$(host_pid org.clusres.ResourceHost)
  [ -n "$h" ] && kill "$h"
  # Waited for by its pid: asking the bus would activate a new host before the crash point is set.
  for i in $(seq 100); do [ -n "$h" ] && [ -d "/proc/$h" ] || break; sleep 0.1; done
  echo offline-after-intent >"$tmp/run/rhs-crash-at"
  ra genapp stop r7 "${G[@]}" >"$tmp/out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && grep -q 'went away during the stop' "$tmp/out" &&
    ok "stop r7 with its host killed during the Offline: a new host finished it (rc $rc)" ||
    { not_ok "stop r7 with its host killed during the Offline (rc $rc)"; sed 's/^/# /' "$tmp/out"; }
  [ ! -e "$tmp/run/rhs-crash-at" ] && ok "the crash point was used" || not_ok "no host read the crash point"
  [ -z "$(app7)" ] && ok "r7's application is gone" || not_ok "r7's application still runs ($(app7))"
  expect_rc 7 "monitor r7 after the stop" ra genapp monitor r7 "${G[@]}"

  # ---- a host killed during a monitor: a new host re-adopts and answers; nothing restarts ----
  G8=(CommandLine="/bin/sleep 6008")
  app8() {
    local p
    for p in /proc/[0-9]*; do
      [ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "/bin/sleep 6008 " ] && echo "${p#/proc/}"
    done
  }
  expect_rc 0 "start r8 (genapp)" ra genapp start r8 "${G8[@]}"
  pid8=$(app8)
  h=$(host_pid org.clusres.ResourceHost)
  [ -n "$h" ] && kill "$h"
  for i in $(seq 100); do [ -n "$h" ] && [ -d "/proc/$h" ] || break; sleep 0.1; done
  echo monitor >"$tmp/run/rhs-crash-at"
  ra genapp monitor r8 "${G8[@]}" >"$tmp/out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && grep -q 'went away during the monitor' "$tmp/out" &&
    ok "monitor r8 with its host killed during the Monitor: a new host answered running (rc $rc)" ||
    { not_ok "monitor r8 with its host killed during the Monitor (rc $rc)"; sed 's/^/# /' "$tmp/out"; }
  [ ! -e "$tmp/run/rhs-crash-at" ] && ok "the monitor crash point was used" || not_ok "no host read the monitor crash point"
  [ -n "$pid8" ] && [ "$(app8)" = "$pid8" ] && ok "r8's application kept running (pid $pid8)" ||
    not_ok "r8's application changed: was $pid8, now $(app8)"
  expect_rc 0 "stop r8" ra genapp stop r8 "${G8[@]}"
else
  echo "# no genapp or no fault injection: the host-killed-during-stop case is not run"
fi

# ---- crm_resource --validate on a DESTDIR install --------------------------------------------
dest=$tmp/dest
if meson install -C "$build_root" --no-rebuild --quiet --destdir "$dest" >"$tmp/out" 2>&1; then
  ok "DESTDIR install"
  for t in genapp share resdll; do
    l=$dest/usr/lib/ocf/resource.d/clusres/$t
    [ -L "$l" ] && [ "$(readlink "$l")" = /usr/libexec/clusres/clusres-ocf ] &&
      ok "installed link clusres/$t -> clusres-ocf" || not_ok "link clusres/$t: $(readlink "$l")"
  done
  # Pacemaker only looks in /usr/lib/ocf/resource.d: overlay the install over /usr, in a
  # private mount namespace, with the installed types directory (no CLUSRES_TYPES_DIR).
  crm() {
    env -u CLUSRES_TYPES_DIR -u CLUSRES_OCF_DLL unshare -m --propagation private sh -c \
      'mount -t overlay overlay -o lowerdir="$0/usr":/usr /usr && exec "$@"' "$dest" \
      crm_resource --validate --class ocf --provider clusres "$@"
  }
  T=ocftest
  if [ $have_genapp = 1 ]; then
    expect_rc 0 "crm_resource --validate genapp CommandLine=/bin/true" \
      crm --agent genapp --option CommandLine=/bin/true
    crm --agent genapp --option CurrentDirectory=/ >"$tmp/out" 2>&1
    rc=$?
    [ $rc -ne 0 ] && grep -q CommandLine "$tmp/out" &&
      ok "crm_resource --validate genapp without CommandLine fails naming it (rc $rc)" ||
      { not_ok "crm_resource --validate genapp without CommandLine (rc $rc)"; sed 's/^/# /' "$tmp/out"; }
  fi
  expect_rc 0 "crm_resource --validate resdll (test DLL)" \
    crm --agent resdll --option dll="$testdll" --option type=$T --option Path=/tmp/x
  crm --agent resdll --option dll="$testdll" --option type=$T --option Path=/tmp/x \
    --option Weight=500 >"$tmp/out" 2>&1
  rc=$?
  [ $rc -ne 0 ] && grep -q 'Weight="500": out of range' "$tmp/out" &&
    ok "crm_resource --validate resdll Weight=500 fails naming it (rc $rc)" ||
    { not_ok "crm_resource --validate resdll Weight=500 (rc $rc)"; sed 's/^/# /' "$tmp/out"; }
else
  not_ok "DESTDIR install"; sed 's/^/# /' "$tmp/out"
fi

echo "1..$n"
[ $failed -eq 0 ]
