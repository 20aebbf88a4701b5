#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the plugin and aps-ecu the way the container image needs them, and
# installs them under DESTDIR with prefix /usr: DESTDIR/usr/lib/mosquitto_aps_ecu.so
# (beside the eclipse-mosquitto image's own plugin) and DESTDIR/usr/bin/aps-ecu.
# The Dockerfile runs it on Alpine; tests/package/test_container.py runs it on
# Debian, so these steps are tested even where no Docker engine runs.
#
#   scripts/container-build.sh SOURCE_DIR DESTDIR [BUILD_DIR]
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 SOURCE_DIR DESTDIR [BUILD_DIR]" >&2
	exit 2
fi
src=$1
dest=$2
build=${3:-}
if [ -z "$build" ]; then
	build=$(mktemp -d "${TMPDIR:-/tmp}/aps-ecu-build.XXXXXX")
	trap 'rm -rf "$build"' EXIT
fi

# LIBDIR is given, not guessed: GNUInstallDirs picks lib64 on some systems.
# The headers are those of the image's own Mosquitto release
# (packaging/mosquitto-headers/README.md), not whatever the distribution has.
mkdir -p "$build/mosquitto-headers"
tar -xzf "$src/packaging/mosquitto-headers/include.tar.gz" -C "$build/mosquitto-headers"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
	-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=lib \
	-DMOSQUITTO_INCLUDE_DIR="$build/mosquitto-headers/include"
# Only these two, which is all that -DBUILD_TESTING=OFF builds anyway.
jobs=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
cmake --build "$build" --target mosquitto_aps_ecu aps-ecu -j"$jobs"
DESTDIR=$dest cmake --install "$build" --strip

for f in usr/lib/mosquitto_aps_ecu.so usr/bin/aps-ecu; do
	[ -f "$dest/$f" ] || { echo "container-build: $dest/$f is missing" >&2; exit 1; }
done
echo "container-build: installed $dest/usr/lib/mosquitto_aps_ecu.so and $dest/usr/bin/aps-ecu"
