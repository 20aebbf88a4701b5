#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Control from MQTT end to end: a real broker with the plugin (control true),
`aps-ecu simulate --http-port` as the ECU and its web pages, mosquitto_pub as
the commanding client.  Loopback only."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (MOSQUITTO_PUB, TestFailure, check, latest, latest_json, messages, opts, read_port,  # noqa: E402
                     run, wait_for, wait_topic)
from test_ha import ha_check  # noqa: E402

ECU_C = "215000000001"
ECU_PRO = "216200000001"
ECU_B = "216300000001"
# The vendor's spacing is 10 s; most tests shorten it (test-only variable).
FAST_SPACING = {"APS_ECU_TEST_CONTROL_SPACING_MS": "500"}
NOON = "2026-06-21T12:00"


def web_sim(env, ecu_id, inverters=2, control=None, extra=()):
    """The simulator with its web pages; returns it with .http_port and .state (the pages' state file)."""
    port_file, state = env.path("http.port"), env.path("http.state")
    args = ["--inverters", str(inverters), "--ecu-id", ecu_id, "--start", NOON, "--speed", "60",
            "--http-port", "0", "--http-port-file", port_file, "--http-state", state, "--quiet"]
    if control:
        args += ["--http-control", control]
    sim = env.simulator(*(args + list(extra)))
    sim.http_port = wait_for(lambda: read_port(port_file), 10, "the simulator's web port") \
        if not ecu_id.startswith(("2163", "2160")) else None
    sim.state = state
    return sim


def sim_state(sim):
    try:
        with open(sim.state) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def control_broker(env, sim, env_vars=None, name="broker", extra_conf="", **more):
    o = opts([sim.port], control="true", wifi_ssid="ECU-WIFI_local", wifi_passwd="s3cr3t-pw1", **more)
    if sim.http_port:
        o["http_port"] = str(sim.http_port)
    return env.broker(o, name=name, env=env_vars, extra_conf=extra_conf)


