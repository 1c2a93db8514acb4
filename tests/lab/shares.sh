# shellcheck shell=bash
# shares.sh: what the lab share tests, the demo and bench/lab-outage have in common: the
# README's admin workflow (run verbatim), where groups run, the share status clusresctl shows,
# NFS test clients on the client host, and a watcher that checks continuously that no VIP and
# no export is ever active on two nodes.  Sourced after setting LAB (the lab script) and WORK
# (a scratch directory for client reports and watcher output).  Needs nothing from tap.sh.

SHARES_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARES_README=$SHARES_TOP/README.md
# One VIP per home node: node1 -> .100 (group a), node2 -> .101 (b), node3 -> .102 (c).
SHARES_NET=198.18.0

shares_ex() { "$LAB" exec "$@"; }

# The admin workflow: the sh block after the "admin-workflow" marker in README.md.
shares_workflow() {
	awk '/<!-- admin-workflow:/ { armed = 1; next }
	     armed && /^```sh$/ { inside = 1; next }
	     inside && /^```$/ { exit }
	     inside { print }' "$SHARES_README"
}

# The share-set workflow: the sh block after the "admin-workflow-sets" marker in README.md.
shares_set_workflow() {
	awk '/<!-- admin-workflow-sets:/ { armed = 1; next }
	     armed && /^```sh$/ { inside = 1; next }
	     inside && /^```$/ { exit }
	     inside { print }' "$SHARES_README"
}
# Runs the share-set workflow on NODE with N shares (after shares_configure: it needs Ganesha).
shares_set_configure() { # shares_set_configure N [NODE]
	local w
	w=$(shares_set_workflow)
	[ -n "$w" ] || {
		echo "shares.sh: no admin-workflow-sets block in $SHARES_README" >&2
		return 1
	}
	shares_ex "${2:-node1}" env N="$1" bash -e -c "$w" >&2
}

# The same commands for one more home node (3-node tests): group LETTER homed on NODE.
shares_group_commands() { # shares_group_commands LETTER NODE VIP
	local g=$1 node=$2 vip=$3
	cat <<-EOF
		mkdir -p /srv/nfs/${g}1 /srv/nfs/${g}2
		chmod 1777 /srv/nfs/${g}1 /srv/nfs/${g}2
		crm configure <<'CRM'
		primitive share-${g}1 ocf:clusres:share \\
		  params share_name=${g}1 path=/srv/nfs/${g}1 home_node=$node vip=$vip disk=/srv/nfs \\
		    recovery_root=/srv/nfs/.recovery \\
		  op monitor interval=10s timeout=20s op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10
		primitive share-${g}2 ocf:clusres:share \\
		  params share_name=${g}2 path=/srv/nfs/${g}2 home_node=$node vip=$vip disk=/srv/nfs \\
		    recovery_root=/srv/nfs/.recovery \\
		  op monitor interval=10s timeout=20s op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10
		primitive vip-${g} ocf:heartbeat:IPaddr2 params ip=$vip cidr_netmask=24 \\
		  op monitor interval=2s
		group shares-${g} share-${g}1 share-${g}2 vip-${g}
		colocation shares-${g}-with-ganesha inf: shares-${g} ganesha
		order ganesha-before-shares-${g} Mandatory: ganesha shares-${g}
		location shares-${g}-home shares-${g} 100: $node
		commit
		CRM
	EOF
}

# Runs the README workflow on NODE (default node1).
shares_configure() {
	local w
	w=$(shares_workflow)
	[ -n "$w" ] || {
		echo "shares.sh: no admin-workflow block in $SHARES_README" >&2
		return 1
	}
	shares_ex "${1:-node1}" bash -e -c "$w" >&2
}

