#!/usr/bin/env python3
"""ha_check.py - hold MQTT discovery configs against Home Assistant's rules.

Usage: ha_check.py FILE.jsonl     check the configs and state messages in FILE
       ha_check.py --self-test    prove the checks reject broken configs

FILE holds one JSON object per line: {"kind": "config"|"state", "topic": ...,
"payload": "<text>"}, in publish order.  Configs are checked on their own
(device class / unit / state class as Home Assistant's sensor tables allow,
ids, device, origin, availability shape), then against the state messages as
Home Assistant would process them: the availability of each entity is
followed message by message, the value_template is rendered (the few template
shapes we publish are understood, any other is an error), and the rendered
state must be one Home Assistant accepts.

Home Assistant facts encoded here (its sensor constants and MQTT docs):
units and state classes per device class (subset for the classes we use);
MQTT discovery rejects a unit that does not fit the device class; timestamps
need a UTC offset; numeric sensors ignore an empty rendered state; the text
"None" makes a sensor unknown; binary sensors compare the rendered text with
payload_on/payload_off exactly; a template reading a missing key logs a
"Template variable warning"; default_entity_id is "<domain>.<slug>";
object_id is deprecated; entity_category "config" is refused for sensors;
an entity name starting with the device name is shown with it twice.
(Sources as in plugin/discovery.c: HA's MQTT docs, sensor/const.py,
mqtt/sensor.py, and the default_entity_id issues.)

Rules of this project on top (the defects aps2mqtt has): every numeric sensor
has a state_class; a percentage stays within 0..100 and a dBm value is
negative; a sensor reading an inverter topic is unavailable while that
inverter reports {"online": false}, and its online binary_sensor stays
available to show OFF; every availability and state topic is published;
every template key reaches at least one entity of its kind.
"""

import json
import re
import sys
from datetime import datetime

UNITS = {  # device class -> units Home Assistant accepts (the ones we may use)
    "power": {"W", "kW"},
    "energy": {"Wh", "kWh", "MWh"},
    "voltage": {"V", "mV"},
    "frequency": {"Hz", "kHz"},
    "temperature": {"\u00b0C", "\u00b0F", "K"},
    "duration": {"s", "ms", "min", "h", "d"},
    "signal_strength": {"dB", "dBm"},
    "timestamp": {None},
}
STATE_CLASSES = {  # device class -> state classes allowed
    "power": {"measurement"},
    "energy": {"total", "total_increasing"},
    "voltage": {"measurement"},
    "frequency": {"measurement"},
    "temperature": {"measurement"},
    "duration": {"measurement", "total", "total_increasing"},
    "signal_strength": {"measurement"},
    "timestamp": set(),
}
ALL_STATE_CLASSES = {"measurement", "total", "total_increasing"}
NON_NUMERIC = {"timestamp", "date", "enum"}
BINARY_CLASSES = {"connectivity", "problem", "running"}
# Units with a range of their own: a percentage, a received power.
PLAUSIBLE = {"%": (0.0, 100.0), "dBm": (-150.0, 0.0)}

TOPIC_RE = re.compile(r"^(?P<prefix>.+)/(?P<component>[a-z_]+)/(?:[A-Za-z0-9_-]+/)?"
                      r"(?P<object>[A-Za-z0-9_-]+)/config$")
ENTITY_ID_RE = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$")
VALUE_RE = re.compile(r"^\{\{ value_json\.([A-Za-z0-9_]+)(?: \| default\('([^']*)'\))? \}\}$")
CHOICE_RE = re.compile(r"^\{\{ '([^']*)' if value_json\.([A-Za-z0-9_]+) else '([^']*)' \}\}$")
ID_RE = re.compile(r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])")


def render(template, payload):
    """Returns (text, key, key_present, warning) as Home Assistant would render."""
    if template is None:
        return payload, None, True, None
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    m = VALUE_RE.match(template)
    c = CHOICE_RE.match(template)
    if not m and not c:
        raise ValueError("template not understood by this checker: %r" % template)
    key = m.group(1) if m else c.group(2)
    present = isinstance(data, dict) and key in data
    if m:
        if present:
            return str(data[key]), key, True, None  # Jinja prints Python's str()
        if m.group(2) is not None:
            return m.group(2), key, False, None
        return "", key, False, "Template variable warning: no key %r" % key
    if present:
        return (c.group(1) if data[key] else c.group(3)), key, True, None
    return c.group(3), key, False, "Template variable warning: no key %r" % key


