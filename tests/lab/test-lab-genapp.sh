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
lab_test_begin cleanup "$BUILD"

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
new_pid() { one_other "$(app_pid "$1")" "$2"; }
ctl_online() { ex "$1" clusresctl status | grep -Eq '^ +app +genapp +Online '; }
# The host's log: D-Bus activation starts it with the node's system bus as parent, whose
# stdout/stderr the lab keeps in LAB/NODE/dbus.out.
host_log() { cat "$LAB_DIR/$1/dbus.out" 2>/dev/null; }
postmortem() { # postmortem NODE: what to look at when a step fails
	diag "--- $1: clusresctl status"
	ex "$1" clusresctl status 2>&1 | indent
	diag "--- $1: host log (dbus.out), last 25 lines"
	host_log "$1" | tail -n 25 | indent
	diag "--- $1: crm_mon"
	ex "$1" crm_mon -1 --include=failcounts,operations 2>&1 | tail -n 20 | indent
}

one() { [ -n "$1" ] && [ "$(wc -l <<<"$1")" -eq 1 ]; } # one PIDS: exactly one pid
one_other() { one "$1" && [ "$1" != "$2" ]; }          # one_other PIDS OLD: one pid, not OLD
# cib_has NODE XPATH: the live CIB has a match for XPATH
cib_has() { ex "$1" cibadmin --query --xpath "$2" >/dev/null 2>&1; }

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
check "crm_mon -1 shows app Started" wait_until 10 mon_started node1
pid1=$(app_pid node1)
check "one application process runs in the node (pid ${pid1:-none})" one "$pid1"
check "clusresctl status: app Online" wait_until 5 ctl_online node1
status=$(ex node1 clusresctl status 2>&1)
check "clusresctl status: last DLL call and call count listed" \
	has "$status" '^ +app +genapp +Online +(Online|LooksAlive|IsAlive) +[0-9.]+ ms +[0-9.]+ s +[0-9]+ '
check "clusresctl status: the DLL reports the running process (Pid=$pid1)" has "$status" "Pid=$pid1 .*State=running"
indent <<<"$status"

# 2. application crash: found by the host between monitors and pushed to Pacemaker
fails0=$(fails node1)
t0=$(now_ms)
kill -9 "$pid1"
if wait_until 10 new_pid node1 "$pid1"; then
	t_restart=$(($(now_ms) - t0))
	ok "kill -9 of the application: restarted with a new pid within 10 s (monitor: ${MONITOR}s)"
else
	not_ok "kill -9 of the application: restarted with a new pid within 10 s (monitor: ${MONITOR}s)"
	postmortem node1
fi
pid2=$(app_pid node1)
check "app Started again" wait_until 10 running_on app node1
fails1=$(fails node1)
check "Pacemaker's fail count went up ($fails0 -> $fails1)" [ "$fails1" -gt "$fails0" ]
# crm_resource --fail is recorded as a failed "asyncmon" operation; a failure found by the
# regular monitor would be a "monitor" one: this tells the host's push from Pacemaker's monitor.
check "the recorded failure is the host's push (app_last_failure_0 is an asyncmon)" \
	cib_has node1 "//lrm_resource[@id='app']/lrm_rsc_op[@id='app_last_failure_0' and @operation='asyncmon' and @rc-code!='0']"
check "crm_mon shows the failed action" sh -c "'$LAB' exec node1 crm_mon -1 | grep -q 'app asyncmon on node1 returned'"
check "the host logged 'app: failure pushed to Pacemaker'" grep -q 'app: failure pushed to Pacemaker' "$LAB_DIR/node1/dbus.out"
diag "kill -9 application -> new pid: ${t_restart:-?} ms"

# 3. host crash: the application keeps running; the next monitor activates a new host, which
# re-opens the instance (genapp adopts the recorded pid + start time) and reports it running.
rhs1=$(rhs_pid node1)
check "one clusres-rhs runs in the node (pid ${rhs1:-none})" one "$rhs1"
t0=$(now_ms)
kill -9 "$rhs1"
host_back() { local p; p=$(rhs_pid node1); [ -n "$p" ] && [ "$p" != "$rhs1" ]; }
# Nothing calls the host until the regular monitor: its return is that monitor's doing.
if wait_until $((MONITOR + 10)) host_back; then
	t_host=$(($(now_ms) - t0))
	ok "the next regular monitor brought a new host up ($t_host ms after the kill)"
else
	not_ok "the next regular monitor brought a new host up"
	postmortem node1
fi
check "the host was activated by a monitor" \
	sh -c "grep \"Activating service name='org.clusres.ResourceHost'\" '$LAB_DIR/node1/dbus.out' | tail -n1 | grep -q 'genapp monitor'"
check "the host log says app recovered without restart" \
	grep -q 'app: recovered online after a host restart' "$LAB_DIR/node1/dbus.out"
