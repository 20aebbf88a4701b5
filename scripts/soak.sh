#!/bin/sh
# SPDX-License-Identifier: MIT
# soak.sh [BUILD_DIR]: the long reliability runs, whose figures go in the
# README (CTest runs short versions of the same tests):
#
#   soak_asan      >= 10,000 poll cycles, ASan+UBSan plugin, LeakSanitizer at exit
#   soak_release   the same with the plugin as shipped: RSS and tick figures
#   soak_valgrind  a shorter run with mosquitto under valgrind --leak-check=full
#   fuzz_net       the simulator's mutate fault against the ASan plugin, 10 min
#   libfuzzer      each protocol parser to >= 10 million executions (LIBFUZZER=1)
#
# Each prints one "FIGURES name {...}" line; all of them, and each run's log,
# end up in BUILD_DIR/soak/.  Needs what scripts/test.sh needs.  Environment:
#   SOAK_CYCLES (10000), SOAK_ECUS (25), VALGRIND_CYCLES (1500), FUZZ_SECONDS
#   (600), LIBFUZZER=1 to run the libFuzzer targets too, ONLY="asan release ..."
#   to pick runs.  Takes about 30 minutes on two cores (45 with LIBFUZZER=1).
set -u
cd "$(dirname "$0")/.." || exit 2
SRC=$(pwd)
BUILD=${1:-build}
SOAK_CYCLES=${SOAK_CYCLES:-10000}
SOAK_ECUS=${SOAK_ECUS:-25}
VALGRIND_CYCLES=${VALGRIND_CYCLES:-1500}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
ONLY=${ONLY:-asan release valgrind fuzz_net libfuzzer}

cmake -S . -B "$BUILD" >/dev/null || exit 1
cmake --build "$BUILD" -j"$(nproc)" --target aps-ecu mosquitto_aps_ecu mosquitto_aps_ecu_asan mqtt_stream \
	>/dev/null || exit 1

OUT=$BUILD/soak
mkdir -p "$OUT" || exit 1
FIGURES=$OUT/figures.txt
: >"$FIGURES"

REL_STREAM=$(find "$BUILD" -name mqtt_stream -type f -perm -u+x | head -n 1)
# The ASan runtime of the compiler that built the plugin.
CC_USED=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
REL_LIBASAN=$("${CC_USED:-cc}" -print-file-name=libasan.so)
REL_PLUGIN_RELEASE=$BUILD/plugin/mosquitto_aps_ecu.so
export REL_STREAM REL_LIBASAN REL_PLUGIN_RELEASE
ASAN_PLUGIN=$BUILD/tests/mosquitto_aps_ecu_asan.so
APS_ECU=$BUILD/tools/aps-ecu
FIXTURES=$SRC/tests/fixtures
failed=0

wanted() {
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# run NAME SCRIPT MODE [VAR=VALUE...]: one test in the environment given.
run() {
	name=$1 script=$2 mode=$3
	shift 3
	log=$OUT/$name.log
	echo "soak: $name ... (log: $log)"
	start=$(date +%s)
	if env "$@" /usr/bin/python3 "$SRC/tests/reliability/$script" "$APS_ECU" "$ASAN_PLUGIN" "$FIXTURES" "$mode" \
		>"$log" 2>&1; then
		result=passed
	else
		result=FAILED
		failed=1
	fi
	echo "soak: $name $result in $(($(date +%s) - start)) s"
	grep '^FIGURES ' "$log" >>"$FIGURES"
	grep -E '^FAIL|^FIGURES' "$log" | cut -c1-2000
}

wanted asan && run soak_asan test_soak.py asan REL_SOAK_CYCLES="$SOAK_CYCLES" REL_SOAK_ECUS="$SOAK_ECUS"
wanted release && run soak_release test_soak.py release REL_SOAK_CYCLES="$SOAK_CYCLES" REL_SOAK_ECUS="$SOAK_ECUS"
wanted valgrind && run soak_valgrind test_soak.py valgrind REL_SOAK_CYCLES="$VALGRIND_CYCLES"
wanted fuzz_net && run fuzz_net test_fuzz_net.py mutate REL_FUZZ_SECONDS="$FUZZ_SECONDS" REL_FUZZ_SIMS=16

if wanted libfuzzer && [ "${LIBFUZZER:-0}" = 1 ]; then
	# Seconds per target for >= 10 million executions on a 2020s x86 core;
	# the summary line says how many it really ran.
	for t in "frame 120" "ecu_info 150" "signal 200" "inverters 400"; do
		# shellcheck disable=SC2086 # split "target seconds"
		set -- $t
		echo "soak: libFuzzer $1 for $2 s ..."
		if ! sh tests/fuzz/run-fuzzers.sh "$SRC" "$OUT/fuzz-$1" "$2" "$1" | tee -a "$FIGURES"; then
			failed=1
		fi
	done
fi

echo "soak: figures in $FIGURES"
exit $failed
