# SPDX-License-Identifier: MIT
"""The container builds what it runs: the Dockerfile's pinned base image, the
version of packaging/mosquitto-headers and its headers agree, and the headers
are that release's include/ directory byte for byte (compared with the
source tree CMake unpacked from ../shared/upstream, when it is that release).

usage: test_container_headers.py SOURCE_DIR [UNPACKED_MOSQUITTO_INCLUDE_DIR]"""

import filecmp
import os
import re
import sys
import tarfile
import tempfile

import pkgtest
from pkgtest import check

NAME = "container_headers"


def tree(root):
    found = set()
    for d, _, files in os.walk(root):
        for f in files:
            found.add(os.path.relpath(os.path.join(d, f), root))
    return found


def main():
    source = sys.argv[1]
    upstream = sys.argv[2] if len(sys.argv) > 2 else ""
    headers = os.path.join(source, "packaging", "mosquitto-headers")
    version = open(os.path.join(headers, "VERSION")).read().strip()
    check(re.fullmatch(r"\d+\.\d+\.\d+", version), "VERSION %r" % version)
    dockerfile = open(os.path.join(source, "Dockerfile")).read()
    m = re.search(r"^ARG MOSQUITTO_IMAGE=eclipse-mosquitto:(\S+)$", dockerfile, re.M)
    check(m, "the Dockerfile pins no MOSQUITTO_IMAGE")
    check(m.group(1) == version + "-alpine", "the Dockerfile's base %s is not the headers' release %s"
          % (m.group(1), version))
    unpacked = tempfile.mkdtemp(prefix="aps-container-headers-")
    with tarfile.open(os.path.join(headers, "include.tar.gz")) as tar:
        members = tar.getmembers()
        check(all((m.isfile() or m.isdir()) and (m.name == "include" or m.name.startswith("include/"))
                  and ".." not in m.name.split("/") for m in members),
              "include.tar.gz holds more than include/: %s" % [m.name for m in members])
        tar.extractall(unpacked)
    include = os.path.join(unpacked, "include")
    check(os.path.isfile(os.path.join(include, "mosquitto", "broker.h")), "no mosquitto/broker.h in include.tar.gz")
    if not upstream or not os.path.isdir(upstream):
        print("%s: Dockerfile and headers agree on %s; no %s source here to compare with" % (NAME, version, version))
        return
    # The release is in the source's CMakeLists.txt (2.1.2's headers still say
    # LIBMOSQUITTO_REVISION 0).
    project = open(os.path.join(upstream, "..", "CMakeLists.txt")).read()
    m = re.search(r"set\s*\(VERSION\s+(\d+\.\d+\.\d+)\)", project)
    got = m.group(1) if m else "unknown"
    if got != version:
        print("%s: the source here is %s, not %s: not compared" % (NAME, got, version))
        return
    ours, theirs = tree(include), tree(upstream)
    check(ours == theirs, "files differ: only ours %s, only upstream %s" % (sorted(ours - theirs),
                                                                             sorted(theirs - ours)))
    _, mismatch, errors = filecmp.cmpfiles(include, upstream, sorted(ours), shallow=False)
    check(not mismatch and not errors, "headers differ from %s's: %s" % (version, mismatch + errors))
    print("%s: eclipse-mosquitto:%s-alpine, and %d headers identical to Mosquitto %s's"
          % (NAME, version, len(ours), version))


if __name__ == "__main__":
    pkgtest.main(NAME, main)
