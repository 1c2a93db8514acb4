#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Share resource figures against a real NFS-Ganesha, in a private network namespace and bus:
#   1. N shares brought online, then offline, through clusres-rhs (D-Bus Online/Offline,
#      INFLIGHT calls outstanding, on the host's peer socket as the OCF agent makes them, or on
#      the bus with VIA=bus), per share, beside
#      - the driver alone (bench-sd-ganesha bulk: enable all, disable all, one connection):
#        Ganesha's own work plus the driver, so host - driver = our overhead per share;
#      - the baseline of NB AddExport + RemoveExport made with one dbus-send process each.
#      Two cycles: cycle 1 brings N brand-new resources online (their Parameters are written
#      durably once), cycle 2 takes the same N offline -> online -> offline again (steady
#      state: unchanged parameters, nothing durable to write, instances kept open).  Cycle 2
#      runs ROUNDS times, each round after a run of the driver alone, and the medians are
#      compared (the figures of one run move +-30 % on a shared 2-core machine).
#   2. Monitor cost: N shares online with looks_alive_interval 10 s; CPU time of the host and
#      of Ganesha over WINDOW seconds (utime+stime from /proc), as CPU % and ms per
#      share-monitor (LooksAlive calls counted by the host).
# As in production, the host's run-time directory (CLUSRES_RUN_DIR, /run there) is a tmpfs
# mounted in the temp dir, and the durable registry (CLUSRES_REGISTRY_DIR, /var/lib) is on disk.
# usage: run.sh BUILD_DIR [N] [NB]   (root; N default 1000, NB 100; cleans up on any exit)
# Environment: INFLIGHT (default 8), WINDOW (default 30), LOOKS_MS (default 10000), ROUNDS
#   (default 3), VIA=peer|bus (default peer: the path Pacemaker's calls take),
#   PROFILE=strace|trace|perf: profile the host during cycle 2's Online into PROFILE_OUT (a
#   directory, default /tmp/clusres-sr-profile): `strace -c -f` (syscall counts and time),
#   `strace -f -ff -yy` (every call with its file names, trace.<tid>) or
#   `perf record --call-graph dwarf` (perf.data; perf report -i PROFILE_OUT/perf.data).  Profiled figures are not the bench's.
#   PROFILE_PHASE=offline profiles cycle 2's Offline instead.  HOST_LOG=FILE keeps the host's log.
set -eu
# shellcheck source=../../tests/lib/ganesha.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/ganesha.sh"

