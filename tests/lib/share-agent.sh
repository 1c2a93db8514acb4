# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# share-agent.sh: what the integration tests of the share types (tests/integration/
# test-share*-ganesha.sh) share: the agent run as pacemaker-execd runs it, inside the test's
# network namespace, an exit-code check, and Ganesha's export list and grace state on the
# private bus.  Sourced after tap.sh; the caller sets ns (namespace), tmp (its directory) and
# agent_link (the agent under the type's name).

inns() { ip netns exec "$ns" "$@"; }

ra() { # ra ACTION RESOURCE [NAME=VALUE...]: runs the agent like pacemaker-execd, on nodeA
  local action=$1 rsc=$2
  shift 2
  local kv envs=(OCF_ROOT=/usr/lib/ocf OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1
    OCF_RESOURCE_INSTANCE="$rsc" OCF_RESKEY_CRM_meta_timeout="${RA_TIMEOUT_MS:-30000}"
    OCF_RESKEY_CRM_meta_on_node=nodeA)
  for kv in "$@"; do
    case $kv in OCF_*) envs+=("$kv") ;; *) envs+=("OCF_RESKEY_$kv") ;; esac
  done
  inns env "${envs[@]}" "$agent_link" "$action"
}

expect_rc() { # expect_rc WANT DESC CMD...: output in $tmp/out
  local want=$1 desc=$2
  shift 2
  "$@" >"$tmp/out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$desc (rc $rc)"; else
    not_ok "$desc (rc $rc, want $want)"
    sed 's/^/# /' "$tmp/out"
  fi
}

exports() { # the paths Ganesha exports, sorted, without its pseudo root "/" (Export_Id 0)
  inns dbus-send --system --reply-timeout=5000 --print-reply --dest=org.ganesha.nfsd \
    /org/ganesha/nfsd/ExportMgr org.ganesha.nfsd.exportmgr.ShowExports 2>/dev/null |
    sed -n 's/^ *string "\(\/[^"]*\)"$/\1/p' | grep -vx / | sort
}

in_grace() { # get_grace answers (b isInGrace, b status, s message)
  inns dbus-send --system --reply-timeout=1000 --print-reply --dest=org.ganesha.nfsd \
    /org/ganesha/nfsd/admin org.ganesha.nfsd.admin.get_grace 2>/dev/null |
    grep -m1 boolean | grep -q 'boolean true'
}
out_of_grace() { ! in_grace; }
