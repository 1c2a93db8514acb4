# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ganesha.sh: the set-up shared by the tests and benchmarks that run a real NFS-Ganesha: a
# network namespace, a private system bus (dbus-daemon) inside it and ganesha.nfsd on that bus.
# Sourced; needs nothing else (no tap.sh), so the benchmarks can use it too.  The callers keep
# their own EXIT traps and call bus_stop / ganesha_stop from them.
#
# Globals it sets: ganesha_pid (ganesha_run -F); the bus helpers come from bus.sh.

# shellcheck source=bus.sh
source "$(dirname "${BASH_SOURCE[0]}")/bus.sh"

# ganesha_netns_add NS [ADDR/PREFIX...]: creates NS with its loopback up and ADDRs on it.
ganesha_netns_add() {
  local ns=$1 a
  shift
  ip netns add "$ns" || return 1
  ip -n "$ns" link set lo up || return 1
  for a in "$@"; do ip -n "$ns" addr add "$a" dev lo || return 1; done
}

# ganesha_conf FILE RECOVERY_DIR GRACE LEASE [CORE_EXTRA [EXPORTS]]: writes a Ganesha config,
# NFSv4 only (no rpcbind, NLM or rquota needed).  An empty GRACE or LEASE leaves Ganesha's
# default (90 s / 60 s); CORE_EXTRA is added to NFS_CORE_PARAM (e.g. "Bind_addr = ...;"),
# EXPORTS (EXPORT blocks) after NFSV4.  Creates RECOVERY_DIR.
ganesha_conf() {
  local file=$1 recovery=$2 grace=$3 lease=$4 core=${5:-} exports=${6:-} v4=
  [ -z "$grace" ] || v4="Grace_Period = $grace; "
  [ -z "$lease" ] || v4="${v4}Lease_Lifetime = $lease; "
  mkdir -p "$recovery" || return 1
  {
    echo "NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false;${core:+ $core} }"
    echo "NFSV4 { ${v4}RecoveryRoot = \"$recovery\"; }"
    [ -z "$exports" ] || printf '%s\n' "$exports"
  } >"$file"
}

# ganesha_is_up NS [TIMEOUT_MS]: status 0 if Ganesha in NS answers get_grace on the bus.
ganesha_is_up() {
  ip netns exec "$1" dbus-send --system --reply-timeout="${2:-1000}" --print-reply \
    --dest=org.ganesha.nfsd /org/ganesha/nfsd/admin org.ganesha.nfsd.admin.get_grace \
    >/dev/null 2>&1
}

# ganesha_wait_up NS SECONDS: polls ganesha_is_up every 100 ms for SECONDS at most.
ganesha_wait_up() {
  local deadline=$(($(date +%s%3N) + $2 * 1000))
  until ganesha_is_up "$1"; do
    [ "$(date +%s%3N)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# ganesha_run [-F] NS BASE LEVEL [WAIT_S]: starts ganesha.nfsd in NS with BASE.conf, logging
# to BASE.log at LEVEL, pid file BASE.pid, then waits (WAIT_S, default 15) until it answers on
# the bus.  -F: in the foreground, as a child of this shell; ganesha_pid is then the daemon
# itself (ip netns exec execs it; not backgrounded through a function, which would be a
# subshell), which a caller can wait for.  Otherwise Ganesha daemonizes: its pid is in BASE.pid.
ganesha_run() {
  local fg=
  [ "$1" != -F ] || { fg=-F; shift; }
  local ns=$1 base=$2 level=$3 wait_s=${4:-15}
  rm -f "$base.pid"
  if [ -n "$fg" ]; then
    ip netns exec "$ns" ganesha.nfsd -F -f "$base.conf" -L "$base.log" -p "$base.pid" \
      -N "$level" &
    # shellcheck disable=SC2034 # read by the callers
    ganesha_pid=$!
  else
    ip netns exec "$ns" ganesha.nfsd -f "$base.conf" -L "$base.log" -p "$base.pid" \
      -N "$level" || return 1
  fi
  ganesha_wait_up "$ns" "$wait_s"
}

# ganesha_stop PID [TERM_S]: ends Ganesha PID: SIGTERM and up to TERM_S seconds (default 10;
# 0: straight to SIGKILL) for it to exit, then SIGKILL; returns once the process is gone (5 s
# at most; reaped if it is our child).  Status 1 if it is still there.
ganesha_stop() {
  local pid=$1 term_s=${2:-10} i
  [ -n "$pid" ] || return 0
  if [ "$term_s" != 0 ]; then
    kill "$pid" 2>/dev/null
    for i in $(seq $((term_s * 10))); do
      kill -0 "$pid" 2>/dev/null || break
      # A child of ours stays a zombie (kill -0 succeeds) until waited for.
      [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
      [ "$i" = $((term_s * 10)) ] || sleep 0.1
    done
  fi
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# ganesha_baseline_confs DIR N RO|RW: N export definitions DIR/s<i>.conf (Export_Id 30000+i,
# pseudo /b<i>, directory DIR/s<i>), one file each, as a user scripting AddExport would write.
ganesha_baseline_confs() {
  local dir=$1 n=$2 access=$3 i id
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do
    id=$((30000 + i))
    mkdir -p "$dir/s$i"
    cat >"$dir/s$i.conf" <<EXP
EXPORT { Export_Id = $id; Path = "$dir/s$i"; Pseudo = "/b$i"; Access_Type = $access;
  Squash = Root_Squash; Protocols = 4; Transports = TCP; SecType = sys;
  Filesystem_Id = $id.$id; FSAL { Name = VFS; } }
EXP
  done
}
