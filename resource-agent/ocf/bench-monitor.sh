#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Times one clusres-ocf monitor (peer socket to a running host) against ocf:heartbeat:Dummy
# monitor with hyperfine; prints medians.  Private bus and temp dirs; cleans up after itself.
# usage: bench-monitor.sh BUILD_ROOT [RUNS]
set -euo pipefail
# shellcheck source=../../tests/lib/bus.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/bus.sh"
build=$(realpath "$1") runs=${2:-2000}
agent=$build/resource-agent/ocf/clusres-ocf
tmp=$(mktemp -d /tmp/clusres-ocf-bench.XXXXXX)
cleanup() {
  run_dir_kill "$tmp/run"
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/run" "$tmp/reg" "$tmp/types" "$tmp/app" "$tmp/dummy"
ln -s "$build/resource-agent/ocf/ocftest.so" "$tmp/types/ocftest.so"
ln -s "$agent" "$tmp/resdll"
bus_conf "$tmp" any
export CLUSRES_RUN_DIR=$tmp/run CLUSRES_REGISTRY_DIR=$tmp/reg CLUSRES_TYPES_DIR=$tmp/types
export CLUSRES_RHS=$build/resource-agent/host/clusres-rhs
bus_start - "$tmp"
export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=b1 OCF_RESKEY_CRM_meta_timeout=20000
export OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_dll=ocftest OCF_RESKEY_type=ocftest
export OCF_RESKEY_Path=$tmp/app/b1 OCF_RESKEY_state=$tmp/dummy/state
"$tmp/resdll" start
/usr/lib/ocf/resource.d/heartbeat/Dummy start
hyperfine -N --warmup 100 --runs "$runs" --export-json "$tmp/hf.json" \
  "$tmp/resdll monitor" "/usr/lib/ocf/resource.d/heartbeat/Dummy monitor" >/dev/null 2>&1
python3 - "$tmp/hf.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results']
for x in r:
    print('%-16s median %.2f ms  mean %.2f ms  min %.2f ms  cpu %.2f ms' % (
        'clusres-ocf' if 'resdll' in x['command'] else 'Dummy', x['median'] * 1e3,
        x['mean'] * 1e3, x['min'] * 1e3, (x['user'] + x['system']) * 1e3))
print('ratio of medians: %.2f' % (r[0]['median'] / r[1]['median']))
PY
"$tmp/resdll" stop
