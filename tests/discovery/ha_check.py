#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ha_check.py - hold MQTT discovery configs against Home Assistant's rules.

Usage: ha_check.py FILE.jsonl     check the configs and state messages in FILE
       ha_check.py --migration FILE.jsonl
                                  and that FILE hands its per-entity configs over
                                  to device configs keeping every registry entry,
                                  whenever Home Assistant restarts
       ha_check.py --self-test    prove the checks reject broken configs

FILE holds one JSON object per line: {"kind": "config"|"state", "topic": ...,
"payload": "<text>"}, in publish order.  A config is in one of the two forms
Home Assistant reads, its keys in full or abbreviated:

  per entity  <prefix>/<platform>/[<node_id>/]<object_id>/config:
              one entity's config;
  per device  <prefix>/device/[<node_id>/]<object_id>/config (HA 2024.11+):
              device (dev) and origin (o) at the root, and components (cmps)
              mapping a component id to one entity's config, whose platform
              (p) is sensor, binary_sensor, or (control) switch, number or
              button, which also need a command_topic.  A component inherits the root's
              availability options, state_topic, command_topic, qos and
              encoding unless it sets its own; device and origin come from the
              root only, and any other key at the root makes Home Assistant
              refuse the whole payload.

The config lines are first replayed as Home Assistant takes them: keys
expanded, a device payload split into one config per component, a later
payload on a topic replacing the earlier one, an empty payload removing what
its topic announced (a topic never announced included), a component holding
nothing but its platform removing that component.  A re-announce is no
problem; a topic whose entity changes unique_id is, and so are a component
left out of a device payload without being removed first (Home Assistant
keeps it) and a unique_id announced while another entity holds it (Home
Assistant ignores the newcomer).  What Home Assistant holds at the end is
checked: each config on its own (device class / unit / state class as Home
Assistant's sensor tables allow, ids, device, origin, availability shape),
then against the state messages as Home Assistant would process them: the
availability of each entity is followed message by message, the
value_template is rendered (the few template shapes we publish are
understood, any other is an error), and the rendered state must be one Home
Assistant accepts.

Home Assistant facts encoded here (its sensor constants and MQTT docs):
units and state classes per device class (subset for the classes we use);
MQTT discovery rejects a unit that does not fit the device class; timestamps
need a UTC offset; numeric sensors ignore an empty rendered state; the text
"None" makes a sensor unknown; binary sensors compare the rendered text with
payload_on/payload_off exactly; a template reading a missing key logs a
"Template variable warning"; default_entity_id is "<domain>.<slug>";
object_id is deprecated; entity_category "config" is refused for sensors;
an entity name starting with the device name is shown with it twice; a key
given both abbreviated and in full keeps the abbreviation's value, silently;
device and origin mappings take only their known keys; a device payload needs
device, origin and components, each component a platform and a unique_id.
(Sources as in plugin/mqtt/discovery.c: HA's MQTT docs, sensor/const.py,
mqtt/sensor.py, the default_entity_id issues; mqtt/discovery.py,
abbreviations.py and schemas.py for device discovery.)

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

# Key abbreviations Home Assistant expands before it validates (the ones an
# entity config, a device payload's root, a component or an availability entry
# of ours may use); a key not listed is left as it is.
ABBREVIATIONS = {
    "avty": "availability", "avty_mode": "availability_mode", "avty_t": "availability_topic",
    "avty_tpl": "availability_template", "cmd_t": "command_topic", "cmps": "components",
    "def_ent_id": "default_entity_id", "dev": "device", "dev_cla": "device_class", "e": "encoding",
    "en": "enabled_by_default", "ent_cat": "entity_category", "ent_pic": "entity_picture",
    "exp_aft": "expire_after", "frc_upd": "force_update", "ic": "icon",
    "json_attr_t": "json_attributes_topic", "json_attr_tpl": "json_attributes_template",
    "o": "origin", "off_dly": "off_delay", "p": "platform", "pl_avail": "payload_available",
    "pl_not_avail": "payload_not_available", "pl_off": "payload_off", "pl_on": "payload_on",
    "pl_prs": "payload_press",
    "stat_cla": "state_class", "stat_t": "state_topic", "sug_dsp_prc": "suggested_display_precision",
    "t": "topic", "uniq_id": "unique_id", "unit_of_meas": "unit_of_measurement",
    "val_tpl": "value_template",
}
DEVICE_ABBREVIATIONS = {  # via_device has none
    "cns": "connections", "cu": "configuration_url", "hw": "hw_version", "ids": "identifiers",
    "mdl": "model", "mdl_id": "model_id", "mf": "manufacturer", "sa": "suggested_area",
    "sn": "serial_number", "sw": "sw_version",
}
ORIGIN_ABBREVIATIONS = {"sw": "sw_version", "url": "support_url"}
DEVICE_KEYS = set(DEVICE_ABBREVIATIONS.values()) | {"name", "via_device"}
ORIGIN_KEYS = {"name", "sw_version", "support_url"}
# Root options of a device payload that its components inherit.
SHARED_OPTIONS = ("availability", "availability_mode", "availability_template", "availability_topic",
                  "payload_available", "payload_not_available", "state_topic", "command_topic",
                  "qos", "encoding")
ROOT_KEYS = {"device", "origin", "components"} | set(SHARED_OPTIONS)
PLATFORMS = ("sensor", "binary_sensor", "switch", "number", "button")
# Platforms that take commands (control, plugin/control.c): a command_topic,
# and entity_category "config" allowed.
COMMANDED = ("switch", "number", "button")

ID_PART_RE = re.compile(r"^[A-Za-z0-9_-]+$")
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


# ---- Replaying the config lines as Home Assistant takes them ----

class Entry:
    """One line of the report: an entity's config in full (cfg), or, cfg None, a
    payload as a whole (a device payload, or one that is no config at all)."""

    def __init__(self, label, problems, component=None, cfg=None, key=None):
        self.label, self.problems = label, problems
        self.component, self.cfg, self.key = component, cfg, key  # key: component id
        self.mentions = None  # a device payload: every component id it names


def discovery_component(topic):
    """sensor, binary_sensor or device as Home Assistant reads it from a discovery
    topic, else None.  Read from the end: the prefix may have levels of its own."""
    parts = topic.split("/") if isinstance(topic, str) else []
    for ids in (1, 2):  # <object_id>, or <node_id>/<object_id>
        if (len(parts) >= ids + 3 and parts[-1] == "config"
                and parts[-ids - 2] in PLATFORMS + ("device",)
                and all(ID_PART_RE.match(p) for p in parts[-ids - 1:-1])):
            return parts[-ids - 2]
    return None


def expand(mapping, table, where, problems):
    """A copy of mapping with its abbreviated keys in full."""
    if not isinstance(mapping, dict):
        return mapping
    full = dict(mapping)
    for short, name in table.items():
        if short in mapping:
            if name in mapping:
                problems.append("%s has both %r and %r: Home Assistant keeps the value of %r, silently"
                                % (where, short, name, short))
            full[name] = full.pop(short)
    return full


def expand_config(cfg, where, problems, inner=True):
    """cfg in full as Home Assistant expands it; inner: the device and origin
    mappings too (a component's own are never read)."""
    cfg = expand(cfg, ABBREVIATIONS, where, problems)
    if isinstance(cfg.get("availability"), list):
        cfg["availability"] = [expand(e, ABBREVIATIONS, "an availability entry", problems)
                               for e in cfg["availability"]]
    for key, table, known in (("device", DEVICE_ABBREVIATIONS, DEVICE_KEYS),
                              ("origin", ORIGIN_ABBREVIATIONS, ORIGIN_KEYS)):
        if inner and isinstance(cfg.get(key), dict):
            cfg[key] = expand(cfg[key], table, key, problems)
            for unknown in sorted(set(cfg[key]) - known):
                problems.append("%r in %s: Home Assistant refuses the config" % (unknown, key))
    return cfg


def device_entries(topic, doc, problems):
    """A device payload split as Home Assistant splits it: an entry for the payload
    as a whole, then one per component with the root's shared options inherited."""
    root = expand_config(doc, "the root", problems)
    for key in sorted(set(root) - ROOT_KEYS):
        problems.append("%r at the root: Home Assistant refuses the whole payload" % key)
    for key, short in (("device", "dev"), ("origin", "o")):
        if not isinstance(root.get(key), dict):
            problems.append("no %s (%s) mapping at the root: Home Assistant refuses the whole payload"
                            % (key, short))
    components = root.get("components")
    if not isinstance(components, dict) or not components:
        problems.append("components (cmps) missing or empty: the payload announces nothing")
        components = {}
    head = Entry(topic, problems)
    head.mentions = set(components)
    entries = [head]
    for cid, comp in components.items():
        own, label = [], "%s#%s" % (topic, cid)
        if not ID_PART_RE.match(cid):
            own.append("component id %r is not [A-Za-z0-9_-]+" % cid)
        if not isinstance(comp, dict):
            entries.append(Entry(label, own + ["component is not a mapping"], key=cid))
            continue
        cfg = expand_config(comp, "the component", own, inner=False)
        platform = cfg.pop("platform", None)
        if platform is not None and not cfg:
            continue  # its platform alone: the removal of this component
        if platform is None:
            own.append("component without platform (p): Home Assistant refuses the whole payload")
        elif platform not in PLATFORMS:
            own.append("platform %r: not one of %s" % (platform, ", ".join(PLATFORMS)))
        if "unique_id" not in cfg:
            own.append("component without unique_id: Home Assistant refuses the whole payload")
        for key in ("device", "origin"):
            if key in cfg:
                own.append("%s in a component: Home Assistant takes it from the root only" % key)
        for key in SHARED_OPTIONS:
            # A button's schema drops a state_topic it inherits (REMOVE_EXTRA).
            if key in root and key not in cfg and not (platform == "button" and key == "state_topic"):
                cfg[key] = root[key]
        cfg["device"], cfg["origin"] = root.get("device"), root.get("origin")
        entries.append(Entry("%s (%s)" % (cfg.get("unique_id"), label), own,
                             platform if platform in PLATFORMS else None, cfg, cid))
    return entries


def announce(topic, payload):
    """The entries of one non-empty config payload."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return [Entry(topic, ["payload is not JSON"])]
    if not isinstance(doc, dict):
        return [Entry(topic, ["payload is not a JSON object"])]
    problems = []
    if "\n" in payload or payload != json.dumps(doc, separators=(",", ":"), ensure_ascii=False):
        problems.append("payload is not compact JSON")
    component = discovery_component(topic)
    if component == "device":
        return device_entries(topic, doc, problems)
    if component is None:
        problems.append("discovery topic %r: not <prefix>/<sensor|binary_sensor|device>/"
                        "[<node_id>/]<object_id>/config" % topic)
    cfg = expand_config(doc, "the config", problems)
    return [Entry("%s (%s)" % (cfg.get("unique_id"), topic), problems, component, cfg)]


def compare(earlier, entries):
    """What Home Assistant makes of a payload replacing the earlier one on its topic."""
    before = {e.key: e for e in earlier if e.cfg is not None}
    after = {e.key: e for e in entries if e.cfg is not None}
    head = entries[0]
    for key, old in before.items():
        new = after.get(key)
        if new is not None and new.cfg.get("unique_id") != old.cfg.get("unique_id"):
            new.problems.append("this discovery id announced unique_id %r before: two entities on it?"
                                % (old.cfg.get("unique_id"),))
        elif new is None and head.mentions is not None and key not in head.mentions:
            head.problems.append("component %r left out without being removed first (its platform "
                                 "alone): Home Assistant keeps it until it restarts" % key)


MIGRATE_KEYS = ("migrate_discovery", "migr_discvry")


def is_migrate(payload):
    """Home Assistant's hand-over message: that one key, true, nothing else."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return False
    return isinstance(doc, dict) and len(doc) == 1 and any(doc.get(k) is True for k in MIGRATE_KEYS)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class Registry:
    """Home Assistant's entity registry as MQTT discovery changes it (mqtt/entity.py,
    mqtt/discovery.py, helpers/entity_platform.py):
    - an entity whose unique_id has no entry gets a new one: its entity id is
      default_entity_id, else "<domain>.<device name> <entity name>" slugged
      (has_entity_name), with _2, _3 ... when taken;
    - one whose unique_id has an entry not loaded adopts it: same entity id;
    - one whose unique_id is loaded from another discovery id is ignored, that
      entity only ("does not generate unique IDs ... already exists - ignoring");
    - an empty payload on a discovery topic removes its entities and their
      entries; a migrate_discovery message unloads them and keeps the entries;
      either does nothing on a topic with nothing loaded from it.
    history[unique_id] lists what happened: created, adopted, ignored,
    unloaded, removed, restart."""

    def __init__(self):
        self.entity_id, self.history, self.loaded = {}, {}, set()

    def note(self, uid, what):
        self.history.setdefault(uid, []).append(what)

    def add(self, component, cfg):
        uid = cfg.get("unique_id")
        if uid is None:
            return True
        if uid in self.loaded:
            self.note(uid, "ignored")
            return False
        if uid in self.entity_id:
            self.note(uid, "adopted")
        else:
            dev = cfg.get("device") if isinstance(cfg.get("device"), dict) else {}
            want = cfg.get("default_entity_id") or "%s.%s" % (
                component, slug("%s %s" % (dev.get("name", ""), cfg.get("name", ""))))
            taken, eid, n = set(self.entity_id.values()), want, 1
            while eid in taken:
                n += 1
                eid = "%s_%d" % (want, n)
            self.entity_id[uid] = eid
            self.note(uid, "created")
        self.loaded.add(uid)
        return True

    def drop(self, uid, keep):
        if uid not in self.loaded:
            return
        self.loaded.discard(uid)
        self.note(uid, "unloaded" if keep else "removed")
        if not keep:
            del self.entity_id[uid]

    def restart(self):
        for uid in list(self.loaded):
            self.note(uid, "restart")
        self.loaded.clear()


def normalise(lines, registry=None):
    """Replays the config lines; returns the entries of what Home Assistant holds at
    the end, each entity's config with every key in full, in publish order.
    registry: a Registry to follow (and carry across a restart)."""
    live = {}  # discovery topic -> the entries of its latest payload, loaded ones
    registry = registry if registry is not None else Registry()
    for line in lines:
        if line["kind"] != "config":
            continue
        topic, payload = line["topic"], line["payload"]
        earlier = live.pop(topic, [])
        handover = payload != "" and is_migrate(payload)
        if payload == "" or handover:
            for e in earlier:  # a removal, or the hand-over to another form
                if e.cfg is not None and not getattr(e, "ignored", False):
                    registry.drop(e.cfg.get("unique_id"), keep=handover)
            continue
        entries = announce(topic, payload)
        compare(earlier, entries)
        loaded = [e for e in earlier if e.cfg is not None and not getattr(e, "ignored", False)]
        before = {e.key: e.cfg.get("unique_id") for e in loaded}
        for e in loaded:  # replaced by this payload: a re-announce, or its unique_id changed
            uid = e.cfg.get("unique_id")
            if uid is not None and uid not in {x.cfg.get("unique_id") for x in entries if x.cfg is not None}:
                registry.drop(uid, keep=False)
        holders = [e for es in live.values() for e in es if e.cfg is not None and not getattr(e, "ignored", False)]
        kept = []
        for e in entries:
            if e.cfg is None:
                kept.append(e)
                continue
            uid = e.cfg.get("unique_id")
            twin = next((h for h in holders if uid is not None and h.cfg.get("unique_id") == uid), None)
            if twin is not None:
                e.problems.append("duplicate unique_id, also in %s: Home Assistant ignores this one"
                                  % twin.label)
                registry.add(e.component, e.cfg)  # noted as ignored
                e.ignored = True
                kept.append(e)
                continue
            if before.get(e.key) != uid or uid is None:
                registry.add(e.component, e.cfg)
            holders.append(e)
            kept.append(e)
        live[topic] = kept
    return [e for es in live.values() for e in es]


def retained_after(lines):
    """The broker's retained discovery messages after lines, {topic: payload}."""
    kept = {}
    for line in lines:
        if line["kind"] == "config":
            if line["payload"] == "":
                kept.pop(line["topic"], None)
            else:
                kept[line["topic"]] = line["payload"]
    return kept


def replay_with_restart(lines, cut):
    """Home Assistant follows lines[:cut], restarts (the registry stays, nothing
    is loaded), gets the retained messages as it subscribes: the per-entity
    wildcards before the device ones (mqtt/discovery.py async_start), then
    follows lines[cut:].  Returns the registry."""
    registry = Registry()
    normalise(lines[:cut], registry)
    registry.restart()
    retained = retained_after(lines[:cut])
    order = sorted(retained, key=lambda t: (discovery_component(t) == "device", t))
    normalise([{"kind": "config", "topic": t, "payload": retained[t]} for t in order] + lines[cut:], registry)
    return registry


def migration_problems(lines):
    """For a run that hands per-entity configs over to device configs: every
    unique_id announced per entity keeps its registry entry and entity id,
    is loaded at the end, whenever Home Assistant restarts; each old topic
    gets the migrate message before the device config naming its unique_id and
    the empty message after it; nothing per entity stays retained."""
    problems = []
    configs = [l for l in lines if l["kind"] == "config"]
    old = {}  # unique_id -> its per-entity topic
    for l in configs:
        if discovery_component(l["topic"]) in PLATFORMS and l["payload"] and not is_migrate(l["payload"]):
            uid = json.loads(l["payload"]).get("unique_id")
            old.setdefault(uid, l["topic"])
    if not old:
        return ["no per-entity config to hand over"]
    first_ids = {}
    for cut in range(len(configs) + 1):
        registry = replay_with_restart(configs, cut) if cut < len(configs) else Registry()
        if cut == len(configs):
            normalise(configs, registry)
        for uid in old:
            history = registry.history.get(uid, [])
            if "removed" in history or "ignored" in history:
                problems.append("%s, Home Assistant %s: %s" % (
                    uid, "not restarted" if cut == len(configs) else "restarted after message %d" % cut,
                    " -> ".join(history)))
            if uid not in registry.loaded:
                problems.append("%s is not loaded at the end (restart after message %d)" % (uid, cut))
            eid = registry.entity_id.get(uid)
            if first_ids.setdefault(uid, eid) != eid:
                problems.append("%s changed entity id: %s -> %s" % (uid, first_ids[uid], eid))
    for uid, topic in old.items():
        seq = [(i, l["payload"]) for i, l in enumerate(configs) if l["topic"] == topic]
        handover = next((i for i, p in seq if p and is_migrate(p)), None)
        device = next((i for i, l in enumerate(configs) if discovery_component(l["topic"]) == "device"
                       and l["payload"] and uid in l["payload"]), None)
        if handover is None or device is None or handover > device:
            problems.append("%s: migrate message (%s) not before the device config (%s)" % (topic, handover, device))
        if device is None or not seq or seq[-1][1] != "" or seq[-1][0] < device:
            problems.append("%s: not cleared after the device config" % topic)
    left = [t for t in retained_after(configs) if discovery_component(t) in PLATFORMS]
    if left:
        problems.append("per-entity configs still retained: %s" % left[:3])
    return sorted(set(problems))


# ---- The checks, on each entity config in full ----

def check_commanded(component, cfg, problems):
    """switch, number, button: what Home Assistant's MQTT platforms need to send a command and read
    back its state (mqtt/switch.py, number.py, button.py)."""
    if not topic_ok(cfg.get("command_topic")):
        problems.append("command_topic %r is not a topic to publish on" % cfg.get("command_topic"))
    if component == "button":
        if "state_topic" in cfg:
            problems.append("a button has no state_topic")
        if cfg.get("payload_press", "PRESS") != "PRESS":
            problems.append("payload_press %r: the plugin takes PRESS" % cfg.get("payload_press"))
        if cfg.get("device_class") not in (None, "restart", "identify", "update"):
            problems.append("button device_class %r" % cfg.get("device_class"))
        return
    if component == "switch":
        if (cfg.get("payload_on", "ON"), cfg.get("payload_off", "OFF")) != ("ON", "OFF"):
            problems.append("payload_on/off %r/%r: the plugin takes ON and OFF"
                            % (cfg.get("payload_on"), cfg.get("payload_off")))
        if cfg.get("device_class") not in (None, "switch", "outlet"):
            problems.append("switch device_class %r" % cfg.get("device_class"))
    if component == "number":
        lo, hi, step = cfg.get("min", 1), cfg.get("max", 100), cfg.get("step", 1)
        if not all(isinstance(v, (int, float)) for v in (lo, hi, step)) or not lo < hi or step <= 0:
            problems.append("number min/max/step %r/%r/%r" % (lo, hi, step))
        if cfg.get("mode", "auto") not in ("auto", "box", "slider"):
            problems.append("number mode %r" % cfg.get("mode"))
        dc, unit = cfg.get("device_class"), cfg.get("unit_of_measurement")
        if dc is not None and (dc not in UNITS or unit not in UNITS[dc]):
            problems.append("number unit %r is not valid with device_class %r" % (unit, dc))
    if not topic_ok(cfg.get("state_topic")):
        problems.append("state_topic %r is not a topic to publish on" % cfg.get("state_topic"))
    elif cfg["state_topic"] == cfg.get("command_topic"):
        problems.append("state_topic is the command_topic: commands would read back as states")


def check_static(component, cfg, problems):
    if component not in PLATFORMS:
        return  # the topic or the platform is wrong: said already
    for key in ("name", "unique_id") + (("state_topic",) if component != "button" else ()):
        if not isinstance(cfg.get(key), str) or not cfg[key]:
            problems.append("missing %s" % key)
    if component != "button" and not topic_ok(cfg.get("state_topic")):
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
    allowed = (None, "diagnostic", "config") if component in COMMANDED else (None, "diagnostic")
    if cfg.get("entity_category") not in allowed:
        problems.append("entity_category %r is refused for %s" % (cfg["entity_category"], component))
    icon = cfg.get("icon")
    if icon is not None and not re.match(r"^mdi:[a-z0-9-]+$", icon):
        problems.append("icon %r" % icon)
    if component in COMMANDED:
        check_commanded(component, cfg, problems)
        return
    if "command_topic" in cfg:
        problems.append("a %s takes no command_topic" % component)
    dc, unit, sc = cfg.get("device_class"), cfg.get("unit_of_measurement"), cfg.get("state_class")
    if component == "binary_sensor":
        if unit is not None or sc is not None:
            problems.append("a binary_sensor has no unit or state_class")
        if dc is not None and dc not in BINARY_CLASSES:
            problems.append("binary_sensor device_class %r not known to this checker" % dc)
        return
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
    # The Energy dashboard offers only energy sensors in a Wh unit whose
    # statistics sum: total or total_increasing.
    if (cfg.get("unique_id") or "").endswith("_energy") and (
            dc != "energy" or unit not in UNITS["energy"] or sc not in ("total", "total_increasing")):
        problems.append("energy sensor not ready for the Energy dashboard (device_class energy, "
                        "unit Wh/kWh/MWh, state_class total_increasing)")


def is_numeric(cfg):
    dc = cfg.get("device_class")
    if dc in NON_NUMERIC:
        return False
    return dc is not None or cfg.get("unit_of_measurement") is not None or cfg.get("state_class") is not None


def check_value(component, cfg, text, problems):
    """A rendered state of an available entity, as Home Assistant takes it."""
    if component == "switch":
        # "None" (PAYLOAD_NONE) makes a switch unknown.
        if text not in (cfg.get("state_on", cfg.get("payload_on", "ON")),
                        cfg.get("state_off", cfg.get("payload_off", "OFF")), "None"):
            problems.append("switch state %r is neither on, off nor None" % text)
        return
    if component == "number":
        if text == cfg.get("payload_reset", "None"):
            return  # unknown
        try:
            number = float(text)
        except ValueError:
            problems.append("number got %r" % text)
            return
        if not cfg.get("min", 1) <= number <= cfg.get("max", 100):
            problems.append("number %s outside %r..%r" % (text, cfg.get("min", 1), cfg.get("max", 100)))
        return
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
    """Returns {label: [problems]}: one entry per entity config and per device
    payload Home Assistant holds after the config lines."""
    states = [(l["topic"], l["payload"]) for l in lines if l["kind"] == "state"]
    published = {t for t, _ in states}
    held = normalise(lines)
    identifiers = set()
    for e in held:
        dev = e.cfg.get("device") if e.cfg is not None else None
        ids = dev.get("identifiers") if isinstance(dev, dict) else None
        identifiers.update(i for i in (ids if isinstance(ids, list) else [ids]) if isinstance(i, str))
    report, coverage = {}, {}
    for e in held:
        cfg, component, label, problems = e.cfg, e.component, e.label, e.problems
        report[label] = problems
        if cfg is None:
            continue
        check_static(component, cfg, problems)
        uid = cfg.get("unique_id")
        dev = cfg.get("device") if isinstance(cfg.get("device"), dict) else {}
        if dev.get("via_device") is not None and dev["via_device"] not in identifiers:
            problems.append("via_device %r is no device we announce" % dev["via_device"])
        entries, mode = availability_of(cfg, problems)
        for a in entries:
            if a[0] not in published:
                problems.append("availability topic %s is never published: always unavailable" % a[0])
        if component not in PLATFORMS or not isinstance(cfg.get("state_topic"), str):
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
        # Energy carried in the offline payload is what was made, not stale.
        carried = present and cfg.get("device_class") == "energy"
        if offline and component == "sensor" and available and not carried:
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


# ---- Self-test: a small good setup passes in both forms, and each broken variant is caught ----

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
        inverter_energy(),
    ]


