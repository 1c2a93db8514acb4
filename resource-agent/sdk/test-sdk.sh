#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The DLL author's path, end to end on one node: install the project into a DESTDIR, build the
# installed FileFlag example with `pkg-config --cflags --libs clusres-resapi` alone (the .pc
# found through PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR), register it with
# `clusresctl type add`, then run it through the installed agent and host on a private system
# bus: meta-data (OCF 1.1 schema), validate-all, ocf-tester (the project's OCF 1.1 wrapper),
# start with OnlinePending checkpoints under a short pending timeout, monitors, clusresctl
# get/set/control, reload-agent applied live, a host killed and the DLL's state correct after
# re-adoption, a failing start and a host crashed by a DLL, both named in ocf-exit-reason.
# Safe beside other integration tests: its own temporary directories, bus and run directory.
# Needs root.  Prints TAP.
#
# usage: test-sdk.sh BUILD_ROOT TESTDLL RNG BUILD_AGENT BUILD_OCF_DLL
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../../tests/lib/bus.sh
source "$here/../../tests/lib/bus.sh"
# shellcheck source=../../tests/lib/tap.sh
source "$here/../../tests/lib/tap.sh"
# shellcheck source=../../tests/lib/ocf.sh
source "$here/../../tests/lib/ocf.sh"

build_root=$1 testdll=$2 rng=$3 build_agent=$4 build_ocf_dll=$5

tap_preflight "a DESTDIR install, a private system bus" dbus-daemon gdbus make pkg-config xmllint

# The DLL files must sit where root alone can write (the loaders' rules): the build tree.
dest=$(mktemp -d "$build_root/resource-agent/sdk/sdk-it.XXXXXX")
tmp=$(mktemp -d /tmp/clusres-sdk-it.XXXXXX)
chmod 755 "$dest" "$tmp" # ocf-tester runs meta-data as nobody
cleanup() {
  run_dir_kill "$tmp/run"
  bus_stop
  rm -rf "$tmp" "$dest"
}
trap cleanup EXIT

expect() { expect_run "$@"; } # RC ERE DESC CMD... (tests/lib/ocf.sh)

# ---- the installed SDK -----------------------------------------------------------------------
root=$dest/root
meson install -C "$build_root" --destdir "$root" --no-rebuild --quiet >"$tmp/out" 2>&1 ||
  { indent <"$tmp/out"; bail "meson install --destdir failed"; }
pc=$(find "$root" -name clusres-resapi.pc | head -1)
[ -n "$pc" ] || bail "no clusres-resapi.pc installed"
pcdir=$(dirname "$pc")
export PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' PKG_CONFIG_SYSROOT_DIR=$root
# pkgconf puts the sysroot in front of the variables too.
check "clusres-resapi.pc installed with the library and resapi.h" \
  test -f "$(pkg-config --variable=includedir clusres-resapi)/clusres/resapi.h" -a \
  -e "$(pkg-config --variable=libdir clusres-resapi)/libclusres-resapi.so"
cflags=$(pkg-config --cflags --libs clusres-resapi)
has "$cflags" "^-I$root/usr/include -L$root/usr/lib[^ ]* -lclusres-resapi" &&
  ok "pkg-config --cflags --libs: the DESTDIR's include and lib ($cflags)" ||
  not_ok "pkg-config answered '$cflags'"
example=$root/usr/share/doc/clusres/examples/fileflag
cp -r "$example" "$dest/ex"
expect 0 "" "the installed example builds with its Makefile (pkg-config alone)" \
  make -C "$dest/ex" CC=cc
exports=$(nm -D --defined-only "$dest/ex/fileflag.so" | awk '$2 == "T" { print $3 }')
[ "$exports" = Startup ] && ok "fileflag.so exports only Startup" ||
  not_ok "fileflag.so exports: $exports"

