# SPDX-License-Identifier: MIT
"""Every source file of ours says its licence in its first lines (LICENSE is
MIT); packaging/mosquitto-headers is Mosquitto's own and keeps its header.

usage: check_licence_lines.py SOURCE_DIR"""

import subprocess
import sys

PATTERNS = ["*.c", "*.h", "*.py", "*.sh", "*CMakeLists.txt", "*.cmake"]
THEIRS = ("packaging/mosquitto-headers/",)


def main():
    source = sys.argv[1]
    files = subprocess.run(["git", "-C", source, "ls-files"] + PATTERNS, stdout=subprocess.PIPE,
                           text=True, check=True).stdout.split()
    missing = []
    for f in files:
        if f.startswith(THEIRS):
            continue
        with open("%s/%s" % (source, f), encoding="utf-8", errors="replace") as fh:
            head = [fh.readline() for _ in range(3)]
        if not any("SPDX-License-Identifier: MIT" in line for line in head):
            missing.append(f)
    if not files or missing:
        print("no SPDX-License-Identifier: MIT line in: %s" % (missing or "any file (is this the tree?)"))
        print("0 passed, 1 failed")
        sys.exit(1)
    print("%d files carry SPDX-License-Identifier: MIT" % (len(files)))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