def inverter_energy():
    """Per-inverter energy: available while the inverter is offline, the offline
    payload carrying the value."""
    component, cfg = good_config("sensor", UID, "today_energy", "Today energy", "today_energy",
                                 {"device_class": "energy", "unit_of_measurement": "kWh",
                                  "state_class": "total_increasing"})
    cfg["availability"] = cfg["availability"][:2]
    return component, cfg


STATES = [
    ("aps/status", "online"),
    ("aps/%s/status" % ECU, "online"),
    (ECU_TOPIC, '{"current_power":241,"lifetime_energy":23639.8,"timestamp":"2024-03-25T18:25:24-07:00"}'),
    (INV_TOPIC, '{"online":true,"signal":81,"power":39,"panel_1_power":11,"today_energy":1.2}'),
    (INV_TOPIC, '{"online":false,"today_energy":1.234}'),
]


def config_line(topic, doc):
    """A config line; doc None publishes an empty payload (a removal)."""
    payload = "" if doc is None else json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return {"kind": "config", "topic": topic, "payload": payload}


def state_lines(states):
    return [{"kind": "state", "topic": t, "payload": p} for t, p in states]


def component_ids():
    """Each good config's id, <object> of aps_<device>_<object>.  Topics and component
    ids come from it, so a case that changes a unique_id keeps them, as the plugin would."""
    return [cfg["unique_id"].split("_", 2)[2] for _, cfg in good_setup()]