def pub(broker, topic, payload, retain=False, user=None):
    args = [MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(broker.port), "-t", topic, "-m", payload, "-q", "1"]
    if retain:
        args.append("-r")
    if user:
        args += ["-u", user[0], "-P", user[1]]
    subprocess.run(args, check=True, timeout=10, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def results(sub, ecu_id):
    return [json.loads(p) for _, t, p in messages(sub) if t == "aps/%s/cmd/result" % ecu_id]


def wait_result(sub, ecu_id, command, n=1, timeout=20):
    """The n-th result for command (1-based)."""
    def got():
        r = [x for x in results(sub, ecu_id) if x["command"] == command]
        return r[n - 1] if len(r) >= n else None
    return wait_for(got, timeout, "result %d of %s" % (n, command))


def uids(sub, ecu_id):
    """The inverters the ECU reported, from their state topics."""
    prefix = "aps/%s/" % ecu_id
    found = set()
    for _, t, _ in messages(sub):
        rest = t[len(prefix):] if t.startswith(prefix) else ""
        if len(rest) == 12 and "/" not in rest:
            found.add(rest)
    return sorted(found)


def start(env, ecu_id, env_vars=FAST_SPACING, inverters=2, **more):
    sim = web_sim(env, ecu_id, inverters)
    broker = control_broker(env, sim, env_vars, **more)
    sub = env.subscriber(broker.port)
    wait_for(lambda: len(uids(sub, ecu_id)) >= inverters, 20, "the inverters' states")
    return sim, broker, sub, uids(sub, ecu_id)


def stop_broker(env, broker):
    """SIGTERM, then the plugin's tick figures from its last log line."""
    broker.send_signal(signal.SIGTERM)
    broker.wait(timeout=15)
    line = [l for l in env.read("broker.log").splitlines() if "ticks, longest" in l]
    check(line, "no tick figures in the log")
    print("tick figures:", line[-1].split("aps-ecu: ", 1)[-1])
    return line[-1]


def inverter_power(sub, ecu_id, uid):
    p = latest_json(sub, "aps/%s/%s" % (ecu_id, uid))
    return p.get("power") if p else None


def test_commands(env):
    """Every command against an ECU-C with its read-back, and the meter."""
    sim, broker, sub, (a, b) = start(env, ECU_C)
    diag = json.loads(wait_topic(sub, "aps/%s/diagnostics" % ECU_C,
                                 pred=lambda p: json.loads(p).get("control_available") is True))
    check("meter_available" in diag, "no meter_available on an ECU-C: %s" % diag)
    meter = json.loads(wait_topic(sub, "aps/%s/meter" % ECU_C))
    check(all(k in meter for k in ("production_a", "grid_c", "consumption", "production")), "meter %s" % meter)

    # OFF: result ok, status OFF (assumed), the ECU's next data says 0 W.
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    r = wait_result(sub, ECU_C, "power")
    check(r["result"] == "ok" and r["value"] == "OFF" and r["uid"] == a, "power OFF result %s" % r)
    st = json.loads(wait_topic(sub, "aps/%s/%s/status" % (ECU_C, a), pred=lambda p: json.loads(p)["power"] == "OFF"))
    check(st["power"] == "OFF" and st["source"] == "assumed" and st["since"].endswith("+00:00"), "status %s" % st)
    check(sim_state(sim)["inverters"][a]["power"] == "OFF", "the simulator was not told: %s" % sim_state(sim))
    wait_for(lambda: inverter_power(sub, ECU_C, a) == 0, 30, "inverter %s at 0 W" % a)
    check((inverter_power(sub, ECU_C, b) or 0) > 0, "the other inverter stopped too")
    # ON again.
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "ON")
    r = wait_result(sub, ECU_C, "power", 2)
    check(r["result"] == "ok" and r["value"] == "ON", "power ON result %s" % r)
    wait_topic(sub, "aps/%s/%s/status" % (ECU_C, a), pred=lambda p: json.loads(p)["power"] == "ON")
    wait_for(lambda: (inverter_power(sub, ECU_C, a) or 0) > 0, 30, "inverter %s making power again" % a)
    # Max power (Home Assistant's number may send "300.0"); 0 lifts the cap.
    pub(broker, "aps/%s/%s/cmd/max_power" % (ECU_C, b), "300.0")
    r = wait_result(sub, ECU_C, "max_power")
    check(r["result"] == "ok" and r["value"] == 300, "max_power result %s" % r)
    st = json.loads(wait_topic(sub, "aps/%s/%s/status" % (ECU_C, b), pred=lambda p: json.loads(p)["max_power"]))
    check(st["max_power"] == 300 and st["source"] == "assumed", "status %s" % st)
    check(sim_state(sim)["inverters"][b]["max_power"] == 300, "simulator state %s" % sim_state(sim))
    # Zero export and the limit, on the ECU's own topic.
    pub(broker, "aps/%s/cmd/zero_export" % ECU_C, "ON")
    pub(broker, "aps/%s/cmd/power_limit" % ECU_C, "1500")
    check(wait_result(sub, ECU_C, "zero_export")["result"] == "ok", "zero_export %s" % results(sub, ECU_C))
    check(wait_result(sub, ECU_C, "power_limit")["result"] == "ok", "power_limit %s" % results(sub, ECU_C))
    ctl = json.loads(wait_topic(sub, "aps/%s/control" % ECU_C, pred=lambda p: json.loads(p)["power_limit"] == 1500))
    check(ctl["zero_export"] == "ON" and ctl["source"] == "assumed", "control %s" % ctl)
    s = sim_state(sim)
    check(s.get("zero_export") in (True, "ON", 1) and s.get("power_limit") == 1500, "simulator state %s" % s)
    # Reboot.
    pub(broker, "aps/%s/cmd/reboot" % ECU_C, "PRESS")
    r = wait_result(sub, ECU_C, "reboot")
    check(r["result"] == "ok", "reboot result %s" % r)
    check(sim_state(sim).get("reboots") == 1, "simulator state %s" % sim_state(sim))
    log = env.read("broker.log")
    check("s3cr3t-pw1" not in log, "the Wi-Fi password is in the log")
    # Polling went on throughout.
    check(wait_topic(sub, "aps/%s/status" % ECU_C) == "online", "ECU not online")
    stop_broker(env, broker)


