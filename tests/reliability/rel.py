# SPDX-License-Identifier: MIT
"""Shared pieces of the reliability tests: the plugin's end-to-end harness
(tests/plugin/harness.py, imported, not copied) plus what these tests add:
the sanitized plugin inside the Debian broker, a timed stream of client
messages through it, strict checks of every published topic and payload, and
the broker's memory and file descriptors read from /proc.

Settings come from the environment (CTest sets them):
  REL_STREAM   path of the mqtt_stream helper
  REL_LIBASAN  the ASan runtime to LD_PRELOAD into mosquitto (empty: the
               plugin under test is not sanitized)
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "plugin"))

import harness  # noqa: E402
from harness import check, opts, roundtrip, wait_for, TestFailure  # noqa: E402

SIM_ECU = "216200000001"
STREAM_TOPIC = "rel/stream"

# Any of these in the broker's output is a sanitizer report: the test fails.
SANITIZER_PATTERNS = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|"
                                r"SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)|"
                                r"==\d+==ERROR")
TICK_LINE = re.compile(r"aps-ecu: (\d+) ticks, longest ([\d.]+) ms, mean ([\d.]+) ms")

ECU_ID = r"[0-9]{12}"
TOPIC_RULES = [
    (re.compile(r"^aps/status$"), "text"),
    (re.compile(r"^aps/%s$" % ECU_ID), "ecu"),
    (re.compile(r"^aps/%s/status$" % ECU_ID), "text"),
    (re.compile(r"^aps/%s/diagnostics$" % ECU_ID), "diagnostics"),
    (re.compile(r"^aps/%s/needs_power_cycle$" % ECU_ID), "flag"),
    (re.compile(r"^aps/%s/[0-9a-f]{12}$" % ECU_ID), "inverter"),
]


def sanitizer_env():
    """The broker's environment for the sanitized plugin (empty without REL_LIBASAN)."""
    libasan = os.environ.get("REL_LIBASAN", "")
    if not libasan:
        return {}
    # REL_SLOW_UNWIND=1: Debian's mosquitto has no frame pointers, so a leak's
    # stack may stop at mosquitto_malloc; the slow unwinder reaches into the
    # plugin, at a cost on every allocation (the soak script uses it).
    unwind = ":fast_unwind_on_malloc=0" if os.environ.get("REL_SLOW_UNWIND") == "1" else ""
    return {
        "LD_PRELOAD": libasan,
        "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:abort_on_error=0:malloc_context_size=30" + unwind,
        "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
        "LSAN_OPTIONS": "report_objects=1",
    }


def sanitized():
    return bool(os.environ.get("REL_LIBASAN"))


def broker(env, options, name="broker", extra_env=None, **kw):
    full = sanitizer_env()
    full.update(extra_env or {})
    return env.broker(options, name=name, env=full, **kw)


TICK_CPU = re.compile(r"aps-ecu: \d+ ticks, .*longest on the CPU ([\d.]+) ms")


def tick_cpu_max_ms(text):
    """The longest tick without the time the broker's thread waited for a CPU."""
    m = TICK_CPU.search(text)
    return float(m.group(1)) if m else None


def sanitizer_reports(text):
    return [l for l in text.splitlines() if SANITIZER_PATTERNS.search(l)]


def tick_stats(text):
    m = TICK_LINE.search(text)
    return (int(m.group(1)), float(m.group(2)), float(m.group(3))) if m else None


def stop_broker(env, b, name="broker", timeout=15):
    """SIGTERM, then: exit status 0, no sanitizer report, the tick line. Returns (log, tick stats)."""
    if b.poll() is None:
        b.send_signal(signal.SIGTERM)
    wait_for(lambda: b.poll() is not None, timeout, "the broker to stop")
    log = env.read(name + ".log")
    reports = sanitizer_reports(log)
    check(not reports, "sanitizer report(s) in the broker log:\n" + "\n".join(reports[:20]))
    check(b.returncode == 0, "broker exit status %s" % b.returncode)
    stats = tick_stats(log)
    check(stats is not None, "no 'N ticks, longest X ms' line at shutdown")
    return log, stats


# ---- every message a '#' subscriber got, with its arrival time ----

