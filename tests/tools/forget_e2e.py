#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`aps-ecu forget` end to end, against a real broker on 127.0.0.1.

usage: forget_e2e.py APS_ECU PLUGIN FIXTURES

1. A broker with the plugin (topic prefix, retain, discovery on a custom
   prefix) polls the simulator until every device config is out, and stops;
   what it kept retained (its persistence file) is the plugin's.
2. The same broker, now without the plugin, started on that file; mosquitto_pub
   adds retained messages that are not the plugin's but look close to it.
3. `forget --dry-run` lists exactly the plugin's and deletes nothing;
   `forget` deletes exactly those and leaves every other one.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin"))
from harness import (MOSQUITTO, MOSQUITTO_PUB, MOSQUITTO_SUB, Env, check, free_port, opts,  # noqa: E402
                     port_open, run, wait_for)

INVERTERS = 3
ECU = "216200000001"

# Retained messages that are not the plugin's and must survive `forget`.
OTHERS = {
    "ha/device/aps_216200000009/config": '{"dev":{"ids":["216200000009"]},"o":{"name":"someone-else"}}',
    "ha/device/aps_216200000008/config": '{"dev":{"ids":["216200000007"]},"o":{"name":"mosquitto-aps-ecu"}}',
    "ha/device/aps_216200000006/config": "not json",
    "ha/device/other_1/config": '{"dev":{"ids":["1"]},"o":{"name":"mosquitto-aps-ecu"}}',
    "ha/sensor/aps_216200000001_power/config": '{"uniq_id":"aps_216200000001_power"}',
    "homeassistant/device/aps_216200000001/config": '{"dev":{"ids":["216200000001"]},"o":{"name":"x"}}',
    "aps/216200000001": '{"current_power": 5}',
    "aps/status": "online",
    "solar/aps/216200000001/extra": "{}",
    "solar/aps/21620000000x": "{}",
    "solar/aps/216200000001/704000000001/more": "{}",
    "solar/other": "1",
    "kitchen/temperature": "21.5",
}


def retained(port):
    """Every retained message of the broker, as {topic: payload}."""
    p = subprocess.run([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", "#", "--retained-only",
                        "-F", "%t\t%p", "-W", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True, timeout=20)
    return dict(line.split("\t", 1) for line in p.stdout.splitlines() if "\t" in line)


def forget(env, port, *args):
    p = subprocess.run([env.aps_ecu, "forget", "--host", "127.0.0.1", "--port", str(port), "--topic-prefix",
                        "solar", "--discovery-prefix", "ha", "--wait", "300"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    check(p.returncode == 0, "forget %s exited %d: %s%s" % (args, p.returncode, p.stdout, p.stderr))
    return p.stdout.splitlines(), p.stderr


def plain_broker(env, persist_dir):
    port = free_port()
    conf = env.path("plain.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\nuser root\nlog_dest stderr\n"
                "persistence true\npersistence_location %s/\n" % (port, persist_dir))
    p = env.spawn([MOSQUITTO, "-c", conf], "plain")
    wait_for(lambda: port_open(port) or p.poll() is not None, 10, "the broker to listen")
    check(p.poll() is None, "the broker without the plugin did not start:\n" + env.read("plain.log"))
    return port


def test(env):
    persist = env.path("db")
    os.mkdir(persist)
    sim = env.simulator("--inverters", str(INVERTERS), "--quiet")
    broker = env.broker(opts([sim.port], topic_prefix="solar", retain="true", discovery="true",
                             discovery_prefix="ha"),
                        extra_conf="persistence true\npersistence_location %s/\n" % persist)
    want_configs = {"ha/device/aps_%s/config" % ECU}
    wait_for(lambda: len([t for t in retained(broker.port) if t.startswith("ha/device/")]) == INVERTERS + 1,
             30, "the plugin's %d device configs" % (INVERTERS + 1))
    wait_for(lambda: "solar/aps/%s/diagnostics" % ECU in retained(broker.port), 10, "retained diagnostics")
    broker.terminate()
    broker.wait(timeout=10)

    port = plain_broker(env, persist)
    ours = retained(port)
    check(want_configs <= set(ours) and "solar/aps/status" in ours and "solar/aps/%s/status" % ECU in ours
          and "solar/aps/%s" % ECU in ours, "the plugin left no retained messages to test with: %s" % sorted(ours))
    check(ours["solar/aps/status"] == "offline", "aps/status after a clean stop: %r" % ours["solar/aps/status"])
    check(len([t for t in ours if t.startswith("solar/aps/%s/" % ECU) and len(t.rsplit("/", 1)[1]) == 12])
          == INVERTERS, "not every inverter's state is retained: %s" % sorted(ours))
    for topic, payload in OTHERS.items():
        subprocess.run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-m", payload, "-r",
                        "-q", "1"], check=True, timeout=10)
    check(not set(OTHERS) & set(ours), "a message of OTHERS replaced one of the plugin's")
    everything = retained(port)
    check(everything == dict(ours, **OTHERS), "the broker's retained messages are not what was published: %s"
          % sorted(everything))

    listed, err = forget(env, port, "--dry-run")
    check(sorted(listed) == sorted("would delete " + t for t in ours),
          "--dry-run listed %s, want %s" % (sorted(listed), sorted(ours)))
    check("would delete %d retained messages" % len(ours) in err, "--dry-run summary: " + err)
    check(retained(port) == everything, "--dry-run deleted something: %s" % sorted(retained(port)))

    deleted, err = forget(env, port)
    check(sorted(deleted) == sorted("deleted " + t for t in ours),
          "forget deleted %s, want %s" % (sorted(deleted), sorted(ours)))
    left = retained(port)
    check(left == OTHERS, "after forget the broker retains %s, want exactly %s" % (sorted(left), sorted(OTHERS)))

    # Nothing of ours left: a second run finds nothing.
    again, err = forget(env, port)
    check(again == [] and "deleted 0 retained messages" in err, "a second forget: %s %s" % (again, err))
    print("forget: %d retained messages of the plugin deleted, %d others kept" % (len(ours), len(OTHERS)))


def usage_errors(env):
    for args in (["--port", "0"], ["--wait", "5"], ["--bogus"], ["--host"], ["--topic-prefix", "a/#"],
                 ["--discovery-prefix", ""]):
        p = subprocess.run([env.aps_ecu, "forget"] + args, capture_output=True, text=True, timeout=10)
        check(p.returncode == 2 and p.stderr.startswith("aps-ecu forget: "),
              "forget %s: exit %d, %r" % (args, p.returncode, p.stderr))
    p = subprocess.run([env.aps_ecu, "forget", "--port", str(free_port()), "--host", "127.0.0.1"],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 1 and "cannot connect to 127.0.0.1:" in p.stderr,
          "forget with no broker: exit %d, %r" % (p.returncode, p.stderr))


if __name__ == "__main__":
    sys.argv.append("forget")
    start = time.monotonic()
    run({"forget": lambda env: (usage_errors(env), test(env))})
