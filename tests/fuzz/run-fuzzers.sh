#!/bin/sh
# SPDX-License-Identifier: MIT
# run-fuzzers.sh SRC_DIR OUT_DIR SECONDS [TARGET...]
#
# Builds each libFuzzer target straight from the protocol sources with clang
# (ASan + UBSan, any report fatal), seeds a fresh corpus from every .hex
# capture in tests/fixtures, fuzzes it for SECONDS and prints one summary line
# per target.  Exits non-zero if a target fails to build, crashes, breaks an
# invariant, leaks, times out or runs out of memory.
#
# TARGET is frame, ecu_info, inverters, signal or ecu_web (a "fuzz_" prefix
# is fine); default: all five.  CLANG overrides the compiler.  ecu_web is
# common/ecu_web.c (with cJSON), seeded from tests/fuzz/seeds/ecu_web too.
#
# Why the explicit limits: libFuzzer's default -timeout is 1200 s per input,
# and -max_total_time is only checked between inputs, so a hanging input would
# run far past SECONDS and never be saved.  10 s per input flags any hang (a
# parse takes microseconds).  -rss_limit_mb is libFuzzer's default, spelled
# out; the targets allocate nothing, ASan's quarantine is what grows.
set -u

usage() {
	echo "usage: $0 SRC_DIR OUT_DIR SECONDS [TARGET...]" >&2
	exit 2
}

[ $# -ge 3 ] || usage
SRC_DIR=$(cd "$1" && pwd) || usage
OUT_DIR=$2
SECONDS_EACH=$3
shift 3
case $SECONDS_EACH in
'' | *[!0-9]*) usage ;;
esac
[ $# -gt 0 ] || set -- frame ecu_info inverters signal ecu_web

CLANG=${CLANG:-clang}
UNIT_TIMEOUT=10
RSS_LIMIT_MB=2048
PROTOCOL_SOURCES="civil fields frame request ecu_info inverters signal model"
CFLAGS="-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Werror -Wshadow -Wconversion -Wformat=2 -Wundef -Wvla
	-Wstrict-prototypes -Wwrite-strings -D_POSIX_C_SOURCE=200809L"

mkdir -p "$OUT_DIR" || exit 1
OUT_DIR=$(cd "$OUT_DIR" && pwd) || exit 1

# The captures are hex text; the fuzzers want the raw bytes.
SEEDS=$OUT_DIR/seeds
rm -rf "$SEEDS" && mkdir -p "$SEEDS" || exit 1
find "$SRC_DIR/tests/fixtures" -name '*.hex' -type f | sort | /usr/bin/python3 -c '
import os, sys
out = sys.argv[1]
for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    with open(path) as f:
        data = bytes.fromhex("".join(f.read().split()))
    name = os.path.relpath(path, sys.argv[2]).replace("/", "_")
    with open(os.path.join(out, name[:-len(".hex")]), "wb") as f:
        f.write(data)
' "$SEEDS" "$SRC_DIR/tests/fixtures" || exit 1

# Prints the value of a "stat::name: value" line of libFuzzer's final stats.
final_stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

# Prints the value after "key:" in libFuzzer's last status line.
last_status() {
	grep -E '^#[0-9]+' "$2" | tail -n 1 | sed -n "s/.* $1: \([0-9]*\).*/\1/p"
}

failed=0
for target in "$@"; do
	name=${target#fuzz_}
	source=$SRC_DIR/tests/fuzz/fuzz_$name.c
	binary=$OUT_DIR/fuzz_$name
	corpus=$OUT_DIR/corpus-$name
	artifacts=$OUT_DIR/artifacts-$name
	log=$OUT_DIR/fuzz_$name.log

	if [ ! -f "$source" ]; then
		echo "fuzz_$name: FAILED: no such target ($source)"
		failed=1
		continue
	fi
	sources=
	for s in $PROTOCOL_SOURCES; do sources="$sources $SRC_DIR/protocol/$s.c"; done
	extra=
	if [ "$name" = ecu_web ]; then
		extra="-I$SRC_DIR/common $SRC_DIR/common/ecu_web.c $(pkg-config --cflags --libs libcjson 2>/dev/null || echo -lcjson)"
	fi
	# shellcheck disable=SC2086 # word splitting of the flag and file lists is wanted
	if ! "$CLANG" $CFLAGS -I"$SRC_DIR/protocol" $sources $extra "$source" -o "$binary" >"$log" 2>&1; then
		echo "fuzz_$name: FAILED to build, see $log"
		sed -n '1,20p' "$log"
		failed=1
		continue
	fi

	rm -rf "$corpus" "$artifacts"
	mkdir -p "$corpus" "$artifacts" && find "$SEEDS" -type f -exec cp {} "$corpus"/ \; || exit 1
	if [ -d "$SRC_DIR/tests/fuzz/seeds/$name" ]; then
		find "$SRC_DIR/tests/fuzz/seeds/$name" -type f -exec cp {} "$corpus"/ \; || exit 1
	fi
	"$binary" -max_total_time="$SECONDS_EACH" -timeout="$UNIT_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
		-print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
	rc=$?

	runs=$(final_stat number_of_executed_units "$log")
	rate=$(final_stat average_exec_per_sec "$log")
	cov=$(last_status cov "$log")
	ft=$(last_status ft "$log")
	stats="${runs:-?} runs, ${rate:-?} exec/s, cov: ${cov:-?} ft: ${ft:-?}, corpus $(find "$corpus" -type f | wc -l) inputs"
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$name: ok, $stats"
		continue
	fi

	if grep -q 'ERROR: libFuzzer: timeout' "$log"; then what=timeout
	elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then what=out-of-memory
	elif grep -q 'ERROR: LeakSanitizer' "$log"; then what=leak
	else what=crash
	fi
	echo "fuzz_$name: FAILED ($what, exit $rc), $stats"
	grep -E 'invariant failed|ERROR:|runtime error|SUMMARY|Test unit written' "$log" | sed 's/^/    /'
	echo "    log: $log"
	failed=1
done
exit $failed
