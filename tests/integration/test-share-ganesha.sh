#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The share resource end to end: the OCF agent (clusres-ocf as `share`) and the resource host
# from the build tree run inside a network namespace, on a private system bus, against a real
# NFS-Ganesha; libnfs clients read the share through the VIP.  Checks meta-data against the
# OCF 1.1 RNG, validation (exit 6, nothing changed), start/monitor(0/10/20)/stop, the GSM/LSM
# shown by clusresctl, a failover share (home_node=nodeB) (its takeover grace, and no release grace when it leaves), and that a
# file handle taken on one Ganesha still reads the file on a second one after the agent
# started the share there (no stale handle after a failover).
# Needs root; prints TAP.  Environment (set by meson): CLUSRES_BUILD_DIR, CLUSRES_SOURCE_DIR.
set -uo pipefail

src=${CLUSRES_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${CLUSRES_BUILD_DIR:?CLUSRES_BUILD_DIR is not set (run through meson test)}
# shellcheck source=../lib/tap.sh
. "$src/tests/lib/tap.sh"
# shellcheck source=../lib/ganesha.sh
. "$src/tests/lib/ganesha.sh"
# shellcheck source=../lib/share-agent.sh
. "$src/tests/lib/share-agent.sh"

tap_preflight "network namespace, ganesha.nfsd" ip dbus-daemon dbus-send ganesha.nfsd nfs-cat xmllint

agent_bin=$build/resource-agent/ocf/clusres-ocf
rhs_bin=$build/resource-agent/host/clusres-rhs
share_so=$build/resource-agent/types/share/share.so
ctl_bin=$build/resource-agent/ctl/clusresctl
handle_bin=$build/tests/integration/it-nfs-handle
rng=$src/resource-agent/ocf/testdata/ra-api-1.1.rng
for f in "$agent_bin" "$rhs_bin" "$share_so" "$ctl_bin" "$handle_bin"; do
  [ -x "$f" ] || [ -f "$f" ] || bail "$f is not built"
done
[ -f "$rng" ] || bail "$rng is missing"

ns=clusres-sg-$$
addr=198.18.0.10
vip=198.18.0.100   # nodeA's VIP: the shares homed here
vip_b=198.18.0.101 # nodeB's VIP: the failover share
tmp=$(mktemp -d /tmp/clusres-sg.XXXXXX)
chmod 755 "$tmp" # Ganesha serves the export as the squashed user
host_pid=
ganesha_pid=

# Every process we started carries our run dir in its environment: end exactly those.
cleanup() {
  run_dir_kill "$tmp/run"
  bus_stop
  ip netns delete "$ns" 2>/dev/null
  if [ -n "${SG_KEEP:-}" ]; then echo "# kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# ---- namespace, bus, environment -------------------------------------------------------------
ganesha_netns_add "$ns" "$addr/24" "$vip/32" "$vip_b/32" || bail "cannot create namespace $ns"

mkdir -p "$tmp/run" "$tmp/registry" "$tmp/types" "$tmp/agents" "$tmp/export/s1" "$tmp/export/s2"
ln -s "$share_so" "$tmp/types/share.so"
agent_link=$tmp/agents/share
ln -s "$agent_bin" "$agent_link" # the link name is the type
chmod -R a+rX "$tmp/export"
text1="hello from s1 through the VIP"
text2="hello from s2 (homed on nodeB)"
echo "$text1" >"$tmp/export/s1/hello.txt"
echo "$text2" >"$tmp/export/s2/hello.txt"
chmod 644 "$tmp/export"/*/hello.txt

bus_conf "$tmp" any
export CLUSRES_RUN_DIR=$tmp/run CLUSRES_REGISTRY_DIR=$tmp/registry CLUSRES_TYPES_DIR=$tmp/types
export CLUSRES_RHS=$rhs_bin
# Newer agents run meta-data/validate-all in a helper program (CLUSRES_OCF_DLL overrides its
# installed path): use the build's when there is one.
[ ! -x "$build/resource-agent/ocf/clusres-ocf-dll" ] ||
  export CLUSRES_OCF_DLL=$build/resource-agent/ocf/clusres-ocf-dll
bus_start "$ns" "$tmp" || bail "dbus-daemon did not start"

# ---- Ganesha ---------------------------------------------------------------------------------
# Two servers with their own recovery directories, as two nodes would have.  A short grace
# period keeps the test fast; NFSv4 only, so no rpcbind is needed.
for node in A B; do
  ganesha_conf "$tmp/ganesha-$node.conf" "$tmp/recovery-$node" 4 3
done
ganesha_answers() { ganesha_is_up "$ns"; }
ganesha_start() { # ganesha_start A|B
  ganesha_log=$tmp/ganesha-$1.log
  ganesha_run -F "$ns" "$tmp/ganesha-$1" NIV_EVENT 15 || return 1
  [ "$(readlink "/proc/$ganesha_pid/exe")" = "$(command -v ganesha.nfsd)" ]
}
ganesha_kill() {
  ganesha_stop "$ganesha_pid" 10
  ganesha_pid=
}
ganesha_start A || bail "ganesha.nfsd (A) did not answer on the bus"
ok "ganesha A runs in $ns on the private bus"
wait_until 20 out_of_grace || diag "ganesha A still in its start-up grace"

# ---- the host and the agent ------------------------------------------------------------------
ip netns exec "$ns" "$rhs_bin" >"$tmp/rhs.log" 2>&1 &
host_pid=$!
wait_until 10 test -S "$tmp/run/rhs.sock" || bail "clusres-rhs did not come up"

S1=(share_name=s1 "path=$tmp/export/s1" home_node=nodeA "vip=$vip" pseudo=/s1 export_id=101
  clients=198.18.0.0/24 access=ro)
S2=(share_name=s2 "path=$tmp/export/s2" home_node=nodeB "vip=$vip_b" pseudo=/s2 export_id=102
  clients=198.18.0.0/24 access=ro)

nfs_read() { # nfs_read VIP PSEUDO: the share's hello.txt through the VIP
  inns timeout 20 nfs-cat "nfs://$1$2/hello.txt?version=4" 2>"$tmp/nfs.err"
}
nfs_reads() { # nfs_reads VIP PSEUDO TEXT: retries (30 s) while the server may still be in grace
  local got
  # shellcheck disable=SC2317 # called by wait_until
  reads() { got=$(nfs_read "$1" "$2") && [ "$got" = "$3" ]; }
  wait_until 30 reads "$@" && return 0
  got=$(nfs_read "$1" "$2")
  diag "nfs-cat $1$2: '${got:-}' $(head -c 300 "$tmp/nfs.err")"
  return 1
}
status() { inns "$ctl_bin" status 2>&1; }
status_has() { # status_has RESOURCE REGEX: the resource's line(s) of clusresctl status match
  local out
  out=$(status)
  # clusresctl prints the type-specific status on the line after the resource's line.
  if awk -v r="$1" '$1 == r { getline; print }' <<<"$out" | grep -Eq "$2"; then return 0; fi
  diag "clusresctl status does not show /$2/ for $1:"
  sed 's/^/#   /' <<<"$out"
  return 1
}

# ---- meta-data, validate-all -----------------------------------------------------------------
expect_rc 0 "meta-data" ra meta-data s1
if xmllint --noout --relaxng "$rng" "$tmp/out" >"$tmp/lint" 2>&1; then
  ok "meta-data validates against the OCF 1.1 RNG"
else
  not_ok "meta-data does not validate against the OCF 1.1 RNG"
  sed 's/^/# /' "$tmp/lint"
fi
missing=
for p in share_name path home_node vip pseudo export_id clients access squash disk driver; do
  grep -q "<parameter name=\"$p\"" "$tmp/out" || missing="$missing $p"
done
[ -z "$missing" ] && ok "meta-data lists all eleven parameters" ||
  not_ok "meta-data lacks:$missing"
grep -q '<parameter name="share_name"[^>]*unique-group=' "$tmp/out" &&
  ok "share_name is unique (unique-group)" || not_ok "share_name has no unique-group"
expect_rc 0 "validate-all with good parameters" ra validate-all s1 "${S1[@]}"

# ---- bad parameters: exit 6, a clear message, nothing changed --------------------------------
exports_before=$(exports)
registry_before=$(ls "$tmp/registry")
nl=$'\n'
bad_cases=(
  "quote in share_name|share_name|share_name=s\"1"
  "quote in path|path|path=$tmp/export/s\"1"
  "brace in path|path|path=$tmp/export/s1}"
  "brace in pseudo|pseudo|pseudo=/s1{x"
  "newline in path|path|path=$tmp/export/s1${nl}x"
  "'..' in path|path|path=$tmp/export/../export/s1"
  "relative path|path|path=export/s1"
  "relative pseudo|pseudo|pseudo=s1"
  "bad access|access|access=rwx"
  "bad vip|vip|vip=198.18.0.300"
  "vip with a quote|vip|vip=198.18.0.100\""
  "bad clients|clients|clients=a;b"
)
n_bad=0
for c in "${bad_cases[@]}"; do
  desc=${c%%|*} rest=${c#*|}
  name=${rest%%|*} kv=${rest#*|}
  n_bad=$((n_bad + 1))
  rsc=bad$n_bad
  for action in validate-all start; do
    ra "$action" "$rsc" "${S1[@]}" "$kv" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -eq 6 ] && grep -qi "$name" "$tmp/out"; then
      ok "$action, $desc: rc 6 naming $name"
    else
      not_ok "$action, $desc: rc $rc (want 6 and a message naming $name)"
      sed 's/^/# /' "$tmp/out"
    fi
  done
  ra stop "$rsc" "${S1[@]}" "$kv" >/dev/null 2>&1 # as Pacemaker does after a failed start
done
[ "$(exports)" = "$exports_before" ] && ok "the bad parameters changed no export" ||
  { not_ok "exports changed"; diag "before: $exports_before"; diag "after: $(exports)"; }
[ "$(ls "$tmp/registry")" = "$registry_before" ] &&
  ok "the bad parameters left no registry entry" ||
  not_ok "registry entries left: $(ls "$tmp/registry" | tr '\n' ' ')"
status | grep -q '\bbad[0-9]' && not_ok "a bad resource is still known to the host" ||
  ok "no bad resource is known to the host"

# ---- start, monitor, status, stop ------------------------------------------------------------
expect_rc 7 "probe of s1 before start" ra monitor s1 "${S1[@]}" CRM_meta_interval=0
expect_rc 0 "start s1" ra start s1 "${S1[@]}"
exports | grep -qx "$tmp/export/s1" && ok "Ganesha exports /s1" || not_ok "Ganesha does not export /s1"
nfs_reads "$vip" /s1 "$text1" && ok "s1 is readable through the VIP (nfs-cat)" ||
  not_ok "s1 is not readable through the VIP"
for depth in 0 10 20; do
  expect_rc 0 "monitor s1 at depth $depth" ra monitor s1 "${S1[@]}" OCF_CHECK_LEVEL=$depth \
    CRM_meta_interval=10000
done
expect_rc 0 "start s1 again (idempotent)" ra start s1 "${S1[@]}"
status_has s1 'GlobalState=.?Online' && ok "clusresctl: s1 GSM Online" ||
  not_ok "clusresctl: s1 GSM"
status_has s1 'LocalState=.?Online' && ok "clusresctl: s1 LSM Online" ||
  not_ok "clusresctl: s1 LSM"
status_has s1 'NodeShareCount=.?1\b' && ok "clusresctl: NodeShareCount 1" ||
  not_ok "clusresctl: NodeShareCount"

# A share homed on nodeB started here: a failover share.
: >"$tmp/mark"
expect_rc 0 "start s2 (home_node=nodeB) here" ra start s2 "${S2[@]}"
nfs_reads "$vip_b" /s2 "$text2" && ok "s2 is readable through nodeB's VIP" ||
  not_ok "s2 is not readable through nodeB's VIP"
status_has s2 'GlobalState=.?Failover' && ok "clusresctl: GSM Failover with s2 online" ||
  not_ok "clusresctl: GSM with s2"
status_has s2 'LocalState=.?Failover' && ok "clusresctl: s2 LSM Failover" ||
  not_ok "clusresctl: s2 LSM"
status_has s2 'OPNodeShareCount=.?1\b' && ok "clusresctl: OPNodeShareCount 1" ||
  not_ok "clusresctl: OPNodeShareCount"
status_has s2 'nodeB=1' && ok "clusresctl: OPNodeShareCounts nodeB=1" ||
  not_ok "clusresctl: OPNodeShareCounts"
wait_until 15 grep -q "recovery event 5.*$vip_b\|$vip_b.*recovery event 5\|5:$vip_b" "$ganesha_log" &&
  ok "takeover grace 5:$vip_b reached Ganesha" ||
  { not_ok "no takeover grace for $vip_b in Ganesha's log"; grep -i 'grace\|recovery' "$ganesha_log" | tail -5 | sed 's/^/# /'; }
expect_rc 0 "monitor s2 at depth 20" ra monitor s2 "${S2[@]}" OCF_CHECK_LEVEL=20
expect_rc 0 "stop s2 (the transition back)" ra stop s2 "${S2[@]}"
# The VIP leaving sends no release event (2): it would put the whole server in grace.
if grep -q "recovery event 2" "$ganesha_log"; then
  not_ok "no release grace 2:$vip_b sent to Ganesha"
  grep -i 'grace\|recovery' "$ganesha_log" | tail -5 | sed 's/^/# /'
else
  ok "no release grace 2:$vip_b sent to Ganesha"
fi
# FIG. 8B block 103: the GSM leaves Failover when no other node's share is hosted here, and
# becomes Offline even with local shares online (share/README.md: as in the seed).
status_has s1 'GlobalState=Offline .*NodeShareCount=1 OPNodeShareCount=0' &&
  ok "clusresctl: GSM left Failover (Offline per FIG. 8B), s1 still counted" ||
  not_ok "clusresctl: GSM after s2 stop"
! exports | grep -qx "$tmp/export/s2" && ok "Ganesha no longer exports /s2" || not_ok "/s2 still exported"
expect_rc 7 "monitor s2 after stop" ra monitor s2 "${S2[@]}"

expect_rc 0 "stop s1" ra stop s1 "${S1[@]}"
! exports | grep -qx "$tmp/export/s1" && ok "Ganesha no longer exports /s1" || not_ok "/s1 still exported"
if got=$(nfs_read "$vip" /s1); then not_ok "s1 still readable after stop: $got"; else
  ok "s1 is unreadable through the VIP after stop"
fi
for depth in 0 10 20; do
  expect_rc 7 "monitor s1 at depth $depth after stop" ra monitor s1 "${S1[@]}" \
    OCF_CHECK_LEVEL=$depth CRM_meta_interval=10000
done
expect_rc 0 "stop s1 again (idempotent)" ra stop s1 "${S1[@]}"
[ -z "$(exports)" ] && ok "no export left on Ganesha" || not_ok "exports left: $(exports)"

# ---- failover: a handle from Ganesha A still reads the file on Ganesha B ---------------------
expect_rc 0 "start s1 on ganesha A" ra start s1 "${S1[@]}"
nfs_reads "$vip" /s1 "$text1" >/dev/null || true
handle=$(inns "$handle_bin" lookup "$vip" /s1 hello.txt 2>"$tmp/h.err")
[ -n "$handle" ] && ok "file handle of /s1/hello.txt from ganesha A: ${handle:0:24}..." ||
  { not_ok "no file handle from ganesha A"; sed 's/^/# /' "$tmp/h.err"; }
got=$(inns "$handle_bin" read "$vip" "$handle" 2>"$tmp/h.err")
[ "$got" = "$text1" ] && ok "the handle reads the file on ganesha A" ||
  { not_ok "read by handle on A: '$got'"; sed 's/^/# /' "$tmp/h.err"; }
expect_rc 0 "stop s1 on ganesha A" ra stop s1 "${S1[@]}"
pid_a=$ganesha_pid
ganesha_kill
! kill -0 "$pid_a" 2>/dev/null && ! ganesha_answers && ok "ganesha A (pid $pid_a) is gone" ||
  bail "ganesha A (pid $pid_a) still runs"
ganesha_start B || bail "ganesha.nfsd (B) did not answer on the bus"
[ "$ganesha_pid" != "$pid_a" ] && grep -q "$tmp/ganesha-B.conf" "/proc/$ganesha_pid/cmdline" &&
  ok "ganesha B (pid $ganesha_pid) started with fresh state" || not_ok "ganesha B is not running"
[ -z "$(exports)" ] && ok "ganesha B starts without exports" || not_ok "B exports: $(exports)"
expect_rc 0 "start s1 on ganesha B through the agent" ra start s1 "${S1[@]}"
got=$(inns "$handle_bin" read "$vip" "$handle" 2>"$tmp/h.err")
[ "$got" = "$text1" ] && ok "A's handle reads the file on ganesha B (no stale handle)" ||
  { not_ok "A's handle on B: '$got'"; sed 's/^/# /' "$tmp/h.err"; }
again=$(inns "$handle_bin" lookup "$vip" /s1 hello.txt 2>"$tmp/h.err")
[ "$again" = "$handle" ] && ok "a fresh lookup on B gives the same handle" ||
  not_ok "handle differs on B: $again"
expect_rc 0 "monitor s1 at depth 20 on ganesha B" ra monitor s1 "${S1[@]}" OCF_CHECK_LEVEL=20
expect_rc 0 "stop s1 on ganesha B" ra stop s1 "${S1[@]}"
got=$(IT_NFS_BUDGET_MS=0 inns "$handle_bin" read "$vip" "$handle" 2>"$tmp/h.err")
[ -z "$got" ] && ok "the handle no longer reads after stop ($(head -c 80 "$tmp/h.err"))" ||
  not_ok "the handle still reads after stop"

kill -0 "$host_pid" 2>/dev/null && ok "the host survived the whole run" ||
  { not_ok "the host died"; tail -20 "$tmp/rhs.log" | sed 's/^/# /'; }
tap_done
