# SPDX-License-Identifier: MIT
"""Hostile data: what an ECU sends must never reach a topic unchecked, nor
break the JSON.

ids: replies crafted here (from a real ECU-R-PRO capture) whose ECU id holds
'+', '#', '/', a NUL, or is a digit short or long, each served by its own
simulator to the sanitized plugin in one broker.  None may appear in a topic,
each must be refused with a log line saying why, a subscriber on '#' (and the
client stream) must never be disconnected.  The same broker also meets ECUs
whose firmware and time-zone strings are hostile (quotes, backslashes,
control bytes, a path out of the zoneinfo directory): their payloads must be
strict JSON, with the strings as sent or refused.

fixtures: every capture in tests/fixtures and a few synthetic installations
in one broker: every payload is strict JSON on a valid topic.

Usage: test_hostile.py APS_ECU PLUGIN_SO FIXTURES_DIR ids|fixtures"""

import os
import time

import rel
from rel import check, wait_for

BASE = "ecu-r-pro-6xqs1"   # ECU-R-PRO, layout 01, firmware and zone strings


def hexbytes(path):
    with open(path) as f:
        return bytes.fromhex("".join(f.read().split()))


def ecu_info(base, ecu_id=None, firmware=None, zone=None):
    """The base ECU info reply with its id, firmware or zone replaced; the
    length field follows.  Layout 01: id at 13, firmware length at 52."""
    v = int(base[52:55])
    fw = base[55:55 + v]
    t = int(base[55 + v:58 + v])
    tz = base[58 + v:58 + v + t]
    tail = base[58 + v + t:]
    ecu_id = base[13:25] if ecu_id is None else ecu_id
    fw = fw if firmware is None else firmware
    tz = tz if zone is None else zone
    body = base[:13] + ecu_id + base[25:52] + b"%03d" % len(fw) + fw + b"%03d" % len(tz) + tz + tail
    return body[:5] + b"%04d" % (len(body) - 1) + body[9:]


def replay_dir(env, name, ecu_reply, fixtures):
    d = env.path(name)
    os.mkdir(d)
    with open(os.path.join(d, "ecu.hex"), "w") as f:
        f.write(ecu_reply.hex() + "\n")
    for part in ("inverters.hex", "signal.hex"):
        with open(os.path.join(fixtures, BASE, part)) as src, open(os.path.join(d, part), "w") as dst:
            dst.write(src.read())
    return d


BAD_IDS = {
    "plus": b"21620003+510",
    "hash": b"2162000#3510",
    "slash": b"216200/33510",
    "nul": b"2162000\x003510",
    "short": b"21620003351",
    "long": b"2162000335100",
    "all_plus": b"+" * 12,
    "all_hash": b"#" * 12,
    "slashes": b"/" * 12,
    "space": b"2162 0033510",
}
# (ECU id, firmware, zone): valid ids, hostile strings.
STRINGS = {
    "quotes": (b"216200000101", b'FW"1\\2\'3<4>&', b"Europe/Paris"),
    "control": (b"216200000102", b"FW\x01\x1f\x7f\xff\x00x", b"US/Pacific"),
    "zone_escape": (b"216200000103", b"ECU_R_PRO_2.1.17", b"../../../../etc/passwd"),
    "zone_abs": (b"216200000104", b"ECU_R_PRO_2.1.17", b"/etc/passwd"),
    "zone_json": (b"216200000105", b"ECU_R_PRO_2.1.17", b'"},{"x":1'),
    "empty": (b"216200000106", b"", b""),
}


