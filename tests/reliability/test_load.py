# SPDX-License-Identifier: MIT
"""Load and misuse that must not stall or skew polling (issue 16).

spam:  a client sends Home Assistant's birth ("online" on homeassistant/status)
       100 times a second while 4 ECUs of 80 inverters are polled with
       discovery: every ECU's data keeps its cadence, and the discovery configs
       sent in any rediscover_interval stay within 2 per device (4 x 81).
fair:  one healthy ECU beside 255 that accept and never answer: its cycles and
       poll durations stay within 10 % of the same ECU polled alone.

lookup: 8 ECUs by names whose lookups take 2.5 s and then fail (a preloaded
       getaddrinfo, slow_gai.c), polled every second with a 500 ms limit:
       one log line per ECU for that one trouble, not two per retry.
copy:  a copy of the plugin under another name polls each ECU once per
       cycle; loaded beside the original, it is refused with a clear line
       and no ECU is polled twice.

Usage: test_load.py APS_ECU PLUGIN_SO FIXTURES_DIR spam|fair|lookup|copy"""

import os
import re
import selectors
import shutil
import socket
import subprocess
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
    diags = [(m.t, rel.strict_json(m.payload)) for m in rel.received(sub) if m.topic == diag_topic and t0 <= m.t < t1]
    log, ticks = rel.stop_broker(env, b, name=name)
    cpu_max = rel.tick_cpu_max_ms(log)
    ok = [(t, d) for t, d in diags if d["consecutive_failures"] == 0]
    check(len(ok) >= 2, "%s: %d successful cycles of the healthy ECU in %d s" % (name, len(ok), FAIR_WINDOW_S))
    durations = sorted(d["poll_duration_ms"] for _, d in ok)
    # From the mean time between cycles: a count over the window would be
    # off by one cycle in fifteen either way.
    period = (ok[-1][0] - ok[0][0]) / (len(ok) - 1)
    return {"cycles_per_min": round(60.0 / period, 2), "cycles": len(ok), "failed": len(diags) - len(ok),
            "poll_ms_mean": round(sum(durations) / len(durations), 1), "poll_ms_max": durations[-1],
            "ticks": ticks[0], "tick_max_ms": ticks[1], "tick_mean_ms": ticks[2], "tick_max_cpu_ms": cpu_max}