def entity_lines(setup):
    """The setup in per-entity form, keys in full."""
    return [config_line("homeassistant/%s/aps_%s_%s/config"
                        % (component, cfg["device"]["identifiers"][0], cid), cfg)
            for (component, cfg), cid in zip(setup, component_ids())]


def device_topic(dev_id):
    return "homeassistant/device/aps_%s/config" % dev_id


def abbreviated(cfg):
    """An entity config or a device root with the keys Home Assistant knows abbreviated."""
    def short(mapping, table):
        inverse = {name: abbr for abbr, name in table.items()}
        return {inverse.get(k, k): v for k, v in mapping.items()}
    out = short(cfg, ABBREVIATIONS)
    if isinstance(out.get("avty"), list):
        out["avty"] = [short(e, ABBREVIATIONS) if isinstance(e, dict) else e for e in out["avty"]]
    for key, table in (("dev", DEVICE_ABBREVIATIONS), ("o", ORIGIN_ABBREVIATIONS)):
        if isinstance(out.get(key), dict):
            out[key] = short(out[key], table)
    if isinstance(out.get("cmps"), dict):
        out["cmps"] = {cid: abbreviated(c) for cid, c in out["cmps"].items()}
    return out


def device_docs(setup):
    """The setup in device form, as [topic, payload] pairs: the configs grouped by
    device, a shared option at the root when every component has it (with the
    value most of them have; the others keep theirs), keys abbreviated."""
    devices = {}
    for (component, cfg), cid in zip(setup, component_ids()):
        cfg = dict(cfg, platform=component)
        root = {"device": cfg.pop("device"), "origin": cfg.pop("origin"), "components": {}}
        root = devices.setdefault(root["device"]["identifiers"][0], root)
        root["components"][cid] = cfg
    docs = []
    for dev_id, root in devices.items():
        components = root.pop("components")  # put back last, after the shared options
        for key in SHARED_OPTIONS:
            values = [json.dumps(c[key]) for c in components.values() if key in c]
            if values and len(values) == len(components):
                common = max(values, key=values.count)
                root[key] = json.loads(common)
                for c in components.values():
                    if json.dumps(c[key]) == common:
                        del c[key]
        root["components"] = components
        docs.append([device_topic(dev_id), abbreviated(root)])
    return docs


