#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Bad input through the real agent and host on a private system bus: every case is refused
# with a message naming the input and its rule (agent exit 6, OCF_ERR_CONFIGURED; 5 for a DLL
# file the host must not load) and leaves nothing behind: no instance, no state record, no
# registry file, no marker of the test DLL.  Needs root.  Prints TAP.
#
# usage: test-ocf-input.sh BUILD_ROOT AGENT RHS TESTDLL
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../../tests/lib/bus.sh
source "$here/../../tests/lib/bus.sh"
# shellcheck source=../../tests/lib/tap.sh
source "$here/../../tests/lib/tap.sh"
# shellcheck source=../../tests/lib/ocf.sh
source "$here/../../tests/lib/ocf.sh"

build_root=$1 agent=$2 rhs=$3 testdll=$4

tap_preflight "a private system bus, chown" dbus-daemon gdbus

tmp=$(mktemp -d /tmp/clusres-ocf-input.XXXXXX)
chmod 755 "$tmp"
# DLL files the host may load must sit where root alone can write (clusres-dllfile.h): /tmp is
# writable by everyone, the build tree is not.
trusted=$(mktemp -d "$build_root/resource-agent/ocf/input-dlls.XXXXXX")
chmod 755 "$trusted"
cleanup() {
  run_dir_kill "$tmp/run"
  bus_stop
  rm -rf "$tmp" "$trusted"
}
trap cleanup EXIT

mkdir -p "$tmp/run" "$tmp/registry" "$tmp/types" "$tmp/agents" "$tmp/app"
export CLUSRES_RUN_DIR=$tmp/run CLUSRES_REGISTRY_DIR=$tmp/registry CLUSRES_TYPES_DIR=$tmp/types
export CLUSRES_RHS=$rhs
ln -s "$testdll" "$tmp/types/ocftest.so"
ln -s "$agent" "$tmp/agents/resdll"
bus_conf "$tmp" any
bus_start - "$tmp" || bail "dbus-daemon did not start"

