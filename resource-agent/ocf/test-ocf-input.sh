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
  local action=$1 rsc=$2 kv
  shift 2
  local envs=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$rsc" OCF_RESKEY_CRM_meta_timeout=20000)
  for kv in "$@"; do
    case $kv in OCF_*) envs+=("$kv") ;; *) envs+=("OCF_RESKEY_$kv") ;; esac
  done
  env "${envs[@]}" "$tmp/agents/resdll" "$action"
}
# expect RC ERE DESC CMD...: CMD exits RC and (unless ERE is empty) its output matches ERE
expect() {
  local want=$1 re=$2 desc=$3 rc
  shift 3
  "$@" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq "$want" ] && { [ -z "$re" ] || grep -Eq -- "$re" "$tmp/out"; }; then
    ok "$desc (rc $rc)"
  else
    not_ok "$desc (rc $rc, want $want and /$re/)"
    indent <"$tmp/out"
  fi
}
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
expect 6 'OCF_RESOURCE_INSTANCE' "stop with another id that is not UTF-8" \
  ra stop $'bad\xfe' "${T[@]}" "Path=$tmp/app/bad"
expect 6 'OCF_RESOURCE_INSTANCE' "monitor with an id that is not UTF-8" ra monitor $'bad\xff' "${T[@]}"
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

# ---- DLL files that anyone but root can write ------------------------------------------------
install -m 644 "$testdll" "$trusted/ok.so"
expect 0 '' "start from a DLL root alone can write" ra start dok dll="$trusted/ok.so" type=ocftest \
  "Path=$tmp/app/dok"
expect 0 '' "stop it" ra stop dok dll="$trusted/ok.so" type=ocftest
install -m 664 "$testdll" "$trusted/gw.so"
mkdir -m 777 "$trusted/open"
install -m 644 "$testdll" "$trusted/open/x.so"
install -m 644 -o 65534 "$testdll" "$trusted/theirs.so"
install -m 644 "$testdll" "$tmp/in-tmp.so"
ln -s "$tmp/in-tmp.so" "$trusted/link.so"
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
dlink $trusted/link.so /tmp is writable by others
EOF

tap_done