def test_pro(env):
    """An ECU-R-PRO takes power, max_power and reboot; zero export is refused with a reason."""
    sim, broker, sub, (a,) = start(env, ECU_PRO, inverters=1)
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_PRO, a), "OFF")
    check(wait_result(sub, ECU_PRO, "power")["result"] == "ok", "power %s" % results(sub, ECU_PRO))
    pub(broker, "aps/%s/cmd/zero_export" % ECU_PRO, "ON")
    r = wait_result(sub, ECU_PRO, "zero_export")
    check(r["result"] == "unsupported" and "ECU-C" in r["reason"], "zero_export on ECU-R-PRO: %s" % r)
    diag = latest_json(sub, "aps/%s/diagnostics" % ECU_PRO)
    check(diag.get("control_available") is True and "meter_available" not in diag, "diagnostics %s" % diag)


def test_retained(env):
    """A retained command is ignored, logged once; no request reaches the ECU."""
    sim, broker, sub, (a, _) = start(env, ECU_C)
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF", retain=True)
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF", retain=True)
    wait_for(lambda: "retained command" in env.read("broker.log"), 10, "the retained command's log line")
    time.sleep(2)
    check(env.read("broker.log").count("retained command") == 1, "logged more than once")
    check(results(sub, ECU_C) == [], "a result for a retained command: %s" % results(sub, ECU_C))
    check(sim_state(sim).get("commands", 0) == 0, "the ECU was sent a command: %s" % sim_state(sim))
    # The same command not retained is acted on (the test could fail).
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    check(wait_result(sub, ECU_C, "power")["result"] == "ok", "not retained: %s" % results(sub, ECU_C))


def test_bad_values(env):
    """Out of range, unknown inverter, unknown ECU, wrong shape: a result says why, nothing is sent."""
    sim, broker, sub, (a, _) = start(env, ECU_C)
    cases = [
        ("aps/%s/%s/cmd/max_power" % (ECU_C, a), "600", ECU_C, "max_power", "invalid", "20..500"),
        ("aps/%s/%s/cmd/max_power" % (ECU_C, a), "10", ECU_C, "max_power", "invalid", "20..500"),
        ("aps/%s/%s/cmd/power" % (ECU_C, a), "maybe", ECU_C, "power", "invalid", "ON or OFF"),
        ("aps/%s/999999999999/cmd/power" % ECU_C, "OFF", ECU_C, "power", "invalid", "did not report"),
        ("aps/%s/cmd/power" % ECU_C, "OFF", ECU_C, "power", "invalid", "for one inverter"),
        ("aps/%s/cmd/power_limit" % ECU_C, "-1", ECU_C, "power_limit", "invalid", "0..100000"),
        ("aps/%s/cmd/reboot" % ECU_C, "ON", ECU_C, "reboot", "invalid", "PRESS"),
        ("aps/215999999999/cmd/reboot", "PRESS", "215999999999", "reboot", "invalid", "no ECU of this id"),
    ]
    for topic, payload, ecu, command, result, reason in cases:
        n = len([r for r in results(sub, ecu) if r["command"] == command])
        pub(broker, topic, payload)
        r = wait_result(sub, ecu, command, n + 1)
        check(r["result"] == result and reason in r["reason"], "%s %s: %s" % (topic, payload, r))
    time.sleep(1)
    check(sim_state(sim).get("commands", 0) == 0, "the ECU was sent a command: %s" % sim_state(sim))


def no_pages_test(ecu_id, model):
    """ECU-B and ECU-R (2160) have no pages: a clear result, no HTTP."""
    def test(env):
        sim = web_sim(env, ecu_id, 1)
        broker = control_broker(env, sim, FAST_SPACING)
        sub = env.subscriber(broker.port)
        (a,) = wait_for(lambda: uids(sub, ecu_id), 20, "the inverter's state")
        pub(broker, "aps/%s/%s/cmd/power" % (ecu_id, a), "OFF")
        pub(broker, "aps/%s/cmd/reboot" % ecu_id, "PRESS")
        r = wait_result(sub, ecu_id, "power")
        check(r["result"] == "unsupported" and model in r["reason"], "%s result %s" % (model, r))
        r = wait_result(sub, ecu_id, "reboot")
        check(r["result"] == "unsupported" and model in r["reason"], "%s result %s" % (model, r))
        check("sending" not in env.read("broker.log"), "a request was sent to an " + model)
        diag = latest_json(sub, "aps/%s/diagnostics" % ecu_id)
        check("control_available" not in diag, "control_available on an %s: %s" % (model, diag))
    return test


