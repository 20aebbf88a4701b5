# SPDX-License-Identifier: MIT
"""Load and misuse that must not stall or skew polling (issue 16).

fair:  one healthy ECU beside 255 that accept and never answer: its cycles and
       poll durations stay within 10 % of the same ECU polled alone.

Usage: test_load.py APS_ECU PLUGIN_SO FIXTURES_DIR fair"""

import os
import selectors
import socket
import threading
import time

import rel
from rel import check, wait_for


class HangServer:
    """Listens on n loopback ports; takes every connection and its request,
    never answers, closes only when the client does (the simulator's `hang`,
    255 times over in one thread)."""

    def __init__(self, n):
        self.sel = selectors.DefaultSelector()
        self.ports = []
        self.accepted = 0
        for _ in range(n):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(16)
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, "listen")
            self.ports.append(s.getsockname()[1])
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            for key, _ in self.sel.select(0.1):
                s = key.fileobj
                if key.data == "listen":
                    try:
                        c, _ = s.accept()
                    except OSError:
                        continue
                    c.setblocking(False)
                    self.accepted += 1
                    self.sel.register(c, selectors.EVENT_READ, "conn")
                    continue
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    self.sel.unregister(s)
                    s.close()

    def close(self):
        self.stopping = True
        self.thread.join()
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()


# Every ECU, healthy or not, under the same options: a poll every 2 s, two
# gaps of 250 ms in each, and a hung ECU given up after 1 s and retried 1 s
# later, so the 255 keep connecting and timing out all through the run.
FAIR_OPTS = {"poll_interval": "2", "retry_interval": "1", "request_gap_ms": "250", "timeout_ms": "1000"}
FAIR_WINDOW_S = 30


def healthy_run(env, sim, hung_ports, name):
    """The healthy ECU's cycles and poll durations over FAIR_WINDOW_S, after a
    settling time, with the broker's tick figures."""
    o = dict(FAIR_OPTS)
    o["ecu_host"] = ",".join("127.0.0.1:%d" % p for p in [sim.port] + hung_ports)
    b = rel.broker(env, o, name=name)
    sub = rel.watch_all(env, b.port, name=name + "_sub")
    diag_topic = "aps/%s/diagnostics" % rel.SIM_ECU
    wait_for(lambda: any(m.topic == diag_topic for m in rel.received(sub)), 20, "the healthy ECU's first cycle")
    time.sleep(2)
    t0 = time.monotonic()
    time.sleep(FAIR_WINDOW_S)
    t1 = time.monotonic()
    diags = [rel.strict_json(m.payload) for m in rel.received(sub) if m.topic == diag_topic and t0 <= m.t < t1]
    log, ticks = rel.stop_broker(env, b, name=name)
    cpu_max = rel.tick_cpu_max_ms(log)
    ok = [d for d in diags if d["consecutive_failures"] == 0]
    check(ok, "%s: no successful cycle of the healthy ECU in %d s" % (name, FAIR_WINDOW_S))
    durations = sorted(d["poll_duration_ms"] for d in ok)
    return {"cycles_per_min": round(len(ok) * 60.0 / (t1 - t0), 1), "failed": len(diags) - len(ok),
            "poll_ms_mean": round(sum(durations) / len(durations), 1), "poll_ms_max": durations[-1],
            "ticks": ticks[0], "tick_max_ms": ticks[1], "tick_mean_ms": ticks[2], "tick_max_cpu_ms": cpu_max}


def test_fair(env):
    sim = env.simulator("--inverters", "4", "--start", "2026-06-21T12:00", "--quiet")
    alone = healthy_run(env, sim, [], "alone")
    hang = HangServer(255)
    try:
        crowded = healthy_run(env, sim, hang.ports, "crowded")
    finally:
        hang.close()
    figures = {"alone": alone, "beside_255_hung": crowded, "hung_connections": hang.accepted,
               "sanitized": rel.sanitized()}
    rel.summary("load_fair", **figures)
    check(hang.accepted >= 255, "the hung ECUs were connected to %d times only" % hang.accepted)
    check(crowded["cycles_per_min"] >= alone["cycles_per_min"] * 0.9,
          "beside 255 hung ECUs: %.1f cycles a minute, alone %.1f" % (crowded["cycles_per_min"],
                                                                      alone["cycles_per_min"]))
    check(crowded["poll_ms_mean"] <= alone["poll_ms_mean"] * 1.1 + 5,
          "beside 255 hung ECUs: poll %.1f ms on average, alone %.1f" % (crowded["poll_ms_mean"],
                                                                        alone["poll_ms_mean"]))


if __name__ == "__main__":
    rel.run({"fair": test_fair})