def device_lines(setup):
    """The setup in device form."""
    return [config_line(t, d) for t, d in device_docs(setup)]


def lines_of(setup, states=STATES, form=entity_lines):
    return form(setup) + state_lines(states)


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


def drop_offline_energy(setup):  # available at night, but the value is not carried
    return setup, [(t, '{"online":false}' if '"online":false' in p else p) for t, p in STATES]


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
    ("inverter energy without state_class", mutate(UID, "today_energy", state_class=None), "Energy dashboard"),
    ("inverter energy as total", mutate(UID, "today_energy", state_class="total"), None),
    ("inverter energy in W", mutate(UID, "today_energy", device_class="power", unit_of_measurement="W",
                                    state_class="measurement"), "Energy dashboard"),
    ("inverter energy offline without its value", drop_offline_energy, "stale"),
]


# Every case above runs in both forms: in device form the converter keeps an
# option in the components unless all of them have it, so none is skipped.


def doc_of(docs, dev_id):
    return next(d for t, d in docs if t == device_topic(dev_id))


def cmp_of(docs, dev_id, cid):
    return doc_of(docs, dev_id)["cmps"][cid]


def device_case(*changes):
    """A device-form case: each change edits the [topic, payload] pairs in turn."""
    def lines():
        docs = device_docs(good_setup())
        for change in changes:
            change(docs)
        return [config_line(t, d) for t, d in docs] + state_lines(STATES)
    return lines