def topic_ok(t):
    return (isinstance(t, str) and 0 < len(t) < 256 and not t.startswith(("/", "$"))
            and not t.endswith("/") and "//" not in t and "+" not in t and "#" not in t)


def availability_of(cfg, problems):
    """The entity's availability entries as (topic, available, not_available, template)."""
    if "availability" in cfg and "availability_topic" in cfg:
        problems.append("availability and availability_topic are exclusive")
    entries = []
    if "availability_topic" in cfg:
        entries.append((cfg["availability_topic"], cfg.get("payload_available", "online"),
                        cfg.get("payload_not_available", "offline"), cfg.get("availability_template")))
    for e in cfg.get("availability", []):
        if not isinstance(e, dict) or not topic_ok(e.get("topic")):
            problems.append("availability entry without a valid topic: %r" % (e,))
            continue
        entries.append((e["topic"], e.get("payload_available", "online"),
                        e.get("payload_not_available", "offline"), e.get("value_template")))
    mode = cfg.get("availability_mode", "latest")
    if mode not in ("all", "any", "latest"):
        problems.append("availability_mode %r" % mode)
    return entries, mode


def check_static(topic, cfg, payload, problems):
    m = TOPIC_RE.match(topic)
    component = m.group("component") if m else None
    if component not in ("sensor", "binary_sensor"):
        problems.append("discovery topic %r: not <prefix>/<sensor|binary_sensor>/<id>/config" % topic)
        return component
    if "\n" in payload or payload != json.dumps(cfg, separators=(",", ":"), ensure_ascii=False):
        problems.append("payload is not compact JSON")
    for key in ("name", "unique_id", "state_topic"):
        if not isinstance(cfg.get(key), str) or not cfg[key]:
            problems.append("missing %s" % key)
    if not topic_ok(cfg.get("state_topic")):
        problems.append("state_topic %r is not a topic to publish on" % cfg.get("state_topic"))
    if "object_id" in cfg:
        problems.append("object_id is deprecated: use default_entity_id")
    eid = cfg.get("default_entity_id")
    if eid is not None and (not isinstance(eid, str) or not ENTITY_ID_RE.match(eid)
                            or not eid.startswith(component + ".")):
        problems.append("default_entity_id %r is not '%s.<slug>'" % (eid, component))
    dev = cfg.get("device")
    if not isinstance(dev, dict) or not dev.get("identifiers") or not isinstance(dev.get("name"), str):
        problems.append("device needs identifiers and a name")
    elif isinstance(cfg.get("name"), str) and cfg["name"].lower().startswith(dev["name"].lower()):
        problems.append("entity name %r repeats the device name" % cfg["name"])
    origin = cfg.get("origin")
    if not isinstance(origin, dict) or not origin.get("name"):
        problems.append("origin needs a name")
    if cfg.get("entity_category") not in (None, "diagnostic"):
        problems.append("entity_category %r is refused for %s" % (cfg["entity_category"], component))
    icon = cfg.get("icon")
    if icon is not None and not re.match(r"^mdi:[a-z0-9-]+$", icon):
        problems.append("icon %r" % icon)
    dc, unit, sc = cfg.get("device_class"), cfg.get("unit_of_measurement"), cfg.get("state_class")
    if component == "binary_sensor":
        if unit is not None or sc is not None:
            problems.append("a binary_sensor has no unit or state_class")
        if dc is not None and dc not in BINARY_CLASSES:
            problems.append("binary_sensor device_class %r not known to this checker" % dc)
        return component
    if sc is not None and sc not in ALL_STATE_CLASSES:
        problems.append("state_class %r" % sc)
    if dc is not None:
        if dc not in UNITS:
            problems.append("device_class %r not known to this checker" % dc)
        else:
            if unit not in UNITS[dc]:
                problems.append("unit %r is not valid with device_class %r" % (unit, dc))
            if sc is not None and sc not in STATE_CLASSES[dc]:
                problems.append("state_class %r not allowed with device_class %r" % (sc, dc))
    if is_numeric(cfg) and sc is None:
        problems.append("numeric sensor without state_class: no long-term statistics")
    return component


def is_numeric(cfg):
    dc = cfg.get("device_class")
    if dc in NON_NUMERIC:
        return False
    return dc is not None or cfg.get("unit_of_measurement") is not None or cfg.get("state_class") is not None


