# SPDX-License-Identifier: MIT
"""End-to-end tests of the Home Assistant side of the plugin: discovery, night pause,
ECU restart, diagnostics, time zones.  A real mosquitto, `aps-ecu simulate`, mosquitto_sub.
Usage: test_ha.py APS_ECU PLUGIN_SO FIXTURES_DIR TEST_NAME"""

import json
import os
import subprocess
import sys
import time

from harness import (MOSQUITTO_PUB, check, free_port, latest, latest_json, messages, opts, read_port, run, wait_for,
                     wait_topic)

HERE = os.path.dirname(os.path.abspath(__file__))
HA_CHECK = os.path.join(HERE, "..", "discovery", "ha_check.py")
RECORDER = os.path.join(HERE, "..", "restart", "http_recorder.py")
ECU = "aps/216200000001"


def configs(sub):
    """Device configs: homeassistant/device/... with a payload."""
    return [(t, p) for _, t, p in messages(sub) if t.startswith("homeassistant/device/") and p]


def clears(sub):
    """Empty payloads on the per-entity topics of the past (aps2mqtt's)."""
    return [(t, p) for _, t, p in messages(sub)
            if t.startswith("homeassistant/") and not t.startswith("homeassistant/device/") and not p]


def entities(payloads):
    return sum(len(json.loads(p)["cmps"]) for p in payloads)


def solar_longitude(local_hour):
    """The longitude where mean solar time is now local_hour (tests must not depend on the clock)."""
    t = time.gmtime()
    utc_hours = t.tm_hour + t.tm_min / 60 + t.tm_sec / 3600
    lon = ((local_hour - utc_hours) * 15 + 540) % 360 - 180
    return round(lon, 4)


def sim_requests(env, name, command):
    return env.read(name + ".log").count(command)


def ha_check(env, sub, *flags):
    lines = env.path("ha.jsonl")
    with open(lines, "w") as f:
        for _, t, p in messages(sub):
            kind = "config" if t.startswith("homeassistant/") else "state"
            f.write(json.dumps({"kind": kind, "topic": t, "payload": p}) + "\n")
    r = subprocess.run([sys.executable, HA_CHECK, *flags, lines], capture_output=True, text=True)
    check(r.returncode == 0, "ha_check rejects what the plugin published:\n" + r.stdout[-3000:])


def test_discovery(env):
    sim = env.simulator("--replay", os.path.join(env.fixtures, "ecu-r-pro-2162-ds3x4-unseen4-day"), "--quiet")
    broker = env.broker(opts([sim.port], discovery="true"))
    sub = env.subscriber(broker.port)
    wait_topic(sub, "aps/216200069349/diagnostics")
    # One config per device: the ECU and its 8 inverters.
    wait_for(lambda: len({t for t, _ in configs(sub)}) >= 9, 10, "9 device configs")
    time.sleep(1.5)
    topics = [t for t, _ in configs(sub)]
    check(len(set(topics)) == 9, "%d distinct device configs" % len(set(topics)))
    check(len(topics) == 9, "configs sent again without a reason: %d messages" % len(topics))
    # 11 ECU entities (needs_power_cycle the 11th), 16 per online DS3 (online, signal, temperature, frequency, power, voltage,
    # 2 panel powers, 2 panel voltages, today and lifetime energy, and both for each of its 2
    # panels), 1 per never-seen inverter.
    latest_configs = {t: p for t, p in configs(sub)}
    check(entities(latest_configs.values()) == 79, "%d entities, want 79" % entities(latest_configs.values()))
    others = [t for _, t, _ in messages(sub) if t.startswith("homeassistant/")
              and not t.startswith("homeassistant/device/") and t != "homeassistant/status"]
    check(not others, "per-entity topics touched without migrate_aps2mqtt_discovery: %s" % others[:3])
    late = env.subscriber(broker.port, topic="homeassistant/#", name="late")
    wait_for(lambda: len(messages(late)) >= 9, 5, "retained configs")
    time.sleep(0.5)
    check(len(messages(late)) == 9, "%d retained discovery messages, want 9" % len(messages(late)))
    check(all(r for r, _, _ in messages(late)), "a discovery config is not retained")
    ha_check(env, sub)

    # Home Assistant restarts and says so: every device is announced again.
    subprocess.run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(broker.port), "-t", "homeassistant/status",
                    "-m", "online"], check=True)
    wait_for(lambda: len(configs(sub)) >= 18, 10, "discovery sent again after homeassistant/status online")


