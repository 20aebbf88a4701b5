# SPDX-License-Identifier: MIT
"""What can be checked here of the container's Alpine (musl) build: every
source of the plugin and of aps-ecu compiles against musl's headers with the
project's own flags (-Werror included), the plugin links as a musl shared
object, and every C library function either one calls exists in musl.
Uses Debian's musl-gcc (package musl-tools); skipped without it.

usage: test_musl.py TARGETS_FILE WORK_DIR MOSQUITTO_INCLUDE_DIR (the container's: packaging/mosquitto-headers)
TARGETS_FILE, written by CMake, has one line per target:
  name <TAB> kind <TAB> source dir <TAB> sources <TAB> options <TAB> definitions
(lists ';'-separated); kind is "plugin" or "tool" for the two outputs and
"lib:plugin", "lib:tool", "lib:plugin,tool" for the static libraries in them."""

import os
import shutil
import subprocess
import sys

import pkgtest
from pkgtest import check, run

NAME = "container_musl"
MUSL_LIBC = "/usr/lib/x86_64-linux-musl/libc.so"
# Found at run time in the broker or in Alpine's cjson, yaml and libcurl packages.
OUTSIDE_LIBC = ("mosquitto_", "cJSON_", "yaml_", "curl_")


def read_targets(path):
    targets = []
    for line in open(path).read().splitlines():
        name, kind, src_dir, sources, options, defs = line.split("\t")
        split = lambda s: [x for x in s.split(";") if x]
        targets.append((name, kind, src_dir, split(sources), split(options), split(defs)))
    return targets


def system_headers(inc, mosquitto_dir):
    """Copies the library headers the sources include, and only those: the
    rest of /usr/include is glibc's and must not shadow musl's."""
    os.makedirs(os.path.join(inc, "cjson"))
    wanted = [("/usr/include/cjson/cJSON.h", "cjson"), ("/usr/include/yaml.h", "")]
    for h in ("mosquitto.h", "mosquitto_broker.h", "mosquitto_plugin.h", "mqtt_protocol.h"):
        wanted.append((os.path.join(mosquitto_dir, h), ""))
    # 2.1 keeps the API in a directory of its own, included whole.
    if os.path.isdir(os.path.join(mosquitto_dir, "mosquitto")):
        shutil.copytree(os.path.join(mosquitto_dir, "mosquitto"), os.path.join(inc, "mosquitto"))
    for path, sub in wanted:
        check(os.path.isfile(path), "no " + path)
        shutil.copy(path, os.path.join(inc, sub))
    # libcurl's headers: Debian keeps them in the multiarch directory.
    curl = [d for d in ("/usr/include/curl", "/usr/include/x86_64-linux-gnu/curl") if os.path.isdir(d)]
    check(curl, "no libcurl headers (libcurl4-openssl-dev)")
    shutil.copytree(curl[0], os.path.join(inc, "curl"))


def undefined_outside_musl(binary, musl):
    out = run(["nm", "-D", "--undefined-only", binary])
    names = {l.split()[-1] for l in out.splitlines() if l.split()[0] == "U"}
    return sorted(n for n in names if n not in musl and not n.startswith(OUTSIDE_LIBC))


def main():
    targets_file, work, mosquitto_dir = sys.argv[1:4]
    if not shutil.which("musl-gcc") or not os.path.isfile(MUSL_LIBC):
        pkgtest.skip(NAME, "musl-gcc not found (Debian package musl-tools)")
    shutil.rmtree(work, ignore_errors=True)
    inc = os.path.join(work, "include")
    system_headers(inc, mosquitto_dir)
    targets = read_targets(targets_file)
    # Each target's folder, and the folder of any source it compiles from
    # elsewhere (the module compiles plugin/mqtt/ against its own headers).
    dirs = [t[2] for t in targets] + [os.path.dirname(s) for t in targets for s in t[3] if os.path.isabs(s)]
    includes = ["-I" + d for d in dict.fromkeys(dirs)] + ["-isystem", inc]

    objects = {"plugin": [], "tool": []}
    count = 0
    for name, kind, src_dir, sources, options, defs in targets:
        for s in sources:
            if not s.endswith(".c"):
                continue
            src = s if os.path.isabs(s) else os.path.join(src_dir, s)
            obj = os.path.join(work, name, os.path.basename(s) + ".o")
            os.makedirs(os.path.dirname(obj), exist_ok=True)
            run(["musl-gcc", "-std=c11", "-O3", "-DNDEBUG", "-fPIC", "-pthread"] + options
                + ["-D" + d for d in defs] + includes + ["-c", src, "-o", obj])
            count += 1
            for output in kind.split(":")[-1].split(","):
                objects[output].append(obj)
    check(objects["plugin"] and objects["tool"], "TARGETS_FILE names no plugin or no tool")

    musl = set(l.split()[-1] for l in run(["nm", "-D", "--defined-only", MUSL_LIBC]).splitlines())
    plugin = os.path.join(work, "out", "mosquitto_aps_ecu.so")
    os.makedirs(os.path.dirname(plugin))
    run(["musl-gcc", "-shared", "-pthread", "-o", plugin] + objects["plugin"] + ["-lm"])
    missing = undefined_outside_musl(plugin, musl)
    check(not missing, "the plugin calls functions musl lacks: %s" % missing)
    # aps-ecu needs cJSON, which has no musl build here: link without it.
    tool = os.path.join(work, "out", "aps-ecu")
    run(["musl-gcc", "-pthread", "-o", tool] + objects["tool"]
        + ["-lm", "-Wl,--unresolved-symbols=ignore-all"])
    missing = undefined_outside_musl(tool, musl)
    check(not missing, "aps-ecu calls functions musl lacks: %s" % missing)
    print("%s: %d sources compiled against musl with -Werror; the plugin linked; "
          "every libc function called is in musl" % (NAME, count))


if __name__ == "__main__":
    pkgtest.main(NAME, main)
