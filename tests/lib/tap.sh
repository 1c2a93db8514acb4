# shellcheck shell=bash
# tap.sh: minimal TAP producer for the shell integration tests (meson protocol: 'tap').
# The plan is printed at the end (`tap_done`), which TAP allows, so tests need not count ahead.
TAP_N=0
TAP_FAIL=0

diag() { echo "# $*"; }
ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok $TAP_N - $*"
}
# check DESCRIPTION CMD...: one test point from a command's exit status
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# bail MESSAGE: stop the whole test file (the caller's EXIT trap still cleans up)
bail() {
	echo "Bail out! $*"
	exit 1
}
tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAIL" -eq 0 ]
}
has() { grep -Eq "$2" <<<"$1"; } # has TEXT ERE
quiet() { "$@" >/dev/null; }     # stdout is TAP: keep tools' output out of it
indent() { sed "s/^/#   /"; }    # stdin as TAP diagnostics
# json FILE EXPR: evaluates a Python expression on a JSON file (bound to r).
json() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# expect FILE EXPR DESC: a test point from a Python boolean expression on a JSON file.
expect() {
	if [ "$(json "$1" "$2" 2>&1)" = True ]; then ok "$3"; else
		not_ok "$3"
		diag "failed: $2 on $1"
	fi
}
now_ms() { date +%s%3N; }
# wait_until SECONDS CMD...: poll CMD every 100 ms; status 0 as soon as it succeeds
wait_until() {
	local deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
# lab_lock: serialize tests that use the lab (one set of clr-* namespaces per machine), even
# when meson runs them in parallel.  Held on fd 9 until the test exits.
LAB_LOCK=${LAB_LOCK:-/tmp/clusres-lab.lock}
lab_lock() {
	exec 9>"$LAB_LOCK" && flock -w 600 9
}
# pids_of NODE (lab tests) COMM [CMDLINE]: pids in NODE's network namespace whose comm (and whole command
# line) match.  The nodes share this machine's pid namespace: a plain pgrep sees every node.
pids_of() {
	local p
	for p in $(ip netns pids "clr-$1" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] || continue
		[ -z "$3" ] || [ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "$3 " ] || continue
		echo "$p"
	done
}
# lab_test_begin CLEANUP [BUILD]: how every lab test starts: CLEANUP (a function) runs on exit,
# INT/TERM exit, root is required, the lab lock taken, BUILD staged into STAGE (under the lock:
# stage.sh rebuilds BUILD/stage, which a running lab may be using) and no lab left over.
# Needs LAB (the lab script).
lab_test_begin() {
	# shellcheck disable=SC2064 # the function name is fixed now
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	[ "$(id -u)" -eq 0 ] || bail "needs root"
	lab_lock || bail "another lab test holds $LAB_LOCK"
	if [ -n "${2:-}" ]; then
		STAGE=$("$(dirname "${BASH_SOURCE[0]}")/stage.sh" "$2") || bail "cannot stage $2"
	fi
	"$LAB" down >/dev/null 2>&1
}
# tap_preflight WHY TOOL...: a test that needs root skips (exit 77) without it, and bails out
# when one of the tools it runs is missing.
tap_preflight() {
	local why=$1 tool
	shift
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root ($why)"
		exit 77
	fi
	for tool in "$@"; do
		command -v "$tool" >/dev/null || bail "$tool is not installed"
	done
}
