# SPDX-License-Identifier: MIT
"""Network-level fuzz: simulated ECUs serve randomly mutated replies (the
simulator's `mutate:SEED` fault: the captures and synthetic installations,
bit-flipped, cut, stretched, with wrong length and count fields, swapped type
codes and a wandering END) to the sanitized plugin inside a real broker, for a
bounded time.  The broker must stay up and keep serving a client stream, no
sanitizer may report anything, every published payload must be strict JSON on
a valid topic, and the cycles that passed and failed are counted.

Usage: test_fuzz_net.py APS_ECU PLUGIN_SO FIXTURES_DIR mutate
Environment: REL_FUZZ_SECONDS (default 40), REL_FUZZ_SIMS (default 16),
REL_FUZZ_SEED (default 1: the seeds are SEED, SEED+1, ...)."""

import os
import re
import time

import rel
from rel import check

CAPTURES = ["ecu-r-pro-6xqs1", "ecu-r-pro-2162-ds3x4-unseen4-day", "ecu-r-2160-qt2x6-20231120",
            "ecu-c-qs1x5-unseen4-night", "ecu-b-2163-ds3x1-afternoon", "ecu-b-2163-new-lifetime0",
            "ecu-b-replaced-short-noend"]
SYNTHETIC = [("3", "0"), ("40", "4"), ("421", "0"), ("12", "30")]


def sim_args(env, i, seed):
    """The i-th ECU: the captures first, then synthetic installations of various sizes."""
    fault = ["--fault", "mutate:%d" % seed]
    kinds = len(CAPTURES) + len(SYNTHETIC)
    k = i % kinds
    if k < len(CAPTURES):
        args = ["--replay", os.path.join(env.fixtures, CAPTURES[k])]
        if not os.path.exists(os.path.join(env.fixtures, CAPTURES[k], "ecu.hex")):
            args += ["--ecu-id", "2163%08d" % (i + 1)]
        return args + fault
    n, unseen = SYNTHETIC[k - len(CAPTURES)]
    return ["--inverters", n, "--unseen", unseen, "--ecu-id", "2162%08d" % (i + 1),
            "--start", "2026-06-21T12:00"] + fault


def error_kind(text):
    """'inverter data: records end at offset 181, END at 168' -> 'inverter data: records end at offset N, END at N'."""
    text = re.sub(r"'[^']*'", "'...'", text)
    return re.sub(r"\d+", "N", text)


def test_mutate(env):
    seconds = float(os.environ.get("REL_FUZZ_SECONDS", "40"))
    count = int(os.environ.get("REL_FUZZ_SIMS", "16"))
    seed0 = int(os.environ.get("REL_FUZZ_SEED", "1"))
    sims = [env.simulator(*sim_args(env, i, seed0 + i), name="sim%02d" % i) for i in range(count)]
    # Discovery on: mutated inverter records reach the discovery configs too.
    # A small ASan quarantine, so the RSS figure is not mostly freed memory on hold.
    asan = {"ASAN_OPTIONS": rel.sanitizer_env()["ASAN_OPTIONS"] + ":quarantine_size_mb=4"} if rel.sanitized() else {}
    b = rel.broker(env, rel.opts([s.port for s in sims], offline_after=2, discovery="true"), extra_env=asan)
    sub = rel.watch_all(env, b.port)
    stream = rel.Stream(env, b.port)

    t0 = time.monotonic()
    rss, roundtrips = [], []
    while time.monotonic() - t0 < seconds:
        time.sleep(min(2.0, max(0.1, seconds - (time.monotonic() - t0))))
        check(b.poll() is None, "the broker died during the fuzz:\n" + env.read("broker.log")[-3000:])
        rss.append(rel.rss_kib(b.pid))
        took = rel.roundtrip(b.port)
        check(took is not None, "the broker did not answer a new client within 5 s")
        roundtrips.append(took)
    figures = {"seconds": seconds, "ecus": count, "seeds": "%d..%d" % (seed0, seed0 + count - 1)}
    figures["stream"] = stream.stop()

    msgs = rel.received(sub)
    figures["payloads_checked"] = rel.check_payloads(msgs)
    ok = failed = 0
    kinds = {}
    for m in msgs:
        if not m.topic.endswith("/diagnostics"):
            continue
        d = rel.strict_json(m.payload)
        if d["consecutive_failures"] == 0:
            ok += 1
        else:
            failed += 1
            k = error_kind(d["last_error"])
            kinds[k] = kinds.get(k, 0) + 1
    check(ok > 0 and failed > 0, "%d cycles ok, %d failed: the fuzz did not reach both outcomes" % (ok, failed))
    figures["cycles_ok"], figures["cycles_failed"] = ok, failed
    figures["error_kinds"] = len(kinds)
    figures["ecu_ids_published"] = len({m.topic.split("/")[1] for m in msgs
                                        if m.topic.startswith("aps/") and m.topic != "aps/status"})
    # Each one stays retained in the broker: what a damaged inverter id costs.
    retained = {m.topic: len(m.payload) for m in msgs if m.topic.startswith("homeassistant/") and m.payload}
    figures["discovery_topics_retained"] = len(retained)
    figures["discovery_bytes_retained"] = sum(retained.values())
    figures["discovery_devices"] = len({t.split("/")[2][4:16] for t in retained})
    served = 0
    for i in range(count):
        served += len(re.findall(r" -> \d+ bytes \(fault mutate", env.read("sim%02d.log" % i)))
    figures["replies_mutated_or_not"] = served
    figures["new_client_roundtrip_max_s"] = round(max(roundtrips), 2) if roundtrips else None
    figures["rss_kib_first_last_max"] = [rss[0], rss[-1], max(rss)] if rss else []

    log, ticks = rel.stop_broker(env, b, timeout=30)
    figures["ticks"], figures["tick_max_ms"], figures["tick_mean_ms"] = ticks
    figures["sanitized"] = rel.sanitized()
    top = sorted(kinds.items(), key=lambda kv: -kv[1])[:12]
    for k, n in top:
        print("  %5d  %s" % (n, k))
    rel.summary("fuzz_net", **figures)


if __name__ == "__main__":
    rel.run({"mutate": test_mutate})
