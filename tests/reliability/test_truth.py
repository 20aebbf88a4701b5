# SPDX-License-Identifier: MIT
"""Retained state that cannot lie, and our own topics are ours (issue 16,
findings 2 and 5), end to end on a real broker:

  crash     kill -9 the broker while the ECU is online (its persistence kept
            the retained "online"), take the ECU away, start the broker with
            the plugin again: aps/<ECU>/status says offline at once (the ECU's
            id comes from the state file), and the diagnostics show the
            failures and the error from the first failed poll.
  expiry    the same crash, then a broker WITHOUT the plugin: the retained
            "online" on aps/status and aps/<ECU>/status, and the retained
            state messages, are gone after their expiry.
  refresh   with a 3 s expiry and one poll a minute, both statuses stay
            "online" for 10 s: the plugin sends them again in time.
  spoof     a client's retained "offline" on aps/<ECU>/status and aps/status,
            and an empty retained config on the ECU's discovery topic, never
            replace ours; one log line per client id.
  ladder_*  the escalation ladder against the simulator's "refuse" fault: an
            ECU-B (no remote restart) gets aps/<ECU>/needs_power_cycle ON; an
            ECU-C whose web interface answers 404 gets one request, then ON;
            an ECU-R-PRO that accepts the restart but stays silent gets ON
            restart_after cycles later.  OFF again once the ECU answers; the
            flag is a binary sensor on the ECU's device.

Usage: test_truth.py APS_ECU PLUGIN_SO FIXTURES_DIR MODE   (see rel.py for the environment)"""

import os
import signal
import subprocess
import time

import rel
from rel import check, wait_for
import harness

ECU = "aps/" + rel.SIM_ECU
CONFIG = "homeassistant/device/aps_%s/config" % rel.SIM_ECU


