#!/bin/sh
# SPDX-License-Identifier: MIT
# run-cppcheck.sh SRC_DIR: cppcheck over protocol/, common/, plugin/ and tools/, with
# the judged suppressions in cppcheck-suppressions.txt.  Any finding fails.
# Exits 77 (a skip, for CTest) when cppcheck is not installed.
set -u
[ $# -eq 1 ] || { echo "usage: $0 SRC_DIR" >&2; exit 2; }
SRC=$(cd "$1" && pwd) || exit 2
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "cppcheck is not installed: skipped (sh scripts/install-deps.sh installs it)"
	exit 77
fi
cd "$SRC" || exit 2
cppcheck --version
inc=""
for d in protocol common plugin plugin/* tools; do [ -d "$d" ] && inc="$inc -I$d"; done
# missingIncludeSystem: the system headers are not given to cppcheck, on purpose
# (it then checks our code, not glibc's macros).
cppcheck --enable=warning,style,performance,portability --std=c11 --error-exitcode=1 \
	--inline-suppr --quiet -D_POSIX_C_SOURCE=200809L $inc \
	--suppress=missingIncludeSystem --suppressions-list=tests/static/cppcheck-suppressions.txt \
	--template='{file}:{line}: {severity}: {id}: {message}' protocol common plugin tools
rc=$?
[ $rc -eq 0 ] && echo "cppcheck: protocol/ common/ plugin/ tools/ clean"
exit $rc
