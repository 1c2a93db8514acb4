#!/bin/bash
# test-lab-hostcrash: the resource host killed with -9 in the middle of an operation never
# leaves a Generic Application running on two nodes.  2 nodes, a staged build with fault
# injection (-Dfault_injection, on in dev builds), one ocf:clusres:genapp primitive preferring
# node1 whose ReadyCommand is true only where /run/app-ready exists and whose application
# ignores SIGTERM (StopTimeout 4 s, so stops stay pending).  A watcher samples both nodes'
# processes all along (a 0.1 s pause between samples; the longest gap must stay under 1.5 s, where
# every hand-over takes seconds) and fails the test if the application ever ran on both (or
# twice on one).
# 1. pending start on node1 (not ready), its host killed: the start fails, the stop on node1
#    goes to a new host that finds the "onlining" record and kills the application, and only
#    then does node2 start it.  (Before: the stop answered 0 without a host, dual-active.)
# 2. pending stop on node2 (moving back to node1), its host killed: the agent calls a new
#    host, which finds "offlining" and finishes the stop; no stop failure, no fencing.
# 3. re-adoption on node1: a crash point makes the host activated by the next monitor die
#    while re-opening the instance; the agent asks a new host for the same monitor, which
#    re-adopts the running application: it keeps its pid, nothing fails or restarts, and
#    node2 never runs it.  (Before: the monitor failed and Pacemaker restarted a healthy app.)
# Needs root.  TAP output.
# CLUSRES_BUILD_DIR: a meson build dir configured with prefix /usr (set by `meson test`).
HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=../lib/tap.sh
. "$HERE/../lib/tap.sh"
LAB=$HERE/lab
LAB_DIR=${CLUSRES_LAB_DIR:-/tmp/clusres-lab}
BUILD=${CLUSRES_BUILD_DIR:-$(readlink -f "$HERE/../..")/build-labhostcrash}
APP_CMD="/bin/sleep 100000" # what the application's script becomes (exec)
WATCH=$(mktemp -d /tmp/clusres-hostcrash.XXXXXX)

cleanup() {
	touch "$WATCH/stop"
	[ -z "${watcher:-}" ] || wait "$watcher" 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -rf "$WATCH"
}
lab_test_begin cleanup "$BUILD"

app_pid() { pids_of "$1" sleep "$APP_CMD"; } # the application in NODE (a zombie has no cmdline)
rhs_pid() { pids_of "$1" clusres-rhs; }
# app_count NODE: copies of the application in NODE, read with shell builtins only (one fork for
# the netns' pid list): the watcher must sample often, also on a busy machine.
app_count() {
	local p comm n=0 args=()
	for p in $(ip netns pids "clr-$1" 2>/dev/null); do
		read -r comm 2>/dev/null <"/proc/$p/comm" || continue
		[ "$comm" = sleep ] || continue
		mapfile -d '' args 2>/dev/null <"/proc/$p/cmdline" || continue
		[ "${args[*]}" = "$APP_CMD" ] && n=$((n + 1))
	done
	echo "$n"
}
ex() { "$LAB" exec "$@"; }
host_log() { cat "$LAB_DIR/$1/dbus.out" 2>/dev/null; } # activated hosts log to the node's bus
one() { [ -n "$1" ] && [ "$(wc -l <<<"$1")" -eq 1 ]; } # one PIDS: exactly one pid
only_on() { [ "$(app_pid "$1" | wc -l)" -eq 1 ] && [ -z "$(app_pid "$2")" ]; } # only_on NODE OTHER
running_on() { ex node1 crm_resource --locate -r app 2>/dev/null | grep -q "is running on: $1\b"; }
cib_has() { ex node1 cibadmin --query --xpath "$1" >/dev/null 2>&1; }
# host_state NODE STATE: NODE's host shows app in STATE (clusresctl status)
host_state() { ex "$1" clusresctl status 2>/dev/null | grep -Eq "^ +app +genapp +$2 "; }
no_fencing() { ! grep -q . "$LAB_DIR/state/fence.log" 2>/dev/null; }
phase() { echo "$1" >"$WATCH/phase"; }
postmortem() { # postmortem NODE: what to look at when a step fails
	diag "--- $1: clusresctl status"
	ex "$1" clusresctl status 2>&1 | indent
	diag "--- $1: host log (dbus.out), last 30 lines"
	host_log "$1" | tail -n 30 | indent
	diag "--- crm_mon"
	ex node1 crm_mon -1 --include=failcounts,operations 2>&1 | tail -n 25 | indent
}
step() { # step DESC SECONDS CMD...: a check that waits, with a post-mortem of both nodes on failure
	local desc=$1 secs=$2
	shift 2
	if wait_until "$secs" "$@"; then ok "$desc"; else
		not_ok "$desc"
		postmortem node1
		postmortem node2
	fi
}