def aps2mqtt_config(component, dev_id, obj, name, state_topic, via=None):
    """A config as aps2mqtt v2.0.2 published it (retained), with its defects."""
    kind = "Inverter" if via else "ECU"
    cfg = {"name": name, "unique_id": "aps_%s_%s" % (dev_id, obj), "state_topic": state_topic,
           "value_template": "{{ value_json.%s }}" % obj, "availability_topic": "aps/status",
           "device": {"identifiers": [dev_id], "name": "APS %s %s" % (kind, dev_id), "manufacturer": "APsystems"}}
    if via:
        cfg["device"]["via_device"] = via
    return "homeassistant/%s/aps_%s_%s/config" % (component, dev_id, obj), json.dumps(cfg)


def handovers(sub):
    return [(t, p) for _, t, p in messages(sub) if t.startswith("homeassistant/") and p == MIGRATE]


MIGRATE = '{"migrate_discovery":true}'


def test_aps2mqtt_migration(env):
    control = env.path("control")
    with open(control, "w") as f:
        f.write("refuse\n")
    sim = env.simulator("--inverters", "2", "--start", "2026-06-21T12:00", "--control", control, "--quiet")
    broker = env.broker(opts([sim.port], discovery="true", migrate_aps2mqtt_discovery="true"))
    ecu, uid = "216200000001", "704000000001"
    legacy = [aps2mqtt_config("sensor", ecu, "power", "ECU Power", "aps/" + ecu),
              aps2mqtt_config("sensor", ecu, "lifetime_energy", "ECU Lifetime Energy", "aps/" + ecu),
              aps2mqtt_config("sensor", uid, "panel_2_power", "Panel 2 Power", "aps/%s/%s/2" % (ecu, uid), ecu),
              aps2mqtt_config("binary_sensor", uid, "online", "Inverter Online", "aps/%s/%s" % (ecu, uid), ecu)]
    for topic, payload in legacy:
        subprocess.run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(broker.port), "-r", "-t", topic, "-m", payload],
                       check=True)
    sub = env.subscriber(broker.port)
    wait_for(lambda: len(messages(sub)) >= len(legacy), 5, "aps2mqtt's retained configs")
    with open(control, "w") as f:
        f.write("none\n")
    # 3 topics for the ECU, 13 per inverter (every panel it may have): handed over, then cleared.
    wait_for(lambda: len(clears(sub)) >= 3 + 2 * 13, 30, "aps2mqtt's topics cleared")
    wait_for(lambda: len(configs(sub)) >= 6, 5, "the device configs sent again after the clear")
    check(len(handovers(sub)) == 3 + 2 * 13, "%d topics handed over, want 29" % len(handovers(sub)))
    check(len(clears(sub)) == 3 + 2 * 13, "%d topics cleared, want 29" % len(clears(sub)))
    late = env.subscriber(broker.port, topic="homeassistant/#", name="late")
    wait_for(lambda: len(messages(late)) >= 3, 5, "retained configs")
    time.sleep(0.5)
    retained = sorted(t for _, t, _ in messages(late))
    check(retained == sorted("homeassistant/device/aps_%s/config" % i for i in (ecu, uid, "804000000002")),
          "retained after the migration: %s" % retained)
    # Home Assistant's rules: every unique_id keeps its registry entry, whenever it restarts.
    ha_check(env, sub, "--migration")