def check_value(component, cfg, text, problems):
    """A rendered state of an available entity, as Home Assistant takes it."""
    if component == "binary_sensor":
        on, off = cfg.get("payload_on", "ON"), cfg.get("payload_off", "OFF")
        if text not in (on, off):
            problems.append("rendered %r matches neither payload_on %r nor payload_off %r" % (text, on, off))
        return
    if text == "None":
        return  # unknown
    if is_numeric(cfg):
        if text == "":
            return  # ignored: the sensor keeps its value
        try:
            number = float(text)
        except ValueError:
            problems.append("numeric sensor got %r" % text)
            return
        low_high = PLAUSIBLE.get(cfg.get("unit_of_measurement"))
        if low_high and not low_high[0] <= number <= low_high[1]:
            problems.append("value %s is not a plausible %s" % (text, cfg["unit_of_measurement"]))
    elif cfg.get("device_class") == "timestamp":
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            problems.append("timestamp %r is not ISO 8601" % text)
            return
        if stamp.tzinfo is None:
            problems.append("timestamp %r has no UTC offset" % text)


def shape(topic):
    return ID_RE.sub("<id>", topic)


def check(lines):
    """Returns {label: [problems]}, one entry per config."""
    configs = [(l["topic"], l["payload"]) for l in lines if l["kind"] == "config"]
    states = [(l["topic"], l["payload"]) for l in lines if l["kind"] == "state"]
    published = {t for t, _ in states}
    identifiers = set()
    for _, payload in configs:
        try:
            identifiers.update(json.loads(payload)["device"]["identifiers"])
        except (ValueError, KeyError, TypeError):
            pass
    report, seen_uid, coverage = {}, {}, {}
    for topic, payload in configs:
        problems = []
        try:
            cfg = json.loads(payload)
        except ValueError:
            report[topic] = ["payload is not JSON"]
            continue
        label = "%s (%s)" % (cfg.get("unique_id"), topic)
        if label in report:
            label += " #%d" % len(report)
            problems.append("discovery topic repeated: this config replaces the earlier one")
        report[label] = problems
        component = check_static(topic, cfg, payload, problems)
        uid = cfg.get("unique_id")
        if uid in seen_uid:
            problems.append("duplicate unique_id, also in %s" % seen_uid[uid])
        seen_uid.setdefault(uid, topic)
        dev = cfg.get("device") if isinstance(cfg.get("device"), dict) else {}
        if dev.get("via_device") is not None and dev["via_device"] not in identifiers:
            problems.append("via_device %r is no device we announce" % dev["via_device"])
        entries, mode = availability_of(cfg, problems)
        for a in entries:
            if a[0] not in published:
                problems.append("availability topic %s is never published: always unavailable" % a[0])
        if component not in ("sensor", "binary_sensor") or not isinstance(cfg.get("state_topic"), str):
            continue
        if cfg["state_topic"] not in published:
            problems.append("nothing is published on state_topic %s" % cfg["state_topic"])
            continue
        key, delivered = simulate(component, cfg, entries, mode, states, problems)
        # Keys some payloads leave out (no signal reply, the lifetime glitch, a
        # night) must still reach one entity of the same kind somewhere.
        kind = (shape(cfg["state_topic"]), re.sub(r"^aps_[0-9a-f]{12}_", "", str(uid)), key)
        labels, seen = coverage.get(kind, ([], False))
        coverage[kind] = (labels + [label], seen or delivered)
    for (topic_shape, _, key), (labels, delivered) in coverage.items():
        if not delivered:
            for label in labels:
                report[label].append("key %r is in no payload on %s" % (key, topic_shape))
    return report


def simulate(component, cfg, entries, mode, states, problems):
    """Home Assistant's view of the entity, message by message.
    Returns (the key its template reads, whether any payload carried it)."""
    status = [None] * len(entries)
    latest, key, delivered, said = None, None, False, set()

    def once(tag, text):
        if tag not in said:
            said.add(tag)
            problems.append(text)

    for topic, payload in states:
        for i, (a_topic, on, off, template) in enumerate(entries):
            if a_topic != topic:
                continue
            try:
                text = render(template, payload)[0]
            except ValueError as err:
                once(str(err), str(err))
                continue
            if text in (on, off):
                status[i] = latest = text == on
            else:
                once(a_topic, "availability payload %r on %s matches neither" % (text, a_topic))
        if topic != cfg["state_topic"]:
            continue
        if not entries:
            available = True
        elif mode == "all":
            available = all(s is True for s in status)
        elif mode == "any":
            available = any(s is True for s in status)
        else:
            available = latest is True
        try:
            text, key, present, warning = render(cfg.get("value_template"), payload)
        except ValueError as err:
            once(str(err), str(err))
            return key, True
        delivered = delivered or present
        if warning:
            once(warning, warning + " (logged for every such message)")
        try:
            offline = json.loads(payload).get("online") is False
        except (ValueError, AttributeError):
            offline = False
        if offline and component == "sensor" and available:
            once("stale", "stays available while the inverter is offline: stale values at night")
        if offline and component == "binary_sensor" and not available:
            once("off", "unavailable while the inverter is offline: cannot show OFF")
        if available:
            found = []
            check_value(component, cfg, text, found)
            for problem in found:
                once(problem, problem)
    return key, delivered


