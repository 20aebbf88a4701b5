# SPDX-License-Identifier: MIT
"""Resource bounds, tested at the bound.

ecus256: the most ECUs ecu_host takes (256): a few live simulators, two that
accept and never answer, and the rest at closed loopback ports.  The broker
keeps serving a client stream; open file descriptors stay within two per ECU
over the broker's own and come back down; threads do not pile up (numeric
addresses need no lookup thread); each dead ECU is logged once.

inverters421: the largest installation a reply can hold (421 inverters: a
9991-byte inverter reply, the length field allows 9999 + 1): every inverter is
published, every cycle, and the messages per cycle are counted.

Usage: test_bounds.py APS_ECU PLUGIN_SO FIXTURES_DIR ecus256|inverters421"""

import socket
import time

import rel
from rel import check, wait_for

MAX_ECUS = 256


def closed_ports(n, skip=()):
    """n ports below 1024 that refuse connections now: nothing else in the
    tests listens there (they take ports from the ephemeral range)."""
    out = []
    for port in range(600, 1024):
        if len(out) == n:
            break
        if port in skip:
            continue
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) != 0:
                out.append(port)
    check(len(out) == n, "only %d closed ports below 1024" % len(out))
    return out


def test_ecus256(env):
    live = [env.simulator("--inverters", "3", "--ecu-id", "2162000004%02d" % i, "--quiet", name="live%d" % i)
            for i in range(4)]
    hang = [env.simulator("--inverters", "1", "--fault", "hang", "--quiet", name="hang%d" % i) for i in range(2)]
    dead = closed_ports(MAX_ECUS - len(live) - len(hang))
    ports = [s.port for s in live + hang] + dead
    check(len(ports) == MAX_ECUS, "%d ports" % len(ports))

    # One more than the bound is refused at start, naming the option.
    too_many = dict(rel.opts(ports))
    too_many["ecu_host"] += ",127.0.0.1:1023" if 1023 not in dead else ",127.0.0.1:599"
    b = rel.broker(env, too_many, name="over", expect_start=False)
    wait_for(lambda: b.poll() is not None, 15, "the broker to refuse 257 ECUs")
    check(b.returncode != 0, "the broker started with 257 ECUs")
    check(rel.log_lines(env, "over", "ecu_host"), "no log line naming ecu_host for 257 ECUs")

    b = rel.broker(env, rel.opts(ports))
    sub = rel.watch_all(env, b.port)
    stream = rel.Stream(env, b.port)
    base_fds = rel.fd_count(b.pid)
    samples = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < 12:
        samples.append((rel.fd_count(b.pid), rel.thread_count(b.pid)))
        time.sleep(0.05)
    msgs = rel.received(sub)
    live_ids = {"2162000004%02d" % i for i in range(4)}
    got = {m.topic.split("/")[1] for m in msgs if m.topic.startswith("aps/") and m.topic.count("/") == 1
           and m.topic != "aps/status"}
    check(got == live_ids, "ECU data from %s, want %s" % (sorted(got), sorted(live_ids)))
    cycles = {i: sum(1 for m in msgs if m.topic == "aps/%s/diagnostics" % i) for i in live_ids}
    check(min(cycles.values()) >= 8, "live ECUs polled too rarely among 256: %s" % cycles)
    figures = {"ecus": len(ports), "live": len(live), "hanging": len(hang), "closed": len(dead)}
    figures["stream"] = stream.stop()
    fds = [f for f, _ in samples]
    threads = [t for _, t in samples]
    # The stream's two clients and the subscriber are in base_fds already.
    check(max(fds) - base_fds <= 2 * MAX_ECUS, "fds went from %d to %d" % (base_fds, max(fds)))
    end_fds = rel.fd_count(b.pid)
    check(end_fds <= base_fds + len(hang) * 2 + 8, "fds: %d at start, %d at the end" % (base_fds, end_fds))
    check(max(threads) <= min(threads) + 0, "threads varied %d..%d: lookup threads for numeric addresses"
          % (min(threads), max(threads)))
    for port in dead[:5] + dead[-5:]:
        lines = rel.log_lines(env, "broker", "aps-ecu: ECU at 127.0.0.1:%d: " % port)
        check(len(lines) == 1, "closed port %d logged %d times" % (port, len(lines)))
    figures.update(fds_base=base_fds, fds_max=max(fds), fds_end=end_fds, threads=max(threads),
                   live_cycles_min=min(cycles.values()), payloads_checked=rel.check_payloads(msgs))
    log, ticks = rel.stop_broker(env, b)
    figures["ticks"], figures["tick_max_ms"], figures["tick_mean_ms"] = ticks
    figures["sanitized"] = rel.sanitized()
    rel.summary("bounds_ecus256", **figures)


def test_inverters421(env):
    # The ECU answers only once the client stream runs, so the first cycle
    # (every discovery config at once) happens under the stream's eyes.
    control = env.path("control")
    rel.write_control(control, "refuse")
    sim = env.simulator("--inverters", "421", "--start", "2026-06-21T12:00", "--quiet", "--control", control)
    b = rel.broker(env, rel.opts([sim.port], discovery="true"))
    sub = rel.watch_all(env, b.port)
    stream = rel.Stream(env, b.port)
    time.sleep(0.5)
    rel.write_control(control, "none")
    ecu = "aps/" + rel.SIM_ECU
    wait_for(lambda: sum(1 for m in rel.received(sub) if m.topic == ecu + "/diagnostics") >= 4, 20,
             "four cycles of the 421-inverter ECU")
    figures = {"stream": stream.stop()}
    msgs = rel.received(sub)
    figures["payloads_checked"] = rel.check_payloads(msgs, {rel.SIM_ECU})
    data = [rel.strict_json(m.payload) for m in msgs if m.topic == ecu]
    check(data and all(d["inverters"] == 421 for d in data), "ECU payload inverters: %s"
          % [d.get("inverters") for d in data])
    invs = {m.topic for m in msgs if m.topic.startswith(ecu + "/") and len(m.topic) == len(ecu) + 13}
    check(len(invs) == 421, "%d inverter topics, want 421" % len(invs))
    # Messages per cycle: between two diagnostics of a steady cycle.
    idx = [i for i, m in enumerate(msgs) if m.topic == ecu + "/diagnostics"]
    per_cycle = sorted(sum(1 for m in msgs[a + 1:b_ + 1] if m.topic.startswith(("aps/", "homeassistant/")))
                       for a, b_ in zip(idx, idx[1:]))
    ok = [i for i in idx if rel.strict_json(msgs[i].payload)["consecutive_failures"] == 0]
    check(ok, "no cycle of the 421-inverter ECU succeeded")
    first_cycle = sum(1 for m in msgs[:ok[0] + 1] if m.topic.startswith(("aps/", "homeassistant/")))
    figures.update(inverter_topics=len(invs), messages_first_cycle=first_cycle, messages_per_cycle=per_cycle[-1])
    check(per_cycle[-1] == 421 + 2, "steady cycle: %d messages, want 421 inverters + ECU + diagnostics"
          % per_cycle[-1])
    log, ticks = rel.stop_broker(env, b)
    figures["ticks"], figures["tick_max_ms"], figures["tick_mean_ms"] = ticks
    figures["sanitized"] = rel.sanitized()
    rel.summary("bounds_inverters421", **figures)


if __name__ == "__main__":
    rel.run({"ecus256": test_ecus256, "inverters421": test_inverters421})
