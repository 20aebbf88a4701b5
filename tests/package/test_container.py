# SPDX-License-Identifier: MIT
"""The container image's recipe, without a Docker engine: follow the
Dockerfile on this machine.  Copy what its build stage COPYs, run its build
step (scripts/container-build.sh), lay out what its final stage COPYs, then run
Debian's mosquitto on the image's mosquitto.conf (listener moved to loopback,
paths moved into the temp dir) with docker-compose.yml's environment, and the
built aps-ecu as the ECU, and check that the data arrives as configured.

The broker is the image's release, Mosquitto 2.1.2 built from source (CTest
passes it as APS_MOSQUITTO), and the plugin is built against that release's
headers as in the image.  Not covered, because it needs the image: Alpine's
compiler and musl at run time, the apk package names, the image's own
mosquitto build (made with its Makefile: test_broker_exports covers what that
changes).

usage: test_container.py SOURCE_DIR WORK_DIR"""

import datetime
import json
import os
import pwd
import re
import shlex
import shutil
import sys
import zoneinfo

import yaml

import pkgtest
from pkgtest import check, run

NAME = "container_build"


def dockerfile_stages(path):
    """[(stage name, [(instruction, args)])], line continuations joined."""
    text = re.sub(r"\\\n", " ", open(path).read())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            args = rest.split()
            stages.append((args[2] if len(args) == 3 and args[1].upper() == "AS" else "", []))
        elif word != "ARG":
            check(stages, "Dockerfile: %s before FROM" % word)
            stages[-1][1].append((word, rest.strip()))
    return stages


def copy_context(source, stage, src_dir):
    """The build stage's COPY lines, into src_dir; returns its WORKDIR."""
    workdir = None
    for word, rest in stage:
        if word == "WORKDIR":
            workdir = rest
        elif word == "COPY":
            args = shlex.split(rest)
            check(workdir and not args[0].startswith("--"), "build stage: unexpected COPY " + rest)
            dest = os.path.normpath(os.path.join(src_dir, args[-1]))
            os.makedirs(dest, exist_ok=True)
            for a in args[:-1]:
                from_path = os.path.join(source, a)
                check(os.path.exists(from_path), "Dockerfile COPYs %s, which does not exist" % a)
                if os.path.isdir(from_path):
                    shutil.copytree(from_path, dest, dirs_exist_ok=True)
                else:
                    shutil.copy2(from_path, dest)
    return workdir


def build_stage(source, stage, work):
    """Runs the build stage's container-build.sh; returns (out dir in the stage, here)."""
    src_dir = os.path.join(work, "src")
    workdir = copy_context(source, stage, src_dir)
    runs = [rest for word, rest in stage if word == "RUN" and "container-build.sh" in rest]
    check(len(runs) == 1, "build stage: want one RUN of container-build.sh, got %r" % runs)
    args = shlex.split(runs[0])
    check(args[:2] == ["sh", "scripts/container-build.sh"] and len(args) == 5 and args[2] == workdir,
          "build stage: want RUN sh scripts/container-build.sh %s OUT BUILD, got %r" % (workdir, args))
    out = os.path.join(work, "out")
    log = run(["sh", "scripts/container-build.sh", src_dir, out, os.path.join(work, "build")],
              cwd=src_dir, timeout=180)
    print(log.strip().splitlines()[-1])
    return args[3], out


def final_stage(source, stage, build_name, stage_out, out, root):
    """Lays the final stage's COPYs out under root; returns the apk packages."""
    packages = []
    for word, rest in stage:
        args = shlex.split(rest)
        if word == "RUN" and args[:3] == ["apk", "add", "--no-cache"]:
            packages += args[3:]
        elif word == "COPY":
            if args[0].startswith("--from="):
                check(args[0] == "--from=" + build_name, "final stage: COPY " + rest)
                check(args[1].startswith(stage_out + "/"), "final stage copies from outside %s: %s"
                      % (stage_out, rest))
                from_path = out + args[1][len(stage_out):]
                files = args[1:-1]
            else:
                from_path = os.path.join(source, args[0])
                files = args[:-1]
            check(len(files) == 1 and os.path.isfile(from_path), "final stage: COPY %s: no %s"
                  % (rest, from_path))
            dest = root + args[-1]
            if args[-1].endswith("/"):
                dest = os.path.join(dest, os.path.basename(from_path))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy2(from_path, dest)
        else:
            check(False, "final stage: unexpected %s %s" % (word, rest))
    return packages


def known_variables(source):
    """aps2mqtt's environment variables as plugin/config/config_apply.c names them."""
    text = open(os.path.join(source, "plugin", "config", "config_apply.c")).read()
    names = set(re.findall(r'"((?:APS|MQTT)_[A-Z_]+|CONFIG_FILE)"', text))
    check("APS_ECU_IP" in names, "found no aps2mqtt variable names in plugin/config/config_apply.c")
    return names


