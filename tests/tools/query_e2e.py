#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every capture replayed by `aps-ecu simulate`, read back by `aps-ecu query`,
whose output maps each topic the plugin publishes to its payload
(tests/tools/query_vs_plugin.py checks that against the plugin itself).

usage: query_e2e.py APS_ECU FIXTURES_DIR EXPECTED_DIR

For each capture folder in FIXTURES_DIR:
  EXPECTED_DIR/<capture>.json    the query's stdout, compared parsed (not as text);
                                 absent: the query must exit 1 and print nothing
  EXPECTED_DIR/<capture>.stderr  the stderr lines, each a prefix of the real line
                                 ("{port}" stands for the simulator's port);
                                 absent: stderr must be empty
The --raw files must hold the fixture's bytes exactly.  Then a few failures:
nothing listening, an ECU that never answers, one that cuts its reply, one that
drips it byte by byte, and usage errors.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

REPLY_FILES = ("ecu.hex", "inverters.hex", "signal.hex")
failures = []


def fail(what):
    failures.append(what)
    print("FAIL: " + what, file=sys.stderr)


def hex_bytes(path):
    with open(path) as f:
        return bytes.fromhex("".join(f.read().split()))


class Simulator:
    """`aps-ecu simulate` on a free loopback port; always stopped on exit."""

    def __init__(self, aps, tmp, args):
        self.port_file = os.path.join(tmp, "port")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.log = open(os.path.join(tmp, "simulate.log"), "w+")
        self.proc = subprocess.Popen(
            [aps, "simulate", "--port", "0", "--port-file", self.port_file, "--quiet"] + args,
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)

    def __enter__(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.__exit__()
                raise RuntimeError("simulator exited with %d: %s" % (self.proc.returncode, self.log_text()))
            try:
                with open(self.port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.port = int(text)
                    return self
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        self.__exit__()
        raise RuntimeError("simulator did not write its port file within 10 s")

    def log_text(self):
        self.log.seek(0)
        return self.log.read()

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return False


def query(aps, port, *args, timeout=30):
    start = time.monotonic()
    p = subprocess.run([aps, "query", "127.0.0.1:%d" % port] + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.splitlines(), time.monotonic() - start


def check_stderr(name, lines, expected, port):
    expected = [e.replace("{port}", str(port)) for e in expected]
    if len(lines) != len(expected) or any(not l.startswith(e) for l, e in zip(lines, expected)):
        fail("%s: stderr %r, expected lines starting with %r" % (name, lines, expected))


def differences(got, want, where):
    """(path, got, expected) for each differing leaf, descending into objects."""
    if isinstance(got, dict) and isinstance(want, dict):
        for key in sorted(set(got) | set(want)):
            missing = "(absent)"
            yield from differences(got.get(key, missing), want.get(key, missing), where + "/" + key)
    elif got != want or isinstance(got, bool) != isinstance(want, bool):  # true is not 1
        yield where or "/", got, want


def check_capture(aps, fixtures, expected_dir, capture, tmp):
    cap_dir = os.path.join(fixtures, capture)
    raw = os.path.join(tmp, capture, "raw", "nested")  # --raw creates missing parents
    json_path = os.path.join(expected_dir, capture + ".json")
    stderr_path = os.path.join(expected_dir, capture + ".stderr")
    want = None
    if os.path.exists(json_path):
        with open(json_path) as f:
            want = json.load(f)
    want_stderr = []
    if os.path.exists(stderr_path):
        with open(stderr_path) as f:
            want_stderr = [l for l in f.read().splitlines() if l]

    with Simulator(aps, tmp, ["--replay", cap_dir]) as sim:
        rc, out, err, _ = query(aps, sim.port, "--gap", "0", "--raw", raw)
        port = sim.port

    if want is None:
        if rc != 1 or out != "":
            fail("%s: expected exit 1 and no output, got exit %d, stdout %r" % (capture, rc, out[:200]))
    elif rc != 0:
        fail("%s: exit %d, stderr %r" % (capture, rc, err))
    else:
        try:
            got = json.loads(out)
        except ValueError as e:
            got = None
            fail("%s: stdout is not JSON (%s): %r" % (capture, e, out[:200]))
        if got is not None:
            for where, g, w in differences(got, want, ""):
                fail("%s: %s: got %r, expected %r" % (capture, where, g, w))
    check_stderr(capture, err, want_stderr, port)

    # Each reply the simulator sent is saved byte for byte; nothing is saved for
    # a request it closed unanswered.  Without ecu.hex it built one: check it frames.
    for name in REPLY_FILES:
        fixture, saved = os.path.join(cap_dir, name), os.path.join(raw, name)
        if os.path.exists(fixture):
            if not os.path.exists(saved):
                fail("%s: --raw did not save %s" % (capture, name))
            elif hex_bytes(saved) != hex_bytes(fixture):
                fail("%s: --raw %s differs from the fixture" % (capture, name))
        elif name == "ecu.hex":
            data = hex_bytes(saved) if os.path.exists(saved) else b""
            if not (data.startswith(b"APS11") and data.endswith(b"END\n") and
                    int(data[5:9]) + 1 == len(data)):
                fail("%s: synthesized ecu.hex not saved whole: %r" % (capture, data[:40]))
        elif os.path.exists(saved):
            fail("%s: --raw saved %s though nothing was sent" % (capture, name))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check_failures(aps, fixtures, expected_dir, tmp):
    # Nothing listening: one line, exit 1, quickly.
    port = free_port()
    rc, out, err, took = query(aps, port, "--timeout", "2000")
    if rc != 1 or out or len(err) != 1 or not err[0].startswith(
            "aps-ecu: 127.0.0.1:%d: ECU info: connect: " % port):
        fail("refused: exit %d, stdout %r, stderr %r" % (rc, out, err))

    capture = os.path.join(fixtures, "ecu-r-pro-6xqs1")
    # Accepts, reads, never answers: the per-request deadline ends it.
    with Simulator(aps, tmp, ["--replay", capture, "--fault", "hang"]) as sim:
        rc, out, err, took = query(aps, sim.port, "--timeout", "400", "--raw", os.path.join(tmp, "hang"))
    if rc != 1 or out or err != ["aps-ecu: 127.0.0.1:%d: ECU info: timed out after 400 ms (no reply)" % sim.port]:
        fail("hang: exit %d, stdout %r, stderr %r" % (rc, out, err))
    if not 0.3 < took < 3:
        fail("hang: the query took %.2f s for a 400 ms timeout" % took)
    if os.path.exists(os.path.join(tmp, "hang", "ecu.hex")):
        fail("hang: --raw saved a reply that never came")

    # Half the reply, then FIN: reported with the counts, the partial bytes saved.
    ecu = hex_bytes(os.path.join(capture, "ecu.hex"))
    with Simulator(aps, tmp, ["--replay", capture, "--fault", "truncate"]) as sim:
        rc, out, err, _ = query(aps, sim.port, "--raw", os.path.join(tmp, "truncate"))
    want = "aps-ecu: 127.0.0.1:%d: ECU info: truncated reply: %d of %d bytes" % (sim.port, len(ecu) // 2, len(ecu))
    if rc != 1 or out or err != [want]:
        fail("truncate: exit %d, stdout %r, stderr %r, expected %r" % (rc, out, err, want))
    saved = os.path.join(tmp, "truncate", "ecu.hex")
    if not os.path.exists(saved) or hex_bytes(saved) != ecu[:len(ecu) // 2]:
        fail("truncate: --raw did not keep the partial reply")

    # One byte every 2 ms: many small reads still make the same answer.
    with open(os.path.join(expected_dir, "ecu-r-pro-6xqs1.json")) as f:
        want = json.load(f)
    with Simulator(aps, tmp, ["--replay", capture, "--fault", "drip:2"]) as sim:
        rc, out, err, _ = query(aps, sim.port, "--gap", "0", "--timeout", "10000")
    if rc != 0 or err or json.loads(out or "null") != want:
        fail("drip: exit %d, stderr %r" % (rc, err))

    # An unknown inverter type (third record of 6xqs1 made type "09"): a warning,
    # and the two records before it.
    patched = os.path.join(tmp, "unknown-type")
    os.makedirs(patched)
    for name in REPLY_FILES:
        data = bytearray(hex_bytes(os.path.join(capture, name)))
        if name == "inverters.hex":
            assert data[26 + 2 * 23 + 7:26 + 2 * 23 + 9] == b"03"
            data[26 + 2 * 23 + 8] = ord("9")
        with open(os.path.join(patched, name), "w") as f:
            f.write(data.hex() + "\n")
    with open(os.path.join(expected_dir, "ecu-r-pro-6xqs1.json")) as f:
        want = json.load(f)
    [ecu_topic] = [t for t in want if t.count("/") == 1]
    want = {t: p for t, p in want.items() if t == ecu_topic or t.endswith(("/804000070564", "/804000070791"))}
    want[ecu_topic]["inverters_online"] = 2  # counted among the records kept
    check_inverters = want[ecu_topic]["inverters"] == 6  # the reply's declared count stays
    with Simulator(aps, tmp, ["--replay", patched]) as sim:
        rc, out, err, _ = query(aps, sim.port, "--gap", "0")
    if rc != 0 or json.loads(out or "null") != want or not check_inverters:
        fail("unknown type: exit %d, stdout %r" % (rc, out[:300]))
    check_stderr("unknown type", err, ["aps-ecu: warning: 127.0.0.1:{port}: inverter data: "
                                       "unknown inverter type: "], sim.port)

    # Usage errors exit 2 before any network traffic.
    for args in (["query"], ["query", "host:0"], ["query", "host:65536"], ["query", "[::1"],
                 ["query", "h", "--timeout", "0"], ["query", "h", "--gap", "x"],
                 ["query", "h", "--zone", "../etc/passwd"], ["query", "h", "--zone", "Mars/Base"],
                 ["query", "h", "--bogus"], ["query", "a", "b"], ["query", "h", "--raw"]):
        p = subprocess.run([aps] + args, capture_output=True, text=True, timeout=10)
        if p.returncode != 2 or p.stdout:
            fail("usage %r: exit %d, stdout %r" % (args, p.returncode, p.stdout))
    # simulate without --port: says what to give, not that "(missing)" is wrong.
    p = subprocess.run([aps, "simulate", "--inverters", "1"], capture_output=True, text=True, timeout=10)
    if p.returncode != 2 or p.stderr != ("aps-ecu simulate: give a port to listen on: --port P (8899 is a real "
                                         "ECU's; 0 picks a free one)\n"):
        fail("simulate without --port: exit %d, stderr %r" % (p.returncode, p.stderr))
    p = subprocess.run([aps, "query", "--help"], capture_output=True, text=True, timeout=10)
    if p.returncode != 0 or not p.stdout.startswith("usage: aps-ecu query HOST[:PORT]"):
        fail("--help: exit %d, stdout %r" % (p.returncode, p.stdout[:80]))


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    aps, fixtures, expected_dir = sys.argv[1:]
    captures = sorted(d for d in os.listdir(fixtures) if os.path.isdir(os.path.join(fixtures, d)))
    with tempfile.TemporaryDirectory(prefix="aps-query-e2e-") as tmp:
        for capture in captures:
            has_expected = any(os.path.exists(os.path.join(expected_dir, capture + ext))
                               for ext in (".json", ".stderr"))
            if not has_expected:
                fail("%s: no expected/%s.json or .stderr written for this capture" % (capture, capture))
                continue
            try:
                check_capture(aps, fixtures, expected_dir, capture, tmp)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                fail("%s: %s" % (capture, e))
        try:
            check_failures(aps, fixtures, expected_dir, tmp)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            fail("failure cases: %s" % e)
    print("query_e2e: %d captures, %d failure(s)" % (len(captures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
