#!/bin/sh
# SPDX-License-Identifier: MIT
# The demo: a Mosquitto broker with the plugin, polling a simulated ECU of
# 12 inverters every 2 s, and a subscriber printing every message that arrives,
# with the plugin's log lines (the broker's lines starting with aps-ecu:) in
# between.  Everything listens on 127.0.0.1 only.  Ctrl-C stops it all.  The
# broker's whole log stays in BUILD_DIR/demo/mosquitto.log.
#
#   DEMO_SECONDS=N   stop by itself after N seconds
#   DEMO_BUILD_DIR   use an existing build instead of installing and building
set -eu
cd "$(dirname "$0")/.."

if [ -z "${DEMO_BUILD_DIR:-}" ]; then
	sh scripts/install-deps.sh --demo
	echo "demo: configuring the build in build/ ..." >&2
	cmake -S . -B build >/dev/null
	echo "demo: building the plugin and aps-ecu (a minute or two the first time) ..." >&2
	cmake --build build -j"$(nproc)" --target mosquitto_aps_ecu aps-ecu
	DEMO_BUILD_DIR=build
fi
BUILD=$(cd "$DEMO_BUILD_DIR" && pwd)
APS_ECU="$BUILD/tools/aps-ecu"
PLUGIN="$BUILD/plugin/mosquitto_aps_ecu.so"
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

WORK=$(mktemp -d /tmp/aps-ecu-demo.XXXXXX)
mkdir -p "$BUILD/demo"
LOG=$BUILD/demo/mosquitto.log
: >"$LOG"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
	echo "demo: stopped; the broker's log is in $LOG" >&2
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# The simulated day starts at noon, so that the demo shows inverters at work
# whatever the hour.
"$APS_ECU" simulate --port 0 --port-file "$WORK/ecu.port" --inverters 12 --quiet --start "$(date +%Y-%m-%d)T12:00" &
PIDS="$PIDS $!"
i=0
while [ ! -s "$WORK/ecu.port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: the simulator did not start" >&2; exit 1; }
	sleep 0.1
done
ECU_PORT=$(cat "$WORK/ecu.port")

# A free port for the broker, on loopback.
BROKER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/mosquitto.conf" <<CONF
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest file $LOG
log_timestamp_format %H:%M:%S
user $(id -un)
plugin $PLUGIN
plugin_opt_ecu_host 127.0.0.1:$ECU_PORT
plugin_opt_poll_interval 2
plugin_opt_retry_interval 2
plugin_opt_discovery true
plugin_opt_state_file $WORK/aps-ecu.state
CONF
"$MOSQUITTO" -c "$WORK/mosquitto.conf" 2>>"$LOG" &
BROKER_PID=$!
PIDS="$PIDS $BROKER_PID"
# The plugin's log lines, as the broker writes them, among the messages.
tail --pid="$BROKER_PID" -n +1 -f "$LOG" | grep --line-buffered 'aps-ecu:' &
PIDS="$PIDS $!"
sleep 0.5

echo "demo: broker on 127.0.0.1:$BROKER_PORT, simulated ECU on 127.0.0.1:$ECU_PORT; Ctrl-C to stop" >&2
echo "demo: printing aps/# and the plugin's log lines; the Home Assistant discovery configs are on" \
	"homeassistant/#; the broker's whole log is in $LOG" >&2
if [ -n "${DEMO_SECONDS:-}" ]; then
	mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t 'aps/#' -v -W "$DEMO_SECONDS" || true
else
	mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t 'aps/#' -v
fi