ra() { # ra ACTION RESOURCE [NAME=VALUE | OCF_*=VALUE]...: the agent as pacemaker-execd runs it
  ocf_ra "$tmp/agents/resdll" "$@"
}
expect() { expect_run "$@"; } # RC ERE DESC CMD... (tests/lib/ocf.sh)
listed() { # listed NAME: the host keeps an instance NAME
  gdbus call --system --dest org.clusres.ResourceHost --object-path /org/clusres/ResourceHost \
    --method org.clusres.ResourceHost1.ListInstances 2>/dev/null | grep -Fq "'name': <'$1'>"
}
# untouched NAME [MARKER]: nothing of resource NAME anywhere (its name must need no escaping)
untouched() {
  local left=()
  [ -e "$tmp/registry/$1.conf" ] && left+=("registry file: $(head -c 200 "$tmp/registry/$1.conf")")
  [ -e "$tmp/run/instances/$1.conf" ] && left+=("state record")
  listed "$1" && left+=("instance")
  [ -n "${2:-}" ] && [ -e "$2" ] && left+=("marker $2")
  if [ ${#left[@]} -eq 0 ]; then ok "nothing of $1 was left behind"; else
    not_ok "$1 left: ${left[*]}"
  fi
}
T=(dll=ocftest type=ocftest)

# ---- ids and values that are not UTF-8 -------------------------------------------------------
# They reached the host as "[Invalid UTF-8]": two different bad ids addressed one resource, so
# stopping one stopped a resource really named so.
legit='[Invalid UTF-8]'
expect 0 '' "start a resource really named $legit" ra start "$legit" "${T[@]}" "Path=$tmp/app/legit"
expect 6 'OCF_RESOURCE_INSTANCE "bad.*" is not a valid name' "start with an id that is not UTF-8" \
  ra start $'bad\xff' "${T[@]}" "Path=$tmp/app/bad"
# No instance can have an id the host refuses: a stop of one has nothing to stop (exit 0; a
# failed stop gets the node fenced) and a monitor finds nothing running (7).
expect 0 'OCF_RESOURCE_INSTANCE "bad.*" is not a valid name.*no instance can have it' \
  "stop with another id that is not UTF-8: nothing to stop" \
  ra stop $'bad\xfe' "${T[@]}" "Path=$tmp/app/bad"
expect 7 'OCF_RESOURCE_INSTANCE "bad.*" is not a valid name.*no instance can have it' \
  "monitor with an id that is not UTF-8: not running" ra monitor $'bad\xff' "${T[@]}"
expect 7 'OCF_RESOURCE_INSTANCE' "probe with an id that is not UTF-8: not running" \
  ra monitor $'bad\xff' "${T[@]}" OCF_RESKEY_CRM_meta_interval=0
expect 0 '' "$legit still runs" ra monitor "$legit" "${T[@]}"
check "its marker is still there, no other was made" test -e "$tmp/app/legit" -a ! -e "$tmp/app/bad"
expect 6 'OCF_RESKEY_Label ".*" is not valid UTF-8' "start with a value that is not UTF-8" \
  ra start v1 "${T[@]}" "Path=$tmp/app/v1" $'Label=\xff'
untouched v1 "$tmp/app/v1"
expect 6 'environment variable "OCF_RESKEY_L.*abel" is not valid UTF-8' \
  "start with a parameter name that is not UTF-8" \
  ra start v2 "${T[@]}" "Path=$tmp/app/v2" $'OCF_RESKEY_L\xffabel=x'
untouched v2 "$tmp/app/v2"
expect 0 '' "stop $legit" ra stop "$legit" "${T[@]}" "Path=$tmp/app/legit"

# ---- parameter names the state record cannot keep --------------------------------------------
for n in ' Label' 'Label ' '#x'; do
  expect 6 "OCF_RESKEY_$n: \"$n\" is not a valid parameter name" \
    "start with the parameter name \"$n\"" ra start p1 "${T[@]}" "Path=$tmp/app/p1" "OCF_RESKEY_$n=2"
done
untouched p1 "$tmp/app/p1"

# ---- the DLL's property limits at start, as validate-all has them ----------------------------
expect 6 'parameter Weight="101": out of range \(1 to 100\)' "start with Weight=101" \
  ra start w1 "${T[@]}" "Path=$tmp/app/w1" Weight=101
expect 6 'parameter Weight="101": out of range \(1 to 100\)' "validate-all says the same" \
  ra validate-all w1 "${T[@]}" "Path=$tmp/app/w1" Weight=101
untouched w1 "$tmp/app/w1"
expect 6 'unknown parameter Colour' "start with an unknown parameter" \
  ra start w2 "${T[@]}" "Path=$tmp/app/w2" Colour=red
untouched w2 "$tmp/app/w2"
expect 6 'required parameter Path is missing' "start without a required parameter" \
  ra start w3 "${T[@]}"
untouched w3
# The DLL's own rule (Weight above 50 needs Verbose) is its VALIDATE_PRIVATE_PROPERTIES's.
expect 6 'VALIDATE_PRIVATE_PROPERTIES rejected the parameters with 87.*Weight above 50 needs Verbose' \
  "start that the DLL's VALIDATE_PRIVATE_PROPERTIES rejects" \
  ra start w4 "${T[@]}" "Path=$tmp/app/w4" Weight=60
untouched w4 "$tmp/app/w4"
expect 0 '' "start with Weight=60 Verbose=1" ra start w5 "${T[@]}" "Path=$tmp/app/w5" Weight=60 Verbose=1
expect 0 '' "stop it" ra stop w5 "${T[@]}"

# ---- meta booleans ---------------------------------------------------------------------------
expect 1 'org.clusres.Error.InvalidArgs: meta separate_monitor="banana" is not a boolean' \
  "Online with separate_monitor=banana over D-Bus" \
  gdbus call --system --dest org.clusres.ResourceHost --object-path /org/clusres/ResourceHost \
  --method org.clusres.ResourceHost1.Online s1 ocftest "$testdll" "{'Path': '$tmp/app/s1'}" \
  "{'separate_monitor': 'banana'}" 10000
untouched s1 "$tmp/app/s1"
expect 6 'OCF_RESKEY_separate_monitor="banana" is not a boolean' "the agent refuses it too" \
  ra start s1 "${T[@]}" "Path=$tmp/app/s1" separate_monitor=banana
# Pacemaker's spellings still work: the agent sends the host true or false.
expect 0 '' "start with separate_monitor=yes" ra start s2 "${T[@]}" "Path=$tmp/app/s2" separate_monitor=yes
expect 0 '' "stop it" ra stop s2 "${T[@]}" separate_monitor=yes

# ---- a rejected start writes no registry file ------------------------------------------------
expect 6 'Weight="abc": must be an unsigned integer' "start with Weight=abc" \
  ra start r5 "${T[@]}" "Path=$tmp/app/r5" Weight=abc
untouched r5 "$tmp/app/r5"
# Only what ever started has a registry file.
files=$(find "$tmp/registry" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
want=$(printf '%s\n' '%5BInvalid%20UTF-8%5D.conf' s2.conf w5.conf | sort | tr '\n' ' ')
if [ "$files" = "$want" ]; then ok "registry holds only started resources: $files"; else
  not_ok "registry holds $files, want $want"
fi

# ---- stop and monitor check only what they use -----------------------------------------------
# A parameter changed on a running resource reaches its monitors (and may reach its stop) before
# any start refuses it.  A stop that exits 6 gets the node fenced, a monitor's 6 is a hard error
# on every node: they act on the instance the id names, warn about what they do not use, and
# look for the instance in both hosts when separate_monitor cannot be read.
listed_in() { # listed_in BUS_NAME NAME: that host keeps an instance NAME (online or parked)
  gdbus call --system --dest "$1" --object-path /org/clusres/ResourceHost \
    --method org.clusres.ResourceHost1.ListInstances 2>/dev/null | grep -Fq "'name': <'$2'>"
}
# stopped_in BUS_NAME NAME: the instance is down: its marker is gone, the host keeps no state
# record of it (a cleanly stopped instance stays open, "parked", without one) and answers Offline
stopped_in() {
  local rec=$tmp/run/instances/$2.conf
  [ "$1" != org.clusres.ResourceHost ] && rec=$tmp/run/instances-$2/$2.conf
  [ ! -e "$tmp/app/$2" ] && [ ! -e "$rec" ] &&
    gdbus call --system --dest "$1" --object-path /org/clusres/ResourceHost \
      --method org.clusres.ResourceHost1.Monitor "$2" 0 2>&1 | grep -q '^(3,'
}
running_in() { # running_in BUS_NAME NAME: the marker is there and the host answers Online
  [ -e "$tmp/app/$2" ] &&
    gdbus call --system --dest "$1" --object-path /org/clusres/ResourceHost \
      --method org.clusres.ResourceHost1.Monitor "$2" 0 2>&1 | grep -q '^(2,'
}
bads=(looks_alive_interval=0 pending_timeout=soon close_delay=-1 separate_monitor=banana
  $'separate_monitor=\xff' 'OCF_RESKEY_#x=1' 'OCF_RESKEY_ Label=x' $'Label=\xff'
  $'OCF_RESKEY_L\xffabel=x' $'OCF_RESKEY_CRM_meta_on_node=n\xff' OCF_RESKEY_CRM_meta_timeout=20s
  OCF_RESKEY_CRM_meta_interval=10s OCF_CHECK_LEVEL=deep)
G=(dll=ocftest type=ocftest "Path=$tmp/app/g1")
expect 0 '' "start g1 with good parameters" ra start g1 "${G[@]}"
for b in "${bads[@]}"; do
  q=$(printf %q "$b") w=${b%%=*}
  w=${w%%[^A-Za-z0-9_ #]*} # the message shows bytes that are not UTF-8 as U+FFFD
  # "$b" last: the environment's last value of a name wins.
  expect 0 "warning: .*$w" "monitor g1 with $q: running, with a warning" \
    ra monitor g1 "${G[@]}" OCF_RESKEY_CRM_meta_interval=10000 "$b"
  expect 0 '' "probe of g1 with $q: running" ra monitor g1 "${G[@]}" OCF_RESKEY_CRM_meta_interval=0 "$b"
  expect 6 '' "start with $q is still refused" ra start g9 dll=ocftest type=ocftest \
    "Path=$tmp/app/g9" "$b"
done
untouched g9 "$tmp/app/g9"
check "g1 still runs after those monitors" running_in org.clusres.ResourceHost g1
expect 0 '' "monitor g1 without resdll's dll and type: the id is enough" ra monitor g1 \
  "Path=$tmp/app/g1"
expect 0 'warning: .*looks_alive_interval' "stop g1 with looks_alive_interval=0 and #x" \
  ra stop g1 "${G[@]}" looks_alive_interval=0 'OCF_RESKEY_#x=1'
check "g1 really stopped: marker, state record gone, the host answers Offline" \
  stopped_in org.clusres.ResourceHost g1
expect 7 '' "monitor g1 with looks_alive_interval=0: not running" ra monitor g1 "${G[@]}" \
  looks_alive_interval=0
expect 7 '' "probe of g1 with #x: not running" ra monitor g1 "${G[@]}" 'OCF_RESKEY_#x=1' \
  OCF_RESKEY_CRM_meta_interval=0
expect 6 'looks_alive_interval' "start g1 with looks_alive_interval=0 is refused" \
  ra start g1 "${G[@]}" looks_alive_interval=0
expect 7 '' "g1 stays stopped" ra monitor g1 "${G[@]}"
expect 0 '' "stop g1 without resdll's dll and type" ra stop g1 "Path=$tmp/app/g1"

# separate_monitor unreadable: the instance may be in the shared host or in its own.
G3=(dll=ocftest type=ocftest "Path=$tmp/app/g3")
expect 0 '' "start g3 in the shared host" ra start g3 "${G3[@]}"
check "g3 runs in the shared host" running_in org.clusres.ResourceHost g3
expect 0 'warning: .*separate_monitor.*both' "monitor g3 with separate_monitor=banana" \
  ra monitor g3 "${G3[@]}" separate_monitor=banana
expect 0 'separate_monitor' "stop g3 with separate_monitor=banana" \
  ra stop g3 "${G3[@]}" separate_monitor=banana
check "g3 really stopped" stopped_in org.clusres.ResourceHost g3
check "no separate host was started for g3" \
  eval "test ! -e '$tmp/run/rhs-g3.sock' && ! listed_in org.clusres.ResourceHost.Separate.g3 g3"
expect 7 '' "monitor g3 with separate_monitor=banana: not running" \
  ra monitor g3 "${G3[@]}" separate_monitor=banana
G2=(dll=ocftest type=ocftest "Path=$tmp/app/g2")
expect 0 '' "start g2 in its own host" ra start g2 "${G2[@]}" separate_monitor=true
check "g2 runs in its own host" running_in org.clusres.ResourceHost.Separate.g2 g2
expect 0 'warning: .*separate_monitor' "monitor g2 with separate_monitor=banana" \
  ra monitor g2 "${G2[@]}" separate_monitor=banana
expect 0 '' "probe of g2 with separate_monitor=\\xff" \
  ra monitor g2 "${G2[@]}" $'separate_monitor=\xff' OCF_RESKEY_CRM_meta_interval=0
expect 0 'separate_monitor' "stop g2 with separate_monitor=banana" \
  ra stop g2 "${G2[@]}" separate_monitor=banana
check "g2 really stopped in its own host" stopped_in org.clusres.ResourceHost.Separate.g2 g2
expect 7 '' "monitor g2 with separate_monitor=banana: not running" \
  ra monitor g2 "${G2[@]}" separate_monitor=banana
expect 6 'separate_monitor' "start g2 with separate_monitor=banana is refused" \
  ra start g2 "${G2[@]}" separate_monitor=banana
expect 7 '' "g2 stays stopped" ra monitor g2 "${G2[@]}" separate_monitor=true

# ---- DLL files that anyone but root can write ------------------------------------------------
install -m 644 "$testdll" "$trusted/ok.so"
expect 0 '' "start from a DLL root alone can write" ra start dok dll="$trusted/ok.so" type=ocftest \
  "Path=$tmp/app/dok"
expect 0 '' "stop it" ra stop dok dll="$trusted/ok.so" type=ocftest
install -m 664 "$testdll" "$trusted/gw.so"
mkdir -m 777 "$trusted/open"
install -m 644 "$testdll" "$trusted/open/x.so"
install -m 644 -o 65534 "$testdll" "$trusted/theirs.so"
# A link is judged by where it leads: here a directory anyone may write (not sticky).
mkdir -m 777 "$tmp/wide"
install -m 644 "$testdll" "$tmp/wide/in-tmp.so"
ln -s "$tmp/wide/in-tmp.so" "$trusted/link.so"
rules='owned by root and writable by root only'
while read -r rsc file why; do
  expect 5 "refusing to load resource DLL $file: .*$why.*$rules" "start from ${file#"$trusted"/}: $why" \
    ra start "$rsc" dll="$file" type=ocftest "Path=$tmp/app/$rsc"
  untouched "$rsc" "$tmp/app/$rsc"
  expect 5 "refusing to load resource DLL $file: .*$why" "validate-all refuses ${file#"$trusted"/} too" \
    ra validate-all "$rsc" dll="$file" type=ocftest "Path=$tmp/app/$rsc"
done <<EOF
dgw $trusted/gw.so is writable by its group
dopen $trusted/open/x.so $trusted/open is writable by others
dtheirs $trusted/theirs.so is owned by uid 65534
dlink $trusted/link.so $tmp/wide is writable by others
EOF

tap_done
