#!/bin/bash
# test-lab-genapp: the project's own stack (clusres-rhs, the OCF agent, genapp.so, clusresctl),
# staged from a build dir, runs a Generic Application resource on real Pacemaker clusters.
# 1 node: crmsh-made ocf:clusres:genapp starts (crm_mon, clusresctl, process in the node); a
# kill -9 of the application is found by the host (event handle / LooksAlive poll) and pushed
# with crm_resource --fail long before the 30 s monitor; a kill -9 of the host leaves the
# application alone (same pid, no failure) and the next host, activated by the next monitor,
# re-adopts it; stop; validate-all through crm_resource; --force-start/check/stop.
# 2 nodes: genapp with a location preference fails over when its node dies and fails back.
# Needs root.  TAP output.  Figures (ms) are printed as diagnostics.
# CLUSRES_BUILD_DIR: a meson build dir configured with prefix /usr (set by `meson test`).
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
BUILD=${CLUSRES_BUILD_DIR:-$(readlink -f "$HERE/../..")/build-labgenapp}
APP_CMD="/bin/sleep 100000"
MONITOR=30 # s: the regular monitor, so that anything faster was the host's doing

cleanup() { "$LAB" down >/dev/null 2>&1; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || bail "needs root"
STAGE=$("$HERE/../lib/stage.sh" "$BUILD") || bail "cannot stage $BUILD"
lab_lock || bail "another lab test holds $LAB_LOCK"
cleanup

# pids_of NODE COMM [CMDLINE]: pids in NODE's network namespace whose comm (and whole command
# line) match.  The nodes share this machine's pid namespace: a plain pgrep sees every node.
pids_of() {
	local p
	for p in $(ip netns pids "clr-$1" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] || continue
		[ -z "$3" ] || [ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "$3 " ] || continue
		echo "$p"
	done
}
app_pid() { pids_of "$1" sleep "$APP_CMD"; } # the application in NODE
rhs_pid() { pids_of "$1" clusres-rhs; }
ex() { "$LAB" exec "$@"; }
# fails NODE: app's fail count on NODE (0 when none)
fails() {
	local v
	v=$(ex "$1" crm_failcount --query -r app -N "$1" 2>/dev/null | sed -n 's/.*value=\([0-9]*\).*/\1/p')
	echo "${v:-0}"
}
running_on() { ex "${3:-node1}" crm_resource --locate -r "$1" 2>/dev/null | grep -q "is running on: $2\b"; }
stopped_everywhere() { ex node1 crm_resource --locate -r "$1" 2>&1 | grep -q "is NOT running"; }
# new_pid NODE OLD: true once NODE runs exactly one application process and it is not OLD
new_pid() { local p; p=$(app_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ] && [ "$(echo "$p" | wc -l)" -eq 1 ]; }
ctl_online() { ex "$1" clusresctl status | grep -Eq '^ +app +genapp +Online '; }
# The host's log: D-Bus activation starts it with the node's system bus as parent, whose
# stdout/stderr the lab keeps in LAB/NODE/dbus.out.
host_log() { cat "$LAB_DIR/$1/dbus.out" 2>/dev/null; }
postmortem() { # postmortem NODE: what to look at when a step fails
	diag "--- $1: clusresctl status"
	ex "$1" clusresctl status 2>&1 | sed 's/^/#   /'
	diag "--- $1: host log (dbus.out), last 25 lines"
	host_log "$1" | tail -n 25 | sed 's/^/#   /'
	diag "--- $1: crm_mon"
	ex "$1" crm_mon -1 --include=failcounts,operations 2>&1 | tail -n 20 | sed 's/^/#   /'
}

###############################################################################################
# One node
"$LAB" up 1 --stage "$STAGE" >&2 || bail "lab up 1 --stage failed"
ok "lab up 1 with the staged build ($BUILD)"
check "the node sees the staged agent" ex node1 test -x /usr/lib/ocf/resource.d/clusres/genapp

# 1. start
ex node1 crm configure primitive app ocf:clusres:genapp \
	params CommandLine="$APP_CMD" looks_alive_interval=1000 \
	op start timeout=20s op stop timeout=20s op monitor interval=${MONITOR}s timeout=20s >&2 2>/dev/null
check "genapp created with crmsh starts" wait_until 30 running_on app node1
mon_started() { ex node1 crm_mon -1 | grep -Eq "^ +\* app[[:space:]]+\(ocf:clusres:genapp\):[[:space:]]+Started $1\$"; }
check "crm_mon -1 shows app Started" mon_started node1
pid1=$(app_pid node1)
check "the application runs in the node (pid ${pid1:-none})" [ -n "$pid1" ] && [ "$(echo "$pid1" | wc -l)" -eq 1 ]
check "clusresctl status: app Online" wait_until 5 ctl_online node1
status=$(ex node1 clusresctl status 2>&1)
check "clusresctl status: last DLL call listed" sh -c "echo '$status' | grep -Eq '^ +app +genapp +Online +(Online|LooksAlive|IsAlive) '"
check "clusresctl status: the DLL's Pid is the running process" sh -c "echo '$status' | grep -q 'Pid=$pid1 .*State=running'"
diag "clusresctl status:"
echo "$status" | sed 's/^/#   /'

# 2. application crash: found by the host between monitors and pushed to Pacemaker
fails0=$(fails node1)
t0=$(now_ms)
kill -9 "$pid1"
if wait_until 10 new_pid node1 "$pid1"; then
	t_restart=$(($(now_ms) - t0))
	ok "kill -9 of the application: restarted with a new pid within 10 s (monitor is ${MONITOR}s)"
else
	not_ok "kill -9 of the application: restarted with a new pid within 10 s (monitor is ${MONITOR}s)"
	postmortem node1
fi
pid2=$(app_pid node1)
check "fail count went up ($fails0 -> $(fails node1))" [ "$(fails node1)" -gt "$fails0" ]
# crm_resource --fail records the failure as an "asyncmon" operation, a monitor failure would be
# "monitor": this is what tells the host's push from Pacemaker's own monitor.
check "the failure Pacemaker recorded came from crm_resource --fail (asyncmon)" \
	sh -c "'$LAB' exec node1 crm_mon -1 | grep -Eq 'app asyncmon on node1 returned .error.'"
check "the host logged 'app: failure pushed to Pacemaker'" sh -c "grep -q 'app: failure pushed to Pacemaker' '$LAB_DIR/node1/dbus.out'"
check "app Started again" wait_until 10 running_on app node1
diag "kill -9 application -> new pid: ${t_restart:-?} ms"

tap_done
