#!/bin/sh
# SPDX-License-Identifier: MIT
# run-clang-tidy.sh SRC_DIR DIR...: clang-tidy (the checks in SRC_DIR/.clang-tidy)
# over every .c file of each DIR (protocol, common, plugin/..., tools), two files at a
# time.  Any warning fails.  Exits 77 (a skip, for CTest) when clang-tidy is
# not installed.  CLANG_TIDY overrides the program.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SRC_DIR DIR..." >&2; exit 2; }
SRC=$(cd "$1" && pwd) || exit 2
shift
TIDY=${CLANG_TIDY:-}
if [ -z "$TIDY" ]; then
	for t in clang-tidy-14 clang-tidy; do
		if command -v "$t" >/dev/null 2>&1; then TIDY=$t; break; fi
	done
fi
if [ -z "$TIDY" ]; then
	echo "clang-tidy is not installed: skipped (sh scripts/install-deps.sh installs it)"
	exit 77
fi
cd "$SRC" || exit 2
"$TIDY" --version | sed -n 's/^ *//p' | head -n 2

files=""
# Every source folder's headers, as the libraries' include directories give them.
inc=""
for d in protocol common plugin plugin/* tools; do [ -d "$d" ] && inc="$inc -I$d"; done
for d in "$@"; do files="$files $(ls "$d"/*.c)"; done
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
# The build's own flags, so the code is read as the compiler reads it.
# shellcheck disable=SC2086 # one file name, one include flag per word
printf '%s\n' $files | xargs -P 2 -I {} "$TIDY" --quiet {} -- -std=c11 -D_POSIX_C_SOURCE=200809L \
	-DAPS_VERSION='"0"' $inc >"$out" 2>&1
findings=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$out")
if [ "$findings" -ne 0 ]; then
	grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' "$out"
	echo "clang-tidy: $findings finding(s) in $*"
	exit 1
fi
echo "clang-tidy: $(echo $files | wc -w) files in $* clean"