# Node a resource runs on (empty when stopped), asked of the first node that answers.
shares_where() { # shares_where RESOURCE ["ASK-NODES"]
	local r=$1 n out
	for n in ${2:-node1 node2 node3}; do
		out=$(shares_ex "$n" crm_resource --locate -r "$r" 2>/dev/null) || continue
		sed -n 's/.*is running on: \([a-z0-9]*\).*/\1/p' <<<"$out" | head -n1
		return 0
	done
}
# Waits until every member of group LETTER runs on NODE; prints the time it took (ms).
shares_wait_group() { # shares_wait_group LETTER NODE TIMEOUT_S [ASK-NODES]
	local g=$1 node=$2 t=$3 ask=${4:-node1 node2 node3} t0 r ok
	t0=$(date +%s%N)
	while :; do
		ok=1
		for r in "share-${g}1" "share-${g}2" "vip-${g}"; do
			[ "$(shares_where "$r" "$ask")" = "$node" ] || ok=0
		done
		[ $ok = 1 ] && break
		(($(date +%s%N) - t0 < t * 1000000000)) || return 1
		sleep 0.2
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

# The pid of NODE's ganesha.nfsd (empty when none runs).  The nodes share this machine's pid
# namespace: the node is told apart by its network namespace.
shares_ganesha_pid() { # shares_ganesha_pid NODE
	local p
	for p in $(ip netns pids "clr-$1" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != ganesha.nfsd ] || echo "$p"
	done
}
# A share's type-specific status line in `clusresctl status` on NODE (GSM, LSM, counts...).
shares_status_line() { # shares_status_line NODE RESOURCE
	shares_ex "$1" clusresctl status 2>/dev/null | awk -v r="$2" '$1 == r { getline; print; exit }' |
		sed 's/^ *status: //'
}

# ---- For the TAP tests (these need tap.sh) ---------------------------------------------------
# shares_test_begin: the common start of a share test (lab_test_begin with the cleanup below;
# sets STAGE).  Needs BUILD, SHARES_CLIENT.
shares_test_cleanup() {
	shares_watch_stop
	shares_client_kill_all
	"$LAB" down >/dev/null 2>&1
	if [ -n "${LAB_SHARES_KEEP:-}" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
shares_test_begin() {
	lab_test_begin shares_test_cleanup "$BUILD"
	[ -x "$SHARES_CLIENT" ] || bail "no NFS test client at $SHARES_CLIENT"
}
# status_is NODE RESOURCE ERE: the share's status line on NODE matches
status_is() { has "$(shares_status_line "$1" "$2")" "$3"; }
check_status() { # check_status NODE RESOURCE ERE DESCRIPTION (waits up to 10 s)
	if wait_until 10 status_is "$1" "$2" "$3"; then
		ok "$4"
	else
		not_ok "$4"
		diag "$1 $2: $(shares_status_line "$1" "$2")"
	fi
}

# ---- NFS clients on client1 ---------------------------------------------------------------
# The client is clusres-nfs-client from the build; it writes a record every 100 ms through the
# VIP, reads everything back, reconnects and reports (JSON) what it saw.
SHARES_CLIENT=${SHARES_CLIENT:-}
shares_client_start() { # shares_client_start NAME VIP EXPORT [EXTRA-ARGS...]
	local name=$1 vip=$2 export=$3
	shift 3
	rm -f "$WORK/$name.json"
	"$LAB" exec client1 "$SHARES_CLIENT" --server "$vip" --export "$export" \
		--file "rec-$name-$$" --id "lab-$name" --report "$WORK/$name.json" "$@" \
		>"$WORK/$name.log" 2>&1 &
	echo $! >"$WORK/$name.pid"
	disown # no job-control noise when it is killed; stop/kill go by pid
}
# Stops the client (SIGTERM: it writes its report) and waits for the report.
shares_client_stop() { # shares_client_stop NAME
	local pid i
	pid=$(cat "$WORK/$1.pid" 2>/dev/null) || return 1
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$WORK/$1.pid"
	[ -s "$WORK/$1.json" ]
}
shares_client_kill_all() {
	local f
	for f in "$WORK"/*.pid; do
		[ -e "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	return 0
}
# Records the client acknowledged so far (from its last progress line, printed every second).
shares_client_acked() { # shares_client_acked NAME
	local n
	n=$(sed -n 's/.* acked=\([0-9]*\) .*/\1/p' "$WORK/$1.log" 2>/dev/null | tail -n1)
	echo "${n:-0}"
}
# Waits until the client acknowledged more than 3 records beyond SINCE: it is served again.
shares_client_wait_more() { # shares_client_wait_more NAME SINCE TIMEOUT_S
	local deadline=$((SECONDS + $3))
	while [ "$(shares_client_acked "$1")" -le "$(($2 + 3))" ]; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}
# Progress lines the client printed so far.
shares_client_lines() { # shares_client_lines NAME
	local n
	n=$(grep -c ' acked=' "$WORK/$1.log" 2>/dev/null)
	echo "${n:-0}"
}
# After an event has played out on the cluster side (the group is placed): waits until the
# client is served again.  The last progress line may be older than the event (one a second,
# later on a busy machine), so the count to beat comes from the first line printed after now.
shares_client_wait_served() { # shares_client_wait_served NAME TIMEOUT_S
	local lines since deadline=$((SECONDS + $2))
	lines=$(shares_client_lines "$1")
	while [ "$(shares_client_lines "$1")" -le "$lines" ]; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
	since=$(shares_client_acked "$1")
	shares_client_wait_more "$1" "$since" $((deadline - SECONDS))
}
# A value from a client's report: acked, lost, stale, gap_max_s, reconnects, passed...
shares_client_field() { # shares_client_field NAME FIELD
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(str(v).lower() if isinstance(v,bool) else v)' \
		"$WORK/$1.json" "$2"
}

# Events, for attributing a long-running client's outages: "epoch-seconds label" lines.
shares_event() { # shares_event LABEL
	echo "$(date +%s.%N) $*" >>"$WORK/events"
}
# Per event: the longest outage of client NAME that began between that event and the next
# (0 when the client did not notice it), as "label<TAB>seconds<TAB>count".
shares_client_gaps() { # shares_client_gaps NAME
	python3 - "$WORK/$1.json" "$WORK/events" <<-'EOF'
		import datetime, json, sys
		r = json.load(open(sys.argv[1]))
		events = []
		for line in open(sys.argv[2]):
		    t, label = line.rstrip("\n").split(" ", 1)
		    events.append((float(t), label))
		def epoch(iso):
		    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
		        tzinfo=datetime.timezone.utc).timestamp()
		outs = [(epoch(o["start"]), o["duration_s"]) for o in r.get("outages", [])]
		for i, (t, label) in enumerate(events):
		    end = events[i + 1][0] if i + 1 < len(events) else float("inf")
		    # an outage starts at the last acknowledgement before the first error: up to one
		    # write interval (0.1 s) before the event itself
		    mine = [d for s, d in outs if t - 0.5 <= s < end - 0.5]
		    print(f"{label}\t{max(mine) if mine else 0:.2f}\t{len(mine)}")
	EOF
}

# ---- Never active on two nodes -------------------------------------------------------------
# Every 200 ms: which node's NIC holds each VIP (a dead or cut node keeps its addresses until
# it is fenced); every 3rd round also which node's Ganesha exports each share path.  Nodes are
# looked at one after the other, so a planned move can show the share on node A (sampled just
# before its stop finished) and on node B (sampled just after its start): a VIP or path seen on
# two nodes is therefore looked up again on the first node, after the second was seen holding
# it.  Still there: both held it at that moment, and it goes to WORK/twice.log.
shares_vips() { # shares_vips NODE: the lab VIPs on NODE's NIC
	ip -n "clr-$1" -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}' |
		sed -n "s#^\($SHARES_NET\.10[0-9]\)/.*#\1#p"
}
shares_exports() { # shares_exports NODE: the share paths NODE's Ganesha exports
	timeout 2 "$LAB" exec "$1" dbus-send --system --print-reply --reply-timeout=500 \
		--dest=org.ganesha.nfsd /org/ganesha/nfsd/ExportMgr \
		org.ganesha.nfsd.exportmgr.ShowExports 2>/dev/null |
		sed -n 's#^ *string "\(/srv/nfs/[^"]*\)"#\1#p'
}
shares_watch_loop() { # shares_watch_loop NODES...
	local round=0 n item what
	declare -A seen
	while :; do
		for what in vips exports; do
			[ $what = vips ] || ((round % 3 == 0)) || continue
			seen=()
			for n in "$@"; do
				for item in $("shares_$what" "$n"); do
					if [ -n "${seen[$item]:-}" ] &&
						"shares_$what" "${seen[$item]}" | grep -qxF "$item"; then
						echo "$(date +%T.%N) $what: $item on ${seen[$item]} and $n" >>"$WORK/twice.log"
					fi
					seen[$item]=$n
				done
			done
		done
		echo "$round" >"$WORK/watch.rounds"
		round=$((round + 1))
		sleep 0.2
	done
}
shares_watch_start() { # shares_watch_start NODES...
	: >"$WORK/twice.log"
	shares_watch_loop "$@" >/dev/null 2>&1 &
	SHARES_WATCH_PID=$!
}
shares_watch_stop() {
	[ -n "${SHARES_WATCH_PID:-}" ] || return 0
	kill "$SHARES_WATCH_PID" 2>/dev/null
	wait "$SHARES_WATCH_PID" 2>/dev/null
	SHARES_WATCH_PID=
}