build=$(readlink -f "${1:?usage: run.sh BUILD_DIR [N] [NB]}")
n=${2:-1000}
nb=${3:-100}
inflight=${INFLIGHT:-8}
rounds=${ROUNDS:-3}
via=${VIA:-peer}
case $via in peer | bus) ;; *) echo "run.sh: VIA must be peer or bus" >&2; exit 1 ;; esac
[ "$rounds" -ge 1 ] 2>/dev/null || { echo "run.sh: ROUNDS must be a positive number" >&2; exit 1; }
window=${WINDOW:-30}
looks_ms=${LOOKS_MS:-10000}
host_bench=$build/bench/share-resource/bench-share-host
drv_bench=$build/bench/share-driver/bench-sd-ganesha
rhs=$build/resource-agent/host/clusres-rhs
share_so=$build/resource-agent/types/share/share.so
for f in "$host_bench" "$drv_bench" "$rhs" "$share_so"; do
  [ -f "$f" ] || { echo "run.sh: $f is not built (ninja -C $build)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 1; }

vip=198.18.0.100
ns=clusres-sr-bench-$$
dir=$(mktemp -d /tmp/clusres-sr-bench.XXXXXX)
chmod 755 "$dir"
ganesha_pid='' host_pid='' prof_pid='' run_mounted=''

cleanup() {
  [ -z "${HOST_LOG:-}" ] || cp "$dir/rhs.log" "$HOST_LOG" 2>/dev/null
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null
  [ -n "$ganesha_pid" ] && kill -9 "$ganesha_pid" 2>/dev/null
  bus_stop
  [ -n "$prof_pid" ] && kill -INT "$prof_pid" 2>/dev/null
  wait 2>/dev/null
  ip netns delete "$ns" 2>/dev/null
  [ -z "$run_mounted" ] || umount "$dir/run"
  [ -z "${REGISTRY_DIR:-}" ] || rm -rf "$REGISTRY_DIR"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
inns() { ip netns exec "$ns" "$@"; }
kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; } # kv KEY FILE: value of a "key value" line

ganesha_netns_add "$ns" 198.18.0.10/24 "$vip/32"
bus_conf "$dir" any
bus_start "$ns" "$dir"
# REGISTRY_DIR: where the host's cluster registry lives (default: in the temp dir, on disk).
# Pointing it at a tmpfs (e.g. /dev/shm/x) shows what the registry's fsyncs cost.
registry=${REGISTRY_DIR:-$dir/registry}
[ -z "${REGISTRY_DIR:-}" ] || [ ! -e "$registry" ] || { echo "run.sh: $registry exists" >&2; exit 1; }
mkdir -p "$dir/recovery" "$dir/run" "$registry" "$dir/types"
# The run-time directory is /run (a tmpfs) in production: instance records and the volatile
# registry store are written there without reaching a disk.
mount -t tmpfs -o size=256m,mode=755 clusres-sr-run "$dir/run"
run_mounted=1
ln -s "$share_so" "$dir/types/share.so"
ganesha_conf "$dir/ganesha.conf" "$dir/recovery" 4 3
export CLUSRES_RUN_DIR=$dir/run
export CLUSRES_REGISTRY_DIR=$registry CLUSRES_TYPES_DIR=$dir/types
ganesha_run -F "$ns" "$dir/ganesha" NIV_WARN 10 || true
ganesha_call() { # ganesha_call OBJECT METHOD ARGS...: one dbus-send process
  inns dbus-send --system --reply-timeout=10000 --print-reply --dest=org.ganesha.nfsd "$@"
}
sleep 5 # let the start-up grace end

# ---- 1a. the driver alone --------------------------------------------------------------------
# Its CPU time (bash's time: the driver process, ip netns exec execs it) is the client side of
# the driver's work, which the host does in-process: "drv_cpu_s USER SYS" for enable + disable.
# Ganesha's CPU ticks meanwhile: "ganesha_ticks T" in the .time file.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime
TIMEFORMAT='drv_cpu_s %3U %3S'
drv_run() { # drv_run NAME: the driver alone (enable all, disable all), into NAME.out / NAME.time
  local g0
  g0=$(cpu_ticks "$ganesha_pid")
  { time inns "$drv_bench" bulk "$n" "$dir/drv" >"$dir/$1.out"; } 2>"$dir/$1.time"
  echo "ganesha_ticks $(($(cpu_ticks "$ganesha_pid") - g0))" >>"$dir/$1.time"
}
drv_run drv
drv_cpu() { awk '$1 == "drv_cpu_s" { print $2 + $3 }' "$1"; }

# ---- 1b. baseline: one dbus-send process per AddExport / RemoveExport ------------------------
ganesha_baseline_confs "$dir/baseline" "$nb" RO
t0=$(date +%s%N)
for i in $(seq 0 $((nb - 1))); do
  ganesha_call /org/ganesha/nfsd/ExportMgr org.ganesha.nfsd.exportmgr.AddExport \
    string:"$dir/baseline/s$i.conf" string:"EXPORT(Export_Id=$((30000 + i)))" >/dev/null
done
t1=$(date +%s%N)
for i in $(seq 0 $((nb - 1))); do
  ganesha_call /org/ganesha/nfsd/ExportMgr org.ganesha.nfsd.exportmgr.RemoveExport \
    uint16:$((30000 + i)) >/dev/null
done
t2=$(date +%s%N)

# ---- 1c. through the host --------------------------------------------------------------------
ip netns exec "$ns" "$rhs" >"$dir/rhs.log" 2>&1 &
host_pid=$!
for _ in $(seq 100); do [ -S "$dir/run/rhs.sock" ] && break; sleep 0.1; done
[ -S "$dir/run/rhs.sock" ] || { echo "run.sh: clusres-rhs did not come up" >&2; exit 1; }
# host_online OUTFILE / host_offline OUTFILE: the N shares through the host; the CPU ticks the
# host, Ganesha and the bus daemon spent meanwhile are appended to OUTFILE as "host_ticks T",
# "ganesha_ticks T" and "bus_ticks T" (the three compete for the same 2 cores).
cpu_mark() { t_host=$(cpu_ticks "$host_pid") t_gan=$(cpu_ticks "$ganesha_pid") t_bus=$(cpu_ticks "$bus_daemon_pid"); }
cpu_since() {
  echo "host_ticks $(($(cpu_ticks "$host_pid") - t_host))"
  echo "ganesha_ticks $(($(cpu_ticks "$ganesha_pid") - t_gan))"
  echo "bus_ticks $(($(cpu_ticks "$bus_daemon_pid") - t_bus))"
}
host_sock=''
[ "$via" = bus ] || host_sock=$dir/run/rhs.sock
host_online() {
  cpu_mark
  inns env BENCH_HOST_SOCKET="$host_sock" \
    "$host_bench" online "$n" "$dir/shares" "$share_so" "$vip" "$inflight" "$looks_ms" >"$1"
  cpu_since >>"$1"
}
host_offline() {
  cpu_mark
  inns env BENCH_HOST_SOCKET="$host_sock" "$host_bench" offline "$n" "$inflight" >"$1"
  cpu_since >>"$1"
}
count_exports() {
  ganesha_call /org/ganesha/nfsd/ExportMgr org.ganesha.nfsd.exportmgr.ShowExports |
    grep -c "string \"$dir/shares/" || true
}
host_online "$dir/online.out"
[ "$(readlink "/proc/$host_pid/exe")" = "$rhs" ] || { echo "run.sh: host pid $host_pid is not clusres-rhs" >&2; exit 1; }
[ "$(readlink "/proc/$ganesha_pid/exe")" = "$(command -v ganesha.nfsd)" ] ||
  { echo "run.sh: ganesha pid $ganesha_pid is not ganesha.nfsd" >&2; exit 1; }
exported=$(count_exports)
[ "$exported" -eq "$n" ] || { echo "run.sh: Ganesha exports $exported shares, not $n" >&2; exit 1; }

# ---- 2. monitor cost -------------------------------------------------------------------------
looks_calls() { # sum of the host's DLL call counters (every LooksAlive is one call)
  inns gdbus call --system --dest org.clusres.ResourceHost --object-path /org/clusres/ResourceHost \
    --method org.clusres.ResourceHost1.ListInstances |
    grep -o "'calls': <uint64 [0-9]*>" | awk '{ s += $3 } END { print s + 0 }'
}
# Every share has had its first poll (the phases are spread) and the host's per-operation
# deadline timers (20 s, see bench-share-host.c) have all expired before the window.
settle=$((looks_ms / 1000 + 1))
[ "$settle" -ge 21 ] || settle=21
sleep "$settle"
c0=$(looks_calls)
h0=$(cpu_ticks "$host_pid") g0=$(cpu_ticks "$ganesha_pid") w0=$(date +%s%N)
sleep "$window"
h1=$(cpu_ticks "$host_pid") g1=$(cpu_ticks "$ganesha_pid") w1=$(date +%s%N)
c1=$(looks_calls)
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$host_pid/status")
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$host_pid/status")

host_offline "$dir/offline.out"
left=$(count_exports)
[ "$left" -eq 0 ] || { echo "run.sh: $left exports left after cycle 1's offlines" >&2; exit 1; }

# ---- 1d. cycle 2: the same shares offline -> online -> offline (steady state) ----------------
prof_out=${PROFILE_OUT:-/tmp/clusres-sr-profile}
prof_phase=${PROFILE_PHASE:-online}
case $prof_phase in online | offline) ;; *) echo "run.sh: PROFILE_PHASE must be online or offline" >&2; exit 1 ;; esac
prof_start() {
case ${PROFILE:-} in
  "") ;;
  strace) mkdir -p "$prof_out"
    strace -c -f -o "$prof_out/strace-c.txt" -p "$host_pid" 2>"$prof_out/strace.log" &
    prof_pid=$! ;;
  trace) mkdir -p "$prof_out" # every syscall with its file names, one file per thread
    strace -f -ff -tt -yy -o "$prof_out/trace" -p "$host_pid" 2>"$prof_out/strace.log" &
    prof_pid=$! ;;
  perf) mkdir -p "$prof_out"
    perf record -q -F 499 --call-graph dwarf,16384 -o "$prof_out/perf.data" -p "$host_pid" 2>"$prof_out/perf.log" & prof_pid=$! ;;
  *) echo "run.sh: PROFILE must be strace, trace or perf" >&2; exit 1 ;;
