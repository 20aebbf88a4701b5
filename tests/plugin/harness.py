# SPDX-License-Identifier: MIT
"""Starts the real things for the plugin's end-to-end tests: a mosquitto broker
with our plugin, `aps-ecu simulate` as the ECU, and mosquitto_sub as a client.
Everything listens on 127.0.0.1 only, and everything is stopped on exit."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# The broker under test: APS_MOSQUITTO (CTest sets it for each broker the
# suite runs on), else Debian's.
MOSQUITTO = os.environ.get("APS_MOSQUITTO") or shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_SUB = shutil.which("mosquitto_sub") or "/usr/bin/mosquitto_sub"
MOSQUITTO_PUB = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"


class TestFailure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise TestFailure(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    raise TestFailure("timed out after %.1f s waiting for %s" % (timeout, what))


class Env:
    """One test's world: a temp dir and the processes started in it."""

    def __init__(self, aps_ecu, plugin, fixtures):
        self.aps_ecu = aps_ecu
        self.plugin = plugin
        self.fixtures = fixtures
        self.dir = tempfile.mkdtemp(prefix="aps-plugin-test-")
        self.procs = []

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.kill()
            p.wait()
        for f in getattr(self, "_files", []):
            f.close()

    def path(self, name):
        return os.path.join(self.dir, name)

    def spawn(self, args, name, env=None):
        out = open(self.path(name + ".log"), "wb")
        self._files = getattr(self, "_files", []) + [out]
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.procs.append(p)
        return p

    def simulator(self, *args, name="sim"):
        port_file = self.path(name + ".port")
        p = self.spawn([self.aps_ecu, "simulate", "--port", "0", "--port-file", port_file] + list(args), name)
        port = wait_for(lambda: read_port(port_file), 10, "the simulator's port")
        p.port = port
        return p

    def broker(self, options, name="broker", env=None, expect_start=True, extra_conf=""):
        port = free_port()
        conf = self.path(name + ".conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
            f.write("log_dest stderr\nlog_type all\nuser root\n")
            f.write(extra_conf)
            f.write("plugin %s\n" % self.plugin)
            # Each broker keeps its energy state in its own test dir, never in
            # /var/lib/mosquitto, unless the test says where.
            if "state_file" not in {k.lower() for k in options}:
                options = dict(options, state_file=self.path(name + ".state"))
            for k, v in options.items():
                f.write("plugin_opt_%s %s\n" % (k, v))
        full_env = dict(os.environ)
        for k in list(full_env):
            if k.startswith(("APS_", "MQTT_")) or k == "CONFIG_FILE":
                del full_env[k]
        full_env.update(env or {})
        p = self.spawn([MOSQUITTO, "-c", conf], name, env=full_env)
        p.port = port
        p.log_path = self.path(name + ".log")
        if expect_start:
            wait_for(lambda: port_open(port) or _exited(p), 10, "the broker to listen")
            check(p.poll() is None, "broker exited at start:\n" + self.read(name + ".log"))
        return p

    def subscriber(self, port, topic="#", name="sub"):
        # %r retained flag, %t topic, %p payload: one message per line.
        p = self.spawn([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-v",
                        "-F", "%r\t%t\t%p", "-q", "1"], name)
        p.log_path = self.path(name + ".log")
        time.sleep(0.3)
        return p

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read().decode("utf-8", "replace")


def read_port(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _exited(p):
    return p.poll() is not None


def messages(sub):
    """Every (retained, topic, payload) the subscriber printed so far."""
    out = []
    with open(sub.log_path, "rb") as f:
        for line in f.read().decode("utf-8", "replace").splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3:
                out.append((parts[0] == "1", parts[1], parts[2]))
    return out


def latest(sub, topic):
    """The last payload seen on topic, or None."""
    found = None
    for _, t, p in messages(sub):
        if t == topic:
            found = p
    return found


def latest_json(sub, topic):
    p = latest(sub, topic)
    return json.loads(p) if p is not None else None


def wait_topic(sub, topic, timeout=15, pred=None):
    def got():
        p = latest(sub, topic)
        if p is None:
            return None
        return p if pred is None or pred(p) else None
    return wait_for(got, timeout, "a message on " + topic)


def roundtrip(port, timeout=5.0):
    """Publishes through the broker until the message comes back: the broker answers.
    The ping is sent again every 0.2 s, since the subscription may not be in place yet
    (its SUBSCRIBE may be queued behind a burst).  Returns the seconds it took, or None."""
    token = "ping-%f" % time.monotonic()
    t0 = time.monotonic()
    sub = subprocess.Popen([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", "test/ping", "-C", "1",
                            "-W", str(int(timeout) + 1)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < timeout and sub.poll() is None:
            subprocess.run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(port), "-t", "test/ping", "-m", token],
                           timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.2)
        out, _ = sub.communicate(timeout=timeout + 2)
    finally:
        if sub.poll() is None:
            sub.kill()
            sub.wait()
    return time.monotonic() - t0 if out.decode().strip() == token else None


# Plugin options for the end-to-end tests: a poll every second, no waiting.
FAST = {"poll_interval": "1", "retry_interval": "1", "request_gap_ms": "0", "timeout_ms": "500"}


def opts(sim_ports, **more):
    o = dict(FAST)
    o["ecu_host"] = ",".join("127.0.0.1:%d" % p for p in sim_ports)
    o.update({k: str(v) for k, v in more.items()})
    return o


def run(tests):
    """Runs the named test (argv[4]) from the dict; argv[1:4] = aps-ecu, plugin .so, fixtures."""
    aps_ecu, plugin, fixtures, name = sys.argv[1:5]
    env = Env(aps_ecu, plugin, fixtures)
    ok = False
    try:
        tests[name](env)
        ok = True
    except TestFailure as e:
        print("FAIL %s: %s" % (name, e))
    except Exception:
        import traceback
        print("FAIL %s: the test itself broke:" % name)
        traceback.print_exc(file=sys.stdout)
    finally:
        env.close()
        if not ok:
            for f in sorted(os.listdir(env.dir)):
                if f.endswith(".log"):
                    print("---- %s (last 40 lines)" % f)
                    print("\n".join(env.read(f).splitlines()[-40:]))
    if ok:
        shutil.rmtree(env.dir, ignore_errors=True)
        print("1 passed, 0 failed")
        sys.exit(0)
    print("0 passed, 1 failed")
    sys.exit(1)
