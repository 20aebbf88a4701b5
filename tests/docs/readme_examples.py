#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's YAML examples work: the aps2mqtt file, given to the plugin with
only APS_ECU_IP pointed at a simulator replaying ecu-r-pro-6xqs1 (the ids the
README uses), starts the broker and publishes with discovery on; every entity
the dashboard example names is one the plugin's device configs create.

usage: readme_examples.py APS_ECU PLUGIN FIXTURES README"""
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin"))
from harness import check, messages, run, wait_for  # noqa: E402

README = sys.argv.pop(4)


def yaml_blocks():
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", open(README).read(), re.S)]


def entities(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("entity", "entities") and isinstance(v, str):
                yield v
            yield from entities(v)
    elif isinstance(node, list):
        for v in node:
            yield from entities(v) if not isinstance(v, str) else [v]


def test(env):
    blocks = yaml_blocks()
    [aps2mqtt] = [b for b in blocks if isinstance(b, dict) and "ecu" in b and "mqtt" in b]
    [dashboard] = [b for b in blocks if isinstance(b, dict) and "views" in b]
    sim = env.simulator("--replay", os.path.join(env.fixtures, "ecu-r-pro-6xqs1"), "--quiet")
    text = open(README).read().split("```yaml\n")
    [block] = [b.split("```")[0] for b in text[1:] if b.startswith("ecu:")]
    ip = aps2mqtt["ecu"]["APS_ECU_IP"]
    conf = env.path("aps2mqtt.yaml")
    with open(conf, "w") as f:
        f.write(block.replace('"%s"' % ip, '"127.0.0.1:%d"' % sim.port, 1))
    broker = env.broker({"config_file": conf, "poll_interval": "1"})
    sub = env.subscriber(broker.port, "#")
    configs = lambda: [p for _, t, p in messages(sub) if t.startswith("homeassistant/device/aps_")]
    wait_for(lambda: len(configs()) >= 2, 20, "the device configs")
    created = set()
    for payload in configs():
        for component in json.loads(payload)["cmps"].values():
            created.add(component["default_entity_id"])
    named = set(e for e in entities(dashboard) if "." in e)
    check(named, "the dashboard example names no entity")
    check(named <= created, "the dashboard example names entities the plugin does not create: %s (created: %s)"
          % (sorted(named - created), sorted(created)))
    print("readme_examples: the aps2mqtt YAML runs the plugin; the dashboard's %d entities exist" % len(named))


if __name__ == "__main__":
    sys.argv.append("readme_examples")
    run({"readme_examples": test})