esac
[ -z "$prof_pid" ] || sleep 1 # attached before the first call
}
prof_stop() { if [ -n "$prof_pid" ]; then kill -INT "$prof_pid"; wait "$prof_pid" || true; prof_pid=; fi; }
# ROUNDS rounds of: the driver alone, the N shares online, offline (only round 1 is profiled).
left2=0
for r in $(seq "$rounds"); do
  drv_run "drv2.$r"
  [ "$r" != 1 ] || [ "$prof_phase" != online ] || prof_start
  host_online "$dir/online2.$r.out"
  prof_stop
  exported=$(count_exports)
  [ "$exported" -eq "$n" ] || { echo "run.sh: cycle 2: Ganesha exports $exported shares, not $n" >&2; exit 1; }
  [ "$r" != 1 ] || [ "$prof_phase" != offline ] || prof_start
  host_offline "$dir/offline2.$r.out"
  prof_stop
  left2=$((left2 + $(count_exports)))
done

# ---- report ----------------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
# One python tuple per run: (host online ms, host offline ms, driver enable ms, driver disable
# ms per share, then CPU ticks: host online, offline, Ganesha online, offline, bus online,
# offline; driver process CPU s, Ganesha ticks during the driver run).
run_tuple() { # run_tuple ONLINE.out OFFLINE.out DRV.out DRV.time
  echo "($(kv total_ms "$1") / n, $(kv total_ms "$2") / n, $(kv enable_ms_per_share "$3"),
    $(kv disable_ms_per_share "$3"), $(kv host_ticks "$1"), $(kv host_ticks "$2"),
    $(kv ganesha_ticks "$1"), $(kv ganesha_ticks "$2"), $(kv bus_ticks "$1"), $(kv bus_ticks "$2"),
    $(drv_cpu "$4"), $(kv ganesha_ticks "$4")),"
}
rounds_py=$(for r in $(seq "$rounds"); do
  run_tuple "$dir/online2.$r.out" "$dir/offline2.$r.out" "$dir/drv2.$r.out" "$dir/drv2.$r.time"
done)
python3 - <<EOF
import statistics
n, nb, inflight = $n, $nb, $inflight
tick_ms = 1000.0 / $hz
first = [$(run_tuple "$dir/online.out" "$dir/offline.out" "$dir/drv.out" "$dir/drv.time")]
rounds = [$rounds_py]
b_add, b_rm = ($t1 - $t0) / 1e6 / nb, ($t2 - $t1) / 1e6 / nb