# ---- registered with one command -------------------------------------------------------------
libdir=$(pkg-config --variable=libdir clusres-resapi)
libexec=$root/usr/libexec/clusres
export LD_LIBRARY_PATH=$libdir
export CLUSRES_RUN_DIR=$tmp/run CLUSRES_REGISTRY_DIR=$tmp/registry CLUSRES_TYPES_DIR=$dest/types
export CLUSRES_RHS=$libexec/clusres-rhs CLUSRES_OCF_DLL=$libexec/clusres-ocf-dll
export CLUSRES_OCF_PROVIDER_DIR=$tmp/ocf/resource.d/clusres CLUSRES_OCF_AGENT=$libexec/clusres-ocf
mkdir -p "$tmp/run" "$tmp/registry" "$tmp/app"
ctl=$root/usr/sbin/clusresctl
expect 0 "ocf:clusres:FileFlag" "clusresctl type add FileFlag fileflag.so" \
  "$ctl" type add FileFlag "$dest/ex/fileflag.so"
ff=$CLUSRES_OCF_PROVIDER_DIR/FileFlag
check "the agent link resource.d/clusres/FileFlag -> clusres-ocf" \
  test "$(readlink "$ff")" = "$CLUSRES_OCF_AGENT"
check "the type's DLL is root's, mode 644" \
  test "$(stat -c '%u %a' "$dest/types/FileFlag.so")" = "0 644"
expect 1 "ERROR_CLUSTER_RESNAME_NOT_FOUND \(5080\)" \
  "type add under a name the DLL does not implement is refused by name" \
  "$ctl" type add Other "$dest/ex/fileflag.so"

ra() { # ra ACTION RESOURCE [NAME=VALUE | OCF_*=VALUE]...: the agent as pacemaker-execd runs it
  ocf_ra "${AGENT:-$ff}" "$@"
}

# ---- meta-data and validate-all: the DLL in-process ------------------------------------------
ra meta-data x >"$tmp/meta.xml" 2>"$tmp/out"
check "meta-data validates against the OCF 1.1 schema" \
  xmllint --noout --relaxng "$rng" "$tmp/meta.xml"
check "meta-data: Content is reloadable" \
  grep -q 'parameter name="Content"[^>]*reloadable="1"' "$tmp/meta.xml"
grep -q 'parameter name="Path"[^>]*required="1"' "$tmp/meta.xml" &&
  grep -q 'action name="reload-agent"' "$tmp/meta.xml" &&
  ok "meta-data lists Path (required) and reload-agent" || not_ok "meta-data content"
expect 0 "" "validate-all" ra validate-all ff0 "Path=$tmp/app/ff0"
expect 5 "ocf-exit-reason:.*ERROR_PATH_NOT_FOUND \(3\): The system cannot find the path specified" \
  "validate-all of a flag in a missing directory: reason by name" \
  ra validate-all ff0 "Path=$tmp/nodir/ff0"

bus_conf "$tmp" any
bus_start - "$tmp" || bail "dbus-daemon did not start"
host_pid() {
  gdbus call --system --dest org.clusres.ResourceHost --object-path /org/clusres/ResourceHost \
    --method org.freedesktop.DBus.Properties.Get org.clusres.ResourceHost1 Pid 2>/dev/null |
    sed -n 's/.*uint32 \([0-9]*\).*/\1/p'
}

# ---- ocf-tester with the project's OCF 1.1 wrapper (the build tree's agent: ocf-tester runs
# meta-data as nobody, whose environment loses LD_LIBRARY_PATH) ------------------------------
mkdir -p "$tmp/bt"
ln -s "$build_agent" "$tmp/bt/FileFlag"
expect 0 "" "clusres-ocf-tester (OCF 1.1 schema) on FileFlag" \
  env CLUSRES_OCF_DLL="$build_ocf_dll" CLUSRES_OCF_RNG="$rng" \
  "$root/usr/sbin/clusres-ocf-tester" -n fft -o "Path=$tmp/app/fft" -o Content=t "$tmp/bt/FileFlag"

# ---- the lifecycle through the installed agent and host --------------------------------------
F=("Path=$tmp/app/ff1" Content=one StartDelayMs=1000 pending_timeout=400)
# 1 s of Online under a 400 ms pending timeout: only the checkpoints keep it alive.
expect 0 "" "start FileFlag ff1 (1 s of OnlinePending checkpoints, pending_timeout 400 ms)" \
  ra start ff1 "${F[@]}"
