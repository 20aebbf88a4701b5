#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""http_broker_cost.py APS_ECU PLUGIN_SO: what libcurl's multi interface adds to a running broker.

Three brokers in turn, each with the plugin polling a simulated ECU-R-PRO (one poll a second) whose web pages
answer on their own port:
  no_curl      auto_restart off: libcurl is never set up (the plugin's baseline);
  curl_idle    auto_restart on: libcurl's multi handle set up at start, no exchange;
  refusing     auto_restart off, the ECU refusing its poll port (the baseline for the next one);
  exchanging   auto_restart on, the ECU refusing its poll port, and one restart exchange pending all the while
               (its web pages answer only after 60 s).
For each: resident memory (VmRSS, and RssAnon: what is the broker's own; the rest is shared library code paged
in) and CPU over the same window (/proc/PID/schedstat, ns), and the plugin's longest tick from its log at stop.
Prints figures only: no timing is asserted (the machine may be shared)."""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin"))
from harness import Env, opts, read_port, wait_for  # noqa: E402

WINDOW_S = 10


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def measure(env, name, auto_restart, refusing):
    control, web_port_file = env.path(name + ".control"), env.path(name + ".web.port")
    with open(control, "w") as f:
        f.write("none\n")
    args = ["--inverters", "8", "--ecu-id", "216200000001", "--control", control, "--quiet", "--http-port", "0",
            "--http-port-file", web_port_file, "--http-fault", "slow:60"]
    sim = env.simulator(*args, name=name + ".sim")
    web_port = wait_for(lambda: read_port(web_port_file), 10, "the web port")
    more = dict(auto_restart="yes", wifi_ssid="ECU-WIFI", wifi_passwd="password1", restart_after="1",
                restart_port=web_port) if auto_restart else {}
    broker = env.broker(opts([sim.port], **more), name=name)
    time.sleep(3)  # settled: a few polls done
    if refusing:
        with open(control, "w") as f:
            f.write("refuse\n")
        if auto_restart:
            wait_for(lambda: "asking it to restart" in env.read(name + ".log"), 15, "the restart request")
        time.sleep(2)
    rss0, cpu0, t0 = status_kb(broker.pid, "VmRSS"), cpu_ns(broker.pid), time.monotonic()
    time.sleep(WINDOW_S)
    cpu1, t1 = cpu_ns(broker.pid), time.monotonic()
    rss1, anon1, hwm = status_kb(broker.pid, "VmRSS"), status_kb(broker.pid, "RssAnon"), status_kb(broker.pid, "VmHWM")
    still_pending = refusing and auto_restart and "accepted the restart request" not in env.read(name + ".log")
    broker.send_signal(signal.SIGTERM)
    broker.wait(timeout=10)
    m = re.search(r"([0-9]+) ticks, longest ([0-9.]+) ms, mean ([0-9.]+) ms", env.read(name + ".log"))
    sim.kill()
    sim.wait()
    print("%-11s rss_kb=%d..%d rss_anon_kb=%d peak_kb=%d cpu=%.3f%% (%.1f ms in %.1f s) ticks=%s longest_tick_ms=%s "
          "mean_tick_ms=%s%s" % (name, rss0, rss1, anon1, hwm, (cpu1 - cpu0) / 1e7 / (t1 - t0), (cpu1 - cpu0) / 1e6,
                                 t1 - t0, m.group(1) if m else "?", m.group(2) if m else "?", m.group(3) if m else "?",
                                 " (exchange pending throughout)" if still_pending else ""))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    env = Env(sys.argv[1], sys.argv[2], None)
    try:
        measure(env, "no_curl", False, False)
        measure(env, "curl_idle", True, False)
        measure(env, "refusing", False, True)
        measure(env, "exchanging", True, True)
    finally:
        env.close()


if __name__ == "__main__":
    main()