def summarize(report):
    failed = 0
    for label, problems in report.items():
        for p in problems:
            print("FAIL %s: %s" % (label, p))
        failed += bool(problems)
    print("%d passed, %d failed" % (len(report) - failed, failed))
    return failed


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---- Self-test: a small good setup passes, and each broken variant is caught ----

ECU, UID = "216200033510", "804000070564"
ECU_TOPIC, INV_TOPIC = "aps/" + ECU, "aps/%s/%s" % (ECU, UID)
ONLINE_TEMPLATE = "{{ 'online' if value_json.online else 'offline' }}"


def good_config(component, dev_id, obj, name, key, extra=None, template="{{ value_json.%s | default('') }}"):
    inverter = dev_id == UID
    avail = [{"topic": "aps/status"}, {"topic": "aps/%s/status" % ECU}]
    if inverter and component == "sensor":
        avail.append({"topic": INV_TOPIC, "value_template": ONLINE_TEMPLATE})
    cfg = {"name": name, "unique_id": "aps_%s_%s" % (dev_id, obj),
           "default_entity_id": "%s.aps_%s_%s" % (component, dev_id, obj),
           "state_topic": INV_TOPIC if inverter else ECU_TOPIC,
           "value_template": template % key if "%s" in template else template}
    cfg.update(extra or {})
    cfg["availability"] = avail
    cfg["availability_mode"] = "all"
    cfg["device"] = {"identifiers": [dev_id],
                     "name": ("APS Inverter " if inverter else "APS ECU ") + dev_id}
    if inverter:
        cfg["device"]["via_device"] = ECU
    cfg["origin"] = {"name": "self-test"}
    return component, cfg


def good_setup():
    m = {"state_class": "measurement"}
    return [
        good_config("sensor", ECU, "power", "Power", "current_power",
                    dict(m, device_class="power", unit_of_measurement="W")),
        good_config("sensor", ECU, "lifetime_energy", "Lifetime energy", "lifetime_energy",
                    {"device_class": "energy", "unit_of_measurement": "kWh",
                     "state_class": "total_increasing"}),
        good_config("sensor", ECU, "timestamp", "Report time", "timestamp", {"device_class": "timestamp"},
                    "{{ value_json.%s | default('None') }}"),
        good_config("binary_sensor", UID, "online", "Online", "online",
                    {"device_class": "connectivity", "payload_on": "ON", "payload_off": "OFF"},
                    "{{ 'ON' if value_json.%s else 'OFF' }}"),
        good_config("sensor", UID, "signal", "Signal", "signal", dict(m, unit_of_measurement="%")),
        good_config("sensor", UID, "power", "Power", "power",
                    dict(m, device_class="power", unit_of_measurement="W")),
        good_config("sensor", UID, "panel_1_power", "Panel 1 power", "panel_1_power",
                    dict(m, device_class="power", unit_of_measurement="W")),
    ]


STATES = [
    ("aps/status", "online"),
    ("aps/%s/status" % ECU, "online"),
    (ECU_TOPIC, '{"current_power":241,"lifetime_energy":23639.8,"timestamp":"2024-03-25T18:25:24-07:00"}'),
    (INV_TOPIC, '{"online":true,"signal":81,"power":39,"panel_1_power":11}'),
    (INV_TOPIC, '{"online":false}'),
]


def lines_of(setup, states=STATES):
    lines = []
    for component, cfg in setup:
        topic = "homeassistant/%s/%s/config" % (component, cfg["unique_id"])
        lines.append({"kind": "config", "topic": topic,
                      "payload": json.dumps(cfg, separators=(",", ":"), ensure_ascii=False)})
    return lines + [{"kind": "state", "topic": t, "payload": p} for t, p in states]


