# SPDX-License-Identifier: MIT
"""What must hold on every Mosquitto the plugin runs on (2.0 and 2.1, and the
plugin built against either's headers): polls at the configured cadence, a
fast clean stop with "offline" retained and saved in the broker's database,
and 2.1's plugin info.  A real broker (APS_MOSQUITTO), `aps-ecu simulate`,
mosquitto_sub.
Usage: test_brokers.py APS_ECU PLUGIN_SO FIXTURES_DIR TEST_NAME"""

import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "plugin"))

import harness  # noqa: E402
from harness import (MOSQUITTO_PUB, MOSQUITTO_SUB, check, messages, opts, port_open, run, wait_for,  # noqa: E402
                     wait_topic)

ECU = "216200000001"


def broker_version():
    """(major, minor) of the broker under test, from its -h banner."""
    out = subprocess.run([harness.MOSQUITTO, "-h"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
    m = re.search(rb"mosquitto version (\d+)\.(\d+)", out)
    check(m, "cannot tell the broker's version from %r" % out[:200])
    return int(m.group(1)), int(m.group(2))


def test_cadence(env):
    """poll_interval 2 gives a poll every 2 s, start to start, whether or not the
    broker has anything else to do (2.1.2 without websockets ticks a plugin only
    on request; before the fix: 1 poll in 5-30 s)."""
    sim = env.simulator("--inverters", "4", "--quiet")
    broker = env.broker(opts([sim.port], poll_interval=2, request_gap_ms=250, timeout_ms=5000))
    sub = env.subscriber(broker.port, topic="aps/" + ECU)
    wait_topic(sub, "aps/" + ECU)
    time.sleep(20)
    data = [m for m in messages(sub) if m[1] == "aps/" + ECU]
    print("cadence: %d ECU messages in the 20 s after the first (poll_interval 2)" % (len(data) - 1))
    check(len(data) - 1 >= 9, "only %d polls in 20 s at poll_interval 2" % (len(data) - 1))


def test_stop_saved(env):
    """SIGTERM: the broker exits promptly, every status topic says "offline"
    (retained) to a subscriber, and the saved database holds it: a broker
    restarted from it, without the plugin, serves "offline"."""
    db = env.path("db") + "/"
    os.makedirs(db)
    persist = "persistence true\npersistence_location %s\nautosave_interval 0\n" % db
    sim = env.simulator("--inverters", "2", "--quiet")
    broker = env.broker(opts([sim.port]), extra_conf=persist)
    sub = env.subscriber(broker.port)
    wait_topic(sub, "aps/%s/status" % ECU, pred=lambda p: p == "online")
    wait_topic(sub, "aps/" + ECU)
    t0 = time.monotonic()
    broker.send_signal(signal.SIGTERM)
    try:
        rc = broker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        rc = None
    took = time.monotonic() - t0
    print("stop: SIGTERM to exit %.3f s, exit code %s" % (took, rc))
    check(rc == 0, "the broker did not exit cleanly within 30 s of SIGTERM (code %s)" % rc)
    # A generous bound: it catches the 6-60 s stops of a broker that ticks the
    # plugin only on request, not a timing figure (that is printed above).
    check(took < 5, "SIGTERM to exit took %.1f s" % took)
    for topic in ("aps/status", "aps/%s/status" % ECU):
        got = [(r, p) for r, t, p in messages(sub) if t == topic]
        check(got and got[-1][1] == "offline", "%s: last %s" % (topic, got[-1:] or "nothing"))

    # The database, read back by a broker without the plugin.
    port = harness.free_port()
    conf = env.path("readback.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\nuser root\nlog_dest stderr\n%s" % (port, persist))
    env.spawn([harness.MOSQUITTO, "-c", conf], "readback")
    wait_for(lambda: port_open(port), 10, "the restarted broker to listen")
    out = subprocess.run([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", "aps/#", "-v",
                          "-F", "%r\t%t\t%p", "-W", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    retained = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[0] == "1":
            retained[parts[1]] = parts[2]
    for topic in ("aps/status", "aps/%s/status" % ECU):
        check(retained.get(topic) == "offline", "saved database: %s is %r" % (topic, retained.get(topic)))
    print("stop: 'offline' saved for %s" % ", ".join(sorted(t for t in retained if t.endswith("status"))))


def test_plugin_info(env):
    """On 2.1 the broker knows our name and version (mosquitto_plugin_set_info,
    found at run time), and the plugin learns where the broker keeps its state
    (mosquitto_persistence_location); on 2.0 neither exists and the plugin says
    which broker it found."""
    major, minor = broker_version()
    sim = env.simulator("--inverters", "1", "--quiet")
    db = env.path("state") + "/"
    os.makedirs(db)
    extra = "persistence_location %s\n" % db
    if (major, minor) >= (2, 1):
        extra += "enable_control_api true\n"
    broker = env.broker(opts([sim.port]), extra_conf=extra)
    log = lambda: env.read("broker.log")
    wait_for(lambda: "aps-ecu: version " in log(), 10, "the plugin's version line")
    version_line = [l for l in log().splitlines() if "aps-ecu: version " in l][0]
    if (major, minor) < (2, 1):
        check("on a Mosquitto 2.0 broker" in version_line, "2.0 not recognised: %s" % version_line)
        check("state in" not in version_line, "a state directory on 2.0: %s" % version_line)
        print("plugin_info: %s" % version_line)
        return
    check("on a Mosquitto 2.1 or later broker" in version_line, "2.1 not recognised: %s" % version_line)
    check("state in %s" % db in version_line, "no state directory: %s" % version_line)
    check(re.search(r"Plugin aps-ecu version \S+ loaded", log()), "the broker does not name the plugin")
    resp = env.spawn([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(broker.port), "-t", "$CONTROL/broker/v1/response",
                      "-C", "1", "-W", "10"], "control")
    time.sleep(0.5)
    subprocess.run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(broker.port), "-t", "$CONTROL/broker/v1",
                    "-m", json.dumps({"commands": [{"command": "listPlugins"}]})], check=True)
    resp.wait(timeout=15)
    answer = json.loads(env.read("control.log"))
    plugins = answer["responses"][0]["data"]["plugins"]
    ours = [p for p in plugins if p.get("name") == "aps-ecu"]
    check(ours and ours[0].get("version"), "listPlugins: %s" % plugins)
    print("plugin_info: listPlugins names %s; %s" % (ours[0], version_line))


if __name__ == "__main__":
    run({"cadence": test_cadence, "stop_saved": test_stop_saved, "plugin_info": test_plugin_info})
