#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every benchmark of tests/bench/ on a Release build and writes
# bench/results.md (the figures), bench/results.json and bench/latency.png
# (round-trip distribution without and with the plugin); the raw round trips
# go to $BUILD/bench-samples.
# Takes about 25 minutes; options are passed to tests/bench/bench.py
# (e.g. --only stall,cpu  --rounds 4  --seconds 30  --scale-counts 50,100).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench}

need=""
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need="$need mosquitto"
command -v mosquitto_sub >/dev/null 2>&1 || need="$need mosquitto-clients"
[ -f /usr/include/mosquitto.h ] || need="$need libmosquitto-dev mosquitto-dev"
command -v valgrind >/dev/null 2>&1 || need="$need valgrind"
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || need="$need python3-matplotlib"
if [ -n "$need" ]; then
	echo "bench.sh: installing$need"
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $need ||
		echo "bench.sh: could not install$need; going on without what is missing"
fi

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target aps-ecu mosquitto_aps_ecu bench_rtt bench_fresh bench_cycle
SAMPLES="$BUILD/bench-samples"
rm -rf "$SAMPLES"
/usr/bin/python3 tests/bench/bench.py --bin-dir "$BUILD/tests/bench" --aps-ecu "$BUILD/tools/aps-ecu" \
	--plugin "$BUILD/plugin/mosquitto_aps_ecu.so" --out "$OUT" --samples-dir "$SAMPLES" "$@"
if [ ! -d "$SAMPLES" ]; then
	echo "bench.sh: no round trips measured (--only without stall or scale): no plot"
elif /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
	/usr/bin/python3 tests/bench/plot.py "$OUT" "$SAMPLES"
else
	echo "bench.sh: no python3-matplotlib: $OUT/latency.png not drawn"
fi
echo "bench.sh: figures in $OUT/results.md"