def republished(dev_id, change):
    """A change: the device's payload published again, changed by change(copy)."""
    def apply(docs):
        doc = json.loads(json.dumps(doc_of(docs, dev_id)))
        change(doc)
        docs.append([device_topic(dev_id), doc])
    return apply


def migration(device_first):
    """The good setup per entity, then in device form, the legacy topics emptied."""
    def lines():
        legacy = entity_lines(good_setup())
        clear = [dict(l, payload="") for l in legacy]
        devices = device_lines(good_setup())
        return legacy + (devices + clear if device_first else clear + devices) + state_lines(STATES)
    return lines


TWO_STATUS_TOPICS = [{"t": "aps/status"}, {"t": "aps/%s/status" % ECU}]
DEVICE_TESTS = [  # (title, lines, a problem containing this, or None: no problem at all)
    ("legacy topics emptied, then the device payloads", migration(False), None),
    ("device payloads before the legacy topics are emptied", migration(True), "duplicate unique_id"),
    ("identical re-announce, per entity", lambda: entity_lines(good_setup()) + lines_of(good_setup()), None),
    ("identical re-announce, per device",
     lambda: device_lines(good_setup()) + lines_of(good_setup(), form=device_lines), None),
    ("removal of a device never announced",
     device_case(lambda d: d.insert(0, [device_topic("000000000000"), None])), None),
    ("component removed by its platform alone, then left out",
     device_case(republished(UID, lambda doc: doc["cmps"].update(signal={"p": "sensor"})),
                 republished(UID, lambda doc: doc["cmps"].pop("signal"))), None),
    ("component left out without a removal",
     device_case(republished(UID, lambda doc: doc["cmps"].pop("signal"))), "left out"),
    ("component without p", device_case(lambda d: cmp_of(d, UID, "power").pop("p")), "without platform"),
    ("component of platform light", device_case(lambda d: cmp_of(d, UID, "power").update(p="light")),
     "not one of sensor, binary_sensor"),
    ("sensor turned switch", device_case(lambda d: cmp_of(d, UID, "power").update(p="switch")),
     "command_topic None"),
    ("component without uniq_id", device_case(lambda d: cmp_of(d, UID, "signal").pop("uniq_id")),
     "without unique_id"),
    ("root without o", device_case(lambda d: doc_of(d, ECU).pop("o")), "no origin (o)"),
    ("root without dev", device_case(lambda d: doc_of(d, UID).pop("dev")), "no device (dev)"),
    ("dev inside a component",
     device_case(lambda d: cmp_of(d, UID, "signal").update(dev={"ids": [UID], "name": "Signal"})),
     "from the root only"),
    ("val_tpl at the root", device_case(lambda d: doc_of(d, UID).update(val_tpl="{{ value }}")),
     "refuses the whole payload"),
    ("unknown key in dev", device_case(lambda d: doc_of(d, UID)["dev"].update(model_name="DS3")),
     "'model_name' in device"),
    ("cmps empty", device_case(lambda d: doc_of(d, ECU).update(cmps={})), "components (cmps)"),
    ("component id with a dot",
     device_case(lambda d: doc_of(d, UID)["cmps"].update({"power.1": doc_of(d, UID)["cmps"].pop("power")})),
     "component id"),
    ("component avty drops the inverter's online entry",
     device_case(lambda d: cmp_of(d, UID, "power").update(avty=TWO_STATUS_TOPICS)), "stale"),
    ("two devices give one unique_id",
     device_case(lambda d: cmp_of(d, ECU, "power").update(uniq_id="aps_%s_power" % UID)),
     "duplicate unique_id"),
    ("uniq_id and unique_id in one component",
     device_case(lambda d: cmp_of(d, UID, "power").update(unique_id="aps_%s_watts" % UID)), "has both"),
    ("ids and identifiers in dev", device_case(lambda d: doc_of(d, UID)["dev"].update(identifiers=[UID])),
     "has both"),
    ("ECU device emptied, its inverter stays", device_case(lambda d: d.append([device_topic(ECU), None])),
     "via_device"),
    ("a component's unique_id changes", device_case(
        republished(UID, lambda doc: doc["cmps"]["power"].update(uniq_id="aps_%s_watts" % UID))),
     "announced unique_id"),
]


