#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_layers.py SRC_DIR [BUILD_DIR OBJECTS]: the layers hold.

1. Includes: a file includes headers of its own folder and of the folders
   below it (LAYERS), never of a higher or a sibling folder.
2. Calls (with BUILD_DIR and OBJECTS, the ';'-separated object files of the
   plugin's and aps-ecu's targets): no file calls a function of a file that
   calls back into it, directly or round a longer loop, read with nm.

Prints each breach and exits 1; 0 when there is none."""

import os
import re
import subprocess
import sys

# Each folder, and the folders its files may include from (besides its own).
# Read bottom up: protocol/ is pure; common/ is what the plugin and aps-ecu
# share; plugin/base/ is what every plugin layer may use; the four middle
# folders know nothing of each other; plugin/store/ (the state file) sits on
# plugin/policy/, whose energy integrator's state it encodes; plugin/ itself
# ties them together.
BELOW = {
    "protocol": set(),
    "common": {"protocol"},
    "tools": {"common", "protocol"},
    "plugin/base": {"common", "protocol"},
    "plugin/config": {"plugin/base", "common", "protocol"},
    "plugin/policy": {"plugin/base", "common", "protocol"},
    "plugin/net": {"plugin/base", "common", "protocol"},
    "plugin/mqtt": {"plugin/base", "common", "protocol"},
    "plugin/store": {"plugin/policy", "plugin/base", "common", "protocol"},
    "plugin": {"plugin/base", "plugin/config", "plugin/policy", "plugin/net", "plugin/mqtt", "plugin/store",
               "common", "protocol"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(src):
    for folder in BELOW:
        path = os.path.join(src, folder)
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                yield folder, name


def check_includes(src):
    where, problems = {}, []
    for folder, name in sources(src):
        if name.endswith(".h"):
            if name in where:
                problems.append("%s is in both %s/ and %s/: includes would be ambiguous" % (name, where[name], folder))
            where[name] = folder
    for folder, name in sources(src):
        text = open(os.path.join(src, folder, name), encoding="utf-8").read()
        for header in INCLUDE.findall(text):
            owner = where.get(os.path.basename(header))
            if owner is None or owner == folder or owner in BELOW[folder]:
                continue
            problems.append("%s/%s includes %s of %s/, which is not below it" % (folder, name, header, owner))
    return problems


def objects(src, build, listed):
    """(source path, object path) of the objects CMake lists (';'-separated,
    from $<TARGET_OBJECTS:...>), each source found from its object's path."""
    for obj in (o for o in listed.split(";") if o):
        rel = os.path.relpath(obj, build)
        m = re.search(r"/?CMakeFiles/[^/]+\.dir/", rel)
        inner = rel[m.end():].replace("__", "..")
        source = os.path.normpath(os.path.join(rel[:m.start()], inner[:-2]))
        if os.path.isfile(os.path.join(src, source)):
            yield source, obj


def check_calls(src, build, listed):
    defines, uses = {}, {}
    for source, obj in objects(src, build, listed):
        out = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            name, kind = parts[0], parts[1]
            if kind in "TDBR":
                defines.setdefault(name, set()).add(source)
            elif kind == "U":
                uses.setdefault(source, set()).add(name)
    calls = {}
    for source, names in uses.items():
        calls[source] = {d for n in names for d in defines.get(n, ()) if d != source}
    # Depth-first search: a file met again while its own calls are being
    # followed closes a loop.
    problems, state = [], {}

    def visit(f, path):
        state[f] = "open"
        for g in sorted(calls.get(f, ())):
            if state.get(g) == "open":
                loop = path[path.index(g):] + [g]
                problems.append("call loop: " + " -> ".join(loop))
            elif g not in state:
                visit(g, path + [g])
        state[f] = "done"

    for f in sorted(calls):
        if f not in state:
            visit(f, [f])
    return problems, len(calls)


def main():
    src = sys.argv[1]
    problems = check_includes(src)
    files = 0
    if len(sys.argv) > 3:
        more, files = check_calls(src, sys.argv[2], sys.argv[3])
        problems += more
        if files == 0:
            problems.append("no object files given: build first")
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print("layers: every include points down%s" % (", no call loops among %d files" % files if files else ""))


if __name__ == "__main__":
    main()
