#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The share set (ocf:clusres:shareset) end to end: the OCF agent and the resource host from the
# build tree in a network namespace, on a private system bus, against a real NFS-Ganesha.
# A set of 101 members, one without its directory, goes online in one start: the 100 others
# exported, the broken one reported by the monitor as degraded (190, exit reason naming it) and
# shown by clusresctl shares; its directory back, a deep monitor exports it.  reload-agent
# removes one member and adds one while an NFS client writes to another member: the other
# members stay exported, Ganesha does not enter grace, the client's longest gap stays short.
# stop removes every export.  A 500-member set is validated, started and stopped (its start
# time is printed as a "measured:" line).
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

tap_preflight "network namespace, ganesha.nfsd" ip dbus-daemon dbus-send ganesha.nfsd python3
# Known leak inside libnfs 4.0 (tests/nfs-client/lsan.supp), for runs under ASan.
export LSAN_OPTIONS="suppressions=$src/tests/nfs-client/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

agent_bin=$build/resource-agent/ocf/clusres-ocf
rhs_bin=$build/resource-agent/host/clusres-rhs
share_so=$build/resource-agent/types/share/share.so
ctl_bin=$build/resource-agent/ctl/clusresctl
client_bin=$build/tests/nfs-client/clusres-nfs-client
for f in "$agent_bin" "$rhs_bin" "$share_so" "$ctl_bin" "$client_bin"; do
  [ -x "$f" ] || [ -f "$f" ] || bail "$f is not built"
done

ns=clusres-ss-$$
addr=198.18.0.10
vip=198.18.0.100
tmp=$(mktemp -d /tmp/clusres-ss.XXXXXX)
chmod 755 "$tmp"
client_pid=
sampler_pid=

