# SPDX-License-Identifier: MIT
"""End-to-end tests of the plugin: a real mosquitto, `aps-ecu simulate`, mosquitto_sub.
Usage: test_plugin.py APS_ECU PLUGIN_SO FIXTURES_DIR TEST_NAME"""

import json
import os
import re
import shutil
import signal
import time

from harness import (check, latest, latest_json, messages, opts, roundtrip, run, wait_for, wait_topic,
                     TestFailure)

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "..", "tools", "expected")

# Per-inverter energy is the plugin's alone (it needs a history `aps-ecu query` has not):
# left out of an inverter topic's payload before comparing.
ENERGY_KEY = re.compile(r"^(today_energy|lifetime_energy|today_energy_measured|panel_[1-4]_(today|lifetime)_energy)$")


def without_energy(topic, payload):
    if topic.count("/") != 2 or not isinstance(payload, dict):
        return payload
    return {k: v for k, v in payload.items() if not ENERGY_KEY.match(k)}

def expected_for(capture):
    with open(os.path.join(EXPECTED, capture + ".json")) as f:
        return json.load(f)


def check_against_query_output(sub, expected, prefix=""):
    """What the plugin publishes equals what `aps-ecu query` prints ({topic: payload}):
    every topic arrives with that payload."""
    ecu_topics = [t for t in expected if t.count("/") == 1]
    check(len(ecu_topics) == 1, "expected output names ECU topics %s" % ecu_topics)
    ecu_topic = prefix + ecu_topics[0]
    for topic, payload in expected.items():
        topic = prefix + topic
        wait_topic(sub, topic)
        check(without_energy(topic, latest_json(sub, topic)) == payload,
              "%s: got %s, want %s" % (topic, latest(sub, topic), payload))
    wait_topic(sub, ecu_topic + "/status", pred=lambda p: p == "online")
    return ecu_topic


def capture_test(capture):
    def test(env):
        sim = env.simulator("--replay", os.path.join(env.fixtures, capture), "--quiet")
        broker = env.broker(opts([sim.port]))
        sub = env.subscriber(broker.port)
        log = lambda: env.read("broker.log")
        if not os.path.exists(os.path.join(EXPECTED, capture + ".json")):
            # ECU info only (no inverter reply captured): the simulator closes the inverter
            # request, so every cycle fails at that step and nothing but aps/status goes out.
            wait_for(lambda: "inverter data: connection closed" in log(), 10, "the inverter step to fail")
            time.sleep(2.5)
            lines = [l for l in log().splitlines() if "inverter data: connection closed" in l]
            check(len(lines) == 1, "the same failure was logged %d times" % len(lines))
            topics = {t for _, t, _ in messages(sub)}
            check(topics == {"aps/status"}, "published %s" % sorted(topics))
            return
        check_against_query_output(sub, expected_for(capture))
        check(latest(sub, "aps/status") == "online", "aps/status is not online")
        check("aps-ecu: ECU " in log() and " answers" in log(), "no 'answers' line in the log")
    return test


def test_synthetic80(env):
    sim = env.simulator("--inverters", "80", "--start", "2026-06-21T12:00", "--quiet")
    broker = env.broker(opts([sim.port]))
    sub = env.subscriber(broker.port)
    ecu = wait_topic(sub, "aps/216200000001")
    payload = json.loads(ecu)
    check(payload["inverters"] == 80, "inverters %s" % payload.get("inverters"))
    check(payload["inverters_online"] == 80, "online %s" % payload.get("inverters_online"))
    check(payload["model"] == "ECU-R-PRO", "model %s" % payload.get("model"))
    def inverter_topic(t):
        return t.startswith("aps/216200000001/") and len(t.rsplit("/", 1)[1]) == 12
    wait_for(lambda: len({t for _, t, _ in messages(sub) if inverter_topic(t)}) >= 80, 10, "80 inverter topics")
    for _, t, p in messages(sub):
        if inverter_topic(t):
            inv = json.loads(p)
            check(inv["online"] is True, "%s offline at noon" % t)
            check(isinstance(inv["signal"], int) and 0 <= inv["signal"] <= 100, "signal %s" % inv.get("signal"))
            check(inv["power"] == sum(v for k, v in inv.items() if k.endswith("_power") and k.startswith("panel")),
                  "power is not the sum of the panels in %s" % p)
    check(payload["current_power"] > 0, "no power at noon")


def test_two_ecus(env):
    a = env.simulator("--inverters", "3", "--ecu-id", "216200000011", "--quiet", name="sim_a")
    b = env.simulator("--replay", os.path.join(env.fixtures, "ecu-r-2160-qt2x6-20231120"), "--quiet", name="sim_b")
    broker = env.broker(opts([a.port, b.port]))
    sub = env.subscriber(broker.port)
    wait_topic(sub, "aps/216200000011")
    check_against_query_output(sub, expected_for("ecu-r-2160-qt2x6-20231120"))
    wait_topic(sub, "aps/216200000011/status", pred=lambda p: p == "online")


