# SPDX-License-Identifier: MIT
"""The Debian package, end to end: configure a /usr build, `cpack -G DEB`,
check the .deb's fields and contents, `apt-get install` it, run Debian's
mosquitto on the plugin FROM THE INSTALLED PATH with the installed example
config and the installed `aps-ecu simulate`, see the data arrive, and remove
the package again so that the other tests keep using the build tree.
Removal must leave a broker that starts: with the plugin enabled in
/etc/mosquitto/conf.d, `apt-get remove` must disable it (and say so), Debian's
mosquitto must start on that conf.d afterwards, and reinstalling must enable it
again.

usage: test_deb.py SOURCE_DIR WORK_DIR VERSION
Needs root (it installs a package); skipped otherwise."""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

import pkgtest
from pkgtest import check, run

NAME = "package_deb"
PACKAGE = "mosquitto-aps-ecu"


def installed():
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return p.returncode == 0 and p.stdout.strip() == "install ok installed"


def tree_digest(top):
    """What Debian's broker reads from /etc: every file's path and bytes."""
    h = hashlib.sha256()
    for d, dirs, files in sorted(os.walk(top)):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(d, f)
            h.update(path.encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def expected_files(multiarch):
    doc = "/usr/share/doc/" + PACKAGE
    return {
        "/usr/bin/aps-ecu": 0o755,
        "/usr/lib/%s/mosquitto_aps_ecu.so" % multiarch: 0o644,
        "/usr/share/man/man1/aps-ecu.1.gz": 0o644,
        doc + "/copyright": 0o644,
        doc + "/README.md": 0o644,
        doc + "/LICENSE": 0o644,
        doc + "/CHANGELOG.md": 0o644,
        doc + "/examples/aps-ecu.conf": 0o644,
        doc + "/examples/mosquitto.conf.example": 0o644,
    }


def build_deb(source, work, version):
    build = os.path.join(work, "build")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    run(["cmake", "-S", source, "-B", build, "-DCMAKE_INSTALL_PREFIX=/usr",
         "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_TESTING=OFF"])
    run(["cmake", "--build", build, "-j%d" % (os.cpu_count() or 2)])
    # A release build without the tests builds no test-only module.
    for asan in (os.path.join(build, "plugin", "mosquitto_aps_ecu_asan.so"),
                 os.path.join(build, "protocol", "libaps_protocol_asan.a")):
        check(not os.path.exists(asan), "-DBUILD_TESTING=OFF still built " + asan)
    run(["cpack", "-G", "DEB"], cwd=build)
    arch = run(["dpkg", "--print-architecture"]).strip()
    deb = os.path.join(build, "%s_%s_%s.deb" % (PACKAGE, version, arch))
    check(os.path.isfile(deb), "cpack made no %s: %s" % (deb, os.listdir(build)))
    return deb, arch


def check_control(deb, version, arch):
    def field(name):
        return run(["dpkg-deb", "-f", deb, name]).strip()
    check(field("Package") == PACKAGE, "Package: " + field("Package"))
    check(field("Version") == version, "Version: %s, want %s" % (field("Version"), version))
    check(field("Architecture") == arch, "Architecture: " + field("Architecture"))
    check(field("Section") == "net", "Section: " + field("Section"))
    check("<" in field("Maintainer") and "@" in field("Maintainer"), "Maintainer: " + field("Maintainer"))
    description = field("Description").splitlines()
    check(len(description) > 2 and "APsystems" in description[0], "Description: %r" % description)
    depends = [d.strip() for d in field("Depends").split(",")]
    for want in ("mosquitto (>= 2.0)", "libc6", "libcjson1", "libyaml-0-2", "libcurl4"):
        check(any(d == want or d.startswith(want + " (") for d in depends),
              "Depends lacks %s: %s" % (want, depends))


def check_contents(deb, multiarch):
    want = expected_files(multiarch)
    got = {}
    for line in run(["dpkg-deb", "-c", deb]).splitlines():
        mode, path = line.split()[0], line.split()[-1].lstrip(".")
        check(not path.startswith("/etc"), "the package installs into /etc: " + path)
        if mode.startswith("-"):
            got[path] = sum(0o400 >> i for i, c in enumerate(mode[1:10]) if c != "-")
    check(got == want, "contents %s, want %s" % (sorted(got.items()), sorted(want.items())))
    unpacked = os.path.join(os.path.dirname(deb), "unpacked")
    run(["dpkg-deb", "-x", deb, unpacked])
    if shutil.which("file"):
        for f in ("/usr/bin/aps-ecu", "/usr/lib/%s/mosquitto_aps_ecu.so" % multiarch):
            out = run(["file", unpacked + f])
            check("ELF" in out and ", stripped" in out, "not a stripped ELF file: " + out)


def check_lintian(deb):
    if not shutil.which("lintian"):
        print("%s: lintian is not installed: not run" % NAME)
        return
    # Shown, not asserted: the tags wanted depend on lintian's version.
    p = subprocess.run(["lintian", "--no-tag-display-limit", deb], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    print("%s: lintian says:\n%s" % (NAME, p.stdout))


def check_installed_broker(multiarch):
    plugin = "/usr/lib/%s/mosquitto_aps_ecu.so" % multiarch
    listed = set(run(["dpkg", "-L", PACKAGE]).split())
    for f in expected_files(multiarch):
        check(f in listed and os.path.isfile(f), "dpkg -L %s: no %s" % (PACKAGE, f))
    example = open("/usr/share/doc/%s/examples/aps-ecu.conf" % PACKAGE).read()
    check("\nplugin %s\n" % plugin in example, "the example config does not load " + plugin)

    r = pkgtest.Run("aps-deb-test-")
    try:
        ecu_port = r.start_simulator("/usr/bin/aps-ecu")
        port = pkgtest.free_port()
        # The shipped example as a user would use it: ecu_host set, plus a
        # loopback listener and a short poll interval for the test.
        config = example.replace("plugin_opt_ecu_host 192.168.1.42",
                                 "plugin_opt_ecu_host 127.0.0.1:%d" % ecu_port)
        check(config != example, "the example config has no plugin_opt_ecu_host 192.168.1.42 line")
        config = "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n%s" \
                 "plugin_opt_poll_interval 1\n" % (port, config)
        r.start_broker(config)
        ecu = pkgtest.check_data_arrives(r, port)
        print("%s: installed plugin %s, installed aps-ecu: ECU payload %s" % (NAME, plugin, ecu))
    finally:
        r.close()


CONF_D = "/etc/mosquitto/conf.d"
MARK = "#disabled-by-mosquitto-aps-ecu# "


def enable_plugin(conf, ecu_port):
    """The user's step: the example into conf.d with an ECU address."""
    example = open("/usr/share/doc/%s/examples/aps-ecu.conf" % PACKAGE).read()
    with open(conf, "w") as f:
        f.write(example.replace("plugin_opt_ecu_host 192.168.1.42", "plugin_opt_ecu_host 127.0.0.1:%d" % ecu_port)
                + "plugin_opt_poll_interval 1\n")
    return open(conf).read()


def broker_starts(include_dir):
    """Whether Debian's mosquitto starts with include_dir (and a loopback
    listener); returns (started, log)."""
    r = pkgtest.Run("aps-deb-removed-")
    try:
        port = pkgtest.free_port()
        try:
            r.start_broker("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
                           "include_dir %s\n" % (port, include_dir))
            return True, r.log_text()
        except pkgtest.Failure:
            return False, r.log_text()
    finally:
        r.close()


def check_removal(env, conf, enabled_text, multiarch):
    """apt-get remove with the plugin enabled in conf.d: the broker must start
    afterwards, and reinstalling must enable the plugin again."""
    p = subprocess.run(["apt-get", "remove", "-y", "-q", PACKAGE], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    check(p.returncode == 0, "apt-get remove exited %d:\n%s" % (p.returncode, p.stdout))
    check(not os.path.exists("/usr/lib/%s/mosquitto_aps_ecu.so" % multiarch), "remove left the plugin")
    check("disabled the plugin in " + conf in p.stdout, "apt-get remove did not say it disabled %s:\n%s"
          % (conf, p.stdout))
    text = open(conf).read()
    for line in enabled_text.splitlines():
        if line.startswith("plugin"):
            check(MARK + line in text.splitlines(), "after remove, %r is not disabled in %s:\n%s"
                  % (line, conf, text))
    started, log = broker_starts(CONF_D)
    check(started, "after apt-get remove the broker does not start with %s:\n%s" % (CONF_D, log))
    # The same conf.d as the user left it, lines not disabled: the broker must
    # not start, else the check above proves nothing.
    undisabled = tempfile.mkdtemp(prefix="aps-deb-undisabled-")
    try:
        with open(os.path.join(undisabled, os.path.basename(conf)), "w") as f:
            f.write(enabled_text)
        started, log = broker_starts(undisabled)
        check(not started, "the broker starts even with the plugin's lines enabled and the plugin removed:\n" + log)
    finally:
        shutil.rmtree(undisabled)
    print("%s: apt-get remove disabled the plugin in %s; the broker starts" % (NAME, conf))


def main():
    source, work, version = sys.argv[1:4]
    if os.geteuid() != 0:
        pkgtest.skip(NAME, "needs root: it installs and removes the .deb with apt-get")
    for tool in ("apt-get", "dpkg", "dpkg-deb", "dpkg-shlibdeps", "cpack"):
        if not shutil.which(tool):
            pkgtest.skip(NAME, tool + " not found")
    marker = os.path.join(os.path.dirname(work), "package-installed-by-test")
    if installed() and not os.path.exists(marker):
        pkgtest.skip(NAME, PACKAGE + " is installed on this machine, not by this test: left alone")
    multiarch = run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"]).strip()

    deb, arch = build_deb(source, work, version)
    check_control(deb, version, arch)
    check_contents(deb, multiarch)
    check_lintian(deb)
    print("%s: built %s" % (NAME, deb))

    etc_before = tree_digest("/etc/mosquitto")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    open(marker, "w").close()
    conf = os.path.join(CONF_D, "zz-aps-ecu-package-test.conf")
    try:
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", deb], env=env)
        check(installed(), "apt-get install did not install " + PACKAGE)
        check(tree_digest("/etc/mosquitto") == etc_before, "installing changed /etc/mosquitto")
        check_installed_broker(multiarch)

        enabled = enable_plugin(conf, 9)
        check_removal(env, conf, enabled, multiarch)
        out = run(["apt-get", "install", "-y", "-q", "--no-install-recommends", deb], env=env)
        check(open(conf).read() == enabled, "reinstalling did not enable the plugin again in %s:\n%s\n%s"
              % (conf, open(conf).read(), out))
        check("enabled the plugin lines disabled at removal in " + conf in out,
              "reinstalling did not say it enabled %s:\n%s" % (conf, out))
        print("%s: reinstalling enabled the plugin in %s again" % (NAME, conf))
    finally:
        if os.path.exists(conf):
            os.unlink(conf)
        run(["apt-get", "remove", "-y", "-q", PACKAGE], env=env)
        left = [f for f in expected_files(multiarch) if os.path.exists(f)]
        # CPack's postrm (an ldconfig call) keeps the package known to dpkg
        # as "config-files" after remove; purge leaves no trace.
        run(["dpkg", "--purge", PACKAGE])
        os.unlink(marker)
    check(not installed(), "apt-get remove left %s installed" % PACKAGE)
    check(not left, "apt-get remove left %s" % left)


if __name__ == "__main__":
    pkgtest.main(NAME, main)
