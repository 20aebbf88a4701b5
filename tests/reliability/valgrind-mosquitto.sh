#!/bin/sh
# SPDX-License-Identifier: MIT
# mosquitto under valgrind, for test_soak.py: the arguments go to mosquitto,
# the report to REL_VALGRIND_LOG.  --keep-debuginfo: the broker unloads the
# plugin before it exits, and a leak's stack must still name the plugin.
exec valgrind --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=definite,indirect \
	--num-callers=40 --keep-debuginfo=yes --log-file="$REL_VALGRIND_LOG" "$REL_MOSQUITTO" "$@"