def test_spacing(env):
    """The vendor's 10 s between two commands to one ECU (the default, no override)."""
    sim, broker, sub, (a, b) = start(env, ECU_C, env_vars={})
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, b), "OFF")
    seen = {}

    def both():
        for r in results(sub, ECU_C):
            seen.setdefault(r["uid"], time.monotonic())
        return len(seen) == 2
    wait_for(both, 30, "both results", interval=0.02)
    gap = abs(seen[b] - seen[a])
    print("results %.2f s apart" % gap)
    check(9.5 <= gap <= 15, "commands %.2f s apart, want 10" % gap)
    check(all(r["result"] == "ok" for r in results(sub, ECU_C)), "results %s" % results(sub, ECU_C))


def test_capability(env):
    """Pages gone (404): control_available false, commands refused at once; back: true again."""
    control = env.path("http.control")
    with open(control, "w") as f:
        f.write("none\n")
    sim = web_sim(env, ECU_C, 1, control=control)
    broker = control_broker(env, sim, dict(FAST_SPACING, APS_ECU_TEST_CONTROL_PROBE_MS="1000"), discovery="true",
                            retain="true")
    sub = env.subscriber(broker.port)
    diag_topic = "aps/%s/diagnostics" % ECU_C
    ecu_config = "homeassistant/device/aps_%s/config" % ECU_C
    wait_topic(sub, diag_topic, pred=lambda p: json.loads(p).get("control_available") is True)
    (a,) = wait_for(lambda: uids(sub, ECU_C), 20, "the inverter's state")
    inv_config = "homeassistant/device/aps_%s/config" % a

    def components(topic):
        return {k: v for k, v in json.loads(latest(sub, topic))["cmps"].items()}

    def present(topic, *names):
        c = components(topic)
        return all(n in c and len(c[n]) > 1 for n in names)
    ecu_entities = ("reboot", "zero_export", "power_limit", "meter_production_a")
    wait_for(lambda: present(ecu_config, *ecu_entities), 15, "the ECU-C's control and meter entities")
    wait_for(lambda: present(inv_config, "power_switch", "max_power"), 15, "the inverter's control entities")
    with open(control, "w") as f:
        f.write("notfound\n")
    wait_topic(sub, diag_topic, pred=lambda p: json.loads(p).get("control_available") is False)
    wait_topic(sub, diag_topic, pred=lambda p: json.loads(p).get("meter_available") is False)
    # Removed: each once with its platform alone, as Home Assistant wants,
    # then left out.
    def removed(topic, name, platform):
        configs = [json.loads(p)["cmps"] for _, t, p in messages(sub) if t == topic]
        return any(c.get(name) == {"p": platform} for c in configs) and name not in configs[-1] or \
            configs[-1].get(name) == {"p": platform}
    for topic, name, platform in ((ecu_config, "reboot", "button"), (ecu_config, "zero_export", "switch"),
                                  (ecu_config, "meter_production_a", "sensor"), (inv_config, "power_switch", "switch"),
                                  (inv_config, "max_power", "number")):
        wait_for(lambda: removed(topic, name, platform), 15, "%s removed" % name)
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    r = wait_result(sub, ECU_C, "power")
    check(r["result"] == "unsupported" and "do not answer" in r["reason"], "result while gone: %s" % r)
    with open(control, "w") as f:
        f.write("none\n")
    wait_topic(sub, diag_topic, pred=lambda p: json.loads(p).get("control_available") is True)
    wait_for(lambda: present(ecu_config, *ecu_entities), 15, "the ECU-C's entities restored")
    wait_for(lambda: present(inv_config, "power_switch", "max_power"), 15, "the inverter's entities restored")
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    check(wait_result(sub, ECU_C, "power", 2)["result"] == "ok", "after the pages came back: %s"
          % results(sub, ECU_C))
    # What Home Assistant got all along, removals included, holds against its rules.
    ha_check(env, sub)