def cpu_seconds(pid):
    """The process's user + system CPU time so far, from /proc/<pid>/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SPAM_ECUS = 4
SPAM_INVERTERS = 80
SPAM_POLL_S = 2
SPAM_INTERVAL_S = 10   # rediscover_interval, scaled down from 30 s for a short test
SPAM_QUIET_S = 10
SPAM_S = 30
SPAM_RATE = 100


def data_figures(msgs, ids, t0, t1):
    """Per ECU: data messages between t0 and t1, and the longest gap between
    two (from t0, and to t1)."""
    out = {}
    for ecu in ids:
        times = [m.t for m in msgs if m.topic == "aps/" + ecu and t0 <= m.t < t1]
        edges = [t0] + times + [t1]
        out[ecu] = {"count": len(times), "gap_max_s": round(max(b - a for a, b in zip(edges, edges[1:])), 2)}
    return out


def test_spam(env):
    ids = ["2162000005%02d" % i for i in range(SPAM_ECUS)]
    sims = [env.simulator("--inverters", str(SPAM_INVERTERS), "--ecu-id", ecu, "--start", "2026-06-21T12:00",
                          "--quiet", name="sim%d" % i) for i, ecu in enumerate(ids)]
    o = rel.opts([s.port for s in sims], discovery="true", poll_interval=SPAM_POLL_S, request_gap_ms=0,
                 rediscover_interval=SPAM_INTERVAL_S)
    b = rel.broker(env, o)
    sub = rel.watch_all(env, b.port)
    devices = SPAM_ECUS * (1 + SPAM_INVERTERS)
    is_config = lambda m: m.topic.startswith("homeassistant/device/")
    # The simulated ECUs report the same inverter UIDs, so the broker holds
    # 4 + 80 retained configs while each ECU sends its 81.  The first cycles'
    # announcements are out once every one is retained (asked apart from
    # `sub`, which may have come after some) and no config came for 2 s.
    def retained_configs():
        out = subprocess.run([rel.harness.MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(b.port), "-t",
                              "homeassistant/device/#", "--retained-only", "-W", "2", "-F", "%t"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10).stdout
        return len(set(out.split())) >= SPAM_ECUS + SPAM_INVERTERS
    wait_for(retained_configs, 40, "every device announced", interval=0.5)
    wait_for(lambda: time.monotonic() - max([m.t for m in rel.received(sub) if is_config(m)] or [0]) > 2, 20,
             "the first announcements to end")

    # Without the spam.
    q0, c0 = time.monotonic(), cpu_seconds(b.pid)
    time.sleep(SPAM_QUIET_S)
    q1, c1 = time.monotonic(), cpu_seconds(b.pid)

    # With it.
    spam_log = env.path("spam.out")
    spam = env.spawn([os.environ["REL_SPAM"], str(b.port), "homeassistant/status", "online", str(SPAM_RATE),
                      str(SPAM_S)], "spam")
    wait_for(lambda: "ready" in env.read("spam.log") or spam.poll() is not None, 10, "the spamming client")
    s0, d0 = time.monotonic(), cpu_seconds(b.pid)
    wait_for(lambda: spam.poll() is not None, SPAM_S + 10, "the spamming client to finish")
    s1, d1 = time.monotonic(), cpu_seconds(b.pid)
    sent = int(env.read("spam.log").split("sent")[-1].split()[0])
    time.sleep(0.5)
    msgs = rel.received(sub)
    log, ticks = rel.stop_broker(env, b)

    quiet = data_figures(msgs, ids, q0, q1)
    spammed = data_figures(msgs, ids, s0, s1)
    configs = [m.t for m in msgs if is_config(m) and s0 <= m.t < s1 + 0.5]
    # The most configs in any rediscover_interval from one config's arrival.
    window_max = max([sum(1 for u in configs if t <= u < t + SPAM_INTERVAL_S) for t in configs] or [0])
    figures = {
        "ecus": SPAM_ECUS, "inverters_each": SPAM_INVERTERS, "devices": devices, "poll_interval_s": SPAM_POLL_S,
        "births_sent": sent, "births_per_s": round(sent / (s1 - s0), 1),
        "data_per_min_quiet": {k: round(v["count"] * 60 / (q1 - q0), 1) for k, v in quiet.items()},
        "data_per_min_spam": {k: round(v["count"] * 60 / (s1 - s0), 1) for k, v in spammed.items()},
        "gap_max_s_spam": max(v["gap_max_s"] for v in spammed.values()),
        "configs_during_spam": len(configs), "configs_max_per_%ds" % SPAM_INTERVAL_S: window_max,
        "broker_cpu_pct_quiet": round(100 * (c1 - c0) / (q1 - q0), 1),
        "broker_cpu_pct_spam": round(100 * (d1 - d0) / (s1 - s0), 1),
        "ticks": ticks[0], "tick_max_ms": ticks[1], "tick_mean_ms": ticks[2],
        "tick_max_cpu_ms": rel.tick_cpu_max_ms(log), "sanitized": rel.sanitized(),
        "broker_dropped_lines": len(rel.log_lines(env, "broker", "dropped")),
    }
    rel.summary("load_spam", **figures)
    check(sent >= SPAM_RATE * SPAM_S * 0.8, "the client sent %d births only" % sent)
    for ecu in ids:
        q_rate = quiet[ecu]["count"] / (q1 - q0)
        s_rate = spammed[ecu]["count"] / (s1 - s0)
        check(s_rate >= 0.8 * q_rate, "ECU %s: %.2f data messages a second under the spam, %.2f without"
              % (ecu, s_rate, q_rate))
        check(spammed[ecu]["gap_max_s"] <= 2 * SPAM_POLL_S + 1,
              "ECU %s: no data for %.1f s under the spam" % (ecu, spammed[ecu]["gap_max_s"]))
    check(window_max <= 2 * devices, "%d discovery configs within %d s, more than 2 x %d devices"
          % (window_max, SPAM_INTERVAL_S, devices))
    check(configs, "no discovery config sent again under the spam")


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
    check(crowded["failed"] == 0, "beside 255 hung ECUs the healthy one failed %d cycles" % crowded["failed"])
    check(crowded["cycles_per_min"] >= alone["cycles_per_min"] * 0.9,
          "beside 255 hung ECUs: %.1f cycles a minute, alone %.1f" % (crowded["cycles_per_min"],
                                                                      alone["cycles_per_min"]))
    check(crowded["poll_ms_mean"] <= alone["poll_ms_mean"] * 1.1 + 5,
          "beside 255 hung ECUs: poll %.1f ms on average, alone %.1f" % (crowded["poll_ms_mean"],
                                                                        alone["poll_ms_mean"]))


LOOKUP_ECUS = 8
LOOKUP_S = 20


def test_lookup(env):
    names = ["ecu%d.slow.test" % i for i in range(LOOKUP_ECUS)]
    o = rel.opts([])
    o["ecu_host"] = ",".join(names)
    preload = ":".join(p for p in (rel.sanitizer_env().get("LD_PRELOAD"), os.environ["REL_SLOW_GAI"]) if p)
    b = rel.broker(env, o, extra_env={"LD_PRELOAD": preload, "SLOW_GAI_MS": "2500"})
    t0 = time.monotonic()
    threads = []
    while time.monotonic() - t0 < LOOKUP_S:
        threads.append(rel.thread_count(b.pid))
        time.sleep(0.2)
    log, ticks = rel.stop_broker(env, b)
    per_ecu = {}
    for name in names:
        lines = [l for l in log.splitlines() if "aps-ecu: ECU at %s:8899: " % name in l]
        per_ecu[name] = lines
    counts = {k: len(v) for k, v in per_ecu.items()}
    figures = {"ecus": LOOKUP_ECUS, "seconds": LOOKUP_S, "lookup_s": 2.5, "timeout_ms": 500,
               "lines_per_ecu_per_min": {k: round(v * 60.0 / LOOKUP_S, 1) for k, v in counts.items()},
               "threads_min": min(threads), "threads_max": max(threads),
               "ticks": ticks[0], "tick_max_ms": ticks[1], "tick_mean_ms": ticks[2],
               "tick_max_cpu_ms": rel.tick_cpu_max_ms(log), "sanitized": rel.sanitized()}
    rel.summary("load_lookup", **figures)
    for name, lines in per_ecu.items():
        check(lines, "%s: its slow lookup was never logged" % name)
        check(all("name lookup of %s" % name in l for l in lines), "%s: %s" % (name, lines))
        check(len(lines) == 1, "%s: %d lines for one trouble:\n%s" % (name, len(lines), "\n".join(lines[:6])))
    # Each ECU has one lookup thread at most, and the broker's thread is never held.
    check(max(threads) <= min(threads) + LOOKUP_ECUS, "threads %d..%d" % (min(threads), max(threads)))


def requests(env, sim_name, command):
    """How many requests of command ("0001": ECU info, one per poll) the simulator answered."""
    return len(re.findall(r" %s -> \d+ bytes" % command, env.read(sim_name + ".log")))


def test_copy(env):
    ids = ["216200000601", "216200000602"]
    sims = [env.simulator("--inverters", "2", "--ecu-id", ecu, name="sim%d" % i) for i, ecu in enumerate(ids)]
    copy = env.path("renamed_aps_plugin.so")
    shutil.copy(env.plugin, copy)
    o = rel.opts([s.port for s in sims])

    # The copy alone: a plugin like the original, each ECU polled once a cycle.
    original = env.plugin
    env.plugin = copy
    try:
        b = rel.broker(env, o, name="alone")
    finally:
        env.plugin = original
    sub = rel.watch_all(env, b.port, name="alone_sub")
    wait_for(lambda: all(sum(1 for m in rel.received(sub) if m.topic == "aps/%s/diagnostics" % e) >= 3 for e in ids),
             15, "three cycles of each ECU")
    log, ticks = rel.stop_broker(env, b, name="alone")
    time.sleep(0.3)
    cycles = {e: sum(1 for m in rel.received(sub, strict=False) if m.topic == "aps/%s/diagnostics" % e) for e in ids}
    polls = {e: requests(env, "sim%d" % i, "0001") for i, e in enumerate(ids)}
    for e in ids:
        # A poll under way at the stop has no diagnostics: one more at most.
        check(cycles[e] <= polls[e] <= cycles[e] + 1, "ECU %s: %d polls for %d cycles" % (e, polls[e], cycles[e]))

    # The original and the copy, each with its plugin line.
    before = dict(polls)
    extra = "plugin %s\n" % copy + "".join("plugin_opt_%s %s\n" % (k, v) for k, v in o.items()) + \
        "plugin_opt_state_file %s\n" % env.path("copy.state")
    t0 = time.monotonic()
    b = rel.broker(env, o, name="both", expect_start=False, extra_conf=extra)
    while b.poll() is None and time.monotonic() - t0 < 10 and not rel.log_lines(env, "both", "loaded twice"):
        time.sleep(0.1)
    time.sleep(3)
    still_running = b.poll() is None
    elapsed = time.monotonic() - t0
    refused = rel.log_lines(env, "both", "loaded twice")
    polls_both = {e: requests(env, "sim%d" % i, "0001") - before[e] for i, e in enumerate(ids)}
    figures = {"alone_cycles": cycles, "alone_polls": polls, "both_polls": polls_both,
               "both_broker_running": still_running, "refusal_lines": len(refused),
               "tick_max_ms_alone": ticks[1], "sanitized": rel.sanitized()}
    rel.summary("load_copy", **figures)
    if still_running:
        # A broker that carried on: each ECU polled at most once a cycle.
        for e in ids:
            check(polls_both[e] <= elapsed + 1, "ECU %s polled %d times in %.1f s, once a second asked"
                  % (e, polls_both[e], elapsed))
    check(len(refused) == 1, "%d 'loaded twice' lines:\n%s" % (len(refused), env.read("both.log")[-2000:]))
    check("copy of the plugin under another name" in refused[0] and "plugin_opt_ecu_host" in refused[0],
          "the line does not say what to do: %s" % refused[0])
    if not still_running:
        check(b.returncode != 0, "the broker stopped with status 0")
        check(all(v == 0 for v in polls_both.values()), "ECUs polled by a broker that refused to start: %s"
              % polls_both)


if __name__ == "__main__":
    rel.run({"spam": test_spam, "fair": test_fair, "lookup": test_lookup, "copy": test_copy})