check "the flag holds Content" test "$(cat "$tmp/app/ff1")" = one
expect 0 "" "monitor ff1" ra monitor ff1 "${F[@]}"
expect 0 "" "deep monitor ff1 (OCF_CHECK_LEVEL=10)" ra monitor ff1 "${F[@]}" OCF_CHECK_LEVEL=10
expect 0 "^Content = one$" "clusresctl get ff1: the private properties" "$ctl" get ff1
expect 0 "^ContentInEffect = one$" "clusresctl get ff1: the type's read-only status" \
  "$ctl" get ff1 ContentInEffect
expect 0 "^StartDelayMs$" "clusresctl control ff1 ENUM_PRIVATE_PROPERTIES" \
  "$ctl" control ff1 ENUM_PRIVATE_PROPERTIES
expect 0 "" "clusresctl set ff1 Content=byctl" "$ctl" set ff1 Content=byctl
check "set applied Content live" test "$(cat "$tmp/app/ff1")" = byctl
expect 1 "ERROR_INVALID_PARAMETER \(87\)" "clusresctl set ff1 StartDelayMs=70000: refused by name" \
  "$ctl" set ff1 StartDelayMs=70000
expect 3 "no resource host on this node keeps nosuch" "clusresctl get of a resource not here" \
  "$ctl" get nosuch
expect 0 "" "reload-agent ff1 Content=two" ra reload-agent ff1 "${F[@]/Content=one/Content=two}"
check "reload-agent applied Content without a restart" test "$(cat "$tmp/app/ff1")" = two

# The host is killed; the next monitor's host re-adopts ff1 (Open + IsAlive).  FileFlag's Open
# restores "online" from its volatile key, so a reload still applies and a deep monitor passes.
h=$(host_pid)
[ -n "$h" ] && kill -9 "$h"
no_host() { [ -z "$(host_pid)" ] && ! kill -0 "$h" 2>/dev/null; }
check "the host ($h) is gone" wait_until 20 no_host
expect 0 "" "monitor ff1 after the host was killed (re-adopted)" ra monitor ff1 "${F[@]}"
expect 0 "" "reload-agent ff1 Content=three after re-adoption" \
  ra reload-agent ff1 "${F[@]/Content=one/Content=three}"
check "the re-adopted instance applied Content live" test "$(cat "$tmp/app/ff1")" = three
expect 0 "" "deep monitor ff1 after re-adoption and reload" \
  ra monitor ff1 "${F[@]/Content=one/Content=three}" OCF_CHECK_LEVEL=10
expect 0 "^ContentInEffect = three$" "clusresctl get ff1 after re-adoption" \
  "$ctl" get ff1 ContentInEffect
expect 0 "" "stop ff1" ra stop ff1 "${F[@]}"
check "stop removed the flag" test ! -e "$tmp/app/ff1"
expect 7 "" "monitor ff1 after stop" ra monitor ff1 "${F[@]}"

# ---- failures the admin reads in crm_mon ------------------------------------------------------
expect 5 "ocf-exit-reason:.*ERROR_PATH_NOT_FOUND \(3\): The system cannot find the path specified" \
  "a failing start: the Win32 reason by name in ocf-exit-reason" \
  ra start ff2 "Path=$tmp/nodir/ff2"
ln -s "$CLUSRES_OCF_AGENT" "$tmp/resdll"
expect 1 "ocf-exit-reason:the resource host \(pid [0-9]+\) was killed by signal 11 \(SIGSEGV\) during Online" \
  "a DLL that crashes its host in Online: the signal named" \
  ocf_ra "$tmp/resdll" start crash1 "dll=$testdll" type=ocftest "Path=$tmp/app/crash1" \
  Label=segv-in-online

# ---- removed with one command -----------------------------------------------------------------
expect 0 "removed" "clusresctl type remove FileFlag" "$ctl" type remove FileFlag
check "the link and the DLL are gone" test ! -e "$ff" -a ! -e "$dest/types/FileFlag.so"
tap_done
