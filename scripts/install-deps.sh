#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs, from Debian's packages only, what mosquitto-aps-ecu needs:
#
#   sh scripts/install-deps.sh          building the plugin, aps-ecu and the .deb
#   sh scripts/install-deps.sh --demo   that, plus a broker and its clients (scripts/demo.sh)
#   sh scripts/install-deps.sh --test   that, plus what the tests run (clang, valgrind,
#                                       cppcheck, musl-tools, ...): scripts/test.sh
#
# Installs only what is missing; needs root (or sudo) for that.  --list after
# the choice prints the packages instead.
set -eu

BUILD="build-essential cmake pkg-config dpkg-dev
mosquitto-dev libmosquitto-dev libcjson-dev libyaml-dev libcurl4-openssl-dev"

DEMO="mosquitto mosquitto-clients python3"

TEST="tzdata libssl-dev zlib1g-dev
clang libclang-rt-14-dev valgrind python3-yaml
file musl-tools
cppcheck clang-tidy"

list=""
if [ "${1:-}" = --list ]; then
	list=1
	shift
elif [ "${2:-}" = --list ]; then
	list=1
	set -- "$1"
fi
case "${1:-}" in
"") PACKAGES=$BUILD ;;
--demo) PACKAGES="$BUILD $DEMO" ;;
--test) PACKAGES="$BUILD $DEMO $TEST" ;;
-h | --help)
	sed -n '2,11s/^# \{0,1\}//p' "$0"
	exit 0 ;;
*)
	echo "usage: $0 [--demo | --test] [--list]" >&2
	exit 2 ;;
esac

if [ -n "$list" ]; then
	# shellcheck disable=SC2086 # one line, words split
	echo $PACKAGES
	exit 0
fi

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
