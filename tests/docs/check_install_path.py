#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's install path installs no test tool: each install step of the
README runs scripts/install-deps.sh without --test, whose package list has
nothing only the tests need, and scripts/test.sh asks for --test, whose list has
every test tool.

usage: check_install_path.py SOURCE_DIR"""
import re
import subprocess
import sys

TEST_ONLY = {"clang", "libclang-rt-14-dev", "valgrind", "cppcheck", "clang-tidy", "musl-tools", "python3-yaml",
             "mosquitto-clients", "file"}
BUILD = {"build-essential", "cmake", "pkg-config", "mosquitto-dev", "libmosquitto-dev", "libcjson-dev",
         "libyaml-dev"}


def packages(src, *args):
    return set(subprocess.run(["sh", src + "/scripts/install-deps.sh"] + list(args) + ["--list"], check=True,
                              stdout=subprocess.PIPE, text=True).stdout.split())


def main():
    src = sys.argv[1]
    failures = []
    build, test = packages(src), packages(src, "--test")
    if build & TEST_ONLY:
        failures.append("install-deps.sh (build) installs test tools: %s" % sorted(build & TEST_ONLY))
    if not BUILD <= build:
        failures.append("install-deps.sh (build) lacks %s" % sorted(BUILD - build))
    if not (TEST_ONLY | BUILD) <= test:
        failures.append("install-deps.sh --test lacks %s" % sorted((TEST_ONLY | BUILD) - test))
    readme = open(src + "/README.md").read()
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    calls = re.findall(r"install-deps\.sh[^\n]*", install)
    if not calls:
        failures.append("the README's Install section does not run install-deps.sh")
    failures += ["the README's Install section runs " + c for c in calls if "--test" in c]
    if "install-deps.sh --test" not in open(src + "/scripts/test.sh").read():
        failures.append("scripts/test.sh does not run install-deps.sh --test")
    for f in failures:
        print("FAIL: " + f)
    print("install_path: %d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