def fault_test(mode, offline_expected=True):
    def test(env):
        control = env.path("control")
        with open(control, "w") as f:
            f.write("none\n")
        sim = env.simulator("--inverters", "4", "--start", "2026-06-21T12:00", "--control", control)
        broker = env.broker(opts([sim.port]))
        sub = env.subscriber(broker.port)
        ecu_topic = "aps/216200000001"
        wait_topic(sub, ecu_topic + "/status", pred=lambda p: p == "online")

        with open(control + ".tmp", "w") as f:
            f.write(mode + "\n")
        os.rename(control + ".tmp", control)
        t0 = time.monotonic()
        if offline_expected:
            wait_topic(sub, ecu_topic + "/status", timeout=20, pred=lambda p: p == "offline")
        else:
            wait_for(lambda: (latest_json(sub, ecu_topic) or {}).get("inverters_online") == 0, 15,
                     "the night payload")
        check(roundtrip(broker.port), "the broker did not answer a client during fault " + mode)
        while time.monotonic() - t0 < 3:
            check(roundtrip(broker.port), "the broker stopped answering during fault " + mode)
        log = env.read("broker.log")
        failures = [l for l in log.splitlines() if "aps-ecu: ECU at" in l]
        if offline_expected:
            check(1 <= len(failures) <= 3, "expected one log line per change of trouble, got %d:\n%s"
                  % (len(failures), "\n".join(failures)))

        seen = len(messages(sub))
        with open(control + ".tmp", "w") as f:
            f.write("none\n")
        os.rename(control + ".tmp", control)
        wait_for(lambda: any(t == ecu_topic and json.loads(p).get("inverters_online") == 4
                             for _, t, p in messages(sub)[seen:]), 15, "data after the ECU healed")
        wait_topic(sub, ecu_topic + "/status", pred=lambda p: p == "online")
        check(broker.poll() is None, "broker died")
    return test


def test_status_lifecycle(env):
    sim = env.simulator("--inverters", "2", "--quiet")
    broker = env.broker(opts([sim.port]))
    sub = env.subscriber(broker.port)
    wait_topic(sub, "aps/status", pred=lambda p: p == "online")
    check((True, "aps/status", "online") in messages(sub), "aps/status online is not retained")
    wait_topic(sub, "aps/216200000001/status", pred=lambda p: p == "online")
    broker.send_signal(signal.SIGTERM)
    wait_for(lambda: broker.poll() is not None, 10, "the broker to stop")
    check(broker.returncode == 0, "broker exit status %s" % broker.returncode)
    check(latest(sub, "aps/status") == "offline", "no offline on aps/status at shutdown")
    check(latest(sub, "aps/216200000001/status") == "offline", "no offline on the ECU status at shutdown")


BAD_OPTIONS = [
    ({}, "ecu_host"),
    ({"ecu_host": "127.0.0.1", "ecu_port": "70000"}, "70000"),
    ({"ecu_host": "127.0.0.1:0"}, "ecu_host"),
    ({"ecu_host": "127.0.0.1", "poll_interval": "10abc"}, "10abc"),
    ({"ecu_host": "127.0.0.1", "poll_interval": "0"}, 'plugin_opt_poll_interval: "0" is out of range'),
    ({"ecu_host": "127.0.0.1", "timezone": "Mars/Base"}, 'plugin_opt_timezone: "Mars/Base" is not a time zone'),
    ({"ecu_host": "127.0.0.1", "retry_interval": "soon"}, "retry_interval"),
    ({"ecu_host": "127.0.0.1", "latitude": "91"}, "latitude"),
    ({"ecu_host": "127.0.0.1", "longitude": "-181"}, "longitude"),
    ({"ecu_host": "127.0.0.1", "retain": "maybe"}, "maybe"),
    ({"ecu_host": "127.0.0.1", "no_such_option": "1"}, "no_such_option"),
    ({"ecu_host": "127.0.0.1", "topic_prefix": "a/+/b"}, "topic_prefix"),
    ({"ecu_host": "127.0.0.1", "config_file": "/nonexistent/aps.yaml"}, "/nonexistent/aps.yaml"),
]


def test_bad_options(env):
    for i, (options, needle) in enumerate(BAD_OPTIONS):
        name = "bad%d" % i
        b = env.broker(options, name=name, expect_start=False)
        wait_for(lambda: b.poll() is not None, 10, "the broker to refuse %s" % options)
        check(b.returncode != 0, "broker started with %s" % options)
        log = env.read(name + ".log")
        lines = [l for l in log.splitlines() if "aps-ecu:" in l and needle in l]
        check(lines, "no log line naming %r for %s:\n%s" % (needle, options, log))
        first = [l for l in log.splitlines() if "aps-ecu:" in l][0]
        check(re.search(r"aps-ecu: version \d+\.\d+\.\d+ on a Mosquitto 2\.[01]( or later)? broker", first),
              "the plugin's first log line does not give its version: %r" % first)
        check("aps-ecu: not started: fix the configuration above" in log.split(lines[0], 1)[1],
              "no 'not started' line after the error for %s:\n%s" % (options, log))
    # The Wi-Fi password never appears in the log, not even in an error about it.
    b = env.broker({"ecu_host": "127.0.0.1", "auto_restart": "yes", "wifi_passwd": "s3cr3t-pw"}, name="wifi",
                   expect_start=False)
    wait_for(lambda: b.poll() is not None, 10, "the broker to refuse auto_restart without an SSID")
    check("s3cr3t-pw" not in env.read("wifi.log"), "the Wi-Fi password is in the log")