def test_new_inverter(env):
    port = free_port()
    sim = env.simulator("--inverters", "2", "--start", "2026-06-21T12:00", "--quiet")
    sim.kill()
    sim.wait()
    sim = env.spawn([env.aps_ecu, "simulate", "--port", str(port), "--inverters", "2", "--start",
                     "2026-06-21T12:00", "--quiet"], "sim2")
    time.sleep(0.3)
    broker = env.broker(opts([port], discovery="true"))
    sub = env.subscriber(broker.port)
    wait_topic(sub, "homeassistant/device/aps_804000000002/config")
    check(latest(sub, "homeassistant/device/aps_901000000003/config") is None,
          "an inverter announced before it exists")
    sim.kill()
    sim.wait()
    env.spawn([env.aps_ecu, "simulate", "--port", str(port), "--inverters", "3", "--start", "2026-06-21T12:00",
               "--quiet"], "sim3")
    wait_topic(sub, "homeassistant/device/aps_901000000003/config", timeout=15)
    again = [t for t, _ in configs(sub) if t == "homeassistant/device/aps_704000000001/config"]
    check(len(again) == 1, "known inverters announced again: %d" % len(again))


def night_test(local_hour, fault, expect_pause):
    def test(env):
        sim = env.simulator("--inverters", "3", "--start", "2026-06-21T12:00", "--fault", fault)
        # Retained, so the one dusk payload of the first (and only) cycle reaches a subscriber that comes later.
        broker = env.broker(opts([sim.port], stop_at_night="yes", latitude="0", longitude=solar_longitude(local_hour),
                                 retain="true"))
        sub = env.subscriber(broker.port)
        time.sleep(4)
        log = env.read("broker.log")
        cycles = sim_requests(env, "sim", "0001")
        if expect_pause:
            check(cycles == 1, "%d polls at night, want 1" % cycles)
            check("night (" in log and "next poll at" in log, "no night line in the log")
            if fault == "night":
                ecu = latest_json(sub, ECU)
                check(ecu is not None and ecu["current_power"] == 0, "no dusk payload with power 0: %s" % ecu)
                check("today_energy" in ecu, "energy values dropped at dusk: %s" % ecu)
        else:
            check(cycles >= 3, "only %d polls in daylight" % cycles)
            check("night (" not in log, "night mode in daylight")
    return test


def restart_test(ecu_id, recorder_mode, expect_requests, expect_log):
    def test(env):
        port_file, log_file = env.path("http.port"), env.path("http.jsonl")
        env.spawn([sys.executable, RECORDER, port_file, log_file, recorder_mode], "http")
        http_port = wait_for(lambda: read_port(port_file), 10, "the HTTP recorder")
        control = env.path("control")
        with open(control, "w") as f:
            f.write("none\n")
        sim = env.simulator("--inverters", "2", "--ecu-id", ecu_id, "--control", control, "--quiet")
        broker = env.broker(opts([sim.port], auto_restart="yes", wifi_ssid="ECU-WIFI local&co",
                                 wifi_passwd="s3cr3t-pw1", restart_after="2", restart_port=http_port))
        sub = env.subscriber(broker.port)
        wait_topic(sub, "aps/%s/status" % ecu_id, pred=lambda p: p == "online")
        with open(control, "w") as f:
            f.write("refuse\n")
        wait_for(lambda: expect_log in env.read("broker.log"), 15, "the log line '%s'" % expect_log)
        time.sleep(3)
        requests = [json.loads(l) for l in open(log_file)] if os.path.exists(log_file) else []
        check(len(requests) == expect_requests, "%d restart requests, want %d" % (len(requests), expect_requests))
        if requests:
            r = requests[0]
            check(r["method"] == "POST" and r["path"] == "/index.php/management/set_wlan_ap", "request %s" % r)
            check(r["form"] == {"SSID": ["ECU-WIFI local&co"], "channel": ["0"], "method": ["2"], "psk_wep": [""],
                                "psk_wpa": ["s3cr3t-pw1"]}, "form %s" % r["form"])
        log = env.read("broker.log")
        check("s3cr3t-pw1" not in log, "the Wi-Fi password is in the log")
        check(log.count(expect_log) == 1, "'%s' logged %d times" % (expect_log, log.count(expect_log)))
        # Polling goes on all the while, and the ECU comes back.
        with open(control, "w") as f:
            f.write("none\n")
        wait_topic(sub, "aps/%s/status" % ecu_id, timeout=15, pred=lambda p: p == "online")
    return test


