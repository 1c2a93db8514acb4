#!/bin/bash
# Installs the Debian packages listed in packaging/debian-packages.txt that are missing.
# Sourced or run by tests/run and tests/lab/demo; needs root.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mapfile -t want < <(grep -Ev '^\s*(#|$)' "$top/packaging/debian-packages.txt")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "clusres: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