def registry_after(lines):
    registry = Registry()
    normalise(lines, registry)
    return registry


def handover_lines(legacy):
    return [dict(l, payload=json.dumps({"migrate_discovery": True})) for l in legacy]


def cleared_lines(legacy):
    return [dict(l, payload="") for l in legacy]


def registry_cases():
    """(title, problem or None): the registry rules, and the migration check
    catching each wrong order."""
    legacy, devices = entity_lines(good_setup()), device_lines(good_setup())
    uids = [cfg["unique_id"] for _, cfg in good_setup()]
    cases = []

    r = registry_after(legacy + cleared_lines(legacy))
    cases.append(("empty per-entity config: entity and registry entry removed",
                  None if all(r.history[u] == ["created", "removed"] and u not in r.entity_id for u in uids)
                  else "history %r" % r.history))
    r = registry_after(legacy + handover_lines(legacy))
    cases.append(("migrate message: unloaded, registry entry kept",
                  None if all(r.history[u] == ["created", "unloaded"] and u in r.entity_id and u not in r.loaded
                              for u in uids) else "history %r" % r.history))
    r0 = registry_after(legacy)
    r = registry_after(legacy + handover_lines(legacy) + devices)
    cases.append(("device config adopts the registry entry: same entity id",
                  None if all(r.history[u][-1] == "adopted" and r.entity_id[u] == r0.entity_id[u] for u in uids)
                  else "history %r" % r.history))
    r = registry_after(legacy[:1] + devices)
    first = uids[0]
    cases.append(("unique_id collision ignored for that entity only",
                  None if r.history[first] == ["created", "ignored"] and all(
                      r.history[u] == ["created"] for u in uids[1:]) else "history %r" % r.history))
    r = registry_after([dict(legacy[0], payload="")] + [dict(legacy[0], payload=json.dumps({"migr_discvry": True}))])
    cases.append(("empty or migrate message on a topic with nothing loaded: nothing happens",
                  None if not r.history else "history %r" % r.history))
    fresh = registry_after(devices)
    cases.append(("fresh install: entity id from default_entity_id",
                  None if all(fresh.entity_id[u] == cfg["default_entity_id"] for u, (_, cfg) in
                              zip(uids, good_setup())) else "ids %r" % fresh.entity_id))
    named = [dict(l) for l in legacy]
    for l in named:
        doc = json.loads(l["payload"])
        doc.pop("default_entity_id")
        l["payload"] = json.dumps(doc)
    r = registry_after(named)
    cases.append(("no default_entity_id: device name and entity name",
                  None if r.entity_id[uids[0]] == "sensor.aps_ecu_%s_power" % ECU else "ids %r" % r.entity_id))

    good = legacy + handover_lines(legacy) + devices + cleared_lines(legacy) + devices
    cases.append(("migration in order", "; ".join(migration_problems(good)) or None))
    for title, lines, want in (
            ("cleared before the hand-over (clear_aps2mqtt_discovery before)",
             legacy + cleared_lines(legacy) + devices, "removed"),
            ("device configs before the hand-over", legacy + devices + handover_lines(legacy)
             + cleared_lines(legacy), "ignored"),
            ("never cleared", legacy + handover_lines(legacy) + devices, "not cleared"),
            ("cleared before the device configs", legacy + handover_lines(legacy) + cleared_lines(legacy)
             + devices, "not cleared after the device config")):
        found = migration_problems(lines)
        cases.append(("migration check catches: " + title,
                      None if any(want in p for p in found) else "no %r in %r" % (want, found)))
    return cases