def mutate(dev_id, obj, **changes):
    """A case: change the config aps_<dev_id>_<obj>; a value None deletes the key."""
    def apply(setup):
        for _, cfg in setup:
            if cfg["unique_id"] == "aps_%s_%s" % (dev_id, obj):
                for k, v in changes.items():
                    if v is None:
                        cfg.pop(k, None)
                    else:
                        cfg[k] = v
        return setup
    return apply


def duplicate_uid(setup):
    setup[5][1]["unique_id"] = setup[4][1]["unique_id"]
    return setup


def aps2mqtt_panel(setup):  # aps2mqtt: panel on <uid>/<n>, value_json.power
    return mutate(UID, "panel_1_power", state_topic=INV_TOPIC + "/1",
                  value_template="{{ value_json.power }}")(setup)


def naive_timestamp(setup):  # a state change: the ECU's time without its offset
    return setup, [(t, p.replace("-07:00", "")) for t, p in STATES]


SELF_TESTS = [
    ("aps2mqtt panel topic <uid>/1", aps2mqtt_panel, "nothing is published"),
    ("aps2mqtt signal in dBm, signal_strength",
     mutate(UID, "signal", device_class="signal_strength", unit_of_measurement="dBm"), "plausible dBm"),
    ("aps2mqtt energy without state_class", mutate(ECU, "lifetime_energy", state_class=None),
     "without state_class"),
    ("aps2mqtt online payload_on 'true'",
     mutate(UID, "online", value_template="{{ value_json.online }}", payload_on="true", payload_off="false"),
     "matches neither payload_on"),
    ("aps2mqtt single availability_topic",
     mutate(UID, "power", availability=None, availability_mode=None, availability_topic="aps/status"),
     "stale"),
    ("energy with state_class measurement", mutate(ECU, "lifetime_energy", state_class="measurement"),
     "not allowed with device_class"),
    ("timestamp with a state_class", mutate(ECU, "timestamp", state_class="measurement"), "not allowed"),
    ("power in kWh", mutate(UID, "panel_1_power", unit_of_measurement="kWh"), "unit 'kWh' is not valid"),
    ("deprecated object_id", mutate(UID, "power", object_id="aps_x_power"), "object_id is deprecated"),
    ("default_entity_id without domain", mutate(UID, "signal", default_entity_id="aps_%s_signal" % UID),
     "default_entity_id"),
    ("duplicate unique_id", duplicate_uid, "duplicate unique_id"),
    ("availability topic never published",
     mutate(UID, "signal", availability=[{"topic": "aps/%s/lwt" % ECU}]), "never published"),
    ("online binary_sensor follows the inverter",
     mutate(UID, "online", availability=[{"topic": INV_TOPIC, "value_template": ONLINE_TEMPLATE}]),
     "cannot show OFF"),
    ("template key typo",
     mutate(UID, "panel_1_power", value_template="{{ value_json.panle_1_power | default('') }}"),
     "is in no payload"),
    ("template without default on a missing key",
     mutate(UID, "power", value_template="{{ value_json.power }}"), "Template variable warning"),
    ("entity name repeats the device name", mutate(UID, "signal", name="APS Inverter %s Signal" % UID),
     "repeats the device name"),
    ("timestamp without offset", naive_timestamp, "no UTC offset"),
    ("unknown template shape", mutate(UID, "power", value_template="{{ value_json['power'] }}"),
     "not understood"),
    ("entity_category config", mutate(UID, "signal", entity_category="config"), "refused"),
]


def run_self_test(check_fn):
    passed = failed = 0
    report = check_fn(lines_of(good_setup()))
    bad = {k: v for k, v in report.items() if v}
    if bad or len(report) != len(good_setup()):
        print("FAIL good setup is rejected: %r" % bad)
        failed += 1
    else:
        passed += 1
    for title, change, want in SELF_TESTS:
        changed = change(good_setup())
        lines = lines_of(*changed) if isinstance(changed, tuple) else lines_of(changed)
        problems = [p for ps in check_fn(lines).values() for p in ps]
        if any(want in p for p in problems):
            passed += 1
        else:
            failed += 1
            print("FAIL self-test %r: no problem containing %r, got %r" % (title, want, problems))
    print("%d passed, %d failed" % (passed, failed))
    return failed


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return 1 if run_self_test(check) else 0
    if len(argv) != 2:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    lines = load(argv[1])
    if not any(l["kind"] == "config" for l in lines):
        print("no configs in %s" % argv[1])
        print("0 passed, 1 failed")
        return 1
    return 1 if summarize(check(lines)) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
