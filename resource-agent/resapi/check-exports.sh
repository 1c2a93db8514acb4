#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library must export exactly the functions resapi.h declares, in node CLUSRES_RESAPI_1:
# a symbol missing breaks DLLs at load time, an extra one leaks internals into the ABI.
# Usage: check-exports.sh LIBRARY HEADER   (TAP output)
set -eu
lib=$1
header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prototypes in the header: a line ending in "Name(" after a return type, outside typedefs.
grep -E '^[A-Za-z_][A-Za-z0-9_ ]*[ *]+[A-Za-z_][A-Za-z0-9_]*\(' "$header" | grep -v '^typedef' |
  sed -E 's/^.*[ *]([A-Za-z_][A-Za-z0-9_]*)\(.*$/\1/' | sort -u >"$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/exported"
# Every exported function carries the version node.
nm -D --defined-only --with-symbol-versions "$lib" 2>/dev/null | awk '$2 == "T" { print $3 }' |
  grep -v '@@CLUSRES_RESAPI_1$' >"$tmp/unversioned" || true

echo "1..3"
if diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
  echo "ok 1 - exported functions == declared functions ($(wc -l <"$tmp/declared"))"
else
  echo "not ok 1 - exported functions differ from resapi.h"
  sed 's/^/# /' "$tmp/diff"
  fail=1
fi
if [ "$(wc -l <"$tmp/declared")" -ge 40 ]; then
  echo "ok 2 - header parsed"
else
  echo "not ok 2 - too few prototypes parsed from $header"
  fail=1
fi
if [ ! -s "$tmp/unversioned" ]; then
  echo "ok 3 - all in CLUSRES_RESAPI_1"
else
  echo "not ok 3 - symbols outside CLUSRES_RESAPI_1"
  sed 's/^/# /' "$tmp/unversioned"
  fail=1
fi
exit ${fail:-0}