def retained(port, topic, wait=1.0):
    """The retained payload on topic as a new subscriber gets it, or None."""
    r = subprocess.run([harness.MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", topic, "--retained-only",
                        "-C", "1", "-W", str(max(1, int(wait))), "-F", "%p"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=wait + 10)
    out = r.stdout
    if out.endswith(b"\n"):
        out = out[:-1]
    return out if r.returncode == 0 else None


def persistent(env):
    """Broker lines that keep retained messages across a kill -9 (saved every second)."""
    return ("persistence true\npersistence_location %s/\nautosave_interval 1\n" % env.dir)


def plain_broker(env, name):
    """A broker with the same persistence and no plugin."""
    port = harness.free_port()
    conf = env.path(name + ".conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\nlog_dest stderr\nlog_type all\nuser root\n" % port)
        f.write(persistent(env))
    p = env.spawn([harness.MOSQUITTO, "-c", conf], name)
    p.port = port
    wait_for(lambda: harness.port_open(port) or p.poll() is not None, 10, "the plain broker to listen")
    check(p.poll() is None, "the plain broker exited:\n" + env.read(name + ".log"))
    return p


def kill9(b):
    b.send_signal(signal.SIGKILL)
    b.wait()


def online_then_crash(env, **options):
    """The ECU online with its data, then the broker killed; returns the simulator."""
    sim = env.simulator("--inverters", "2", "--start", "2026-06-21T12:00")
    b = rel.broker(env, rel.opts([sim.port], retain="true", state_file=env.path("aps.state"), **options),
                   extra_conf=persistent(env))
    wait_for(lambda: retained(b.port, ECU + "/status") == b"online", 15, "the ECU online")
    wait_for(lambda: retained(b.port, ECU) is not None, 10, "the ECU's retained state")
    time.sleep(2.5)  # an autosave (every second) holds it, and the state file has the ECU's id
    kill9(b)
    return sim


def test_crash(env):
    sim = online_then_crash(env)
    sim.kill()
    sim.wait()
    # The same options, the ECU gone: connection refused from the first poll.
    b = rel.broker(env, rel.opts([sim.port], retain="true", offline_after=3, state_file=env.path("aps.state")),
                   name="broker2", extra_conf=persistent(env))
    t0 = time.monotonic()
    wait_for(lambda: retained(b.port, ECU + "/status") == b"offline", 5,
             "offline on %s after the restart (it says %r)" % (ECU + "/status", retained(b.port, ECU + "/status")))
    took = time.monotonic() - t0

    def failing():
        p = retained(b.port, ECU + "/diagnostics")
        d = rel.strict_json(p) if p else {}
        return d if d.get("consecutive_failures", 0) >= 1 and d.get("last_error") else None
    diag = wait_for(failing, 5, "diagnostics with the failures and the error (they say %r)" %
                    retained(b.port, ECU + "/diagnostics"))
    check(retained(b.port, "aps/status") == b"online", "aps/status is not online")
    rel.stop_broker(env, b, name="broker2")
    rel.summary("truth_crash", offline_after_start_s=round(took, 2), diagnostics=diag)


def test_expiry(env):
    expiry = 3
    sim = online_then_crash(env, status_expiry=expiry, state_expiry=2)
    b = plain_broker(env, "plain")
    # Persistence brought them back: the test sees what it must see go.
    check(retained(b.port, ECU + "/status") == b"online", "no retained online after the restart: is "
          "persistence on? (%r)" % retained(b.port, ECU + "/status"))
    t0 = time.monotonic()
    topics = ["aps/status", ECU + "/status", ECU]
    wait_for(lambda: all(retained(b.port, t, 1) is None for t in topics), 3 * expiry + 5,
             "the retained online and state to expire: %r" % {t: retained(b.port, t) for t in topics})
    gone = time.monotonic() - t0
    sim.kill()
    b.send_signal(signal.SIGTERM)
    b.wait()
    rel.summary("truth_expiry", gone_after_s=round(gone, 2), status_expiry_s=expiry)


def test_refresh(env):
    """A 3 s expiry, one poll a minute: only the refresh keeps the online standing."""
    sim = env.simulator("--inverters", "1", "--start", "2026-06-21T12:00")
    b = rel.broker(env, rel.opts([sim.port], status_expiry=3, poll_interval=60))
    wait_for(lambda: retained(b.port, ECU + "/status") == b"online", 15, "the ECU online")
    t0 = time.monotonic()
    probes = 0
    while time.monotonic() - t0 < 10:
        for topic in ("aps/status", ECU + "/status"):
            got = retained(b.port, topic)
            check(got == b"online", "%s says %r %.1f s on: the online was not sent again before it expired"
                  % (topic, got, time.monotonic() - t0))
            probes += 1
        time.sleep(0.7)
    rel.stop_broker(env, b)
    rel.summary("truth_refresh", probes=probes, seconds=10)


def test_spoof(env):
    sim = env.simulator("--inverters", "2", "--start", "2026-06-21T12:00")
    b = rel.broker(env, rel.opts([sim.port], discovery="true"))
    wait_for(lambda: retained(b.port, ECU + "/status") == b"online", 15, "the ECU online")
    wait_for(lambda: retained(b.port, CONFIG), 10, "the ECU's discovery config")
    spoofs = [(ECU + "/status", "offline"), ("aps/status", "offline"), (CONFIG, None)]
    t0 = time.monotonic()
    for client in ("spoofer-1", "spoofer-2"):
        for topic, payload in spoofs * 2:
            args = [harness.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(b.port), "-i", client, "-t", topic, "-r"]
            args += ["-n"] if payload is None else ["-m", payload]
            subprocess.run(args, timeout=10, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Two levels down: an inverter's control state and a command's result
    # are ours too; a command is the clients' to send.
    deep = [(ECU + "/704000000001/status", '{"power":"OFF"}'), (ECU + "/cmd/result", '{"result":"ok"}'),
            (ECU + "/704000000001/cmd/power", "ON")]
    for topic, payload in deep:
        subprocess.run([harness.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(b.port), "-i", "spoofer-1", "-t",
                        topic, "-r", "-m", payload], timeout=10)
    # A topic that is not ours goes through.
    subprocess.run([harness.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(b.port), "-i", "spoofer-1", "-t",
                    "aps/999999999999/status", "-r", "-m", "x"], timeout=10)

    def truth():
        return (retained(b.port, ECU + "/status") == b"online" and retained(b.port, "aps/status") == b"online"
                and (retained(b.port, CONFIG) or b"").startswith(b"{"))
    wait_for(truth, 2, "our retained messages back: %r" % {t: retained(b.port, t) for t, _ in spoofs})
    took = time.monotonic() - t0
    check(retained(b.port, "aps/999999999999/status") == b"x", "a topic not ours was refused")
    for topic, payload in deep[:2]:
        check(retained(b.port, topic) != payload.encode(), "a client's %r stands on %s" % (payload, topic))
    check(retained(b.port, deep[2][0]) == b"ON", "a command topic was refused")
    lines = rel.log_lines(env, "broker", "a topic this plugin owns")
    check(len(lines) == 2 and "spoofer-1" in lines[0] and "spoofer-2" in lines[1],
          "want one line per client, got:\n" + "\n".join(lines))
    rel.stop_broker(env, b)
    rel.summary("truth_spoof", truth_after_s=round(took, 2), log_lines=len(lines))


RECORDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "restart", "http_recorder.py")


def ladder_case(ecu_id, recorder_mode, want_requests, why):
    def test(env):
        import json
        import sys
        port_file, log_file = env.path("http.port"), env.path("http.jsonl")
        env.spawn([sys.executable, RECORDER, port_file, log_file, recorder_mode], "http")
        http_port = wait_for(lambda: harness.read_port(port_file), 10, "the HTTP recorder")
        control = env.path("control")
        rel.write_control(control, "none")
        sim = env.simulator("--inverters", "2", "--ecu-id", ecu_id, "--control", control, "--quiet")
        b = rel.broker(env, rel.opts([sim.port], discovery="true", auto_restart="yes", wifi_ssid="ECU",
                                     wifi_passwd="password1", restart_after=2, restart_port=http_port))
        flag = "aps/%s/needs_power_cycle" % ecu_id
        config = "homeassistant/device/aps_%s/config" % ecu_id
        wait_for(lambda: retained(b.port, flag) == b"OFF", 15, "needs_power_cycle OFF while the ECU answers")
        cmps = json.loads(wait_for(lambda: retained(b.port, config), 10, "the ECU's config"))["cmps"]
        entity = cmps.get("needs_power_cycle", {})
        check(entity.get("p") == "binary_sensor" and entity.get("stat_t") == flag and
              entity.get("dev_cla") == "problem", "the binary sensor's config: %r" % entity)
        t0 = time.monotonic()
        rel.write_control(control, "refuse")
        wait_for(lambda: retained(b.port, flag) == b"ON", 20, "needs_power_cycle ON (log:\n%s)" %
                 "\n".join(rel.log_lines(env, "broker", "aps-ecu: ECU")))
        on_after = time.monotonic() - t0
        lines = rel.log_lines(env, "broker", "needs a power cycle")
        check(len(lines) == 1 and why in lines[0], "want one 'needs a power cycle (%s)' line, got %s" % (why, lines))
        requests = [json.loads(l) for l in open(log_file)] if os.path.exists(log_file) else []
        check(len(requests) == want_requests, "%d restart requests, want %d" % (len(requests), want_requests))
        time.sleep(2)  # more failed cycles: no second line, no flapping
        check(len(rel.log_lines(env, "broker", "needs a power cycle")) == 1, "the flag was logged again")
        rel.write_control(control, "none")
        t1 = time.monotonic()
        wait_for(lambda: retained(b.port, flag) == b"OFF", 15, "needs_power_cycle OFF once the ECU answers")
        rel.stop_broker(env, b)
        rel.summary("truth_ladder", ecu=ecu_id, on_after_s=round(on_after, 2),
                    off_after_s=round(time.monotonic() - t1, 2), restart_requests=len(requests))
    return test


TESTS = {"crash": test_crash, "expiry": test_expiry, "refresh": test_refresh, "spoof": test_spoof,
         "ladder_ecu_b": ladder_case("216300000001", "ok", 0, "its model cannot be restarted remotely"),
         "ladder_ecu_c_gone": ladder_case("215000000001", "notfound", 1, "its web interface cannot restart it"),
         "ladder_ecu_r_pro": ladder_case("216200000001", "ok", 1, "no answer since the restart request")}

if __name__ == "__main__":
    rel.run(TESTS)