"$LAB" up 2 --stage "$STAGE" >&2 || bail "lab up 2 --stage failed"
ok "lab up 2 with the staged build ($BUILD)"
check "the staged host has crash points (fault injection)" \
	grep -aq 'rhs-crash-at' "$STAGE/usr/libexec/clusres/clusres-rhs"

# The application: ignores SIGTERM (a stop takes StopTimeout), then becomes sleep.
printf '%s\n' "trap '' TERM" "exec $APP_CMD" >"$LAB_DIR/shared/app.sh"
ex node2 touch /run/app-ready # node1 is not ready: its start stays pending

# The watcher: one line per sample, "time phase copies-on-node1 copies-on-node2".
phase setup
(
	while [ ! -e "$WATCH/stop" ]; do
		a=$(app_count node1)
		b=$(app_count node2)
		read -r ph <"$WATCH/phase"
		echo "$(now_ms) $ph $a $b" >>"$WATCH/samples"
		sleep 0.1
	done
) &
watcher=$!

# Created stopped, placed, then started: the first start is on node1.
ex node1 crm configure primitive app ocf:clusres:genapp \
	params CommandLine="/bin/sh /srv/nfs/app.sh" ReadyCommand="/usr/bin/test -e /run/app-ready" \
	StopTimeout=4000 \
	op start timeout=60s op stop timeout=40s op monitor interval=5s timeout=20s \
	meta target-role=Stopped >&2 2>/dev/null
ex node1 crm configure location app-prefers-node1 app 50: node1 >&2 2>/dev/null
ex node1 crm resource start app >&2 2>/dev/null

###############################################################################################
# 1. A host killed during a pending start.
phase pending-start
pending_start_on() { [ -n "$(app_pid "$1")" ] && host_state "$1" OnlinePending; }
step "node1 starts app: pending (ReadyCommand false), the application running" 60 \
	pending_start_on node1
pid1=$(app_pid node1)
rhs=$(rhs_pid node1)
check "one host on node1 (pid ${rhs:-none})" one "$rhs"
t0=$(now_ms)
kill -9 "$rhs"
step "app ends up on node2 alone" 90 only_on node2 node1
diag "host killed during the start -> application on node2: $(($(now_ms) - t0)) ms"
check "crm_mon: app Started node2" wait_until 10 running_on node2
check "Pacemaker recorded the start on node1 as failed" \
	cib_has "//node_state[@uname='node1']//lrm_resource[@id='app']/lrm_rsc_op[@operation='start' and @rc-code!='0']"
check "the stop on node1 succeeded (rc 0)" \
	cib_has "//node_state[@uname='node1']//lrm_resource[@id='app']/lrm_rsc_op[@id='app_last_0' and @operation='stop' and @rc-code='0']"
check "node1's next host stopped what the killed one left (its record: onlining)" \
	sh -c "grep -q 'app: the previous host left it onlining' '$LAB_DIR/node1/dbus.out' &&
		grep -q 'app: stopping what a previous host left half-way' '$LAB_DIR/node1/dbus.out'"
check "node1's application (pid $pid1) is gone" sh -c "[ ! -d /proc/$pid1 ] || grep -q '^State:.*Z' /proc/$pid1/status"
check "no fencing" no_fencing

###############################################################################################
# 2. A host killed during a pending stop: moving back to node1 stops app on node2, which
# ignores SIGTERM for StopTimeout.
phase pending-stop
ex node1 touch /run/app-ready
ex node1 crm resource cleanup app >&2 2>/dev/null # forgets node1's failed start: back there
step "node2 stops app: pending (SIGTERM ignored)" 60 host_state node2 OfflinePending
pid2=$(app_pid node2)
rhs=$(rhs_pid node2)
check "one host on node2 (pid ${rhs:-none})" one "$rhs"
t0=$(now_ms)
kill -9 "$rhs"
step "app ends up on node1 alone" 90 only_on node1 node2
diag "host killed during the stop -> application on node1: $(($(now_ms) - t0)) ms"
check "crm_mon: app Started node1" wait_until 10 running_on node1
check "the stop on node2 succeeded (rc 0): the agent called a new host" \
	cib_has "//node_state[@uname='node2']//lrm_resource[@id='app']/lrm_rsc_op[@id='app_last_0' and @operation='stop' and @rc-code='0']"