cleanup() {
  [ -z "$client_pid" ] || kill -9 "$client_pid" 2>/dev/null
  [ -z "$sampler_pid" ] || kill "$sampler_pid" 2>/dev/null
  run_dir_kill "$tmp/run"
  bus_stop
  ip netns delete "$ns" 2>/dev/null
  if [ -n "${SS_KEEP:-}" ]; then echo "# kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

ganesha_netns_add "$ns" "$addr/24" "$vip/32" || bail "cannot create namespace $ns"
mkdir -p "$tmp/run" "$tmp/registry" "$tmp/types" "$tmp/agents" "$tmp/export"
chmod 755 "$tmp/export"
# One DLL, two types: shareset.so is the share DLL under the set's name (as meson installs it).
ln -s "$share_so" "$tmp/types/share.so"
ln -s "$share_so" "$tmp/types/shareset.so"
agent_link=$tmp/agents/shareset
ln -s "$agent_bin" "$agent_link" # the link name is the type

bus_conf "$tmp" any
export CLUSRES_RUN_DIR=$tmp/run CLUSRES_REGISTRY_DIR=$tmp/registry CLUSRES_TYPES_DIR=$tmp/types
export CLUSRES_RHS=$rhs_bin CLUSRES_OCF_DLL=$build/resource-agent/ocf/clusres-ocf-dll
bus_start "$ns" "$tmp" || bail "dbus-daemon did not start"

ganesha_conf "$tmp/ganesha.conf" "$tmp/recovery" 4 3
ganesha_log=$tmp/ganesha.log
ganesha_run -F "$ns" "$tmp/ganesha" NIV_EVENT 15 || bail "ganesha.nfsd did not answer on the bus"
ok "ganesha runs in $ns on the private bus"
wait_until 20 out_of_grace || diag "ganesha still in its start-up grace"

ip netns exec "$ns" "$rhs_bin" >"$tmp/rhs.log" 2>&1 &
wait_until 10 test -S "$tmp/run/rhs.sock" || bail "clusres-rhs did not come up"

# Member names whose export ids (derived from the name, as for a share primitive) differ:
# the set refuses two members with one id.  N names: ss000, ss001, ... skipping collisions.
names() { # names PREFIX N
  python3 - "$1" "$2" <<'PY'
import sys
prefix, n = sys.argv[1], int(sys.argv[2])
def export_id(name):  # sd_share_default_export_id: FNV-1a 32, mod 65533 + 2
    h = 2166136261
    for b in name.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h % 65533 + 2
seen, out, i = set(), [], 0
while len(out) < n:
    name = "%s%03d" % (prefix, i)
    i += 1
    if export_id(name) not in seen:
        seen.add(export_id(name))
        out.append(name)
print("\n".join(out))
PY
}
mapfile -t M < <(names ss 103)
entry() { echo "$1=$tmp/export/$1"; }
for ((i = 0; i < 103; i++)); do
  [ "$i" = 100 ] && continue # m100: listed, its directory missing
  mkdir -p "$tmp/export/${M[$i]}" && chmod 1777 "$tmp/export/${M[$i]}"
done
# The set: members 0..100 (101 entries, one per line as an admin may write them).
shares1=$(for ((i = 0; i <= 100; i++)); do entry "${M[$i]}"; done)
SET=(home_node=nodeA "vip=$vip" clients=198.18.0.0/24 access=rw squash=root_squash)

# ---- meta-data, validate-all -------------------------------------------------------------------
expect_rc 0 "meta-data of shareset" ra meta-data set1
grep -q '<parameter name="shares"[^>]*reloadable="1"' "$tmp/out" &&
  ok "meta-data: shares is reloadable" || { not_ok "meta-data: shares not reloadable"; sed 's/^/# /' "$tmp/out" | head -20; }
expect_rc 0 "validate-all of 101 members" ra validate-all set1 "shares=$shares1" "${SET[@]}"
bad_cases=(
  "relative path|shares entry 2 (x2=rel/dir)|shares=$(entry "${M[0]}") x2=rel/dir"
  "no '='|shares entry 1 (justaname)|shares=justaname"
  "duplicate name|shares entry 2 (${M[0]}=/srv/b)|shares=${M[0]}=/srv/a ${M[0]}=/srv/b"
  "quote in a path|shares entry 1 (q=/srv/a\"b)|shares=q=/srv/a\"b"
)
for c in "${bad_cases[@]}"; do
  desc=${c%%|*} rest=${c#*|}
  want=${rest%%|*} kv=${rest#*|}
  for action in validate-all start; do
    ra "$action" bad "$kv" "${SET[@]}" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -eq 6 ] && grep -qF "$want" "$tmp/out"; then
      ok "$action, $desc: rc 6 naming '$want'"
    else
      not_ok "$action, $desc: rc $rc (want 6 naming '$want')"
      sed 's/^/# /' "$tmp/out"
    fi
  done
  ra stop bad "$kv" "${SET[@]}" >/dev/null 2>&1
done
[ -z "$(exports)" ] && ok "the bad sets exported nothing" || not_ok "exports: $(exports | head -3)"

# ---- start: 100 exported, the one without directory not ----------------------------------------
t0=$(now_ms)
expect_rc 0 "start set1 (101 members, one directory missing)" ra start set1 "shares=$shares1" "${SET[@]}"
diag "measured: start of 101 members (100 exported) $(($(now_ms) - t0)) ms (agent, host, Ganesha)"
n=$(exports | grep -c "^$tmp/export/ss")
[ "$n" = 100 ] && ok "Ganesha exports the 100 members" || not_ok "Ganesha exports $n members"
! exports | grep -qx "$tmp/export/${M[100]}" && ok "the member without directory is not exported" ||
  not_ok "${M[100]} is exported"
expect_rc 190 "monitor: degraded" ra monitor set1 "shares=$shares1" "${SET[@]}" CRM_meta_interval=10000
grep -q "^ocf-exit-reason:1 of 101 shares failed: ${M[100]} (directory $tmp/export/${M[100]} is missing)" "$tmp/out" &&
  ok "monitor: exit reason names the member and why" ||
  { not_ok "monitor: exit reason"; sed 's/^/# /' "$tmp/out"; }
inns "$ctl_bin" shares >"$tmp/ctl" 2>&1
line=$(grep "^ *${M[100]} " "$tmp/ctl")
[[ $line == *set1*shareset*Offline*"directory $tmp/export/${M[100]} is missing"* ]] &&
  ok "clusresctl shares: the broken member, its set and why" ||
  { not_ok "clusresctl shares: broken member"; sed 's/^/# /' "$tmp/ctl" | head -5; }
[ "$(awk '$2 == "set1" && $3 == "shareset" && $5 == "Online"' "$tmp/ctl" | wc -l)" = 100 ] &&
  ok "clusresctl shares: 100 members Online" ||
  { not_ok "clusresctl shares: online members"; sed 's/^/# /' "$tmp/ctl" | head -5; }

# Its directory back: a deep monitor (IsAlive) exports it, the set is healthy again.
mkdir -p "$tmp/export/${M[100]}" && chmod 1777 "$tmp/export/${M[100]}"
expect_rc 0 "deep monitor after the directory is back" ra monitor set1 "shares=$shares1" \
  "${SET[@]}" OCF_CHECK_LEVEL=10 CRM_meta_interval=60000
exports | grep -qx "$tmp/export/${M[100]}" && ok "the member is exported now" ||
  not_ok "${M[100]} still not exported"
expect_rc 0 "monitor: healthy" ra monitor set1 "shares=$shares1" "${SET[@]}" CRM_meta_interval=10000

# ---- reload-agent: one removed, one added, a client writing on another member ------------------
wait_until 20 out_of_grace || diag "ganesha still in the takeover grace of the start"
io=${M[50]}
# Not through a shell function: $! must be the client itself, which writes its report on SIGTERM.
ip netns exec "$ns" "$client_bin" --server "$vip" --export "/$io" --file io.dat --id nc-ss --interval-ms 50 \
  --report "$tmp/io.json" >"$tmp/io.out" 2>"$tmp/io.err" &
client_pid=$!
records() { echo $(($(stat -c %s "$tmp/export/$io/io.dat" 2>/dev/null || echo 0) / 64)); }
written() { [ "$(records)" -ge "$1" ]; }
wait_until 30 written 10 || bail "the NFS client does not write ($(tail -3 "$tmp/io.err"))"
# get_grace sampled every 20 ms from before the reload to after it.
(while :; do in_grace && echo grace || echo no; sleep 0.02; done) >"$tmp/grace.samples" 2>&1 &
sampler_pid=$!
wait_until 5 test -s "$tmp/grace.samples"
before=$(exports)
shares2=$(for ((i = 1; i <= 101; i++)); do entry "${M[$i]}"; done)
t0=$(now_ms)
expect_rc 0 "reload-agent: ${M[0]} removed, ${M[101]} added" ra reload-agent set1 "shares=$shares2" "${SET[@]}"
diag "measured: reload-agent (1 added, 1 removed) $(($(now_ms) - t0)) ms"
n=$(records)
wait_until 10 written $((n + 10)) || not_ok "the client stopped writing after the reload"
kill "$sampler_pid" 2>/dev/null
wait "$sampler_pid" 2>/dev/null
sampler_pid=
after=$(exports)
in_grace && echo grace >>"$tmp/grace.samples"
grep -q grace "$tmp/grace.samples" && not_ok "Ganesha entered grace around the reload" ||
  ok "Ganesha stayed out of grace ($(wc -l <"$tmp/grace.samples") get_grace samples)"
added=$(comm -13 <(echo "$before") <(echo "$after"))
removed=$(comm -23 <(echo "$before") <(echo "$after"))
[ "$added" = "$tmp/export/${M[101]}" ] && [ "$removed" = "$tmp/export/${M[0]}" ] &&
  ok "exports: exactly ${M[0]} gone and ${M[101]} added, the other 100 kept" ||
  { not_ok "exports changed otherwise"; diag "added: $added"; diag "removed: $removed"; }
kill -TERM "$client_pid" 2>/dev/null
wait "$client_pid"
rc=$?
client_pid=
[ "$rc" = 0 ] && ok "the client ended cleanly" || { not_ok "client rc $rc"; tail -5 "$tmp/io.err" | sed 's/^/# /'; }
expect "$tmp/io.json" "r['lost'] == 0 and r['stale'] == 0 and r['reconnects'] == 0" \
  "client on another member: lost=0 stale=0 reconnects=0"
expect "$tmp/io.json" "r['gap_max_s'] < 1.0" "client on another member: longest gap under 1 s"
diag "measured: client's longest gap $(json "$tmp/io.json" "r['gap_max_s']") s over the reload (50 ms interval)"

# ---- stop ----------------------------------------------------------------------------------------
expect_rc 0 "stop set1" ra stop set1 "shares=$shares2" "${SET[@]}"
[ -z "$(exports)" ] && ok "stop removed every export" || not_ok "exports left: $(exports | wc -l)"
expect_rc 7 "monitor after stop" ra monitor set1 "shares=$shares2" "${SET[@]}"

# ---- 500 members ---------------------------------------------------------------------------------
mapfile -t B < <(names big 500)
for b in "${B[@]}"; do mkdir -p "$tmp/export/$b"; done
shares500=$(for b in "${B[@]}"; do entry "$b"; done)
diag "shares with 500 members: ${#shares500} bytes"
export RA_TIMEOUT_MS=120000
expect_rc 0 "validate-all of 500 members" ra validate-all big "shares=$shares500" "${SET[@]}"
t0=$(now_ms)
expect_rc 0 "start of 500 members" ra start big "shares=$shares500" "${SET[@]}"
ms=$(($(now_ms) - t0))
n=$(exports | grep -c "^$tmp/export/big")
[ "$n" = 500 ] && ok "Ganesha exports the 500 members" || not_ok "Ganesha exports $n of 500"
diag "measured: start of 500 members $ms ms ($((ms * 1000 / 500)) us per member)"
expect_rc 0 "monitor of 500 members" ra monitor big "shares=$shares500" "${SET[@]}"
t0=$(now_ms)
expect_rc 0 "stop of 500 members" ra stop big "shares=$shares500" "${SET[@]}"
diag "measured: stop of 500 members $(($(now_ms) - t0)) ms"
[ -z "$(exports)" ] && ok "no export left" || not_ok "exports left: $(exports | wc -l)"
tap_done