def test_slow(env):
    """Pages that answer after 15 s: the command ends as timeout (10 s), polling goes on meanwhile."""
    control = env.path("http.control")
    with open(control, "w") as f:
        f.write("none\n")
    sim = web_sim(env, ECU_C, 1, control=control)
    broker = control_broker(env, sim, FAST_SPACING)
    sub = env.subscriber(broker.port)
    wait_topic(sub, "aps/%s/diagnostics" % ECU_C, pred=lambda p: json.loads(p).get("control_available") is True)
    (a,) = wait_for(lambda: uids(sub, ECU_C), 20, "the inverter's state")
    with open(control, "w") as f:
        f.write("slow:15\n")
    time.sleep(0.5)
    before = len([1 for _, t, _ in messages(sub) if t == "aps/" + ECU_C])
    t0 = time.monotonic()
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    r = wait_result(sub, ECU_C, "power", timeout=20)
    took = time.monotonic() - t0
    polls = len([1 for _, t, _ in messages(sub) if t == "aps/" + ECU_C]) - before
    print("timeout result after %.1f s, %d polls published meanwhile" % (took, polls))
    check(r["result"] == "timeout", "slow page: %s" % r)
    check(9 <= took <= 14, "the timeout came after %.1f s, want 10" % took)
    check(polls >= 5, "only %d polls while the command waited: polling starved" % polls)
    stop_broker(env, broker)


def test_acl(env):
    """The broker's ACL is checked before the plugin sees a publish: a client without write rights on the
    command topics switches nothing (no result, no request); the user with rights does."""
    passwd, acl = env.path("passwd"), env.path("acl")
    subprocess.run(["mosquitto_passwd", "-b", "-c", passwd, "ha", "ha-pw"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(acl, "w") as f:
        f.write("# anonymous: read only\ntopic read #\n\nuser ha\ntopic read #\n"
                "topic write aps/+/cmd/#\ntopic write aps/+/+/cmd/#\n")
    os.chmod(passwd, 0o600)
    os.chmod(acl, 0o600)
    sim = web_sim(env, ECU_C, 1)
    broker = control_broker(env, sim, FAST_SPACING, extra_conf="password_file %s\nacl_file %s\n" % (passwd, acl))
    sub = env.subscriber(broker.port)
    (a,) = wait_for(lambda: uids(sub, ECU_C), 20, "the inverter's state")
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    pub(broker, "aps/%s/cmd/reboot" % ECU_C, "PRESS")
    time.sleep(3)
    check(results(sub, ECU_C) == [], "a client without rights got results: %s" % results(sub, ECU_C))
    check(sim_state(sim).get("commands", 0) == 0 and sim_state(sim).get("reboots", 0) == 0,
          "a client without rights reached the ECU: %s" % sim_state(sim))
    check("sending" not in env.read("broker.log"), "the plugin sent a command from a client without rights")
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF", user=("ha", "ha-pw"))
    check(wait_result(sub, ECU_C, "power")["result"] == "ok", "the user with rights: %s" % results(sub, ECU_C))


def test_off(env):
    """Without control true, a command does nothing at all."""
    sim = web_sim(env, ECU_C, 1)
    o = opts([sim.port], http_port=sim.http_port)
    broker = env.broker(o, env=FAST_SPACING)
    sub = env.subscriber(broker.port)
    (a,) = wait_for(lambda: uids(sub, ECU_C), 20, "the inverter's state")
    pub(broker, "aps/%s/%s/cmd/power" % (ECU_C, a), "OFF")
    time.sleep(3)
    check(results(sub, ECU_C) == [], "results with control off: %s" % results(sub, ECU_C))
    check(sim_state(sim).get("commands", 0) == 0, "the ECU was sent a command: %s" % sim_state(sim))
    check(latest(sub, "aps/%s/meter" % ECU_C) is None, "the meter was read with control off")
    stop_broker(env, broker)


TESTS = {
    "commands": test_commands,
    "pro": test_pro,
    "retained": test_retained,
    "bad_values": test_bad_values,
    "ecu_b": no_pages_test(ECU_B, "ECU-B"),
    "ecu_r": no_pages_test("216000000001", "ECU-R"),
    "spacing": test_spacing,
    "capability": test_capability,
    "slow": test_slow,
    "acl": test_acl,
    "off": test_off,
}

if __name__ == "__main__":
    try:
        run(TESTS)
    except TestFailure as e:
        print(e)
        sys.exit(1)
