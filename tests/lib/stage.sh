#!/bin/bash
# stage.sh BUILD_DIR [DEST_DIR]: install a configured meson build (prefix /usr) into a DESTDIR
# tree for `tests/lab/lab up N --stage DEST_DIR`.  Prints DEST_DIR on stdout.
# Default DEST_DIR: BUILD_DIR/stage.  The tree is rebuilt from scratch every time so files
# removed from the project do not linger in the lab.
set -euo pipefail
die() {
	echo "stage.sh: $*" >&2
	exit 1
}
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: stage.sh BUILD_DIR [DEST_DIR]"
build=$(readlink -f "$1")
[ -f "$build/build.ninja" ] || die "$build is not a configured meson build dir"
dest=$(readlink -m "${2:-$build/stage}")
case $dest in
/ | /usr | /usr/* | /etc | /etc/*) die "refusing to stage into $dest" ;;
esac
prefix=$(meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
[ "$prefix" = /usr ] || die "build dir uses prefix $prefix; the lab overlays /usr (meson setup --prefix=/usr)"
rm -rf "$dest"
meson install -C "$build" --destdir "$dest" --quiet >&2
[ -d "$dest/usr" ] || die "nothing was installed under $dest/usr"
echo "$dest"
