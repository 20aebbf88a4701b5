# SPDX-License-Identifier: MIT
"""Shared by the packaging tests: run a real Debian mosquitto with a given
config, `aps-ecu simulate` as the ECU and mosquitto_sub as the client, all on
127.0.0.1, and check that the plugin's data arrives.  Everything started here
is stopped by Run.close()."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77  # CTest SKIP_RETURN_CODE
# Debian's broker, unless the test is given another (APS_MOSQUITTO).
MOSQUITTO = os.environ.get("APS_MOSQUITTO") or "/usr/sbin/mosquitto"
MOSQUITTO_SUB = shutil.which("mosquitto_sub") or "/usr/bin/mosquitto_sub"
ECU_ID = "216200000001"  # the simulator's default ECU id
INVERTERS = 3

# The end-to-end tests' helpers (tests/plugin/harness.py), imported, not copied.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin"))
from harness import TestFailure as Failure, check, free_port, port_open, wait_for  # noqa: E402,F401


def skip(name, why):
    print("%s: skipped: %s" % (name, why))
    sys.exit(SKIP)


def run(cmd, timeout=120, **kw):
    """Runs cmd; fails with its output unless it exits 0.  Returns stdout."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout, **kw)
    if p.returncode != 0:
        raise Failure("%s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout[-4000:]))
    return p.stdout


class Run:
    """A temp dir and the processes started in it."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.procs = []
        self.broker_log = os.path.join(self.dir, "mosquitto.log")

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start_simulator(self, aps_ecu):
        port_file = os.path.join(self.dir, "ecu.port")
        self.procs.append(subprocess.Popen(
            [aps_ecu, "simulate", "--port", "0", "--port-file", port_file,
             "--inverters", str(INVERTERS), "--quiet",
             # Its clock starts at noon: at the real night its inverters
             # would be offline and the test would depend on the hour.
             "--start", "2026-06-21T12:00"]))
        wait_for(lambda: os.path.exists(port_file) and open(port_file).read().endswith("\n"),
                 10, "the simulator's port file")
        return int(open(port_file).read())

    def start_broker(self, config_text, env=None):
        """Starts mosquitto on config_text (which must contain `listener PORT
        127.0.0.1`); returns once it accepts connections on that port."""
        port = int(config_text.split("listener ", 1)[1].split()[0])
        conf = os.path.join(self.dir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(config_text)
        log = open(self.broker_log, "w")
        self.procs.append(subprocess.Popen([MOSQUITTO, "-c", conf], stdout=log, stderr=log, env=env))
        broker = self.procs[-1]
        wait_for(lambda: broker.poll() is not None or port_open(port), 10, "the broker to listen")
        check(broker.poll() is None, "the broker stopped at start:\n" + self.log_text())
        return port

    def log_text(self):
        try:
            return open(self.broker_log).read()
        except OSError:
            return ""

    def receive(self, port, topic, count=1, seconds=20):
        """The first `count` messages on topic, as (topic, payload) pairs."""
        p = subprocess.run([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-v",
                            "-C", str(count), "-W", str(seconds)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=seconds + 10)
        lines = [l for l in p.stdout.splitlines() if l]
        check(p.returncode == 0 and len(lines) == count,
              "mosquitto_sub %s: %d of %d messages in %d s (exit %d): %s\nbroker log:\n%s"
              % (topic, len(lines), count, seconds, p.returncode, p.stdout, self.log_text()))
        return [tuple(l.split(" ", 1)) for l in lines]


def check_data_arrives(r, port, prefix=""):
    """The simulated ECU's payload and every inverter's arrive through the
    broker; returns the ECU payload."""
    [(topic, payload)] = r.receive(port, prefix + "aps/" + ECU_ID)
    ecu = json.loads(payload)
    check(isinstance(ecu.get("current_power"), (int, float)) and ecu["current_power"] >= 0,
          "ECU payload without a current_power: " + payload)
    check(ecu.get("inverters") == INVERTERS, "ECU payload: inverters %r, want %d: %s"
          % (ecu.get("inverters"), INVERTERS, payload))
    inverters = r.receive(port, prefix + "aps/" + ECU_ID + "/+", count=INVERTERS + 2)
    uids = {t.rsplit("/", 1)[1] for t, p in inverters
            if t.rsplit("/", 1)[1] not in ("status", "diagnostics", "needs_power_cycle")
            and json.loads(p).get("online") is True}
    check(len(uids) >= 1, "no inverter payload with online true: %r" % inverters)
    return ecu


def main(name, body):
    """Runs body(); prints the plain pass/fail line; exits 0 or 1."""
    try:
        body()
    except (Failure, subprocess.TimeoutExpired) as e:
        print("%s: FAILED: %s" % (name, e))
        print("%s: 0 passed, 1 failed" % name)
        sys.exit(1)
    print("%s: 1 passed, 0 failed" % name)