def restart_sim_test(web_fault, expect_log, expect_reboots):
    """The restart through the plugin's HTTP exchange against the simulator's own web pages (set_wlan_ap), as a
    real ECU-R-PRO serves them: the ECU stops answering on 8899, the plugin posts its hotspot settings to the web
    port, and the simulator counts the reboot (or, with a web fault, the plugin says why it could not)."""
    def test(env):
        control, state, web_port_file = env.path("control"), env.path("web.json"), env.path("web.port")
        with open(control, "w") as f:
            f.write("none\n")
        ecu_id = "216200000001"
        args = ["--inverters", "2", "--ecu-id", ecu_id, "--control", control, "--quiet", "--http-port", "0",
                "--http-port-file", web_port_file, "--http-state", state]
        if web_fault:
            args += ["--http-fault", web_fault]
        sim = env.simulator(*args)
        web_port = wait_for(lambda: read_port(web_port_file), 10, "the simulator's web port")
        broker = env.broker(opts([sim.port], auto_restart="yes", wifi_ssid="ECU-WIFI local&co",
                                 wifi_passwd="s3cr3t-pw1", restart_after="2", restart_port=web_port))
        sub = env.subscriber(broker.port)
        wait_topic(sub, "aps/%s/status" % ecu_id, pred=lambda p: p == "online")
        with open(control, "w") as f:
            f.write("refuse\n")
        wait_for(lambda: expect_log in env.read("broker.log"), 20, "the log line '%s'" % expect_log)
        reboots = json.load(open(state))["reboots"]
        check(reboots == expect_reboots, "the simulator counted %d reboots, want %d" % (reboots, expect_reboots))
        check("s3cr3t-pw1" not in env.read("broker.log"), "the Wi-Fi password is in the log")
    return test


def test_diagnostics(env):
    control = env.path("control")
    with open(control, "w") as f:
        f.write("none\n")
    sim = env.simulator("--inverters", "1", "--control", control, "--quiet")
    broker = env.broker(opts([sim.port]))
    sub = env.subscriber(broker.port)
    diag = json.loads(wait_topic(sub, ECU + "/diagnostics"))
    check(diag["consecutive_failures"] == 0 and diag["last_error"] == "", "healthy diagnostics %s" % diag)
    check(diag["last_success"].endswith("+00:00") and diag["poll_duration_ms"] >= 0, "diagnostics %s" % diag)
    with open(control, "w") as f:
        f.write("badsig\n")
    wait_topic(sub, ECU + "/diagnostics", pred=lambda p: json.loads(p)["consecutive_failures"] >= 2)
    diag = latest_json(sub, ECU + "/diagnostics")
    check("signature" in diag["last_error"], "last_error %r" % diag["last_error"])
    with open(control, "w") as f:
        f.write("none\n")
    wait_topic(sub, ECU + "/diagnostics", pred=lambda p: json.loads(p)["consecutive_failures"] == 0)
    diag = latest_json(sub, ECU + "/diagnostics")
    check("signature" in diag["last_error"], "the last error is forgotten after recovery: %s" % diag)


def _ecu_reply(hex_text, today_raw, minute):
    """The ECU-R-PRO info capture with another today energy and data time (BCD minute)."""
    b = bytearray(bytes.fromhex(hex_text))
    b[35:39] = today_raw.to_bytes(4, "big")
    b[43] = int("%02d" % minute, 16)
    return b.hex()