def figures(r):
    """Per share: wall (host, driver, overhead), CPU per call (host, Ganesha, bus), driver CPU."""
    return dict(h_on=r[0], h_off=r[1], d_en=r[2], d_dis=r[3],
                ov_on=r[0] - r[2], ov_off=r[1] - r[3],
                cpu_on=r[4] * tick_ms / n, cpu_off=r[5] * tick_ms / n,
                gan_on=r[6] * tick_ms / n, gan_off=r[7] * tick_ms / n,
                bus_on=r[8] * tick_ms / n, bus_off=r[9] * tick_ms / n,
                drv_cpu=r[10] * 1000 / n, drv_gan=r[11] * tick_ms / n)

def median(runs):
    f = [figures(r) for r in runs]
    return {k: statistics.median(x[k] for x in f) for k in f[0]}

print("share resource bench: %d shares, %d Online/Offline calls in flight via the %s, real Ganesha (%s)"
      % (n, inflight, "host's peer socket (as the OCF agent)" if "$via" == "peer" else "system bus",
         "$(ganesha.nfsd -v 2>&1 | grep -o 'Release = V[^ ]*' | head -1)"))
print()
print("(1) per share, ms                         online   offline     both")
for what, f in (("cycle 1: new resources (first start)", median(first)),
                ("cycle 2: same shares (steady state), median of %d rounds" % len(rounds),
                 median(rounds))):
    print("  %s" % what)
    print("    clusres-rhs (D-Bus Online/Offline)  %8.3f  %8.3f  %8.3f" % (f["h_on"], f["h_off"], f["h_on"] + f["h_off"]))
    print("    share driver alone (bench-sd-ganesha) %6.3f  %8.3f  %8.3f" % (f["d_en"], f["d_dis"], f["d_en"] + f["d_dis"]))
    print("    our overhead on top of the driver   %8.3f  %8.3f  %8.3f   target <= 0.5 per call: %s"
          % (f["ov_on"], f["ov_off"], f["ov_on"] + f["ov_off"],
             "PASS" if max(f["ov_on"], f["ov_off"]) <= 0.5 else "FAIL"))
    print("    host CPU (utime+stime) per call     %8.3f  %8.3f  %8.3f" % (f["cpu_on"], f["cpu_off"], f["cpu_on"] + f["cpu_off"]))
    print("    Ganesha / bus daemon CPU per call   %8.3f  %8.3f   (bus %.3f / %.3f)"
          % (f["gan_on"], f["gan_off"], f["bus_on"], f["bus_off"]))
    print("    driver process CPU per share                            %8.3f   (Ganesha %.3f)"
          % (f["drv_cpu"], f["drv_gan"]))