# The monitor that activated the host ends with its agent (comm genapp); the executor reports a
# recurring monitor's result to the controller when it changes, so a failure it found would be
# in the CIB as soon as the agent is gone.
monitor_done() { [ -z "$(pids_of node1 genapp)" ]; }
check "the monitor that activated the host is over" wait_until 30 monitor_done
check "application not restarted (same pid $pid2)" [ "$(app_pid node1)" = "$pid2" ]
check "no new failure after the host crash (fail count $(fails node1))" [ "$(fails node1)" -eq "$fails1" ]
no_failed_monitor() { ! cib_has node1 "//lrm_resource[@id='app']/lrm_rsc_op[@operation='monitor' and @rc-code!='0']"; }
check "no failed monitor in the CIB (a failure is recorded on change only)" no_failed_monitor
check "crm_resource --force-check: running" quiet ex node1 crm_resource --force-check -r app
status=$(ex node1 clusresctl status 2>&1)
check "clusresctl status: app Online, recovered" has "$status" '^ +app +genapp +Online .*recovered'
check "clusresctl status: same Pid=$pid2" has "$status" "Pid=$pid2 .*State=running"
indent <<<"$status"
# A second crash, this time checked at once by hand
rhs2=$(rhs_pid node1)
kill -9 "$rhs2"
check "host killed again: crm_resource --force-check still running" quiet ex node1 crm_resource --force-check -r app
rhs3=$(rhs_pid node1)
check "a new host serves it (pid ${rhs3:-none})" one_other "$rhs3" "$rhs2"
check "application still not restarted (same pid $pid2)" [ "$(app_pid node1)" = "$pid2" ]
check "still no new failure (fail count $(fails node1))" [ "$(fails node1)" -eq "$fails1" ]

# 4. stop
ex node1 crm resource stop app >&2 2>/dev/null
check "crm resource stop app: stopped" wait_until 30 stopped_everywhere app
no_app() { [ -z "$(app_pid "$1")" ]; }
check "application process gone" wait_until 5 no_app node1
ex node1 crm_resource --force-check -r app >/dev/null 2>&1
check "crm_resource --force-check: not running (7)" [ $? -eq 7 ]
ex node1 crm_resource --refresh -r app >/dev/null 2>&1
check "a fresh probe records not running (rc 7)" \
	wait_until 15 cib_has node1 "//lrm_rsc_op[@id='app_last_0' and @operation='monitor' and @rc-code='7']"

# 5. validate-all through crm_resource; force-* on the configured, stopped resource
validate() { ex node1 crm_resource --validate --class ocf --provider clusres --agent genapp "$@" >/dev/null 2>&1; }
check "crm_resource --validate CommandLine=$APP_CMD: ok" validate --option CommandLine="$APP_CMD"
validate --option CurrentDirectory=/tmp
check "crm_resource --validate without CommandLine: 6" [ $? -eq 6 ]
validate --option CommandLine="$APP_CMD" --option CurrentDirectory=tmp
check "crm_resource --validate CurrentDirectory=tmp (relative): 6" [ $? -eq 6 ]
check "crm_resource --force-start -r app" quiet ex node1 crm_resource --force-start -r app
pid3=$(app_pid node1)
check "the application runs (pid ${pid3:-none})" one_other "$pid3" "$pid2"
check "crm_resource --force-check -r app: running" quiet ex node1 crm_resource --force-check -r app
check "crm_resource --force-stop -r app" quiet ex node1 crm_resource --force-stop -r app
check "the application is gone" [ -z "$(app_pid node1)" ]
ex node1 crm_resource --force-check -r app >/dev/null 2>&1
check "crm_resource --force-check -r app: not running (7)" [ $? -eq 7 ]
"$LAB" down >/dev/null 2>&1

###############################################################################################
# Two nodes: failover and failback
"$LAB" up 2 --stage "$STAGE" >&2 || bail "lab up 2 --stage failed"
ok "lab up 2 with the staged build"
ex node1 crm configure primitive app ocf:clusres:genapp \
	params CommandLine="$APP_CMD" looks_alive_interval=1000 \
	op start timeout=20s op stop timeout=20s op monitor interval=${MONITOR}s timeout=20s >&2 2>/dev/null
ex node1 crm configure location app-prefers-node1 app 50: node1 >&2 2>/dev/null
check "app starts on node1" wait_until 30 running_on app node1
only_on() { [ "$(app_pid "$1" | wc -l)" -eq 1 ] && [ -z "$(app_pid "$2")" ]; } # only_on NODE OTHER
check "one application process, in node1" wait_until 5 only_on node1 node2
t0=$(now_ms)
"$LAB" kill node1
# A power cut empties /run (tmpfs), but the lab's node keeps its /run across kill/restart: the
# host's record of app (online) would survive, and the next probe would re-adopt a dead process
# (Failed: probe rc 1 and a failure push).  Do what the power cut does.
"$LAB" exec node1 rm -rf /run/clusres
if wait_until 60 only_on node2 node1; then
	t_fo=$(($(now_ms) - t0))
	ok "lab kill node1: the application runs on node2"
else
	not_ok "lab kill node1: the application runs on node2"
	postmortem node2
fi
check "crm_mon on node2 shows app Started node2" wait_until 10 running_on app node2 node2
check "node2 fenced node1" sh -c "'$LAB' exec node2 stonith_admin --history node1 | grep -q 'reboot of node1 successful'"
t0=$(now_ms)
check "lab restart node1 (rejoins)" "$LAB" restart node1
if wait_until 60 only_on node1 node2; then
	t_fb=$(($(now_ms) - t0))
	ok "app fails back to node1"
else
	not_ok "app fails back to node1"
	postmortem node1
fi
check "crm_mon shows app Started node1" wait_until 10 running_on app node1
check "exactly one application process in the cluster, on node1" only_on node1 node2
check "no failure recorded for app (fail counts: node1 $(fails node1), node2 $(fails node2))" \
	[ "$(fails node1)$(fails node2)" = 00 ]
diag "kill node1 -> application on node2: ${t_fo:-?} ms; restart node1 -> back on node1: ${t_fb:-?} ms"
diag "figures: kill -9 application -> new pid ${t_restart:-?} ms (monitor ${MONITOR}s);" \
	"kill -9 host -> new host ${t_host:-?} ms; failover ${t_fo:-?} ms; failback ${t_fb:-?} ms"
tap_done