STATUS_TOPIC, CMD_BASE = INV_TOPIC + "/status", INV_TOPIC + "/cmd/"


def control_setup():
    """An inverter's power switch and max power number, the ECU's reboot button (plugin/control.c)."""
    avail = [{"topic": "aps/status"}, {"topic": "aps/%s/status" % ECU}]

    def entity(component, dev_id, obj, name, extra):
        cfg = {"name": name, "unique_id": "aps_%s_%s" % (dev_id, obj),
               "default_entity_id": "%s.aps_%s_%s" % (component, dev_id, obj), "availability": avail,
               "availability_mode": "all", "origin": {"name": "self-test"},
               "device": {"identifiers": [dev_id], "name": ("APS Inverter " if dev_id == UID else "APS ECU ")
                          + dev_id}}
        cfg.update(extra)
        return component, cfg
    return [
        entity("switch", UID, "power_switch", "Power",
               {"state_topic": STATUS_TOPIC, "command_topic": CMD_BASE + "power",
                "value_template": "{{ value_json.power | default('None') }}", "payload_on": "ON",
                "payload_off": "OFF"}),
        entity("number", UID, "max_power", "Max power per panel",
               {"state_topic": STATUS_TOPIC, "command_topic": CMD_BASE + "max_power", "min": 0, "max": 500,
                "step": 1, "mode": "box", "unit_of_measurement": "W", "device_class": "power",
                "entity_category": "config", "value_template": "{{ value_json.max_power | default('None') }}"}),
        entity("button", ECU, "reboot", "Reboot",
               {"command_topic": "aps/%s/cmd/reboot" % ECU, "payload_press": "PRESS", "device_class": "restart",
                "entity_category": "config"}),
    ]