def test_energy_filter(env):
    """A one-poll drop of today's energy to 0 (a known ECU glitch) is held back in the published payload."""
    src = os.path.join(env.fixtures, "ecu-r-pro-2162-ds3x4-unseen4-day")
    replay = env.path("replay")
    os.mkdir(replay)
    with open(os.path.join(src, "ecu.hex")) as f:
        ecu = f.read().strip()
    for name, today, minute in (("ecu.hex", 334, 1), ("ecu.2.hex", 0, 6), ("ecu.3.hex", 340, 11)):
        with open(os.path.join(replay, name), "w") as f:
            f.write(_ecu_reply(ecu, today, minute) + "\n")
    for name in ("inverters.hex", "signal.hex"):
        with open(os.path.join(src, name)) as f, open(os.path.join(replay, name), "w") as g:
            g.write(f.read())
    sim = env.simulator("--replay", replay, "--quiet")
    broker = env.broker(opts([sim.port]))
    sub = env.subscriber(broker.port)
    topic = "aps/216200069349"
    # The replies rotate 3.34, 0, 3.40, 3.34, 0, ...: the 0 and the later drops are held back.
    wait_for(lambda: env.read("broker.log").count("held back") >= 2, 15, "two held-back readings")
    got = [json.loads(p)["today_energy"] for _, t, p in messages(sub) if t == topic]
    check(len(got) >= 3 and 0 not in got and 3.4 in got, "today_energy published %s" % got)
    check(got[got.index(3.4):] == [3.4] * len(got[got.index(3.4):]), "went down after 3.40: %s" % got)
    check("today_energy 0.00 kWh below 3.34 kWh: held back" in env.read("broker.log"),
          "no log line about the held-back 0")


def test_timezone(env):
    sim = env.simulator("--replay", os.path.join(env.fixtures, "ecu-r-pro-6xqs1"), "--quiet")
    a = env.broker(opts([sim.port]), name="ecu_zone")
    b = env.broker(opts([sim.port], timezone="Asia/Kolkata"), name="configured")
    sub_a = env.subscriber(a.port, name="sub_a")
    sub_b = env.subscriber(b.port, name="sub_b")
    ts_a = json.loads(wait_topic(sub_a, "aps/216200033510"))["timestamp"]
    ts_b = json.loads(wait_topic(sub_b, "aps/216200033510"))["timestamp"]
    check(ts_a == "2024-03-25T18:25:24-07:00", "ECU's own zone (US/Pacific): %s" % ts_a)
    check(ts_b == "2024-03-25T18:25:24+05:30", "timezone option: %s" % ts_b)
    bad = env.broker(opts([sim.port], timezone="Mars/Olympus_Mons"), name="bad", expect_start=False)
    wait_for(lambda: bad.poll() is not None, 10, "the broker to refuse an unknown zone")
    check("Mars/Olympus_Mons" in env.read("bad.log"), "the unknown zone is not named in the log")


TESTS = {
    "discovery": test_discovery,
    "new_inverter": test_new_inverter,
    "aps2mqtt_migration": test_aps2mqtt_migration,
    "night_pause": night_test(0, "night", True),
    "night_no_answer": night_test(1, "badsig", True),
    "night_daylight": night_test(12, "night", False),
    "restart_ecu_r_pro": restart_test("216200000001", "ok", 1, "accepted the restart request"),
    "restart_ecu_c_gone": restart_test("215000000001", "notfound", 1, "not trying again"),
    "restart_ecu_b": restart_test("216300000001", "ok", 0, "power-cycle it"),
    "restart_sim_web": restart_sim_test(None, "accepted the restart request", 1),
    "restart_sim_web_gone": restart_sim_test("notfound", "not trying again", 0),
    "restart_sim_web_garbage": restart_sim_test("garbage", "gave no clear answer", 0),
    "diagnostics": test_diagnostics,
    "timezone": test_timezone,
    "energy_filter": test_energy_filter,
}

if __name__ == "__main__":
    run(TESTS)
