#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what is missing (the build and test tools), builds, and runs every
# test (CTest), from any directory.  This is what CI runs.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --test
cmake -S . -B build
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