def watch_all(env, port, name="all"):
    """A subscriber to everything; lines are: unix time, retained, topic, payload."""
    p = env.spawn([harness.MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port), "-t", "#", "-v", "-q", "1",
                   "-F", "%U\t%r\t%t\t%p"], name)
    p.log_path = env.path(name + ".log")
    # Converts the subscriber's wall clock to time.monotonic().
    p.clock_offset = time.time() - time.monotonic()
    time.sleep(0.3)
    return p


class Msg:
    __slots__ = ("t", "retained", "topic", "payload")

    def __init__(self, t, retained, topic, payload):
        self.t, self.retained, self.topic, self.payload = t, retained, topic, payload


def received(sub, strict=True):
    """Every message so far.  strict: a line that is not one whole message (a
    payload with a newline, a cut line) fails the test."""
    out = []
    with open(sub.log_path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        lines = lines[:-1]  # still being written
    for raw in lines:
        parts = raw.split(b"\t", 3)
        if len(parts) != 4:
            if strict:
                raise TestFailure("subscriber line is not one message: %r" % raw[:200])
            continue
        try:
            t = float(parts[0]) - sub.clock_offset
        except ValueError:
            raise TestFailure("subscriber line without a time: %r" % raw[:200])
        out.append(Msg(t, parts[1] == b"1", parts[2].decode("utf-8", "replace"), parts[3]))
    return out


class Follow:
    """Reads a '#' subscriber's log as it grows, for long runs: each call hands
    the messages that arrived since the last one."""

    def __init__(self, sub):
        self.sub = sub
        self.offset = 0

    def new(self):
        with open(self.sub.log_path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        out = []
        for raw in data[:end].split(b"\n"):
            parts = raw.split(b"\t", 3)
            if len(parts) != 4:
                raise TestFailure("subscriber line is not one message: %r" % raw[:200])
            out.append(Msg(float(parts[0]) - self.sub.clock_offset, parts[1] == b"1",
                           parts[2].decode("utf-8", "replace"), parts[3]))
        return out


def _no_constants(name):
    raise ValueError("non-standard JSON constant " + name)


def strict_json(payload):
    text = payload.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return json.loads(text, parse_constant=_no_constants)


DEVICE_TOPIC = re.compile(r"^homeassistant/device/aps_[0-9a-f]{12}/config$")
# aps2mqtt's per-entity configs, cleared once a run with an empty payload.
LEGACY_TOPIC = re.compile(r"^homeassistant/(sensor|binary_sensor)/aps_[0-9a-f]{12}_[a-z0-9_]+/config$")


def check_payloads(msgs, ecu_ids=None):
    """Every aps/ and homeassistant/ topic is one the plugin may use, and every
    payload is what that topic carries: online/offline, or a strict JSON
    object.  Returns the number of messages checked."""
    n = 0
    for m in msgs:
        if m.topic.startswith("homeassistant/") and m.topic != "homeassistant/status":
            if LEGACY_TOPIC.match(m.topic):
                check(m.payload == b"", "%s: a per-entity config, not a clearing: %r" % (m.topic, m.payload[:80]))
                n += 1
                continue
            check(DEVICE_TOPIC.match(m.topic), "unexpected discovery topic %r" % m.topic)
            try:
                check(isinstance(strict_json(m.payload), dict), "%s: not a JSON object" % m.topic)
            except ValueError as e:
                raise TestFailure("%s: invalid JSON (%s): %r" % (m.topic, e, m.payload[:300]))
            n += 1
            continue
        if not m.topic.startswith("aps/"):
            continue
        kind = None
        for rule, k in TOPIC_RULES:
            if rule.match(m.topic):
                kind = k
                break
        check(kind is not None, "published on an unexpected topic %r" % m.topic)
        if ecu_ids is not None and m.topic != "aps/status":
            check(m.topic.split("/")[1] in ecu_ids, "topic of an unknown ECU: %r" % m.topic)
        n += 1
        if kind == "text":
            check(m.payload in (b"online", b"offline"), "%s: payload %r" % (m.topic, m.payload[:80]))
            continue
        if kind == "flag":
            check(m.payload in (b"ON", b"OFF"), "%s: payload %r" % (m.topic, m.payload[:80]))
            continue
        try:
            obj = strict_json(m.payload)
        except ValueError as e:
            raise TestFailure("%s: invalid JSON (%s): %r" % (m.topic, e, m.payload[:300]))
        check(isinstance(obj, dict), "%s: not a JSON object: %r" % (m.topic, m.payload[:200]))
        for k, v in obj.items():
            check(isinstance(v, (str, int, float, bool)) or v is None, "%s: %s is %r" % (m.topic, k, v))
        if kind == "inverter":
            check(isinstance(obj.get("online"), bool), "%s: no online flag: %r" % (m.topic, obj))
            if obj["online"] is False:
                # Only its energy stays: what it made is still true (plugin/energy_store.h).
                stale = {k: v for k, v in obj.items() if k != "online" and not k.endswith(("_energy", "_measured"))}
                check(not stale, "%s: an offline inverter with values: %r" % (m.topic, obj))
        elif kind == "diagnostics":
            check(isinstance(obj.get("consecutive_failures"), int), "%s: %r" % (m.topic, obj))
    return n


# ---- the client stream ----

class Stream:
    """mqtt_stream running against a broker: numbered QoS 1 messages at rate_hz."""

    def __init__(self, env, port, rate_hz=25, name="stream"):
        self.env = env
        self.name = name
        self.out = env.path(name + ".out")
        self.proc = env.spawn([os.environ["REL_STREAM"], str(port), STREAM_TOPIC, str(rate_hz), self.out], name)
        wait_for(lambda: "ready" in env.read(name + ".log") or self.proc.poll() is not None, 15, "the stream")
        check(self.proc.poll() is None, "the stream did not start:\n" + env.read(name + ".log"))
        self.started = time.monotonic()

    def stop(self, bound_ms=500):
        """Stops it and checks: every message arrived once, within bound_ms, and
        no client was disconnected.  Returns a summary dict."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: self.proc.poll() is not None, 10, "the stream to stop")
        check(self.proc.returncode == 0, "mqtt_stream exit status %s" % self.proc.returncode)
        recs, disconnects = [], []
        with open(self.out) as f:
            for line in f:
                if line.startswith("# disconnect"):
                    disconnects.append(line.strip())
                    continue
                seq, sent, puback, recv, copies = line.split()
                recs.append((int(seq), float(sent), float(puback), float(recv), int(copies)))
        check(recs, "the stream sent nothing")
        check(not disconnects, "the broker dropped a client: %s" % disconnects)
        lost = [r[0] for r in recs if r[4] == 0]
        check(not lost, "%d of %d messages never arrived (first: %s)" % (len(lost), len(recs), lost[:10]))
        dup = [r[0] for r in recs if r[4] > 1]
        check(not dup, "%d messages arrived twice (first: %s)" % (len(dup), dup[:10]))
        lat = sorted(r[3] - r[1] for r in recs)
        no_ack = [r[0] for r in recs if r[2] == 0]
        check(not no_ack, "%d messages never acknowledged" % len(no_ack))
        slow = [(r[0], round(r[3] - r[1], 1)) for r in recs if r[3] - r[1] > bound_ms]
        check(not slow, "%d messages took more than %d ms: %s" % (len(slow), bound_ms, slow[:10]))
        span = (recs[-1][1] - recs[0][1]) / 1000.0
        return {"messages": len(recs), "seconds": round(span, 1), "max_ms": round(lat[-1], 1),
                "p99_ms": round(lat[int(len(lat) * 0.99)], 1), "mean_ms": round(sum(lat) / len(lat), 2),
                "first_sent": recs[0][1] / 1000.0, "last_sent": recs[-1][1] / 1000.0}


# ---- the broker process ----

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise TestFailure("no VmRSS for %d" % pid)


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def thread_count(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def write_control(path, mode):
    with open(path + ".tmp", "w") as f:
        f.write(mode + "\n")
    os.rename(path + ".tmp", path)


def log_lines(env, name, needle):
    return [l for l in env.read(name + ".log").splitlines() if needle in l]


def summary(name, **figures):
    """One greppable line of figures per test (scripts/soak.sh collects them)."""
    print("FIGURES %s %s" % (name, json.dumps(figures, sort_keys=True)))
    sys.stdout.flush()


def run(tests):
    harness.run(tests)