def test_ids(env):
    base = hexbytes(os.path.join(env.fixtures, BASE, "ecu.hex"))
    sims = {}
    for name, ecu_id in BAD_IDS.items():
        sims[name] = env.simulator("--replay", replay_dir(env, name, ecu_info(base, ecu_id=ecu_id), env.fixtures),
                                   "--quiet", name="sim_" + name)
    for name, (ecu_id, fw, tz) in STRINGS.items():
        reply = ecu_info(base, ecu_id=ecu_id, firmware=fw, zone=tz)
        sims[name] = env.simulator("--replay", replay_dir(env, name, reply, env.fixtures), "--quiet",
                                   name="sim_" + name)
    good = env.simulator("--inverters", "2", "--quiet", name="sim_good")
    ports = [s.port for s in sims.values()] + [good.port]
    b = rel.broker(env, rel.opts(ports))
    sub = rel.watch_all(env, b.port)
    narrow = env.subscriber(b.port, topic="aps/+/status", name="narrow")
    stream = rel.Stream(env, b.port)

    # Every hostile-id ECU has failed at least twice (so its refusal is
    # settled), and the good ones published.
    def settled():
        log = env.read("broker.log")
        return all(log.count("127.0.0.1:%d: ECU info: " % sims[n].port) >= 1 for n in BAD_IDS) and \
            all(any(m.topic == "aps/" + STRINGS[n][0].decode() + "/diagnostics" for m in rel.received(sub))
                for n in ("quotes", "zone_escape", "zone_abs", "zone_json", "empty"))
    wait_for(settled, 20, "every ECU polled")
    time.sleep(2.5)

    msgs = rel.received(sub)
    checked = rel.check_payloads(msgs)
    topics = {m.topic for m in msgs}
    for name, ecu_id in BAD_IDS.items():
        text = ecu_id.decode("latin-1")
        check(not any(text in t for t in topics), "%s: id %r reached a topic" % (name, ecu_id))
        lines = rel.log_lines(env, "broker", "aps-ecu: ECU at 127.0.0.1:%d: ECU info: " % sims[name].port)
        check(len(lines) == 1, "%s: %d log lines for a steady refusal: %s" % (name, len(lines), lines))
        reason = lines[0].split("ECU info: ", 1)[1]
        check(reason.split(" (next try")[0].strip(), "%s: refused without a reason: %r" % (name, lines[0]))
    # No topic but the plugin's: aps/status and twelve-digit ECU ids.
    ecu_topics = {t.split("/")[1] for t in topics if t.startswith("aps/") and t != "aps/status"}
    want = {STRINGS[n][0].decode() for n in STRINGS} | {"216200000001"}
    check(ecu_topics <= want, "unexpected ECU topics: %s" % sorted(ecu_topics - want))

    def ecu_payload(ecu_id):
        for m in reversed(msgs):
            if m.topic == "aps/" + ecu_id:
                return rel.strict_json(m.payload)
        return None
    quotes = ecu_payload("216200000101")
    check(quotes and quotes["firmware"] == STRINGS["quotes"][1].decode(),
          "a firmware with quotes came out as %r" % (quotes or {}).get("firmware"))
    for n in ("zone_escape", "zone_abs", "zone_json"):
        p = ecu_payload(STRINGS[n][0].decode())
        check(p is not None, "%s: no ECU payload" % n)
        check("timestamp" not in p or p["timestamp"].endswith(("+00:00", "Z")) or len(p["timestamp"]) == 25,
              "%s: odd timestamp %r" % (n, p.get("timestamp")))
    control = ecu_payload("216200000102")
    if control is not None:
        check(all(0x20 <= ord(c) < 0x7f for c in control.get("firmware", "")),
              "control bytes in a published firmware: %r" % control.get("firmware"))

    figures = {"hostile_ecus": len(BAD_IDS), "hostile_strings": len(STRINGS), "payloads_checked": checked,
               "control_firmware": "refused" if control is None else "published %r" % control.get("firmware")}
    figures["stream"] = stream.stop()
    check(sub.poll() is None and narrow.poll() is None, "a subscriber was disconnected")
    check(any(t == "aps/216200000001/status" for _, t, _ in rel.harness.messages(narrow)),
          "the aps/+/status subscriber got nothing")
    rel.stop_broker(env, b)
    rel.summary("hostile_ids", **figures)


CAPTURES = ["ecu-r-pro-6xqs1", "ecu-r-pro-2162-ds3x4-unseen4-day", "ecu-r-2160-qt2x6-20231120",
            "ecu-c-qs1x5-unseen4-night", "ecu-b-2163-ds3x1-afternoon", "ecu-b-2163-new-lifetime0",
            "ecu-b-replaced-short-noend"]


def test_fixtures(env):
    sims, expected = [], set()
    for i, c in enumerate(CAPTURES):
        d = os.path.join(env.fixtures, c)
        ecu_hex = os.path.join(d, "ecu.hex")
        # Captures without an ECU reply get one made up, under an id of their own.
        own_id = "2163000002%02d" % i
        args = ["--ecu-id", own_id] if not os.path.exists(ecu_hex) else []
        sims.append(env.simulator("--replay", d, "--quiet", *args, name="sim%d" % i))
        # ecu-b-2163-new-lifetime0 has no inverter reply: its cycles fail.
        if os.path.exists(os.path.join(d, "inverters.hex")):
            expected.add(hexbytes(ecu_hex)[13:25].decode() if not args else own_id)
    sims.append(env.simulator("--inverters", "30", "--unseen", "5", "--ecu-id", "216200000301", "--quiet",
                              name="synth"))
    sims.append(env.simulator("--inverters", "5", "--ecu-id", "216200000302", "--fault", "night", "--quiet",
                              name="night"))
    expected |= {"216200000301", "216200000302"}
    b = rel.broker(env, rel.opts([s.port for s in sims], discovery="true"))
    sub = rel.watch_all(env, b.port)

    def two_cycles_each():
        counts = {}
        for m in rel.received(sub):
            if m.topic.startswith("aps/") and m.topic.count("/") == 1:
                counts[m.topic[4:]] = counts.get(m.topic[4:], 0) + 1
        return all(counts.get(e, 0) >= 2 for e in expected)
    wait_for(two_cycles_each, 40, "two cycles of each of %s" % sorted(expected))
    msgs = rel.received(sub)
    checked = rel.check_payloads(msgs)
    disc = sum(1 for m in msgs if m.topic.startswith("homeassistant/"))
    check(disc > 0, "no discovery message")
    data = {m.topic.split("/")[1] for m in msgs
            if m.topic.startswith("aps/") and m.topic.count("/") == 1 and m.topic != "aps/status"}
    check(data == expected, "ECU payloads from %s, want %s" % (sorted(data), sorted(expected)))
    rel.stop_broker(env, b)
    rel.summary("hostile_fixtures", ecus=len(sims), payloads_checked=checked, discovery_checked=disc,
                ecus_with_data=len(data))


if __name__ == "__main__":
    rel.run({"ids": test_ids, "fixtures": test_fixtures})