check "no failed stop on node2" \
	sh -c "! '$LAB' exec node1 cibadmin --query --xpath \"//node_state[@uname='node2']//lrm_rsc_op[@operation='stop' and @rc-code!='0']\" >/dev/null 2>&1"
check "node2's next host finished the stop from the record (offlining)" \
	sh -c "grep -q 'app: the previous host left it offlining' '$LAB_DIR/node2/dbus.out' &&
		grep -q 'app: stopping what a previous host left half-way' '$LAB_DIR/node2/dbus.out'"
check "node2's application (pid $pid2) is gone" sh -c "[ ! -d /proc/$pid2 ] || grep -q '^State:.*Z' /proc/$pid2/status"
check "no fencing" no_fencing

###############################################################################################
# 3. A host killed while re-adopting: the host that the next monitor activates dies after
# re-opening app (crash point recover-after-open, read from /run/clusres/rhs-crash-at).
phase readopt
step "app Online on node1" 30 host_state node1 Online
pid3=$(app_pid node1)
check "one application on node1 (pid ${pid3:-none})" one "$pid3"
ex node1 sh -c 'echo recover-after-open >/run/clusres/rhs-crash-at'
rhs=$(rhs_pid node1)
kill -9 "$rhs"
step "the host activated next died while re-adopting app" 30 \
	grep -q 'crash point recover-after-open reached' "$LAB_DIR/node1/dbus.out"
check "the crash point was used up" ex node1 test ! -e /run/clusres/rhs-crash-at
# The monitor that activated the dying host is made again to a new host, which re-adopts the
# "online" record (Open + IsAlive): the same application, no failure, no restart.
readopted() { host_state node1 Online && [ "$(app_pid node1)" = "$pid3" ]; }
step "a new host re-adopted app on node1 (same pid $pid3)" 30 readopted
# Nothing happening cannot be waited for: the application is watched over a window of two
# monitor intervals (5 s each) plus slack, and must keep its pid all through it.
pid_changed() { [ "$(app_pid node1)" != "$pid3" ]; }
if wait_until 12 pid_changed; then
	not_ok "app kept its pid over two monitors (now $(app_pid node1))"
else
	ok "app kept its pid $pid3 on node1 over two monitors (no restart)"
fi
check "crm_mon: app Started node1" wait_until 20 running_on node1
fails() { ex node1 crm_failcount --query -r app -N node1 2>/dev/null | sed -n 's/.*value=\([0-9A-Za-z]*\).*/\1/p'; }
check "no failure counted for app on node1 (fail-count $(fails))" sh -c "[ '$(fails)' = 0 ]"
check "no fencing" no_fencing

phase stop
ex node1 crm resource stop app >&2 2>/dev/null
no_app() { [ -z "$(app_pid node1)$(app_pid node2)" ]; }
step "crm resource stop app: no application anywhere" 60 no_app

###############################################################################################
touch "$WATCH/stop"
wait "$watcher"
watcher=
samples=$(wc -l <"$WATCH/samples")
# The longest time between two samples: an overlap shorter than that could go unseen.  Every
# hand-over here takes seconds (the stop waits StopTimeout, the start ReadyCommand).
gap=$(awk 'NR > 1 && $1 - t > g { g = $1 - t } { t = $1 } END { print g + 0 }' "$WATCH/samples")
span=$(awk 'NR == 1 { a = $1 } { b = $1 } END { print b - a }' "$WATCH/samples")
diag "watcher: $samples samples in $span ms, longest gap $gap ms"
both=$(awk '$3 > 0 && $4 > 0' "$WATCH/samples" | wc -l)
twice=$(awk '$3 > 1 || $4 > 1' "$WATCH/samples" | wc -l)
for p in pending-start pending-stop readopt; do
	diag "$p: $(awk -v p="$p" '$2 == p' "$WATCH/samples" | wc -l) samples," \
		"node1 had it in $(awk -v p="$p" '$2 == p && $3 > 0' "$WATCH/samples" | wc -l)," \
		"node2 in $(awk -v p="$p" '$2 == p && $4 > 0' "$WATCH/samples" | wc -l)"
done
sampled_all_along() { [ "$samples" -gt 100 ] && [ "$gap" -lt 1500 ]; }
check "the watcher sampled all along (longest gap $gap ms < 1500 ms)" sampled_all_along
if [ "$both" -eq 0 ] && [ "$twice" -eq 0 ]; then
	ok "the application never ran on both nodes (nor twice on one) in $samples samples"
else
	not_ok "the application ran on both nodes in $both samples, twice on one in $twice"
	awk '$3 > 0 && $4 > 0 || $3 > 1 || $4 > 1' "$WATCH/samples" | head -n 20 | indent
fi
tap_done