print("  cycle 2 rounds      host on/off       driver en/dis     overhead on/off")
for i, r in enumerate(rounds):
    f = figures(r)
    print("    round %d        %6.3f %6.3f     %6.3f %6.3f     %6.3f %6.3f"
          % (i + 1, f["h_on"], f["h_off"], f["d_en"], f["d_dis"], f["ov_on"], f["ov_off"]))
c2 = median(rounds)
print("  dbus-send process per call (%d)       %8.3f  %8.3f  %8.3f" % (nb, b_add, b_rm, b_add + b_rm))
print("  host (cycle 2) vs dbus-send baseline  %7.2fx  %7.2fx" % (c2["h_on"] / b_add, c2["h_off"] / b_rm))
print("  exports left after the offlines: %d, %d; registry in %s (%s), run dir %s (%s)"
      % ($left, $left2, "$registry", "$(stat -f -c %T "$registry")",
         "$dir/run", "$(stat -f -c %T "$dir/run")"))
print()
wall = ($w1 - $w0) / 1e9
host_ms = ($h1 - $h0) * 1000.0 / $hz
gan_ms = ($g1 - $g0) * 1000.0 / $hz
calls = $c1 - $c0
expected = n * wall * 1000 / $looks_ms
print("(2) monitor: %d shares online, LooksAlive every %d ms, %.1f s window" % (n, $looks_ms, wall))
print("    LooksAlive calls counted by the host: %d (expected ~%.0f)" % (calls, expected))
print("    CPU  host %7.1f ms (%5.2f %%)   ganesha %7.1f ms (%5.2f %%)   together %5.2f %% of one core"
      % (host_ms, host_ms / wall / 10, gan_ms, gan_ms / wall / 10, (host_ms + gan_ms) / wall / 10))
per = max(calls, 1)
print("    per share-monitor: host %.4f ms + ganesha %.4f ms = %.4f ms CPU"
      % (host_ms / per, gan_ms / per, (host_ms + gan_ms) / per))
print("    host RSS with %d shares online: %d KiB, %d threads" % (n, $rss, $threads))
EOF
