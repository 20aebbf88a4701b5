# SPDX-License-Identifier: MIT
"""SIGHUP with changed options (issue 16, finding 4).

Mosquitto 2.0 and 2.1 re-read their configuration on SIGHUP but skip plugin
lines and options, and tell plugins only that it happened.  The plugin reads
its options again itself (from an include_dir file here, as Debian's
/etc/mosquitto/conf.d is used) and its aps2mqtt YAML file, applies what can
change while it runs and names what needs a broker restart.  Before, a reload
changed nothing and said nothing: this test's first log check failed.

Usage: test_reload.py APS_ECU PLUGIN_SO FIXTURES_DIR changed"""

import os
import signal
import time

import rel  # puts tests/plugin on the path: harness
import harness  # noqa: E402
from rel import check, wait_for


def write_conf(env, sim_port, poll_interval, topic_prefix=None, retain="false"):
    conf_d = env.path("conf.d")
    os.makedirs(conf_d, exist_ok=True)
    with open(env.path("aps2mqtt.yaml"), "w") as f:
        f.write("mqtt:\n  MQTT_RETAIN: %s\n" % retain)
    lines = ["plugin %s" % env.plugin,
             "plugin_opt_ecu_host 127.0.0.1:%d" % sim_port,
             "plugin_opt_poll_interval %s" % poll_interval,
             "plugin_opt_retry_interval 1",
             "plugin_opt_request_gap_ms 0",
             "plugin_opt_timeout_ms 500",
             "plugin_opt_config_file %s" % env.path("aps2mqtt.yaml"),
             "plugin_opt_state_file %s" % env.path("broker.state")]
    if topic_prefix is not None:
        lines.append("plugin_opt_topic_prefix %s" % topic_prefix)
    with open(os.path.join(conf_d, "aps-ecu.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")


def start_broker(env):
    port = harness.free_port()
    conf = env.path("broker.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
        f.write("log_dest stderr\nlog_type all\nuser root\ninclude_dir %s\n" % env.path("conf.d"))
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("APS_", "MQTT_")) and k != "CONFIG_FILE"}
    full_env.update(rel.sanitizer_env())
    b = env.spawn([harness.MOSQUITTO, "-c", conf], "broker", env=full_env)
    b.port = port
    wait_for(lambda: harness.port_open(port) or b.poll() is not None, 10, "the broker to listen")
    check(b.poll() is None, "broker exited at start:\n" + env.read("broker.log"))
    return b


def reload_and_wait(env, b, needle, count_before):
    b.send_signal(signal.SIGHUP)
    return wait_for(lambda: len(rel.log_lines(env, "broker", needle)) > count_before and
                    rel.log_lines(env, "broker", needle)[-1], 10, "the log line %r after SIGHUP" % needle)


def data_times(sub, topic, since):
    return [m.t for m in rel.received(sub) if m.topic == topic and m.t >= since]


def test_changed(env):
    sim = env.simulator("--inverters", "2", "--quiet")
    write_conf(env, sim.port, 4)
    b = start_broker(env)
    sub = rel.watch_all(env, b.port)
    topic = "aps/" + rel.SIM_ECU
    wait_for(lambda: data_times(sub, topic, 0), 15, "the first ECU message")

    t0 = time.monotonic()
    time.sleep(8)
    slow = len(data_times(sub, topic, t0))
    check(slow <= 3, "%d ECU messages in 8 s at poll_interval 4" % slow)

    # One option that applies at once, one in the plugin's options and one in
    # the YAML file that need a restart.
    write_conf(env, sim.port, 1, topic_prefix="house", retain="true")
    line = reload_and_wait(env, b, "aps-ecu: configuration reloaded", 0)
    applied = rel.log_lines(env, "broker", "aps-ecu: configuration reloaded: now in effect: ")
    check(applied and applied[-1].endswith("now in effect: poll_interval"), "applied: %r" % applied)
    waiting = wait_for(lambda: rel.log_lines(env, "broker", "only a broker restart applies them: "), 5,
                       "the restart-needed line")
    check(waiting[-1].endswith("restart applies them: topic_prefix, retain"), "restart needed: %r" % waiting)
    t1 = time.monotonic()
    time.sleep(5)
    fast = len(data_times(sub, topic, t1))
    check(fast >= 4, "%d ECU messages in 5 s after poll_interval became 1" % fast)
    moved = [m.topic for m in rel.received(sub) if m.topic.startswith("house/")]
    check(not moved, "topic_prefix applied without a restart: %s" % moved[:3])

    # A second reload names what still waits for a restart; back to the
    # running values, nothing differs, and that is said too.
    waiting = reload_and_wait(env, b, "only a broker restart applies them: ", len(waiting))
    check(waiting.endswith("topic_prefix, retain"), "restart still needed: %r" % waiting)
    write_conf(env, sim.port, 1)
    reload_and_wait(env, b, "none of our options changed", 0)

    # A bad value: named, and the running settings stay.
    write_conf(env, sim.port, 0, topic_prefix="house", retain="true")
    bad = reload_and_wait(env, b, "configuration reloaded with an error", 0)
    check("plugin_opt_poll_interval" in bad, "error line without the option: %r" % bad)
    t2 = time.monotonic()
    time.sleep(3)
    still = len(data_times(sub, topic, t2))
    check(still >= 2, "%d ECU messages in 3 s after a bad reload" % still)
    check(b.poll() is None, "the broker stopped")

    log, ticks = rel.stop_broker(env, b)
    rel.summary("reload", slow_8s=slow, fast_5s=fast, after_bad_3s=still, tick_max_ms=ticks[1],
                sanitized=rel.sanitized())


if __name__ == "__main__":
    rel.run({"changed": test_changed})
