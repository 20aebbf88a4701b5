#!/bin/sh
# Installs what building and testing mosquitto-aps-ecu needs, from Debian's
# packages only.  Installs only what is missing; needs root (or sudo) for that.
set -eu

PACKAGES="build-essential cmake pkg-config
mosquitto mosquitto-dev mosquitto-clients libmosquitto-dev
libcjson-dev libyaml-dev libcurl4-openssl-dev tzdata
clang libclang-rt-14-dev valgrind python3 python3-yaml
dpkg-dev file musl-tools
cppcheck clang-tidy"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