def compose_environment(source, known):
    path = os.path.join(source, "docker-compose.yml")
    compose = yaml.safe_load(open(path))
    service = compose["services"]["mosquitto"]
    check(service.get("build") == ".", "docker-compose.yml: the service is not built from the Dockerfile")
    check("1883:1883" in service.get("ports", []), "docker-compose.yml: port 1883 not published")
    env = {k: str(v) for k, v in service["environment"].items()}
    commented = re.findall(r"^\s*#\s*([A-Z][A-Z_]+):", open(path).read(), re.M)
    for name in list(env) + commented:
        check(name in known, "docker-compose.yml: %s is not a variable the plugin reads" % name)
    check("APS_ECU_IP" in env, "docker-compose.yml sets no APS_ECU_IP")
    return env


def broker_config(conf_path, root, port):
    """The image's mosquitto.conf with its listener on loopback and its paths
    moved under root; every rewrite must match, or the test is not testing
    the file it thinks."""
    text = open(conf_path).read()
    plugin_lines = re.findall(r"^plugin (\S+)$", text, re.M)
    check(len(plugin_lines) == 1, "image config: want one plugin line, got %r" % plugin_lines)
    check(os.path.isfile(root + plugin_lines[0]), "image config loads %s, which the image lacks"
          % plugin_lines[0])
    rewrites = [
        (r"^listener 1883$", "listener %d 127.0.0.1" % port),
        (r"^persistence true$", "persistence false"),
        (r"^plugin (/\S+)$", "plugin " + root + plugin_lines[0]),
        (r"^#plugin_opt_poll_interval \d+$", "plugin_opt_poll_interval 1"),
    ]
    for pattern, repl in rewrites:
        text, n = re.subn(pattern, repl, text, flags=re.M)
        check(n == 1, "image config: %r matched %d lines" % (pattern, n))
    # Started as root, mosquitto would switch to user mosquitto, which cannot
    # read the temp dir; the image's files are world-readable.
    # The energy state file goes to the temp dir, not the system's default place.
    return text + "user %s\nplugin_opt_state_file %s/aps-ecu.state\n" % (pwd.getpwuid(os.geteuid()).pw_name, root)


def check_timestamp(ecu, zone):
    stamp = ecu.get("timestamp")
    check(stamp is not None, "ECU payload without a timestamp: %r" % ecu)
    local = datetime.datetime.fromisoformat(stamp)
    want = zoneinfo.ZoneInfo(zone).utcoffset(local.replace(tzinfo=None))
    check(local.utcoffset() == want, "timestamp %s: offset %s, want %s (%s)"
          % (stamp, local.utcoffset(), want, zone))


def main():
    source, work = sys.argv[1:3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    stages = dockerfile_stages(os.path.join(source, "Dockerfile"))
    check([s[0] for s in stages] == ["build", ""], "Dockerfile: want stages build and final, got %r"
          % [s[0] for s in stages])
    stage_out, out = build_stage(source, stages[0][1], work)
    root = os.path.join(work, "root")
    packages = final_stage(source, stages[1][1], "build", stage_out, out, root)
    for p in ("cjson", "yaml", "tzdata", "libcurl"):
        check(p in packages, "final stage does not add %s: %r" % (p, packages))
    conf_path = root + "/mosquitto/config/mosquitto.conf"
    check(os.path.isfile(conf_path), "the final stage has no /mosquitto/config/mosquitto.conf")

    known = known_variables(source)
    conf_vars = set(re.findall(r"\b((?:APS|MQTT)_[A-Z_]+)", open(conf_path).read()))
    conf_vars -= {"MQTT_BROKER_", "APS_ECU_POSITION_", "APS_ECU_WIFI_"}
    check(conf_vars and conf_vars <= known, "image config names unknown variables: %s"
          % sorted(conf_vars - known))
    env = compose_environment(source, known)

    r = pkgtest.Run("aps-container-test-")
    try:
        ecu_port = r.start_simulator(root + "/usr/bin/aps-ecu")
        port = pkgtest.free_port()
        env.update(APS_ECU_IP="127.0.0.1", APS_ECU_PORT=str(ecu_port),
                   MQTT_BROKER_HOST="core-mosquitto")
        r.start_broker(broker_config(conf_path, root, port), env=dict(os.environ, **env))
        prefix = env["MQTT_TOPIC_PREFIX"] + "/" if env.get("MQTT_TOPIC_PREFIX") else ""
        ecu = pkgtest.check_data_arrives(r, port, prefix)
        if "APS_ECU_TIMEZONE" in env:
            check_timestamp(ecu, env["APS_ECU_TIMEZONE"])
        if env.get("MQTT_DISCOVERY_ENABLED", "").lower() == "true":
            [(topic, payload)] = r.receive(port, "homeassistant/device/#")
            uids = [c.get("uniq_id", "") for c in json.loads(payload).get("cmps", {}).values()]
            check(uids and all(u.startswith("aps_") for u in uids), "discovery config %s: %s" % (topic, payload))
        log = r.log_text()
        check("MQTT_BROKER_HOST (environment) is ignored" in log,
              "the broker log does not say MQTT_BROKER_HOST is ignored:\n" + log)
        print("%s: image layout, image config and docker-compose environment, broker %s: ECU payload %s"
              % (NAME, pkgtest.MOSQUITTO, json.dumps(ecu)))
    finally:
        r.close()


if __name__ == "__main__":
    pkgtest.main(NAME, main)
