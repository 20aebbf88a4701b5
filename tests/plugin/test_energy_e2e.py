# SPDX-License-Identifier: MIT
"""End-to-end: per-inverter energy kept across broker restarts.  A real mosquitto with the
plugin, `aps-ecu simulate --speed 300` (a 5-minute ECU refresh every second), mosquitto_sub.
Usage: test_energy_e2e.py APS_ECU PLUGIN_SO FIXTURES_DIR TEST_NAME"""

import json
import os
import signal
import time

from harness import check, messages, opts, run, wait_for

ECU = "aps/216200000001"


def inverter_states(sub):
    """[(uid, payload dict)] of every inverter message so far, in order."""
    out = []
    for _, t, p in messages(sub):
        parts = t.split("/")
        if len(parts) == 3 and t.startswith(ECU + "/") and len(parts[2]) == 12 and p.startswith("{"):
            out.append((parts[2], json.loads(p)))
    return out


def lifetimes(sub):
    best = {}
    for uid, d in inverter_states(sub):
        if "lifetime_energy" in d:
            best.setdefault(uid, []).append(d["lifetime_energy"])
    return best


def start(env, sim, state, name):
    broker = env.broker(opts([sim.port], state_file=state), name=name)
    sub = env.subscriber(broker.port, topic=ECU + "/#", name=name + "-sub")
    return broker, sub


def sim_day(env):
    return env.simulator("--inverters", "3", "--speed", "300", "--start", "2025-07-01T09:00",
                         "--truth", env.path("truth.json"), "--quiet")


def check_monotonic(values, what):
    for uid, vs in values.items():
        for a, b in zip(vs, vs[1:]):
            check(b >= a, "%s: %s lifetime went down %s -> %s" % (what, uid, a, b))


def test_kill_restart(env):
    """SIGKILL the broker three times: no lifetime value published after a restart is below
    one published before it; the panels sum to the inverter; the inverters to the ECU."""
    sim = sim_day(env)
    state = env.path("aps-ecu.state")
    seen = {}
    for round_ in range(3):
        broker, sub = start(env, sim, state, "broker%d" % round_)
        wait_for(lambda: sum(len(v) for v in lifetimes(sub).values()) >= 9, 20, "lifetime values")
        time.sleep(0.3 + round_ * 0.37)
        os.kill(broker.pid, signal.SIGKILL)
        broker.wait()
        now = lifetimes(sub)
        check_monotonic(now, "round %d" % round_)
        for uid, vs in now.items():
            check(vs[0] >= max(seen.get(uid, [0])), "round %d: %s starts at %s, %s was published before the kill"
                  % (round_, uid, vs[0], max(seen.get(uid, [0]))))
            seen.setdefault(uid, []).extend(vs)
        for uid, d in inverter_states(sub):
            if "panel_1_today_energy" in d:
                panels = sum(d.get("panel_%d_today_energy" % n, 0) for n in range(1, 5))
                check(abs(panels - d["today_energy"]) <= 0.004, "%s: panels %s, inverter %s" % (uid, panels, d))
    check(os.path.exists(state) and os.path.exists(state + ".1"), "two generations on disk")
    check(all(max(v) > 0 for v in seen.values()), "energy was integrated: %s" % seen)


def test_corrupt_file(env):
    """The newest generation damaged: the plugin starts from the other one, never from 0."""
    sim = sim_day(env)
    state = env.path("aps-ecu.state")
    broker, sub = start(env, sim, state, "first")
    wait_for(lambda: sum(len(v) for v in lifetimes(sub).values()) >= 12, 20, "lifetime values")
    broker.send_signal(signal.SIGTERM)
    broker.wait()
    newest = max([state, state + ".1"], key=os.path.getmtime)
    with open(newest, "r+b") as f:
        f.seek(40)
        b = f.read(1)
        f.seek(40)
        f.write(bytes([b[0] ^ 0xff]))
    broker, sub2 = start(env, sim, state, "second")
    wait_for(lambda: lifetimes(sub2), 20, "lifetime values after the restart")
    log = env.read("second.log")
    check("checksum mismatch" in log, "the damaged generation is reported:\n" + log[-2000:])
    check("the other one being damaged" in log, "the older generation is read")
    first = lifetimes(sub2)
    check(all(v[0] > 0 for v in first.values()), "started from 0: %s" % first)


def test_readonly_file(env):
    """A state file that cannot be written: one log line, publishing goes on."""
    sim = sim_day(env)
    state = "/proc/aps-ecu-no-such-dir/aps-ecu.state"
    broker, sub = start(env, sim, state, "ro")
    wait_for(lambda: sum(len(v) for v in lifetimes(sub).values()) >= 9, 20, "lifetime values")
    log = env.read("ro.log")
    check(log.count("energy state not saved") == 1, "one line per change of trouble:\n" + log[-2000:])


if __name__ == "__main__":
    run({"kill_restart": test_kill_restart, "corrupt_file": test_corrupt_file, "readonly_file": test_readonly_file})