def test_loaded_twice(env):
    """A second plugin line stops the broker at start, naming the fix: the same
    file (2.0 refuses it itself, 2.1.2 would load it twice) or a renamed copy
    (which every broker would load)."""
    sim = env.simulator("--inverters", "1", "--quiet")
    copy = env.path("renamed_copy.so")
    shutil.copy(env.plugin, copy)
    for n, second in enumerate([env.plugin, copy]):
        name = "broker%d" % n
        extra = "plugin %s\nplugin_opt_ecu_host 127.0.0.1:%d\n" % (second, sim.port)
        b = env.broker(opts([sim.port]), name=name, expect_start=False, extra_conf=extra)
        wait_for(lambda: b.poll() is not None, 10, "the broker to refuse a second plugin line (%s)" % second)
        check("plugin_opt_ecu_host line" in env.read(name + ".log"), "no hint about listing ECUs in one line")


def test_yaml_config(env):
    sim = env.simulator("--inverters", "2", "--quiet")
    yaml_path = env.path("aps2mqtt.yaml")
    with open(yaml_path, "w") as f:
        f.write("mqtt:\n  MQTT_BROKER_HOST: 127.0.0.1\n  MQTT_BROKER_PORT: 1883\n"
                "  MQTT_BROKER_USER: \"johndoe\"\n  MQTT_BROKER_PASSWD: \"itsasecret\"\n"
                "  MQTT_CLIENT_ID: \"APS2MQTT\"\n  MQTT_TOPIC_PREFIX: \"super_topic\"\n  MQTT_RETAIN: True\n"
                "  MQTT_DISCOVERY_ENABLED: False\n"
                "ecu:\n  APS_ECU_IP: \"127.0.0.1\"\n  APS_ECU_PORT: %d\n  APS_ECU_TIMEZONE: \"Europe/Paris\"\n"
                % sim.port)
    broker = env.broker({"config_file": yaml_path})
    sub = env.subscriber(broker.port)
    wait_topic(sub, "super_topic/aps/216200000001")
    # A live subscription gets retain=0 whatever was asked: a late subscriber shows what is retained.
    late = env.subscriber(broker.port, name="late")
    wait_for(lambda: any(r and t == "super_topic/aps/216200000001" for r, t, _ in messages(late)), 5,
             "a retained ECU message (MQTT_RETAIN: True)")
    log = env.read("broker.log")
    check("MQTT_BROKER_HOST" in log and "ignored" in log, "no line saying MQTT_BROKER_HOST is ignored")
    check("itsasecret" not in log, "a broker password from the YAML file is in the log")


def test_env_config(env):
    sim = env.simulator("--inverters", "2", "--quiet")
    broker = env.broker({"poll_interval": "1"}, env={"APS_ECU_IP": "127.0.0.1", "APS_ECU_PORT": str(sim.port),
                                                      "MQTT_TOPIC_PREFIX": "envprefix"})
    sub = env.subscriber(broker.port)
    wait_topic(sub, "envprefix/aps/216200000001")
    wait_topic(sub, "envprefix/aps/status", pred=lambda p: p == "online")


TESTS = {
    "synthetic80": test_synthetic80,
    "two_ecus": test_two_ecus,
    "status_lifecycle": test_status_lifecycle,
    "bad_options": test_bad_options,
    "loaded_twice": test_loaded_twice,
    "yaml_config": test_yaml_config,
    "env_config": test_env_config,
}
for _capture in ["ecu-r-pro-6xqs1", "ecu-r-pro-2162-ds3x4-unseen4-day", "ecu-r-2160-qt2x6-20231120",
                 "ecu-c-qs1x5-unseen4-night", "ecu-b-2163-ds3x1-afternoon", "ecu-b-2163-new-lifetime0",
                 "ecu-b-replaced-short-noend"]:
    TESTS["capture_" + _capture] = capture_test(_capture)
for _mode in ["refuse", "hang", "drip", "truncate", "garbage", "oversize", "badlength", "badsig", "badcmd",
              "reset", "reboot:3"]:
    TESTS["fault_" + _mode.split(":")[0]] = fault_test(_mode)
TESTS["fault_night"] = fault_test("night", offline_expected=False)

if __name__ == "__main__":
    run(TESTS)