CONTROL_STATES = [
    ("aps/status", "online"),
    ("aps/%s/status" % ECU, "online"),
    (STATUS_TOPIC, '{"power":null,"max_power":null,"source":"assumed","since":"2026-06-21T12:00:00+00:00"}'),
    (STATUS_TOPIC, '{"power":"OFF","max_power":300,"source":"assumed","since":"2026-06-21T12:00:05+00:00"}'),
]


def control_lines(change=None, states=CONTROL_STATES):
    setup = control_setup()
    if change:
        change(setup)
    return [config_line("homeassistant/%s/%s/config" % (c, cfg["unique_id"]), cfg) for c, cfg in setup] \
        + state_lines(states)


def control_mutate(index, **changes):
    def apply(setup):
        for k, v in changes.items():
            if v is None:
                setup[index][1].pop(k, None)
            else:
                setup[index][1][k] = v
    return apply


CONTROL_TESTS = [  # (title, lines, a problem containing this, or None)
    ("control entities", lambda: control_lines(), None),
    ("switch without command_topic", lambda: control_lines(control_mutate(0, command_topic=None)), "command_topic"),
    ("switch with a wildcard command_topic",
     lambda: control_lines(control_mutate(0, command_topic="aps/+/cmd/power")), "not a topic to publish on"),
    ("switch payload_on 'true'", lambda: control_lines(control_mutate(0, payload_on="true")), "payload_on/off"),
    ("switch state that is neither",
     lambda: control_lines(states=CONTROL_STATES + [(STATUS_TOPIC, '{"power":"1","max_power":300}')]),
     "neither on, off nor None"),
    ("number with max below min", lambda: control_lines(control_mutate(1, max=-1)), "min/max/step"),
    ("number state out of range",
     lambda: control_lines(states=CONTROL_STATES + [(STATUS_TOPIC, '{"power":"ON","max_power":600}')]),
     "outside"),
    ("number in kWh with device_class power", lambda: control_lines(control_mutate(1, unit_of_measurement="kWh")),
     "not valid with device_class"),
    ("button with a state_topic", lambda: control_lines(control_mutate(2, state_topic=STATUS_TOPIC)),
     "a button has no state_topic"),
    ("state read from the command topic",
     lambda: control_lines(control_mutate(0, state_topic=CMD_BASE + "power")), "is the command_topic"),
]


def run_self_test(check_fn):
    passed = failed = 0

    def verdict(title, lines, want, size=None):
        nonlocal passed, failed
        report = check_fn(lines)
        problems = [p for ps in report.values() for p in ps]
        if want is None:
            ok = not problems and size in (None, len(report))
        else:
            ok = any(want in p for p in problems)
        passed, failed = passed + ok, failed + (not ok)
        if not ok:
            print("FAIL self-test %r: want %s, got %d entries, problems %r"
                  % (title, "none" if want is None else repr(want), len(report), problems))

    verdict("good setup, per entity", lines_of(good_setup()), None, len(good_setup()))
    verdict("good setup, per device", lines_of(good_setup(), form=device_lines), None, len(good_setup()) + 2)
    full = [{e.cfg["unique_id"]: e.cfg for e in normalise(form(good_setup())) if e.cfg is not None}
            for form in (entity_lines, device_lines)]
    ok = full[0] == full[1] and len(full[0]) == len(good_setup())
    passed, failed = passed + ok, failed + (not ok)
    if not ok:
        print("FAIL self-test: the device form does not expand to the per-entity configs")
    for title, change, want in SELF_TESTS:
        for form in (entity_lines, device_lines):
            changed = change(good_setup())
            setup, states = changed if isinstance(changed, tuple) else (changed, STATES)
            verdict("%s, %s" % (title, form.__name__), lines_of(setup, states, form), want)
    for title, lines, want in DEVICE_TESTS + CONTROL_TESTS:
        verdict(title, lines(), want)
    for title, problem in registry_cases():
        ok = problem is None
        passed, failed = passed + ok, failed + (not ok)
        if not ok:
            print("FAIL self-test %r: %s" % (title, problem))
    print("%d passed, %d failed" % (passed, failed))
    return failed


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return 1 if run_self_test(check) else 0
    if len(argv) == 3 and argv[1] == "--migration":
        lines = load(argv[2])
        failed = summarize(check(lines))
        for p in migration_problems(lines):
            print("FAIL migration: %s" % p)
            failed += 1
        return 1 if failed else 0
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
