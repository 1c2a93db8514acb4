# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ocf.sh: running a clusres OCF agent as pacemaker-execd does, and a TAP point from its exit
# code and output.  Sourced after tap.sh (ok, not_ok, indent).  Needs $tmp (a scratch dir).

# ocf_ra AGENT ACTION RESOURCE [NAME=VALUE | OCF_*=VALUE]...: parameters as OCF_RESKEY_*,
# OCF_* variables as they are, a 20 s op timeout.
ocf_ra() {
  local agent=$1 action=$2 rsc=$3 kv
  shift 3
  local envs=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$rsc" OCF_RESKEY_CRM_meta_timeout=20000)
  for kv in "$@"; do
    case $kv in OCF_*) envs+=("$kv") ;; *) envs+=("OCF_RESKEY_$kv") ;; esac
  done
  env "${envs[@]}" "$agent" "$action"
}

# expect_run RC ERE DESC CMD...: CMD exits RC and (unless ERE is empty) its output matches ERE
expect_run() {
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
